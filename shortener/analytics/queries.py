"""Reads of the click counters: get_link_stats, get_campaign_stats, get_advocate_stats.

Every figure comes from the counters that recording writes (see
clicks/counters.py and clicks/recording.py). Unique visitors are counted per
UTC day (the visitor hash's salt changes daily) when clicks are written, so
over a range they are the sum of the days' "visitors" counters, and over all
time the totals' one: a read costs one hash per campaign day or per month of
a link or advocate, whatever the number of advocates or clicks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from redis.client import NEVER_DECODE
from redis.exceptions import ConnectionError, MovedError, TimeoutError

from shortener import keys
from shortener.analytics.results import DayFigures, LocalDay, LocalHour, Stats
from shortener.clicks import counters
from shortener.db import Client, server_of

MAX_RANGE_DAYS = 400


@dataclass(frozen=True)
class Scope:
    totals: Callable[[str], str]
    # The hash of one day (campaigns) or of one month with day-qualified fields.
    period: Callable[[str, str], str]
    monthly: bool


LINK = Scope(keys.link_totals, keys.link_month, True)
CAMPAIGN = Scope(keys.campaign_totals, keys.campaign_day, False)
ADVOCATE = Scope(keys.advocate_totals, keys.advocate_month, True)


def days_between(start: dt.date, end: dt.date) -> list[str]:
    """UTC day names from start to end inclusive, at most MAX_RANGE_DAYS."""
    count = min((end - start).days + 1, MAX_RANGE_DAYS)
    return [(start + dt.timedelta(days=offset)).strftime("%Y%m%d") for offset in range(count)]


def summarize(fields: dict[str, str]) -> Stats:
    """One counter hash (or a sum of them) as the figures the API, dashboard and CLI show."""
    clicks = int(fields.get(counters.HUMAN, 0))
    dark = int(fields.get(counters.DARK, 0))
    by_kind = {kind: 0 for kind in ("human", "preview_bot", "scanner", "crawler")}
    by_kind.update(counters.split(fields, "kind"))
    return Stats(
        clicks=clicks,
        unique_visitors=int(fields.get(counters.VISITORS, 0)),
        dark=dark,
        dark_share=round(dark / clicks, 4) if clicks else 0.0,
        by_channel=counters.split(fields, "channel"),
        by_kind=by_kind,
        by_device=counters.split(fields, "device"),
        by_country=counters.split(fields, "country"),
        previews=counters.split(fields, "preview"),
        conversions=int(fields.get(counters.CONVERSIONS, 0)),
        conversion_value=float(fields.get(counters.CONVERSION_VALUE, 0)),
        conversions_by_click=int(fields.get(counters.CONVERSIONS_BY_CLICK, 0)),
        conversions_by_code=int(fields.get(counters.CONVERSIONS_BY_CODE, 0)),
    )


def read_counters(r: Client, scope: Scope, ident: str, days: list[str]
                  ) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The totals hash and each day's counters, in one pipeline."""
    pipe = r.pipeline(transaction=False)
    pipe.hgetall(scope.totals(ident))
    if not scope.monthly:
        for day in days:
            pipe.hgetall(scope.period(ident, day))
        answers = pipe.execute()
        return answers[0], answers[1:]
    months = sorted({counters.month_of(day) for day in days})
    for month in months:
        pipe.hgetall(scope.period(ident, month))
    answers = pipe.execute()
    by_month = {month: counters.split_days(fields)
                for month, fields in zip(months, answers[1:], strict=True)}
    return answers[0], [by_month[counters.month_of(day)].get(day[6:8], {}) for day in days]


def read_days(r: Client, scope: Scope, idents: list[str], days: list[str]
              ) -> list[list[dict[str, str]]]:
    """Each ident's counters of each day (no totals), for many idents in one pipeline."""
    pipe = r.pipeline(transaction=False)
    if not scope.monthly:
        for ident in idents:
            for day in days:
                pipe.hgetall(scope.period(ident, day))
        answers = pipe.execute()
        return [answers[index * len(days):(index + 1) * len(days)]
                for index in range(len(idents))]
    months = sorted({counters.month_of(day) for day in days})
    for ident in idents:
        for month in months:
            pipe.hgetall(scope.period(ident, month))
    answers = pipe.execute()
    read: list[list[dict[str, str]]] = []
    for index in range(len(idents)):
        by_month = {month: counters.split_days(fields) for month, fields in
                    zip(months, answers[index * len(months):(index + 1) * len(months)],
                        strict=True)}
        read.append([by_month[counters.month_of(day)].get(day[6:8], {}) for day in days])
    return read


