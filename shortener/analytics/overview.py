"""The dashboard's pages as typed results (analytics/results.py), computed once.

get_overview_page(): one or more campaigns over a date range, against the
previous period, with the range's top advocates, optionally narrowed to a
channel or a device. The same counters and formulas as the API's campaign
KPIs (analytics/kpis.py, analytics/metrics.py), summed over the chosen
campaigns: one pipeline per campaign for its days, one for the advocate
counts; for the whole programme, one pipeline of programme day hashes
(keys.programme_day), which the click and conversion writers keep beside the
campaigns' day hashes. Conversions waiting for fraud review are read now, not
over the range: one ZCARD of each campaign's review index, in the pipeline
that counts its advocates. Unique visitors over several campaigns are the sum of
each campaign's daily uniques (a visitor who clicked links of two campaigns
counts twice), as within one campaign they are the sum of daily uniques.
Money figures are summed only when every campaign uses one currency;
otherwise they are left undefined (None).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

from shortener import keys
from shortener.analytics import metrics
from shortener.analytics.comparison import compare, previous_period, priced_money
from shortener.analytics.kpis import ranked_positions
from shortener.analytics.queries import (
    ADVOCATE,
    LINK,
    as_fields,
    get_campaign_stats,
    get_programme_stats,
    get_range_counts,
    summarize,
)
from shortener.analytics.results import (
    CampaignPage,
    CampaignRow,
    ChannelMix,
    DarkSplit,
    Filter,
    Headline,
    Leader,
    Leaders,
    Narrowed,
    Overview,
    OverviewKpis,
    OverviewPage,
    Progress,
    Series,
    Stats,
)
from shortener.analytics.shares import get_shares, share_rows
from shortener.classify import CHANNELS, DEVICES, is_dark
from shortener.clicks import counters
from shortener.db import Client
from shortener.links import store
from shortener.links.models import Advocate, Campaign

KINDS = ("human", "preview_bot", "scanner", "crawler")
NO_FILTER = Filter()
# What a channel or a device filter narrows (tile and chart names); the
# counters keep no other figure per channel or per device.
CHANNEL_FIGURES = frozenset({"clicks", "dark_share", "series", "channel_mix", "dark_split"})
DEVICE_FIGURES = frozenset({"clicks", "series", "by_device"})


def _headline(figures: dict[str, float]) -> Stats:
    """A campaign's row figures out of its part of the programme day hashes."""
    return summarize(as_fields(figures))


def get_overview(r: Client, campaigns: list[Campaign], *, start: dt.date,
                 end: dt.date, programme: bool = False,
                 narrowed_to: Filter = NO_FILTER) -> Overview:
    """KPIs, per-day clicks by channel, channel mix, other kinds, and a row per campaign.

    With ``programme`` (``campaigns`` is every campaign), the figures come from
    the programme day hashes, one per day whatever the number of campaigns;
    otherwise from each campaign's day hashes. A channel or device in
    ``narrowed_to`` narrows the figures its ``applies_to`` names.
    """
    whole, summed = _read_overview(r, campaigns, start=start, end=end, programme=programme)
    return _narrow(whole, summed, narrowed_to)


def _narrow(overview: Overview, summed: list[Stats], narrowed_to: Filter) -> Overview:
    if narrowed_to.channel is not None:
        return _to_channel(overview, summed, narrowed_to.channel)
    if narrowed_to.device is not None:
        return _to_device(overview, summed, narrowed_to.device)
    return overview


