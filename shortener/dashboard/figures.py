"""Figures the dashboard adds to an overview: money over the campaigns that have a
cost, and each figure against the previous period of the same length.

Pure arithmetic over what analytics/overview.py returns (no Redis): ROI and
cost per advocate count only the campaigns with a cost, so campaigns nobody
priced neither dilute the cost per advocate nor inflate the ROI.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from shortener.analytics import metrics

# The tiles compared with the previous period; for each, whether up is good.
COMPARED = {"clicks": True, "unique_visitors": True, "dark_share": None, "conversions": True,
            "conversion_rate": True, "referral_rate": True, "k_factor": True,
            "cost_per_advocate": False, "earned_media_value": True, "roi": True}


@dataclass(frozen=True)
class Change:
    """A figure against the previous period: direction and relative size."""

    previous: float | None
    direction: str  # "up", "down", "same" or "new"
    ratio: float | None  # relative change, None when the previous figure was 0 or unknown
    good: bool | None  # whether the move is welcome (None: neither)


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The range of the same length that ends the day before ``start``."""
    days = (end - start).days + 1
    return start - dt.timedelta(days=days), start - dt.timedelta(days=1)


def money_figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """ROI and cost per advocate over the campaigns that have a cost (one currency)."""
    priced = [row for row in rows if row["campaign"].cost is not None]
    currencies = {row["campaign"].currency for row in priced}
    if not priced or len(currencies) != 1:
        return {"roi": None, "cost_per_advocate": None, "priced_campaigns": len(priced)}
    cost = sum(row["campaign"].cost for row in priced)
    value = sum(row["stats"]["conversion_value"] for row in priced)
    advocates = sum(row["advocates"] for row in priced)
    return {"roi": metrics.roi(value, cost),
            "cost_per_advocate": metrics.cost_per_advocate(cost, advocates),
            "priced_campaigns": len(priced)}


def campaign_money(row: dict[str, Any]) -> dict[str, Any]:
    """One campaign's ROI and cost per advocate (None without a cost)."""
    cost = row["campaign"].cost
    return {"roi": metrics.roi(row["stats"]["conversion_value"], cost),
            "cost_per_advocate": metrics.cost_per_advocate(cost, row["advocates"])}


def compare(current: dict[str, Any], previous: dict[str, Any]) -> dict[str, Change]:
    changes = {}
    for name, up_is_good in COMPARED.items():
        now, before = current.get(name), previous.get(name)
        if now is None:
            continue
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


def with_money_and_changes(figures: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    """The overview's KPIs with ROI and the priced cost per advocate, and the changes."""
    kpis = {**figures["kpis"], **money_figures(figures["campaigns"])}
    before = {**previous["kpis"], **money_figures(previous["campaigns"])}
    return {**figures, "kpis": kpis, "changes": compare(kpis, before)}