def get_range_counts(r: Client, scope: Scope, idents: list[str], names: tuple[str, ...],
                     *, start: dt.date, end: dt.date) -> dict[str, dict[str, float]]:
    """A few counters (``names``) of many links or advocates, each summed over the range,
    in one pipeline that fetches only those fields (HMGET), not whole hashes."""
    days = days_between(start, end)
    groups: dict[str, list[str]] = {}
    for day in days:
        groups.setdefault(counters.month_of(day) if scope.monthly else day, []).append(day)
    # The same fields for every ident: named once per period.
    wanted = {period: [counters.day_field(day, name) if scope.monthly else name
                       for day in period_days for name in names]
              for period, period_days in groups.items()}
    pipe = r.pipeline(transaction=False)
    for ident in idents:
        for period, fields in wanted.items():
            pipe.hmget(scope.period(ident, period), fields)
    answers = iter(pipe.execute())
    counts: dict[str, dict[str, float]] = {}
    for ident in idents:
        summed = dict.fromkeys(names, 0.0)
        for _ in groups:
            for position, value in enumerate(next(answers)):
                if value is not None:
                    summed[names[position % len(names)]] += float(value)
        counts[ident] = summed
    return counts


def get_stats(r: Client, scope: Scope, ident: str, *, start: dt.date | None = None,
              end: dt.date | None = None, zone: dt.tzinfo | None = None) -> Stats:
    """Figures for one link, campaign or advocate, from one read of its counters.

    With no range: all-time counters. With a range: the range's UTC days only,
    with a per-day series; and with ``zone``, also ``zoned_by_day`` and
    ``zoned_by_hour`` in that zone, from the same read (see zoned_series).
    """
    if start is None and end is None:
        totals, _ = read_counters(r, scope, ident, [])
        return summarize(totals)
    today = dt.datetime.now(dt.UTC).date()
    first, last = start or end or today, end or today
    days = days_between(first, last)
    # A zone's local days reach into the UTC days on either side.
    margin = zone is not None
    read = days_between(first - dt.timedelta(days=1), last + dt.timedelta(days=1)) \
        if margin else days
    _, read_days = read_counters(r, scope, ident, read)
    per_day = read_days[1:len(days) + 1] if margin else read_days
    result = ranged_stats(days, per_day)
    if zone is not None:
        by_day, by_hour = zoned_series(read, read_days, start=first, end=last, zone=zone)
        result = replace(result, zoned_by_day=by_day, zoned_by_hour=by_hour)
    return result


def ranged_stats(days: list[str], per_day: list[dict[str, str]],
                 summed: dict[str, float] | None = None) -> Stats:
    """The figures of a range from its days' counter hashes (and their sum, when known),
    with the per-day series."""
    if summed is None:
        summed = sum_fields(per_day)
    result = summarize(as_fields(summed))
    by_day = []
    for day, fields in zip(days, per_day, strict=True):
        by_channel, by_device = counters.split_two(fields, "channel", "device")
        by_day.append(DayFigures(day=f"{day[:4]}-{day[4:6]}-{day[6:]}",
                                 clicks=int(fields.get(counters.HUMAN, 0)),
                                 by_channel=by_channel, by_device=by_device))
    return replace(result, by_day=tuple(by_day))


def sum_fields(hashes: list[dict[str, str]]) -> dict[str, float]:
    """Counter hashes summed field by field (integers stay whole, values as floats)."""
    summed: dict[str, float] = {}
    get = summed.get
    for fields in hashes:
        for name, value in fields.items():
            summed[name] = get(name, 0) + float(value)
    return summed


def as_fields(summed: dict[str, float]) -> dict[str, str]:
    """Summed counters back in a hash's shape (whole numbers without a decimal point)."""
    return {name: str(int(value) if value.is_integer() else value)
            for name, value in summed.items()}