def _read_overview(r: Client, campaigns: list[Campaign], *, start: dt.date, end: dt.date,
                   programme: bool) -> tuple[Overview, list[Stats]]:
    """The whole overview of a range, and the stats it was summed from (one read)."""
    if programme:
        total, by_campaign = get_programme_stats(r, start=start, end=end)
        stats = [_headline(by_campaign.get(campaign.id, {})) for campaign in campaigns]
        summed = [total]
    else:
        stats = [get_campaign_stats(r, campaign.id, start=start, end=end)
                 for campaign in campaigns]
        summed = stats
    pipe = r.pipeline(transaction=False)
    for campaign in campaigns:
        pipe.zcard(keys.campaign_advocates(campaign.id))
        pipe.zcount(keys.campaign_leaderboard(campaign.id), 1, "+inf")
        pipe.zcard(keys.campaign_links(campaign.id))
        pipe.scard(keys.campaign_recruited(campaign.id))
        pipe.zcard(keys.campaign_review(campaign.id))
    counts = pipe.execute()
    rows = []
    for index, (campaign, figures) in enumerate(zip(campaigns, stats, strict=True)):
        advocates, active, links, recruited, waiting = (
            int(value) for value in counts[index * 5:index * 5 + 5])
        rows.append(CampaignRow(
            campaign=campaign,
            clicks=figures.clicks,
            unique_visitors=figures.unique_visitors,
            dark=figures.dark,
            conversions=figures.conversions,
            conversion_value=figures.conversion_value,
            conversions_by_click=figures.conversions_by_click,
            conversions_by_code=figures.conversions_by_code,
            advocates=advocates,
            active_advocates=active,
            recruited_advocates=recruited,
            links=links,
            dark_share=metrics.dark_share(figures.dark, figures.clicks),
            conversion_rate=metrics.conversion_rate(figures.conversions, figures.clicks),
            earned_media_value=metrics.earned_media_value(figures.clicks,
                                                          campaign.value_per_click),
            roi=metrics.roi(figures.conversion_value, campaign.cost),
            cost_per_advocate=metrics.cost_per_advocate(campaign.cost, advocates),
            waiting_review=waiting,
        ))
    kpis = _kpis(rows)
    overview = Overview(
        series=_series(summed, start, end),
        channel_mix=_channel_mix(summed),
        dark_split=DarkSplit(kpis.dark, kpis.clicks),
        by_kind={kind: sum(figures.by_kind.get(kind, 0) for figures in summed)
                 for kind in KINDS},
        previews=_added(figures.previews for figures in summed),
        by_device=_added(figures.by_device for figures in summed),
        by_country=_added(figures.by_country for figures in summed),
        kpis=kpis,
        campaigns=tuple(rows),
    )
    return overview, summed


