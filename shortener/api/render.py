"""Domain records as the API shows them: times as RFC 3339, ids named as in requests."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from shortener.config import Settings
from shortener.errors import InvalidInput
from shortener.links.models import Advocate, Campaign, Link
from shortener.links.store import Position


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat().replace("+00:00", "Z")


def epoch(moment: dt.datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


def campaign_json(campaign: Campaign) -> dict[str, Any]:
    data = campaign.to_dict()
    data["created_at"] = iso(campaign.created_at)
    return data


def advocate_json(settings: Settings, advocate: Advocate, *,
                  referral_codes: dict[str, str] | None = None) -> dict[str, Any]:
    data = advocate.to_dict()
    data["referral_codes"] = referral_codes or {}
    data["share_url"] = f"{settings.public_url}/s/{data.pop('share_token')}"
    data["created_at"] = iso(advocate.created_at)
    data["erased_at"] = iso(advocate.erased_at)
    return data


def link_json(settings: Settings, link: Link, *, created: bool | None = None,
              referral_code: str | None = None) -> dict[str, Any]:
    data = link.to_dict()
    data["referral_code"] = referral_code
    data["campaign"] = data.pop("campaign_id")
    data["short_url"] = settings.short_url(link.code)
    data["expires_at"] = iso(link.expires_at)
    data["created_at"] = iso(link.created_at)
    if created is not None:
        data["created"] = created
    return data


def encode_cursor(position: Position | None) -> str | None:
    """A position as ``SCORE~HEX``: the sorted set's score, then the member's UTF-8 in hex.

    Every string the cursor patterns in schemas.py accept decodes to some
    position, so a well-formed cursor the API never handed out is not an
    error: the page simply starts after that point.
    """
    if position is None:
        return None
    score = repr(position[0]).replace("e+", "e")  # no "+": it reads as a space in a URL
    return f"{score}~{position[1].encode().hex()}"


def decode_cursor(cursor: str | None) -> Position | None:
    if cursor is None:
        return None
    score, tilde, member = cursor.partition("~")
    try:
        if not tilde:
            raise ValueError(cursor)
        value = float(score)
        if not math.isfinite(value):
            raise ValueError(cursor)
        return value, bytes.fromhex(member).decode(errors="replace")
    except ValueError:
        raise InvalidInput("cursor is not one this API handed out", field="cursor") from None