def get_programme_stats(r: Client, *, start: dt.date, end: dt.date
                        ) -> tuple[Stats, dict[str, dict[str, float]]]:
    """Every campaign's figures over a range summed, and each campaign's headline
    figures (counters.CAMPAIGN_FIGURES), from one programme day hash per day."""
    days = days_between(start, end)
    pipe = r.pipeline(transaction=False)
    for day in days:
        pipe.hgetall(keys.programme_day(day))
    per_day = pipe.execute()
    summed = sum_fields(per_day)
    by_campaign: dict[str, dict[str, float]] = {}
    prefix = counters.CAMPAIGN_PREFIX + ":"
    for name in [name for name in summed if name.startswith(prefix)]:
        campaign_id, _, figure = name[len(prefix):].rpartition(":")
        by_campaign.setdefault(campaign_id, {})[figure] = summed.pop(name)
    return ranged_stats(days, per_day, summed), by_campaign


def get_link_stats(r: Client, code: str, **span: Any) -> Stats:
    return get_stats(r, LINK, code, **span)


def get_campaign_stats(r: Client, campaign_id: str, **span: Any) -> Stats:
    return get_stats(r, CAMPAIGN, campaign_id, **span)


def get_advocate_stats(r: Client, external_id: str, **span: Any) -> Stats:
    return get_stats(r, ADVOCATE, external_id, **span)


def zoned_series(days: list[str], per_day: list[dict[str, str]], *, start: dt.date,
                 end: dt.date, zone: dt.tzinfo
                 ) -> tuple[tuple[LocalDay, ...], tuple[LocalHour, ...]]:
    """Human clicks per local day and per local hour of the day, in ``zone``.

    Built from the per-UTC-hour counters of ``days`` (which must reach a day
    past start and end), so it is exact for zones whose offset is whole
    hours; for half-hour zones a UTC hour is booked to the local hour it
    starts in.
    """
    local_days = {start + dt.timedelta(days=offset): 0
                  for offset in range((end - start).days + 1)}
    per_hour = dict.fromkeys(range(24), 0)
    for day, fields in zip(days, per_day, strict=True):
        utc_day = dt.datetime.strptime(day, "%Y%m%d").replace(tzinfo=dt.UTC)
        for hour, clicks in counters.split(fields, "hour").items():
            local = (utc_day + dt.timedelta(hours=int(hour))).astimezone(zone)
            if local.date() in local_days:
                local_days[local.date()] += clicks
                per_hour[local.hour] += clicks
    return (
        tuple(LocalDay(day.isoformat(), clicks) for day, clicks in local_days.items()),
        tuple(LocalHour(hour, clicks) for hour, clicks in per_hour.items()),
    )


# Raw click events ----------------------------------------------------------------


def list_clicks(r: Client, campaign_id: str, *, after: str | None = None,
                start: dt.date | None = None, end: dt.date | None = None,
                count: int = 1000) -> list[tuple[str, dict[str, str]]]:
    """Up to ``count`` raw events of a campaign's stream, oldest first, as (id, fields).

    ``after`` is a stream id to continue after; ``start`` and ``end`` are UTC
    days, inclusive. Stream ids start with the event's time in milliseconds,
    so a day range is an id range.
    """
    low = "-" if start is None else str(_day_ms(start))
    if after is not None:
        # A cursor comes from an earlier page of the same range, so it is past start.
        low = f"({after}"
    high = "+" if end is None else str(_day_ms(end) + 86_400_000 - 1)
    return r.xrange(keys.campaign_clicks(campaign_id), min=low, max=high, count=count)


def _day_ms(day: dt.date) -> int:
    """Milliseconds since the epoch at the day's start; 0 for days before 1970."""
    moment = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()
    return max(0, int(moment * 1000))


CLICK_FIELDS = ("ts", "click_id", "code", "campaign", "advocate", "kind", "channel", "dark",
                "signal", "confidence", "device", "os", "browser", "referrer_host",
                "country", "network")
EXPORT_CHUNK = 1000


