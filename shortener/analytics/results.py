"""The read model: typed results of analytics/, computed once per request.

The API, the dashboard and the CLI format these; none of them recomputes a
figure. Results are frozen dataclasses, so a new counter is a new field here
(with a default, so that older callers keep working) and shows up wherever a
result is formatted field by field (see ``figures()`` and the API's
formatters).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from shortener.links.models import Campaign


def figures(result: Any, *, leave: tuple[str, ...] = ()) -> dict[str, Any]:
    """A result's fields as a dict (nested results too), without the names in ``leave``."""
    return {item.name: _plain(getattr(result, item.name))
            for item in dataclasses.fields(result) if item.name not in leave}


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return figures(value)
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


@dataclass(frozen=True)
class FeedEvent:
    """One raw event of the live feed (a human click, a preview, a scanner, a crawler)."""

    id: str
    ts: float
    time: str  # UTC, "YYYY-MM-DD HH:MM:SS"
    kind: str
    channel: str | None
    dark: bool
    device: str
    os: str
    browser: str
    code: str
    campaign: str
    advocate: str
    signal: str


# One link, campaign or advocate ----------------------------------------------


@dataclass(frozen=True)
class DayFigures:
    """One UTC day of a range: human clicks, split by channel and by device."""

    day: str  # YYYY-MM-DD
    clicks: int
    by_channel: dict[str, int]
    by_device: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class LocalDay:
    """Human clicks of one day in the reader's time zone."""

    day: str
    clicks: int


@dataclass(frozen=True)
class LocalHour:
    """Human clicks of one hour of the day in the reader's time zone, over the range."""

    hour: int
    clicks: int


@dataclass(frozen=True)
class Stats:
    """Figures of one link, campaign or advocate, over all time or a range of UTC days."""

    clicks: int
    unique_visitors: int
    dark: int
    dark_share: float  # 0.0 without clicks (the API's documented shape)
    by_channel: dict[str, int]
    by_kind: dict[str, int]
    by_device: dict[str, int]
    by_country: dict[str, int]
    previews: dict[str, int]
    conversions: int
    conversion_value: float
    # Conversions by how they were attributed (the rest came by campaign and advocate).
    conversions_by_click: int = 0
    conversions_by_code: int = 0
    # With a range only: each UTC day, and with a zone, local days and hours.
    by_day: tuple[DayFigures, ...] | None = None
    zoned_by_day: tuple[LocalDay, ...] | None = None
    zoned_by_hour: tuple[LocalHour, ...] | None = None


@dataclass(frozen=True)
class Kpis:
    """A campaign's KPIs (GET /campaigns/{id}/kpis); formulas in analytics/metrics.py."""

    campaign: str
    clicks: int
    unique_visitors: int
    conversions: int
    conversion_value: float
    advocates: int
    active_advocates: int
    recruited_advocates: int
    converted_advocates: int
    dark_share: float | None
    referral_rate: float | None
    conversion_rate: float | None
    k_factor: float | None
    cost_per_advocate: float | None
    earned_media_value: float | None
    roi: float | None
    currency: str
    conversions_by_click: int = 0
    conversions_by_code: int = 0


@dataclass(frozen=True)
class CampaignStats(Stats):
    """A campaign's Stats with its share-button taps by channel (UTC days over a range)
    and the human clicks of each channel shared per share, and its survey answers by
    what customers said (heard_via) over the same UTC days."""

    shares: dict[str, int] = field(default_factory=dict)
    clicks_per_share: dict[str, float] = field(default_factory=dict)
    self_reported: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class GroupShare:
    """One group of the mix: answers and measured human clicks, each with its share."""

    group: str
    self_reported: int
    self_reported_share: float
    measured: int
    measured_share: float


@dataclass(frozen=True)
class SurveyFigures:
    """A campaign's survey answers beside its measured channel mix (analytics/survey.py)."""

    self_reported: dict[str, int]
    answers: int
    friend_answers: int
    friend_unmeasured: int
    # friend_unmeasured / friend_answers; None without friend answers.
    unmeasured_friend_share: float | None
    mix: list[GroupShare]


@dataclass(frozen=True)
class ShareRow:
    """One shared channel of a campaign's page: taps, human clicks, clicks per share."""

    channel: str
    shares: int
    clicks: int
    clicks_per_share: float | None


@dataclass(frozen=True)
class CampaignReport:
    """A campaign's figures and KPIs (``shortener stats campaign``), from one read."""

    campaign: Campaign
    stats: Stats
    kpis: Kpis


@dataclass(frozen=True)
class TopAdvocate:
    """A campaign's leaderboard entry (all time), as the API and the share page show it."""

    rank: int
    advocate: str
    clicks: int
    conversions: int


@dataclass(frozen=True)
class Progress:
    """An advocate's all-time standing in one campaign.

    ``rank`` is a competition rank among the ``ranked`` advocates with a click
    (``tied`` when others share it); None before the first click.
    """

    clicks: int
    conversions: int
    rank: int | None
    tied: bool | None
    ranked: int
    advocates: int
    reward_goal: int | None
    goal_progress: int | None