def _added(counts: Iterable[dict[str, int]]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for count in counts:
        total.update(count)
    return dict(total)


def _per_day(summed: list[Stats], pick: str, name: str) -> list[int]:
    """One channel's (pick="by_channel") or device's clicks per day, over the stats."""
    days = len(summed[0].by_day or ()) if summed else 0
    totals = [0] * days
    for figures in summed:
        for position, day in enumerate(figures.by_day or ()):
            totals[position] += getattr(day, pick).get(name, 0)
    return totals


def _to_channel(overview: Overview, summed: list[Stats], channel: str) -> Overview:
    clicks = sum(figures.by_channel.get(channel, 0) for figures in summed)
    dark = clicks if is_dark(channel) else 0
    return replace(
        overview,
        kpis=replace(overview.kpis, clicks=clicks, dark=dark,
                     dark_share=metrics.dark_share(dark, clicks)),
        series=Series(overview.series.days, {channel: _per_day(summed, "by_channel", channel)}),
        channel_mix=ChannelMix({channel: clicks}),
        dark_split=DarkSplit(dark, clicks),
    )


def _to_device(overview: Overview, summed: list[Stats], device: str) -> Overview:
    clicks = sum(figures.by_device.get(device, 0) for figures in summed)
    return replace(
        overview,
        kpis=replace(overview.kpis, clicks=clicks),
        series=Series(overview.series.days,
                      {ALL_CHANNELS: _per_day(summed, "by_device", device)}),
        by_device={device: clicks},
    )


# The one line of the daily chart under a device filter: the counters split a
# day's clicks by channel or by device, not by both.
ALL_CHANNELS = "all channels"


def narrowing(campaigns: list[str], channel: str | None, device: str | None) -> Filter:
    """The filter asked for, with what it narrows and a sentence saying so.

    Raises ValueError naming an unknown channel or device."""
    if channel is not None and channel not in CHANNELS:
        raise ValueError(f"There is no channel {channel!r}; showing every channel.")
    if device is not None and device not in DEVICES:
        raise ValueError(f"There is no device {device!r}; showing every device.")
    if channel is not None:
        note = ("Narrowed to one channel: clicks, dark share, the daily chart and the "
                "channel mix. The other figures, the campaigns and the top advocates are "
                "for every channel: the counters keep them per campaign, not per channel.")
        if device is not None:
            note = ("Clicks of a channel on a device are not counted together, so the "
                    "device is left out. " + note)
        return Filter(tuple(campaigns), channel, None, CHANNEL_FIGURES, note)
    if device is not None:
        note = ("Narrowed to one device: clicks, the daily chart and clicks by device. "
                "The other figures (dark share and channel mix too), the campaigns and the "
                "top advocates are for every device: the counters keep them per campaign, "
                "not per device.")
        return Filter(tuple(campaigns), None, device, DEVICE_FIGURES, note)
    return Filter(tuple(campaigns))


def get_overview_page(r: Client, campaigns: list[Campaign], *, start: dt.date, end: dt.date,
                      programme: bool = False, narrowed_to: Filter = NO_FILTER,
                      leaders: int = 10) -> OverviewPage:
    """The range's figures, the previous period's, the changes, and the range's leaders."""
    whole, summed = _read_overview(r, campaigns, start=start, end=end, programme=programme)
    current = _narrow(whole, summed, narrowed_to)
    before_start, before_end = previous_period(start, end)
    previous = get_overview(r, campaigns, start=before_start, end=before_end,
                            programme=programme, narrowed_to=narrowed_to)
    channels = [name for name in whole.channel_mix.counts if name in CHANNELS]
    if narrowed_to.channel and narrowed_to.channel not in channels:
        channels.append(narrowed_to.channel)
    return OverviewPage(
        figures=current, previous=previous, changes=compare(current.kpis, previous.kpis),
        leaders=list_leaders(r, campaigns, start=start, end=end, limit=leaders),
        filter=narrowed_to, channels=tuple(channels), devices=DEVICES)


def get_campaign_page(r: Client, campaign: Campaign, *, start: dt.date, end: dt.date,
                      leaders: int = 10) -> CampaignPage:
    page = get_overview_page(r, [campaign], start=start, end=end, leaders=leaders)
    shares = share_rows(get_shares(r, campaign.id, start=start, end=end),
                        page.figures.channel_mix.counts)
    return CampaignPage(figures=page.figures, previous=page.previous, changes=page.changes,
                        leaders=page.leaders, filter=page.filter, channels=page.channels,
                        devices=page.devices, campaign=campaign, shares=shares)


def _kpis(rows: list[CampaignRow]) -> OverviewKpis:
    clicks = sum(row.clicks for row in rows)
    dark = sum(row.dark for row in rows)
    conversions = sum(row.conversions for row in rows)
    advocates = sum(row.advocates for row in rows)
    active = sum(row.active_advocates for row in rows)
    recruited = sum(row.recruited_advocates for row in rows)
    currencies = {row.campaign.currency for row in rows}
    one_currency = len(currencies) == 1
    roi, cost_per_advocate, priced = priced_money(rows)
    earned = [row.earned_media_value for row in rows if row.earned_media_value is not None]
    return OverviewKpis(
        clicks=clicks,
        unique_visitors=sum(row.unique_visitors for row in rows),
        dark=dark,
        dark_share=metrics.dark_share(dark, clicks),
        conversions=conversions,
        conversion_value=round(sum(row.conversion_value for row in rows), 2),
        conversion_rate=metrics.conversion_rate(conversions, clicks),
        conversions_by_click=sum(row.conversions_by_click for row in rows),
        conversions_by_code=sum(row.conversions_by_code for row in rows),
        waiting_review=sum(row.waiting_review for row in rows),
        advocates=advocates,
        active_advocates=active,
        referral_rate=metrics.referral_rate(active, advocates),
        k_factor=metrics.k_factor(recruited, advocates),
        cost_per_advocate=cost_per_advocate,
        earned_media_value=round(sum(earned), 4) if earned and one_currency else None,
        roi=roi,
        priced_campaigns=priced,
        currency=currencies.pop() if one_currency else None,
    )


def _series(stats: list[Stats], start: dt.date, end: dt.date) -> Series:
    """Human clicks per day, split by channel."""
    first = stats[0].by_day if stats else None
    days = tuple(day.day for day in first) if first is not None else tuple(
        (start + dt.timedelta(days=offset)).isoformat()
        for offset in range((end - start).days + 1))
    channels: dict[str, list[int]] = {}
    for figures in stats:
        for position, day in enumerate(figures.by_day or ()):
            for channel, count in day.by_channel.items():
                channels.setdefault(channel, [0] * len(days))[position] += count
    return Series(days, dict(sorted(channels.items(), key=lambda item: -sum(item[1]))))


def _channel_mix(stats: list[Stats]) -> ChannelMix:
    mix: Counter[str] = Counter()
    for figures in stats:
        mix.update(figures.by_channel)
    return ChannelMix(dict(mix.most_common()))


def narrowed(stats: Stats) -> Narrowed:
    """A link's or advocate's figures in the overview's shape, for the same partials."""
    clicks = stats.clicks
    days = stats.by_day or ()
    channels: dict[str, list[int]] = {}
    for position, day in enumerate(days):
        for channel, count in day.by_channel.items():
            channels.setdefault(channel, [0] * len(days))[position] += count
    return Narrowed(
        kpis=Headline(clicks=clicks, unique_visitors=stats.unique_visitors, dark=stats.dark,
                      dark_share=stats.dark_share if clicks else None,
                      conversions=stats.conversions,
                      conversion_value=stats.conversion_value,
                      conversion_rate=metrics.conversion_rate(stats.conversions, clicks)),
        series=Series(tuple(day.day for day in days),
                      dict(sorted(channels.items(), key=lambda kv: -sum(kv[1])))),
        channel_mix=ChannelMix(dict(sorted(stats.by_channel.items(), key=lambda kv: -kv[1]))),
        dark_split=DarkSplit(stats.dark, clicks),
        by_kind=stats.by_kind, previews=stats.previews, by_device=stats.by_device,
        by_country=stats.by_country,
    )


# Top advocates over a range ----------------------------------------------------
# The leaderboards count all-time clicks, and an advocate's clicks in a range
# are at most their all-time clicks. So the candidates are taken in order of
# all-time clicks over the campaigns' boards merged, LEADER_CHUNK at a time,
# each read for the range from their counters; the search stops once the
# tenth best of the range has more clicks than the next candidate has of all
# time. The first chunk is twice the places asked for, and each next one
# twice the last (up to LEADER_CHUNK): when the range holds most of the
# clicks the first answers, and a busy advocate's month hashes (read field by
# field) are read for few advocates. It gives up (saying so) after
# LEADER_SEARCH advocates.
LEADER_CHUNK = 50
LEADER_SEARCH = 2000
_RANGE_FIGURES = (counters.HUMAN, counters.CONVERSIONS)


class _Boards:
    """The campaigns' leaderboards merged by all-time clicks, read a page at a time."""

    def __init__(self, r: Client, campaigns: list[Campaign]) -> None:
        self.r = r
        self.pending: dict[str, list[tuple[str, int]]] = {}
        self.offsets = dict.fromkeys((campaign.id for campaign in campaigns), 0)
        self.done: set[str] = set()
        self.campaigns = {campaign.id: campaign for campaign in campaigns}
        pipe = r.pipeline(transaction=False)
        for campaign in campaigns:
            pipe.zrevrange(keys.campaign_leaderboard(campaign.id), 0, LEADER_CHUNK - 1,
                           withscores=True)
        for campaign, page in zip(campaigns, pipe.execute(), strict=True):
            self._take(campaign.id, page)

    def _take(self, campaign_id: str, page: list[tuple[str, float]]) -> None:
        entries = [(external_id, int(score)) for external_id, score in page if score > 0]
        self.offsets[campaign_id] += LEADER_CHUNK
        if len(entries) < LEADER_CHUNK:
            self.done.add(campaign_id)
        self.pending[campaign_id] = entries[::-1]  # the best last, to pop

    def _head(self, campaign_id: str) -> int:
        if not self.pending[campaign_id] and campaign_id not in self.done:
            offset = self.offsets[campaign_id]
            self._take(campaign_id, self.r.zrevrange(
                keys.campaign_leaderboard(campaign_id), offset, offset + LEADER_CHUNK - 1,
                withscores=True))
        entries = self.pending[campaign_id]
        return entries[-1][1] if entries else 0

    def bound(self) -> int:
        """The most all-time clicks among the advocates not yet taken (0: none left)."""
        return max((self._head(campaign_id) for campaign_id in self.pending), default=0)

    def take(self, count: int) -> list[tuple[Campaign, str, int]]:
        taken: list[tuple[Campaign, str, int]] = []
        while len(taken) < count:
            best = max(self.pending, key=self._head, default=None)
            if best is None or not self.pending[best]:
                break
            external_id, clicks = self.pending[best].pop()
            taken.append((self.campaigns[best], external_id, clicks))
        return taken


def list_leaders(r: Client, campaigns: list[Campaign], *, start: dt.date, end: dt.date,
                 limit: int = 10) -> Leaders:
    """Advocates by human clicks over the range and the campaigns, with conversions."""
    boards = _Boards(r, campaigns)
    found: list[tuple[int, int, str, Campaign]] = []
    searched, complete = 0, True
    chunk = min(max(2 * limit, 1), LEADER_CHUNK)
    while True:
        if searched >= LEADER_SEARCH:
            complete = boards.bound() == 0
            break
        candidates = boards.take(min(chunk, LEADER_SEARCH - searched))
        chunk = min(2 * chunk, LEADER_CHUNK)
        if not candidates:
            break
        searched += len(candidates)
        for (campaign, external_id, _), (clicks, conversions) in zip(
                candidates, _range_figures(r, candidates, start=start, end=end), strict=True):
            if clicks > 0:
                found.append((clicks, conversions, external_id, campaign))
        found.sort(key=lambda entry: (-entry[0], entry[2], entry[3].id))
        del found[limit:]
        if len(found) == limit and found[-1][0] > boards.bound():
            break
    ranks = ranked_positions([clicks for clicks, _, _, _ in found])
    people = store.get_advocates(r, [external_id for _, _, external_id, _ in found])
    names: dict[str, Advocate] = {person.external_id: person for person in people}
    rows = []
    for rank, (clicks, conversions, external_id, campaign) in zip(ranks, found, strict=True):
        person = names.get(external_id)
        rows.append(Leader(
            rank=rank, advocate=external_id, name=person.name if person else None,
            share_token=person.share_token if person else None, campaign=campaign,
            clicks=clicks, conversions=conversions,
            conversion_rate=metrics.conversion_rate(conversions, clicks)))
    return Leaders(tuple(rows), start.isoformat(), end.isoformat(), searched, complete)


def _range_figures(r: Client, candidates: list[tuple[Campaign, str, int]], *, start: dt.date,
                   end: dt.date) -> list[tuple[int, int]]:
    """Each (campaign, advocate, all-time clicks there)'s human clicks and conversions over
    the range.

    An advocate's own counters answer when all their clicks and conversions of all
    time are in that campaign (their totals equal the campaign's boards); otherwise
    the range is summed from their links in that campaign (conversions reported
    without a link code then do not count).
    """
    pipe = r.pipeline(transaction=False)
    for campaign, external_id, _ in candidates:
        pipe.hmget(keys.advocate_totals(external_id), list(_RANGE_FIGURES))
        pipe.zscore(keys.campaign_conversion_board(campaign.id), external_id)
    answers = pipe.execute()
    shared = set()
    for index, (campaign, external_id, clicks) in enumerate(candidates):
        totals, converted = answers[index * 2], answers[index * 2 + 1]
        if (int(totals[0] or 0), int(totals[1] or 0)) != (clicks, int(converted or 0)):
            shared.add((campaign.id, external_id))
    own = get_range_counts(r, ADVOCATE, sorted({external_id for campaign, external_id, _
                                                in candidates
                                                if (campaign.id, external_id) not in shared}),
                           _RANGE_FIGURES, start=start, end=end)
    by_link: dict[tuple[str, str], tuple[int, int]] = {}
    for campaign_id, external_id in sorted(shared):
        codes = [link.code for link in store.get_links(
            r, store.list_link_codes(r, advocate=external_id)) if link.campaign_id == campaign_id]
        counts = get_range_counts(r, LINK, codes, _RANGE_FIGURES, start=start, end=end)
        by_link[(campaign_id, external_id)] = (
            int(sum(count[counters.HUMAN] for count in counts.values())),
            int(sum(count[counters.CONVERSIONS] for count in counts.values())))
    return [by_link[(campaign.id, external_id)] if (campaign.id, external_id) in shared
            else (int(own[external_id][counters.HUMAN]),
                  int(own[external_id][counters.CONVERSIONS]))
            for campaign, external_id, _ in candidates]


def get_advocate_progress(r: Client, campaign: Campaign, external_id: str) -> Progress:
    """An advocate's all-time clicks, conversions and rank in one campaign.

    The rank is a competition rank among the advocates with a click
    (``ranked`` of them; ``tied`` when others share it); an advocate with no
    click has no rank, and ``advocates`` counts every advocate of the campaign.
    """
    board = keys.campaign_leaderboard(campaign.id)
    pipe = r.pipeline(transaction=False)
    pipe.zscore(board, external_id)
    pipe.zscore(keys.campaign_conversion_board(campaign.id), external_id)
    pipe.zcard(keys.campaign_advocates(campaign.id))
    pipe.zcount(board, 1, "+inf")
    clicks, conversions, advocates, ranked = pipe.execute()
    clicks, conversions = int(clicks or 0), int(conversions or 0)
    rank = tied = None
    if clicks > 0:
        pipe = r.pipeline(transaction=False)
        pipe.zcount(board, f"({clicks}", "+inf")
        pipe.zcount(board, clicks, clicks)
        above, same = pipe.execute()
        rank, tied = int(above) + 1, int(same) > 1
    goal = campaign.reward_goal
    return Progress(
        clicks=clicks,
        conversions=conversions,
        rank=rank,
        tied=tied,
        ranked=int(ranked),
        advocates=int(advocates),
        reward_goal=goal,
        goal_progress=min(conversions, goal) if goal else None,
    )


def list_link_totals(r: Client, codes: list[str]) -> dict[str, Stats]:
    """Each link's all-time figures (human clicks, kinds, conversions), in one pipeline."""
    pipe = r.pipeline(transaction=False)
    for code in codes:
        pipe.hgetall(keys.link_totals(code))
    return {code: summarize(fields) for code, fields in zip(codes, pipe.execute(), strict=True)}
