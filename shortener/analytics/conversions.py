"""list_conversions(): a campaign's conversions in the order they were recorded, for audits.

Each new conversion adds an entry (its order id) to the campaign's
conversion stream; the record itself stays in the orders hash, so a later
change to it (a review status) shows here. Stream ids are milliseconds, so
a time range is a range of ids. Filtering by advocate reads the campaign's
entries and keeps the advocate's: a page reads at most MAX_SCAN_ENTRIES
entries, so it may hold fewer than asked (even none) before the last page;
continue while ``next_cursor`` is not null.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from shortener import keys
from shortener.clicks.conversions import Conversion
from shortener.db import Client
from shortener.errors import InvalidInput

MAX_SCAN_ENTRIES = 5000
SCAN_CHUNK = 500
_LAST_SEQUENCE = 2**64 - 1
_STREAM_ID = re.compile(r"[0-9]{1,20}-[0-9]{1,20}")


@dataclass(frozen=True)
class ConversionPage:
    items: list[tuple[str, Conversion]]
    next_cursor: str | None


_EPOCH = dt.date(1970, 1, 1)
_DAY_MILLISECONDS = 86_400_000


def _first_id(day: dt.date) -> str:
    return f"{max(0, (day - _EPOCH).days * _DAY_MILLISECONDS)}-0"


def _last_id(day: dt.date) -> str:
    return f"{max(0, ((day - _EPOCH).days + 1) * _DAY_MILLISECONDS - 1)}-{_LAST_SEQUENCE}"


def list_conversions(r: Client, campaign_id: str, *, advocate: str | None = None,
                     since: dt.date | None = None, until: dt.date | None = None,
                     after: str | None = None, limit: int = 100) -> ConversionPage:
    """Up to ``limit`` conversions, oldest first, after the stream id ``after``.

    since and until are UTC days, both inclusive. Raises InvalidInput for a
    cursor that is not a stream id (``cursor``) or a range that ends before it
    starts (``until``).
    """
    if since and until and until < since:
        raise InvalidInput("until must not be before since", field="until")
    if after is not None and not is_cursor(after):
        raise InvalidInput("cursor is not one this service handed out", field="cursor")
    stream = keys.campaign_conversions(campaign_id)
    lowest = _first_id(since) if since else "-"
    if after is not None and (lowest == "-" or _id_key(after) >= _id_key(lowest)):
        lowest = f"({after}"
    highest = _last_id(until) if until else "+"
    items: list[tuple[str, Conversion]] = []
    scanned = 0
    while scanned < MAX_SCAN_ENTRIES:
        want = limit + 1 - len(items) if advocate is None else SCAN_CHUNK
        entries = r.xrange(stream, min=lowest, max=highest, count=want)
        if not entries:
            return ConversionPage(items, None)
        texts = r.hmget(keys.campaign_orders(campaign_id),
                        [fields.get("order", "") for _, fields in entries])
        for (stream_id, _), text in zip(entries, texts, strict=True):
            if text is None:
                continue
            conversion = Conversion.from_json(text)
            if advocate is not None and conversion.advocate != advocate:
                continue
            if len(items) == limit:
                return ConversionPage(items, items[-1][0])
            items.append((stream_id, conversion))
        scanned += len(entries)
        lowest = f"({entries[-1][0]}"
        if len(entries) < want:
            return ConversionPage(items, None)
    return ConversionPage(items, lowest[1:])


def is_cursor(text: str) -> bool:
    """True for a stream id Redis accepts as an exclusive start."""
    if not _STREAM_ID.fullmatch(text):
        return False
    # Redis refuses ids past 64 bits, and an exclusive range after the largest id.
    return all(int(part) < 2**63 for part in text.split("-"))


def _id_key(stream_id: str) -> tuple[int, int]:
    milliseconds, _, sequence = stream_id.partition("-")
    return int(milliseconds), int(sequence or 0)
