"""list_conversions(): a campaign's conversions in time order, for audits.

Each conversion's order id sits in the campaign's conversions sorted set,
scored by its time in milliseconds (orders of one millisecond by order id);
the record itself stays in the orders hash, so a later change to it (a
review status) shows here. A position in the list is (score, order id).
Filtering by advocate reads the campaign's entries and keeps the
advocate's: a page reads at most MAX_SCAN_ENTRIES entries, so it may hold
fewer than asked (even none) before the last page; continue while there is
a next position. Filtering by review status reads them the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shortener import keys
from shortener.clicks.conversions import Conversion
from shortener.db import Client

MAX_SCAN_ENTRIES = 5000
SCAN_CHUNK = 500
_EPOCH = dt.date(1970, 1, 1)
_DAY_MILLISECONDS = 86_400_000

# The last entry returned: its score (milliseconds) and order id.
Position = tuple[float, str]


@dataclass(frozen=True)
class ConversionPage:
    items: list[Conversion]
    next_position: Position | None


def _day_start(day: dt.date) -> int:
    return (day - _EPOCH).days * _DAY_MILLISECONDS


def list_conversions(r: Client, campaign_id: str, *, advocate: str | None = None,
                     since: dt.date | None = None, until: dt.date | None = None,
                     after: Position | None = None, limit: int = 100,
                     status: str | None = None) -> ConversionPage:
    """Up to ``limit`` conversions, oldest first, after the position ``after``.

    since and until are UTC days, both inclusive; a range that ends before
    it starts holds nothing.
    """
    if since and until and until < since:
        return ConversionPage([], None)
    key = keys.campaign_conversions(campaign_id)
    lowest: float | str = _day_start(since) if since else "-inf"
    highest: float | str = _day_start(until) + _DAY_MILLISECONDS - 1 if until else "+inf"
    chunk = limit + 1 if advocate is None and status is None else SCAN_CHUNK
    items: list[Conversion] = []
    position = after
    last_item: Position | None = None
    scanned = 0
    while scanned < MAX_SCAN_ENTRIES:
        start: float | str = lowest
        ties = 0
        if position is not None:
            if lowest == "-inf" or position[0] >= float(lowest):
                start = position[0]
            # Orders of the position's millisecond come first; fetch past them.
            ties = int(r.zcount(key, position[0], position[0]))
        rows = r.zrangebyscore(key, start, highest, start=0, num=chunk + ties,
                               withscores=True)
        at_end = len(rows) < chunk + ties
        if position is not None:
            rows = [(order, score) for order, score in rows
                    if score > position[0] or (score == position[0] and order > position[1])]
        scanned += len(rows)
        texts = r.hmget(keys.campaign_orders(campaign_id), [order for order, _ in rows]) \
            if rows else []
        for (order, score), text in zip(rows, texts, strict=True):
            if text is not None:
                conversion = Conversion.from_json(text)
                if (advocate is None or conversion.advocate == advocate) \
                        and (status is None or conversion.status == status):
                    if len(items) == limit:
                        return ConversionPage(items, last_item)
                    items.append(conversion)
                    last_item = (score, order)
            position = (score, order)
        if at_end:
            return ConversionPage(items, None)
    return ConversionPage(items, position)
