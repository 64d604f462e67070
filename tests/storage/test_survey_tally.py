"""The running count behind the survey panel's "a friend, without a click or code":
answers and conversions in either order, each order counted once, always equal to a
recount of every answer against its order's conversion."""

from __future__ import annotations

import contextlib
import itertools
import time

import pytest
from redis.exceptions import RedisError

from shortener import keys
from shortener.analytics.survey import count_unmeasured_friends
from shortener.clicks.conversions import Conversion, record_conversion
from shortener.links.codes import get_referral_code
from shortener.links.minting import mint_link
from shortener.survey import store, tally
from shortener.survey.answers import record_answer
from shortener.survey.choices import FRIEND_ANSWERS
from tests.conftest import BROWSER_UA

DAY = 86400


def recount(redis, campaign_id, days=None):
    """(friend answers, those without a click or code), reading every answer and order."""
    friends = unmeasured = 0
    for chunk in store.iter_answers(redis, campaign_id):
        for answer in chunk:
            day = time.strftime("%Y%m%d", time.gmtime(answer.ts))
            if answer.heard_via not in FRIEND_ANSWERS or (days is not None and day not in days):
                continue
            text = redis.hget(keys.campaign_orders(campaign_id), answer.order_id)
            conversion = None if text is None else Conversion.from_json(text)
            friends += 1
            unmeasured += not tally.is_measured(conversion, answer)
    return friends, unmeasured


@pytest.fixture
def shop(redis, app_settings, client, make_campaign):
    campaign = make_campaign()
    mint_link(redis, app_settings, campaign_id=campaign.id, advocate="ann")
    link = mint_link(redis, app_settings, campaign_id=campaign.id, advocate="bob").link
    key = app_settings.secrets["click_id_key"].encode()
    clicks = iter(range(1000))

    def click_id() -> str:
        next(clicks)
        location = client.get(f"/{link.code}", headers={"User-Agent": BROWSER_UA}).headers[
            "Location"]
        return location.rsplit("sclid=", 1)[1]

    def answer(order, heard_via, now=None, **fields):
        return record_answer(redis, click_id_key=key, campaign_id=campaign.id, order_id=order,
                             heard_via=heard_via, source="api", retention_days=90, now=now,
                             **fields)

    def convert(order, how):
        if how == "click":
            return record_conversion(redis, click_id_key=key, order_id=order,
                                     click_id=click_id())
        if how == "code":
            return record_conversion(redis, click_id_key=key, order_id=order,
                                     campaign_id=campaign.id,
                                     referral_code=get_referral_code(redis, campaign.id, "ann"))
        return record_conversion(redis, click_id_key=key, order_id=order,
                                 campaign_id=campaign.id, advocate="ann")

    return campaign, answer, convert


HOW = ("click", "code", "advocate", None)
HEARD = ("friend_whatsapp", "friend_in_person", "search")


@pytest.mark.parametrize("answer_first", [True, False])
def test_the_count_equals_a_recount_whichever_side_comes_first(redis, shop, answer_first):
    campaign, answer, convert = shop
    for number, (how, heard_via) in enumerate(itertools.product(HOW, HEARD)):
        order = f"o-{number}"
        if answer_first:
            answer(order, heard_via)
        if how is not None:
            convert(order, how)
        if not answer_first:
            answer(order, heard_via)
    # Friend answers: 4 ways x 2 friend answers; a click or a code at checkout measures 4.
    assert recount(redis, campaign.id) == (8, 4)
    assert count_unmeasured_friends(redis, campaign.id) == recount(redis, campaign.id)
    today = [time.strftime("%Y%m%d", time.gmtime())]
    assert count_unmeasured_friends(redis, campaign.id, today) == (8, 4)


def test_an_order_noted_again_or_reported_again_counts_once(redis, shop):
    campaign, answer, convert = shop
    answer("o-1", "friend_whatsapp")
    convert("o-1", "click")
    assert tally.note_order(redis, campaign.id, "o-1") is False
    answer("o-1", "friend_whatsapp")
    assert convert("o-1", "click").created is False
    assert count_unmeasured_friends(redis, campaign.id) == (1, 0) == recount(redis, campaign.id)


