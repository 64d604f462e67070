"""The survey's keys share the campaign's slot: one script stores, counts and indexes an
answer, and the join reads the campaign's orders beside them."""

from __future__ import annotations

from redis.crc import key_slot

from shortener import keys


def test_a_campaigns_survey_keys_share_its_slot():
    built = [keys.survey_token("42"), keys.survey_answers("42"), keys.survey_texts("42"),
             keys.survey_totals("42"), keys.survey_days("42"), keys.campaign("42"),
             keys.campaign_orders("42")]
    assert len({key_slot(key.encode()) for key in built}) == 1
    assert len(set(built)) == len(built)
