"""The risk flags a conversion can carry, and the rule behind each.

A conversion with any flag is held for review (status ``review``): it counts
in no figure and toward no reward until a marketer accepts it. Each rule can
be turned off per campaign (``Campaign.fraud_rules``); all are on by default.

- ``self_referral``: the converting click came from a visitor who, the same
  UTC day, opened the advocate's own share page (same daily visitor hash).
- ``repeat_visitor``: the converting click's visitor is behind another
  conversion of the campaign booked through a click of the same UTC day.
- ``no_human_click``: a conversion reported by campaign and advocate, while
  the advocate's links in the campaign have never had a human click. (A
  click id handed to a preview fetch, scanner or crawler never books a
  conversion at all: it is refused, see links.destination.)
- ``burst``: the converting click's visitor clicked the link more than the
  burst limit (FRAUD_BURST_CLICKS, human clicks in one UTC clock hour).

Visitor hashes are daily (their salt rotates), so the checks that need one
compare clicks and visits of the same day, and only while the evidence lives
(EVIDENCE_SECONDS, as long as the salt).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shortener.errors import InvalidInput

FLAGS = ("self_referral", "repeat_visitor", "no_human_click", "burst")
DEFAULT_RULES: dict[str, bool] = {flag: True for flag in FLAGS}
# Review status of a conversion; "accepted" is what every unflagged one gets at once.
STATUSES = ("accepted", "review", "rejected")
# Where a status may go. Accepted is final: its figures, rewards and webhooks
# have gone out and are not taken back (reject the reward instead).
MOVES: dict[str, tuple[str, ...]] = {
    "review": ("accepted", "rejected"),
    "rejected": ("accepted",),
    "accepted": (),
}
# How long per-visitor evidence is kept: the life of a day's visitor salt.
EVIDENCE_SECONDS = 2 * 86400
DEFAULT_BURST_CLICKS = 10
MAX_BURST_CLICKS = 10_000


def clean_rules(value: object, *, field: str = "fraud_rules") -> dict[str, bool]:
    """The rule toggles sent, checked; the caller lays them over the campaign's (or the
    defaults). Raises InvalidInput naming the field for an unknown rule or a value that
    is not true or false.
    """
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{field} must be an object of rule names to true or false",
                           field=field)
    cleaned: dict[str, bool] = {}
    for name, on in value.items():
        if name not in DEFAULT_RULES:
            raise InvalidInput(f"{name!r} is not a fraud rule; rules are {', '.join(FLAGS)}",
                               field=f"{field}.{name}")
        if not isinstance(on, bool):
            raise InvalidInput(f"{field}.{name} must be true or false", field=f"{field}.{name}")
        cleaned[name] = on
    return cleaned


def rules_of(campaign_rules: Mapping[str, bool] | None) -> dict[str, bool]:
    """The campaign's toggles with every rule present (a campaign saved before has none)."""
    return {**DEFAULT_RULES, **(campaign_rules or {})}


@dataclass(frozen=True)
class ClickEvidence:
    """What the service kept about the converting click, for one day."""

    visitor: str
    ts: float
    channel: str
    day: str


@dataclass(frozen=True)
class Findings:
    """What was found about one conversion, before the rules decide."""

    click: ClickEvidence | None = None
    by_click_id: bool = False
    human_clicks: int = 0
    share_visit_at: float | None = None
    visitor_conversions: int = 0
    hour_clicks: int = 0


def assess(findings: Findings, *, rules: Mapping[str, bool],
           burst_clicks: int) -> tuple[list[str], dict[str, Any]]:
    """The flags the campaign's rules raise, and the evidence shown to the reviewer.

    The evidence holds times, channel and kind, never a visitor hash or an address.
    """
    flags: list[str] = []
    evidence: dict[str, Any] = {}
    click = findings.click
    if click is not None:
        evidence["click"] = {"at": click.ts, "channel": click.channel or "direct",
                             "kind": "human"}
    if rules.get("self_referral") and findings.share_visit_at is not None:
        flags.append("self_referral")
        evidence["share_page_visit"] = {"at": findings.share_visit_at}
    if rules.get("repeat_visitor") and findings.visitor_conversions > 1:
        flags.append("repeat_visitor")
        evidence["visitor_conversions"] = findings.visitor_conversions
    if rules.get("no_human_click") and not findings.by_click_id and findings.human_clicks == 0:
        flags.append("no_human_click")
        evidence["human_clicks"] = 0
    if rules.get("burst") and findings.hour_clicks > burst_clicks:
        flags.append("burst")
        evidence["burst"] = {"clicks": findings.hour_clicks, "limit": burst_clicks,
                             "hour": int(click.ts // 3600 % 24) if click else None}
    return flags, evidence
