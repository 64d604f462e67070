"""The fraud rules as pure functions, and the slots their keys share with the scripts."""

from __future__ import annotations

import pytest
from redis.crc import key_slot

from shortener import keys
from shortener.clicks.conversions import conversion_id, parse_conversion_id
from shortener.errors import InvalidInput
from shortener.fraud.rules import DEFAULT_RULES, ClickEvidence, Findings, assess, clean_rules

CLICK = ClickEvidence(visitor="ab" * 12, ts=1_790_000_000.0, channel="whatsapp",
                      day="20260921")
ALL_ON = dict(DEFAULT_RULES)


@pytest.mark.parametrize(("findings", "flags"), [
    (Findings(click=CLICK, by_click_id=True), []),
    (Findings(click=CLICK, by_click_id=True, share_visit_at=CLICK.ts - 60), ["self_referral"]),
    (Findings(click=CLICK, by_click_id=True, visitor_conversions=1), []),
    (Findings(click=CLICK, by_click_id=True, visitor_conversions=2), ["repeat_visitor"]),
    (Findings(human_clicks=0), ["no_human_click"]),
    (Findings(human_clicks=3), []),
    (Findings(by_click_id=True), []),
    (Findings(click=CLICK, by_click_id=True, hour_clicks=10), []),
    (Findings(click=CLICK, by_click_id=True, hour_clicks=11), ["burst"]),
    (Findings(click=CLICK, by_click_id=True, share_visit_at=1.0, visitor_conversions=3,
              hour_clicks=50), ["self_referral", "repeat_visitor", "burst"]),
])
def test_each_rule_raises_its_flag(findings, flags):
    assert assess(findings, rules=ALL_ON, burst_clicks=10)[0] == flags


@pytest.mark.parametrize("rule", sorted(DEFAULT_RULES))
def test_a_rule_turned_off_raises_nothing(rule):
    findings = Findings(click=CLICK, by_click_id=rule != "no_human_click", share_visit_at=1.0,
                        visitor_conversions=2, hour_clicks=99)
    flags, _ = assess(findings, rules={**ALL_ON, rule: False}, burst_clicks=10)
    assert rule not in flags


def test_the_evidence_holds_times_channel_and_kind_never_the_visitor_hash():
    findings = Findings(click=CLICK, by_click_id=True, share_visit_at=CLICK.ts - 60,
                        visitor_conversions=2, hour_clicks=12)
    _, evidence = assess(findings, rules=ALL_ON, burst_clicks=10)
    assert evidence["click"] == {"at": CLICK.ts, "channel": "whatsapp", "kind": "human"}
    assert evidence["share_page_visit"] == {"at": CLICK.ts - 60}
    assert evidence["burst"] == {"clicks": 12, "limit": 10, "hour": 14}
    assert CLICK.visitor not in repr(evidence)


@pytest.mark.parametrize(("value", "field"), [
    ("on", "fraud_rules"),
    ({"velocity": True}, "fraud_rules.velocity"),
    ({"burst": 1}, "fraud_rules.burst"),
])
def test_bad_toggles_are_refused_naming_the_field(value, field):
    with pytest.raises(InvalidInput) as refused:
        clean_rules(value)
    assert refused.value.field == field


@pytest.mark.parametrize("order_id", ["A-1", "ü/ä?#1", "x" * 128, "a.b.c"])
def test_a_conversion_id_names_its_campaign_and_order(order_id):
    assert parse_conversion_id(conversion_id("12", order_id)) == ("12", order_id)


@pytest.mark.parametrize("value", ["12", "x.QS0x", "12.", "12.QS0x=", "12.!!", "12.wyg"])
def test_what_is_not_a_conversion_id_names_nothing(value):
    assert parse_conversion_id(value) is None


def test_the_scripts_keys_share_a_slot():
    conversion_keys = [keys.campaign_orders, keys.campaign_totals, keys.campaign_conversions,
                       keys.campaign_conversion_board, keys.campaign_review,
                       keys.campaign_converted_clicks]
    assert len({key_slot(build("7").encode()) for build in conversion_keys}
               | {key_slot(keys.campaign_day("7", "20260101").encode())}) == 1
    # The click evidence is written by the click writer's script on the link's slot.
    assert len({key_slot(key.encode()) for key in (
        keys.link_batches("abc"), keys.link_click_visitors("abc", "20260101"),
        keys.link_visitor_hours("abc", "20260101"))}) == 1
    # Share page visits sit in the advocate's slot, so erasure finds them by prefix too.
    assert keys.advocate_share_visits("ann", "20260101").startswith(keys.advocate_prefix("ann"))
