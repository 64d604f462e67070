"""Click figures of a campaign, an advocate and a link, and a campaign's KPIs."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from shortener.analytics import queries
from shortener.analytics.kpis import get_campaign_kpis
from shortener.analytics.results import Stats, figures
from shortener.analytics.shares import with_shares
from shortener.analytics.survey import with_self_reported
from shortener.api import bp, schemas
from shortener.api.openapi import responses, spec, validated_query
from shortener.db import get_redis
from shortener.errors import InvalidInput
from shortener.links.advocates import get_advocate
from shortener.links.campaigns import get_campaign
from shortener.links.minting import get_link

TAGS = ["stats"]
MAX_RANGE_DAYS = 366
DEFAULT_RANGE_DAYS = 30
FIRST_YEAR, LAST_YEAR = 2000, 2199


def _range(start: dt.date | None, end: dt.date | None,
           zone: dt.tzinfo = dt.UTC) -> tuple[dt.date, dt.date] | None:
    """The days asked for; a missing end is today in ``zone`` (but no earlier than start
    and within the longest range), a missing start opens the 30-day window ending at
    end. Neither: all time (None)."""
    if start is None and end is None:
        return None
    if end is None and start is not None:
        longest = start + dt.timedelta(days=MAX_RANGE_DAYS - 1) \
            if start < dt.date.max - dt.timedelta(days=MAX_RANGE_DAYS) else dt.date.max
        end = min(max(dt.datetime.now(zone).date(), start), longest)
    elif start is None and end is not None:
        window = dt.timedelta(days=DEFAULT_RANGE_DAYS - 1)
        start = end - window if end > dt.date.min + window else dt.date.min
        if end.year >= FIRST_YEAR:
            start = max(start, dt.date(FIRST_YEAR, 1, 1))
    assert start is not None and end is not None
    for name, day in (("start", start), ("end", end)):
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise InvalidInput(f"{name} must be a day from {FIRST_YEAR} to {LAST_YEAR}",
                               field=name)
    if end < start:
        raise InvalidInput("end must not be before start", field="end")
    if (end - start).days >= MAX_RANGE_DAYS:
        raise InvalidInput(f"the range may span at most {MAX_RANGE_DAYS} days", field="end")
    return start, end


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (KeyError, ValueError, OSError):
        raise InvalidInput(f"tz {name!r} is not an IANA time zone", field="tz") from None


# The series a Stats carries that the API shows in its own shape (or not at all).
SERIES = ("by_day", "zoned_by_day", "zoned_by_hour")


def stats_json(stats: Stats, *, span: tuple[dt.date, dt.date] | None,
               tz: str) -> dict[str, Any]:
    """A Stats as the API shows it: every figure, and the series in the caller's zone."""
    by_day, by_hour = stats.zoned_by_day, stats.zoned_by_hour
    return {**figures(stats, leave=SERIES),
            "start": span[0].isoformat() if span else None,
            "end": span[1].isoformat() if span else None, "tz": tz,
            "by_day": [figures(day) for day in by_day] if span and by_day else None,
            "by_hour": [figures(hour) for hour in by_hour] if span and by_hour else None}


def _stats(scope: queries.Scope, ident: str, query: schemas.StatsQuery, *,
           shares: bool = False) -> dict[str, Any]:
    """Figures over all time, or over a range of days with series in the caller's zone
    (and with ``shares``, a campaign's shares and survey answers over the same UTC days).

    The breakdowns (channel, kind, device, previews) are kept per UTC day, so
    over a range they cover the UTC days from start to end; by_day and
    by_hour come from hourly counters and follow ``tz`` exactly.
    """
    zone = _zone(query.tz)
    span = _range(query.start, query.end, zone)
    r = get_redis()
    found = queries.get_stats(r, scope, ident) if span is None else \
        queries.get_stats(r, scope, ident, start=span[0], end=span[1], zone=zone)
    if shares:
        found = with_self_reported(r, ident, with_shares(r, ident, found))
    return stats_json(found, span=span, tz=query.tz)


@bp.get("/campaigns/<campaign_id>/stats")
@spec.validate(query=schemas.StatsQuery, resp=responses(200, schemas.CampaignStats, 404, 422),
               tags=TAGS)
def campaign_stats(campaign_id: str) -> dict[str, Any]:
    """A campaign's clicks, unique visitors, channels, kinds, dark share and previews,
    and its shares by channel with the clicks each share brought."""
    get_campaign(get_redis(), campaign_id)
    figures = _stats(queries.CAMPAIGN, campaign_id, validated_query(), shares=True)
    return {"campaign": campaign_id, **figures}


@bp.get("/advocates/<external_id>/stats")
@spec.validate(query=schemas.StatsQuery, resp=responses(200, schemas.AdvocateStats, 404, 422),
               tags=TAGS)
def advocate_stats(external_id: str) -> dict[str, Any]:
    """An advocate's figures over all their links."""
    get_advocate(get_redis(), external_id)
    figures = _stats(queries.ADVOCATE, external_id, validated_query())
    return {"advocate": external_id, **figures}


@bp.get("/links/<code>/stats")
@spec.validate(query=schemas.StatsQuery, resp=responses(200, schemas.LinkStats, 404, 422),
               tags=TAGS)
def link_stats(code: str) -> dict[str, Any]:
    """A link's figures."""
    get_link(get_redis(), code)
    figures = _stats(queries.LINK, code, validated_query())
    return {"code": code, **figures}


@bp.get("/campaigns/<campaign_id>/kpis")
@spec.validate(query=schemas.KpiQuery, resp=responses(200, schemas.Kpis, 404, 422), tags=TAGS)
def campaign_kpis(campaign_id: str) -> dict[str, Any]:
    """A campaign's KPIs; the formulas are in this document's introduction."""
    query: schemas.KpiQuery = validated_query()
    span = _range(query.start, query.end)
    campaign = get_campaign(get_redis(), campaign_id)
    start, end = span if span else (None, None)
    return figures(get_campaign_kpis(get_redis(), campaign, start=start, end=end))
