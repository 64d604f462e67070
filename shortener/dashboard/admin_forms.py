"""What the admin pages that make things with a campaign choice share (webhooks, API
keys): the campaigns offered, a form filled from the request or blank, times as text."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from flask_wtf import FlaskForm

from shortener.db import get_redis
from shortener.links import store as catalogue

FormT = TypeVar("FormT", bound=FlaskForm)


def campaign_names() -> dict[str, str]:
    """Every campaign's name by id, in the catalogue's order."""
    r = get_redis()
    return {campaign.id: campaign.name
            for campaign in catalogue.get_campaigns(r, catalogue.list_campaign_ids(r))}


def campaign_form(kind: type[FormT], names: dict[str, str], *, blank: bool = False) -> FormT:
    """The form, filled from the request unless ``blank``, offering the campaigns."""
    form = kind(formdata=None) if blank else kind()
    form.campaigns.choices = list(names.items())
    return form


def when(ts: float | None, *, seconds: bool = False) -> str | None:
    """A Unix time as UTC text, to the minute (or second); None for none."""
    if ts is None:
        return None
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime(
        "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