def test_a_code_typed_in_the_answer_books_the_order_but_does_not_measure_it(redis, shop):
    campaign, answer, convert = shop
    code = get_referral_code(redis, campaign.id, "ann")
    recorded = answer("o-1", "friend_in_person", referrer_code=code)
    assert recorded.answer.attributed is True
    conversion = redis.hget(keys.campaign_orders(campaign.id), "o-1")
    assert Conversion.from_json(conversion).channel == "code"
    # Reported by the shop first: the answer's code books nothing and the click counts.
    convert("o-2", "click")
    assert answer("o-2", "friend_in_person", referrer_code=code).answer.attributed is False
    assert count_unmeasured_friends(redis, campaign.id) == (2, 1) == recount(redis, campaign.id)


def test_answers_count_on_their_own_day(redis, shop):
    campaign, answer, convert = shop
    earlier = time.time() - 3 * DAY
    answer("o-old", "friend_whatsapp", now=earlier)
    convert("o-old", "click")
    answer("o-new", "friend_whatsapp")
    convert("o-new", "advocate")
    old_day = [time.strftime("%Y%m%d", time.gmtime(earlier))]
    today = [time.strftime("%Y%m%d", time.gmtime())]
    assert count_unmeasured_friends(redis, campaign.id, old_day) == (1, 0) \
        == recount(redis, campaign.id, old_day)
    assert count_unmeasured_friends(redis, campaign.id, today) == (1, 1) \
        == recount(redis, campaign.id, today)


@contextlib.contextmanager
def advocates_unreadable(redis, campaign_id):
    """The booking's check that the code's advocate is the campaign's meets a key of the
    wrong type: a Redis error before anything of the order is written."""
    advocates = keys.campaign_advocates(campaign_id)
    kept = redis.dump(advocates)
    redis.delete(advocates)
    redis.set(advocates, "not a sorted set")
    try:
        yield
    finally:
        redis.delete(advocates)
        redis.restore(advocates, 0, kept)


@pytest.mark.cluster
def test_a_booking_that_fails_in_storage_before_the_order_is_stored_unmarks_the_answer(
        redis, shop):
    campaign, answer, convert = shop
    code = get_referral_code(redis, campaign.id, "ann")
    with advocates_unreadable(redis, campaign.id), pytest.raises(RedisError):
        answer("o-1", "friend_in_person", referrer_code=code)
    assert redis.hget(keys.campaign_orders(campaign.id), "o-1") is None
    assert store.get_answer(redis, campaign.id, "o-1").attributed is False
    # The shop reports the order by the same code later: the code measured it.
    assert convert("o-1", "code").created is True
    assert count_unmeasured_friends(redis, campaign.id) == (1, 0) == recount(redis, campaign.id)


@pytest.mark.cluster
def test_the_same_answer_sent_again_after_a_storage_failure_books_the_order_once(
        redis, shop):
    campaign, answer, convert = shop
    code = get_referral_code(redis, campaign.id, "ann")
    with advocates_unreadable(redis, campaign.id), pytest.raises(RedisError):
        answer("o-1", "friend_in_person", referrer_code=code)
    # The widget retries: still "not created", but the order is booked by the code now.
    again = answer("o-1", "friend_in_person", referrer_code=code)
    assert again.created is False and again.answer.attributed is True
    booked = Conversion.from_json(redis.hget(keys.campaign_orders(campaign.id), "o-1"))
    assert booked.channel == "code" and booked.advocate == "ann"
    # Once: a third try books nothing more, and the shop's own report is a repeat.
    answer("o-1", "friend_in_person", referrer_code=code)
    assert convert("o-1", "code").created is False
    assert redis.hlen(keys.campaign_orders(campaign.id)) == 1
    assert count_unmeasured_friends(redis, campaign.id) == (1, 1) == recount(redis, campaign.id)


@pytest.mark.cluster
def test_a_booking_that_fails_in_storage_after_the_order_is_stored_keeps_the_mark(
        redis, shop):
    campaign, answer, _ = shop
    code = get_referral_code(redis, campaign.id, "ann")
    # Counting the order in the programme's day meets a key of the wrong type: the order
    # is stored (by this answer's booking), its counts are not.
    day_hash = keys.programme_day(time.strftime("%Y%m%d", time.gmtime()))
    redis.delete(day_hash)
    redis.set(day_hash, "not a hash")
    with pytest.raises(RedisError):
        answer("o-1", "friend_in_person", referrer_code=code)
    booked = Conversion.from_json(redis.hget(keys.campaign_orders(campaign.id), "o-1"))
    assert booked.channel == "code" and booked.value == 0
    assert store.get_answer(redis, campaign.id, "o-1").attributed is True