# Pages: several campaigns, or one link or advocate -----------------------------


@dataclass(frozen=True)
class Series:
    """Human clicks per day, one list per channel (the largest channel first)."""

    days: tuple[str, ...]
    channels: dict[str, list[int]]


@dataclass(frozen=True)
class ChannelMix:
    """Human clicks by channel, the largest first."""

    counts: dict[str, int]

    @property
    def entries(self) -> list[tuple[str, int]]:
        return list(self.counts.items())


@dataclass(frozen=True)
class DarkSplit:
    """The clicks the dark-versus-public doughnut divides."""

    dark: int
    clicks: int


@dataclass(frozen=True)
class Headline:
    """The tiles of a page narrowed to one link or advocate."""

    clicks: int
    unique_visitors: int
    dark: int
    dark_share: float | None
    conversions: int
    conversion_value: float
    conversion_rate: float | None


@dataclass(frozen=True)
class Breakdown:
    """The charts and tallies under the tiles, whatever the page."""

    series: Series
    channel_mix: ChannelMix
    dark_split: DarkSplit
    by_kind: dict[str, int]
    previews: dict[str, int]
    by_device: dict[str, int]
    by_country: dict[str, int]


@dataclass(frozen=True)
class Narrowed(Breakdown):
    """A link's or advocate's page figures."""

    kpis: Headline


@dataclass(frozen=True)
class CampaignRow:
    """One campaign's line of the overview."""

    campaign: Campaign
    clicks: int
    unique_visitors: int
    dark: int
    conversions: int
    conversion_value: float
    advocates: int
    active_advocates: int
    recruited_advocates: int
    links: int
    dark_share: float | None
    conversion_rate: float | None
    earned_media_value: float | None
    # Money over this campaign's own cost (None without one).
    roi: float | None
    cost_per_advocate: float | None
    conversions_by_click: int = 0
    conversions_by_code: int = 0
    # Conversions waiting for fraud review now, whatever the range (not yet counted).
    waiting_review: int = 0


@dataclass(frozen=True)
class OverviewKpis:
    """The tiles over the chosen campaigns; ROI and cost per advocate count only the
    campaigns with a cost (``priced_campaigns``), so unpriced ones neither dilute nor
    inflate them."""

    clicks: int
    unique_visitors: int
    dark: int
    dark_share: float | None
    conversions: int
    conversion_value: float
    conversion_rate: float | None
    advocates: int
    active_advocates: int
    referral_rate: float | None
    k_factor: float | None
    cost_per_advocate: float | None
    earned_media_value: float | None
    roi: float | None
    priced_campaigns: int
    currency: str | None
    conversions_by_click: int = 0
    conversions_by_code: int = 0
    waiting_review: int = 0


@dataclass(frozen=True)
class Filter:
    """What the overview is narrowed to, and which figures follow it.

    The counters keep clicks per channel and per device apart, not per
    channel and device together, and no other figure per channel or device:
    ``applies_to`` names the figures (tile or chart names) the filter narrows;
    the rest are for every channel and device, and the page says so.
    """

    campaigns: tuple[str, ...] = ()
    channel: str | None = None
    device: str | None = None
    applies_to: frozenset[str] = frozenset()
    note: str | None = None

    @property
    def narrowing(self) -> bool:
        return self.channel is not None or self.device is not None


@dataclass(frozen=True)
class Overview(Breakdown):
    """One period's figures over one or more campaigns."""

    kpis: OverviewKpis
    campaigns: tuple[CampaignRow, ...] = ()


@dataclass(frozen=True)
class Change:
    """A figure against the previous period: direction and relative size."""

    previous: float | None
    direction: str  # "up", "down", "same" or "new"
    ratio: float | None  # relative change, None when the previous figure was 0 or unknown
    good: bool | None  # whether the move is welcome (None: neither)


@dataclass(frozen=True)
class Leader:
    """One line of "top advocates" over the page's range."""

    rank: int
    advocate: str
    name: str | None
    share_token: str | None
    campaign: Campaign
    clicks: int
    conversions: int
    conversion_rate: float | None


@dataclass(frozen=True)
class Leaders:
    """Top advocates by human clicks over a range of days.

    ``complete`` is False when the search stopped after ``searched`` advocates
    (those with the most clicks of all time): the list is then the best of them.
    """

    rows: tuple[Leader, ...]
    start: str
    end: str
    searched: int
    complete: bool


@dataclass(frozen=True)
class OverviewPage:
    """The overview (or a campaign's page): the range, the previous period, the changes
    between them, and the top advocates of the range."""

    figures: Overview
    previous: Overview
    changes: dict[str, Change]
    leaders: Leaders
    filter: Filter
    channels: tuple[str, ...] = ()  # the filter's choices: channels and devices with
    devices: tuple[str, ...] = ()   # clicks in the range, and the chosen ones


@dataclass(frozen=True)
class CampaignPage(OverviewPage):
    campaign: Campaign = field(kw_only=True)
    shares: tuple[ShareRow, ...] = field(default=(), kw_only=True)

    @property
    def links(self) -> int:
        return self.figures.campaigns[0].links if self.figures.campaigns else 0