def _ranged_ids(start: dt.date | None, end: dt.date | None) -> tuple[str, str]:
    low = "-" if start is None else str(_day_ms(start))
    high = "+" if end is None else str(_day_ms(end) + 86_400_000 - 1)
    return low, high


def iter_click_rows(r: Client, campaign_id: str, *, start: dt.date | None = None,
                    end: dt.date | None = None) -> Iterator[list[list[str]]]:
    """Every raw event of a campaign in the range as a list of CLICK_FIELDS values,
    oldest first, EXPORT_CHUNK events at a time ('' for a field an event lacks)."""
    for chunk in iter_click_entries(r, campaign_id, start=start, end=end):
        yield [[value.decode() for value in row] for row in entry_rows(chunk)]


FIELD_NAMES = [name.encode() for name in CLICK_FIELDS]


def entry_rows(chunk: list[Any]) -> list[list[bytes]]:
    """Events as Redis sends them ([id, [name, value, ...]]) as rows of CLICK_FIELDS values."""
    rows = []
    for _, fields in chunk:
        if fields[0::2] == FIELD_NAMES:
            rows.append(fields[1::2])
        else:
            # Older or newer shapes are put in order field by field.
            event = dict(zip(fields[0::2], fields[1::2], strict=True))
            rows.append([event.get(name, b"") for name in FIELD_NAMES])
    return rows


def iter_click_entries(r: Client, campaign_id: str, *, start: dt.date | None = None,
                       end: dt.date | None = None) -> Iterator[list[Any]]:
    """Every raw event of a campaign in the range, oldest first, EXPORT_CHUNK at a
    time, each as Redis sends it: [id, [name, value, ...]], all bytes.

    The reply is left unparsed (redis-py would make a dict per event), and the
    next chunk is asked for before this one is handed over, on a connection
    held for the whole read: Redis reads it while the caller writes this one.
    """
    key = keys.campaign_clicks(campaign_id)
    low, high = _ranged_ids(start, end)
    pool = server_of(r, key).connection_pool
    connection = pool.get_connection()
    asked = False  # a reply is on its way
    unsent = None  # a chunk read and not yet handed over
    try:
        connection.send_command("XRANGE", key, low, high, "COUNT", EXPORT_CHUNK)
        asked = True
        while asked:
            chunk = unsent = connection.read_response(disable_decoding=True)
            asked = False
            if len(chunk) == EXPORT_CHUNK:
                low = b"(" + chunk[-1][0]
                connection.send_command("XRANGE", key, low, high, "COUNT", EXPORT_CHUNK)
                asked = True
            unsent = None
            if chunk:
                yield chunk
    except (ConnectionError, TimeoutError, MovedError):
        # The connection broke (Redis's idle timeout while a slow client
        # downloads, a killed client, a failover) or the slot moved on a
        # cluster: the rest comes through the client, which reconnects, retries
        # and follows a moved slot, from the first event not handed over.
        asked = False
        connection.disconnect()
        if unsent:
            yield unsent
        yield from _client_entries(r, key, low, high)
    finally:
        if asked:
            # A reply is still on its way (the reader stopped early): the
            # connection cannot serve another command.
            connection.disconnect()
        pool.release(connection)


def _client_entries(r: Client, key: str, low: str | bytes, high: str) -> Iterator[list[Any]]:
    while True:
        parsed = r.execute_command("XRANGE", key, low, high, "COUNT", EXPORT_CHUNK,
                                   **{NEVER_DECODE: True})
        chunk = [[ident, [item for pair in event.items() for item in pair]]
                 for ident, event in parsed]
        if chunk:
            yield chunk
        if len(chunk) < EXPORT_CHUNK:
            return
        low = b"(" + chunk[-1][0]


def iter_clicks(r: Client, campaign_id: str, *, start: dt.date | None = None,
                end: dt.date | None = None) -> Iterator[tuple[str, dict[str, str]]]:
    """Every raw event of a campaign in the range, oldest first, read a chunk at a time."""
    after = None
    while True:
        chunk = list_clicks(r, campaign_id, after=after, start=start, end=end,
                            count=EXPORT_CHUNK)
        yield from chunk
        if len(chunk) < EXPORT_CHUNK:
            return
        after = chunk[-1][0]
