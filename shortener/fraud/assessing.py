"""assess_conversion(): the risk flags of a conversion about to be recorded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shortener.db import Client
from shortener.fraud import store
from shortener.fraud.rules import ClickEvidence, Findings, assess, rules_of
from shortener.links.models import Campaign


@dataclass(frozen=True)
class Assessment:
    flags: list[str]
    evidence: dict[str, Any]
    # The visitor this conversion was counted against (repeat_visitor), to take it back
    # when the order turns out to be a repeat report.
    counted_visitor: ClickEvidence | None = None

    @property
    def status(self) -> str:
        return "review" if self.flags else "accepted"


def assess_conversion(r: Client, campaign: Campaign, *, advocate: str, code: str | None,
                      click_id: str | None, now: float, burst_clicks: int,
                      by_referral_code: bool = False) -> Assessment:
    """Gather the findings the campaign's rules need, and flag what they raise.

    An order by referral code is not held for having no human click behind it:
    a code travels by voice, print or screenshot, where no click is made.
    """
    rules = rules_of(campaign.fraud_rules)
    if by_referral_code:
        rules = {**rules, "no_human_click": False}
    if not any(rules.values()):
        return Assessment([], {})
    click = store.get_click_evidence(r, code, click_id, now=now) \
        if click_id and code else None
    findings = Findings(click=click, by_click_id=click_id is not None)
    counted = None
    if click is not None and code:
        visitor_conversions = 0
        if rules["repeat_visitor"]:
            visitor_conversions = store.count_converting_visitor(r, campaign.id, click)
            counted = click
        findings = Findings(
            click=click, by_click_id=True,
            share_visit_at=store.get_share_visit(r, advocate, click)
            if rules["self_referral"] else None,
            visitor_conversions=visitor_conversions,
            hour_clicks=store.get_hour_clicks(r, code, click) if rules["burst"] else 0,
        )
    elif click_id is None and rules["no_human_click"]:
        findings = Findings(human_clicks=store.get_human_clicks(r, campaign.id, advocate))
    flags, evidence = assess(findings, rules=rules, burst_clicks=burst_clicks)
    return Assessment(flags, evidence, counted)


def take_back(r: Client, campaign_id: str, assessment: Assessment) -> None:
    """Undo what assessing counted, for an order that was not recorded after all."""
    if assessment.counted_visitor is not None:
        store.count_converting_visitor(r, campaign_id, assessment.counted_visitor, step=-1)
