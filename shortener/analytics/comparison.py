"""Each figure against the previous period of the same length, and money over the
campaigns that have a cost.

Pure arithmetic over typed results (no Redis): ROI and cost per advocate
count only the campaigns with a cost, so campaigns nobody priced neither
dilute the cost per advocate nor inflate the ROI.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from shortener.analytics import metrics
from shortener.analytics.results import CampaignRow, Change, OverviewKpis

# The tiles compared with the previous period; for each, whether up is good.
COMPARED = {"clicks": True, "unique_visitors": True, "dark_share": None, "conversions": True,
            "conversion_rate": True, "referral_rate": True, "k_factor": True,
            "cost_per_advocate": False, "earned_media_value": True, "roi": True}


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The range of the same length that ends the day before ``start``."""
    days = (end - start).days + 1
    return start - dt.timedelta(days=days), start - dt.timedelta(days=1)


def priced_money(rows: Sequence[CampaignRow]) -> tuple[float | None, float | None, int]:
    """ROI, cost per advocate, and how many campaigns have a cost (in one currency)."""
    priced = [row for row in rows if row.campaign.cost is not None]
    currencies = {row.campaign.currency for row in priced}
    if not priced or len(currencies) != 1:
        return None, None, len(priced)
    cost = sum(row.campaign.cost or 0.0 for row in priced)
    value = sum(row.conversion_value for row in priced)
    advocates = sum(row.advocates for row in priced)
    return (metrics.roi(value, cost), metrics.cost_per_advocate(cost, advocates),
            len(priced))


def compare(current: OverviewKpis, previous: OverviewKpis) -> dict[str, Change]:
    changes = {}
    for name, up_is_good in COMPARED.items():
        now, before = getattr(current, name), getattr(previous, name)
        if now is None:
            continue
        ratio: float | None
        if before is None or before == 0:
            direction = "same" if before == now else "new"
            ratio = None
        else:
            direction = "up" if now > before else "down" if now < before else "same"
            ratio = (now - before) / abs(before)
        good = None if up_is_good is None or direction in {"same", "new"} \
            else (direction == "up") == up_is_good
        changes[name] = Change(before, direction, ratio, good)
    return changes
