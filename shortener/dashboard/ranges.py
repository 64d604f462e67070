"""The date range a page shows, read from ?start=YYYY-MM-DD&end=YYYY-MM-DD.

A bad or backwards range is not an error page: the page shows the default
range with a message saying what was wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from shortener.analytics.queries import MAX_RANGE_DAYS

DEFAULT_DAYS = 30
PRESET_DAYS = (7, 30, 90)


@dataclass(frozen=True)
class DateRange:
    start: dt.date
    end: dt.date
    error: str | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def as_args(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def last_days(days: int, today: dt.date) -> DateRange:
    return DateRange(today - dt.timedelta(days=days - 1), today)


def parse_range(args: Mapping[str, str], *, today: dt.date | None = None) -> DateRange:
    today = today or dt.datetime.now(dt.UTC).date()
    default = last_days(DEFAULT_DAYS, today)
    raw_start, raw_end = args.get("start", ""), args.get("end", "")
    if not raw_start and not raw_end:
        return default
    try:
        start = dt.date.fromisoformat(raw_start) if raw_start else default.start
        end = dt.date.fromisoformat(raw_end) if raw_end else today
    except ValueError:
        return DateRange(default.start, default.end,
                         "Dates must look like 2026-03-31; showing the last 30 days.")
    if start > end:
        return DateRange(default.start, default.end,
                         f"The start date ({start.isoformat()}) is after the end date "
                         f"({end.isoformat()}); showing the last 30 days.")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        return DateRange(default.start, default.end,
                         f"A range can span at most {MAX_RANGE_DAYS} days; "
                         "showing the last 30 days.")
    return DateRange(start, end)
