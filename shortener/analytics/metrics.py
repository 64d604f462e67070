"""Plain arithmetic behind the marketers' figures; no Redis, no I/O.

Each function returns None where the figure is undefined (a division by
zero), so that the API and the dashboard show "n/a" instead of a made-up 0.
"""

from __future__ import annotations


def _ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def dark_share(dark_clicks: int, clicks: int) -> float | None:
    """Share of human clicks that came through private channels."""
    return _ratio(dark_clicks, clicks)


def conversion_rate(conversions: int, clicks: int) -> float | None:
    """Conversions per human click."""
    return _ratio(conversions, clicks)


def referral_rate(active_advocates: int, advocates: int) -> float | None:
    """Share of the campaign's advocates whose link brought at least one human click."""
    return _ratio(active_advocates, advocates)


def k_factor(recruited: int, advocates: int) -> float | None:
    """Virality: advocates recruited through an advocate's links, per advocate."""
    return _ratio(recruited, advocates)


def cost_per_advocate(cost: float | None, advocates: int) -> float | None:
    if cost is None:
        return None
    return round(cost / advocates, 4) if advocates else None


def earned_media_value(clicks: int, value_per_click: float | None) -> float | None:
    """What the human clicks would have cost as paid media."""
    return None if value_per_click is None else round(clicks * value_per_click, 4)


def roi(conversion_value: float, cost: float | None) -> float | None:
    """Return on the campaign's cost: (conversion value - cost) / cost."""
    if not cost:
        return None
    return round((conversion_value - cost) / cost, 4)


def per_share(clicks: int, shares: int) -> float | None:
    """Human clicks per share-button tap of one channel: how far each share reached."""
    return _ratio(clicks, shares)
