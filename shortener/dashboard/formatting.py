"""How figures read on the pages: channel names and colours, percentages, money.

Channel colours follow each network's brand colour where two would not be
confused; dark channels and public ones also get one colour each.
"""

from __future__ import annotations

from flask import Flask

from shortener.classify import DARK_CHANNELS

CHANNEL_LABELS = {
    "whatsapp": "WhatsApp", "telegram": "Telegram", "facebook": "Facebook",
    "messenger": "Messenger", "instagram": "Instagram", "linkedin": "LinkedIn",
    "twitter": "X (Twitter)", "tiktok": "TikTok", "snapchat": "Snapchat",
    "wechat": "WeChat", "line": "LINE", "slack": "Slack", "discord": "Discord",
    "signal": "Signal", "imessage": "iMessage / SMS", "email": "E-mail",
    "search": "Search", "social_other": "Other social", "referral": "Other sites",
    "direct": "Direct (no referrer)", "code": "Referral code",
}
CHANNEL_COLOURS = {
    "whatsapp": "#25d366", "telegram": "#229ed9", "facebook": "#1877f2",
    "messenger": "#a334fa", "instagram": "#e1306c", "linkedin": "#0a4f8f",
    "twitter": "#1d1d1f", "tiktok": "#fe2c55", "snapchat": "#e6c700",
    "wechat": "#7bb32e", "line": "#00a99d", "slack": "#611f69", "discord": "#5865f2",
    "signal": "#3a76f0", "imessage": "#34c759", "email": "#f28c28",
    "search": "#c0392b", "social_other": "#b07aa1", "referral": "#9c755f",
    "direct": "#94a3b8", "code": "#8e6c00",
}
DARK_COLOUR = "#5b2ac0"
PUBLIC_COLOUR = "#0f8a6a"
KIND_LABELS = {
    "human": "Human click", "preview_bot": "Preview fetch", "scanner": "E-mail scanner",
    "crawler": "Crawler",
}


def channel_label(channel: str | None) -> str:
    if not channel:
        return "—"
    return CHANNEL_LABELS.get(channel, channel)


def is_dark_channel(channel: str | None) -> bool:
    return channel in DARK_CHANNELS


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f} %"


def number(value: float | None) -> str:
    if value is None:
        return "n/a"
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", "\u202f")
    return f"{value:,.2f}".replace(",", "\u202f")


def money(value: float | None, currency: str | None = None) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.2f}".replace(",", "\u202f") + (f" {currency}" if currency else "")


def ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def chart_palette() -> dict[str, object]:
    """Labels and colours the chart script needs, passed to it as JSON."""
    return {"labels": CHANNEL_LABELS, "colours": CHANNEL_COLOURS, "dark": DARK_COLOUR,
            "public": PUBLIC_COLOUR, "dark_channels": sorted(DARK_CHANNELS)}


def list_items(mapping: dict[str, object]) -> list[list[object]]:
    """A dict as [key, value] pairs: JSON objects lose their order (keys get sorted)."""
    return [[key, value] for key, value in mapping.items()]


def register_filters(app: Flask) -> None:
    app.jinja_env.filters.update(
        list_items=list_items, channel_label=channel_label, percent=percent, number=number,
        money=money, ratio=ratio,
    )
    app.jinja_env.globals.update(
        is_dark_channel=is_dark_channel, channel_colours=CHANNEL_COLOURS,
        kind_labels=KIND_LABELS,
    )
