"""Evidence for the risk flags, kept by the daily visitor hash: the only Redis caller here.

Written: the share page notes each visitor hash of the day per advocate
(record_share_visit); the click writer notes each human click's visitor and
its clicks per hour on the link (plan_click_evidence, applied in its batch);
recording a conversion counts it against its click's visitor
(count_converting_visitor). Every key expires after rules.EVIDENCE_SECONDS;
erase_evidence() deletes an advocate's at erasure.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from shortener import keys
from shortener.clicks.batching import Batch
from shortener.db import Client
from shortener.fraud.rules import EVIDENCE_SECONDS, ClickEvidence

# A day's evidence outlives its day by up to EVIDENCE_SECONDS: this many days may hold some.
EVIDENCE_DAYS = EVIDENCE_SECONDS // 86400 + 1


def _day(ts: float) -> str:
    return time.strftime("%Y%m%d", time.gmtime(ts))


def evidence_days(now: float) -> list[str]:
    """The UTC days whose evidence may still be kept, newest first."""
    return [_day(now - 86400 * back) for back in range(EVIDENCE_DAYS)]


def click_token(click_id: str) -> str:
    return click_id.rpartition(".")[2]


def hour_field(visitor: str, ts: float) -> str:
    return f"{visitor}:{time.gmtime(ts).tm_hour:02d}"


def plan_click_evidence(batch: Batch, *, code: str, day: str, click_id: str, visitor: str,
                        ts: float, channel: str) -> None:
    """Add a human click's visitor and its count in the hour to the writer's batch."""
    marks = keys.link_batches(code)
    visitors, hours = keys.link_click_visitors(code, day), keys.link_visitor_hours(code, day)
    batch.put_field(marks, visitors, click_token(click_id), f"{visitor} {ts:.3f} {channel}")
    batch.increment(marks, hours, hour_field(visitor, ts))
    batch.expire(marks, visitors, EVIDENCE_SECONDS)
    batch.expire(marks, hours, EVIDENCE_SECONDS)


def record_share_visit(r: Client, external_id: str, visitor: str, *, now: float,
                       pipe: Any = None) -> None:
    """Note that this visitor opened the advocate's share page today (first time kept)."""
    target = pipe if pipe is not None else r.pipeline(transaction=False)
    key = keys.advocate_share_visits(external_id, _day(now))
    target.hsetnx(key, visitor, f"{now:.3f}")
    target.expire(key, EVIDENCE_SECONDS)
    if pipe is None:
        target.execute()


def get_click_evidence(r: Client, code: str, click_id: str, *,
                       now: float) -> ClickEvidence | None:
    """The converting click's visitor, time and channel, while its evidence lives."""
    token = click_token(click_id)
    days = evidence_days(now)
    pipe = r.pipeline(transaction=False)
    for day in days:
        pipe.hget(keys.link_click_visitors(code, day), token)
    for day, found in zip(days, pipe.execute(), strict=True):
        if found:
            visitor, ts, channel = [*found.split(" ", 2), "", ""][:3]
            return ClickEvidence(visitor=visitor, ts=float(ts), channel=channel, day=day)
    return None


def get_share_visit(r: Client, external_id: str, click: ClickEvidence) -> float | None:
    """When the click's visitor opened the advocate's share page on the click's day."""
    found = r.hget(keys.advocate_share_visits(external_id, click.day), click.visitor)
    return float(found) if found else None


def get_hour_clicks(r: Client, code: str, click: ClickEvidence) -> int:
    """The human clicks the click's visitor made on the link in the click's UTC hour."""
    found = r.hget(keys.link_visitor_hours(code, click.day), hour_field(click.visitor, click.ts))
    return int(found or 0)


def count_converting_visitor(r: Client, campaign_id: str, click: ClickEvidence,
                             step: int = 1) -> int:
    """Count a conversion against its click's visitor (``step`` -1 takes it back); the
    visitor's conversions in the campaign through clicks of that day, this one included."""
    key = keys.campaign_converting_visitors(campaign_id, click.day)
    pipe = r.pipeline(transaction=False)
    pipe.hincrby(key, click.visitor, step)
    pipe.expire(key, EVIDENCE_SECONDS)
    return int(pipe.execute()[0])


def get_human_clicks(r: Client, campaign_id: str, external_id: str) -> int:
    """The advocate's human clicks in the campaign (its leaderboard)."""
    return int(r.zscore(keys.campaign_leaderboard(campaign_id), external_id) or 0)


def erase_evidence(r: Client, external_ids: Iterable[str], codes: Iterable[str], *,
                   now: float | None = None) -> int:
    """Delete the share-page visitors of the advocate (under each id it had) and the click
    evidence of its links; returns how many keys went."""
    days = evidence_days(now or time.time())
    doomed = [keys.advocate_share_visits(external_id, day)
              for external_id in external_ids for day in days]
    for code in codes:
        for day in days:
            doomed += [keys.link_click_visitors(code, day), keys.link_visitor_hours(code, day)]
    # One key per call: on a cluster the keys live in different slots.
    pipe = r.pipeline(transaction=False)
    for key in doomed:
        pipe.delete(key)
    return sum(pipe.execute()) if doomed else 0
