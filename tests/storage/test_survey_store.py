"""Survey answers in Redis: one per order under concurrency (single server and cluster),
free text dropped after the retention window, and erased with the advocate it concerns."""

from __future__ import annotations

import threading
import time

import pytest

from shortener.analytics.survey import count_unmeasured_friends, get_self_reported
from shortener.clicks.conversions import record_conversion
from shortener.links.advocates import erase_personal_data, upsert_advocate
from shortener.links.minting import mint_link
from shortener.survey import store
from shortener.survey.answers import record_answer
from shortener.survey.erasure import erase_answer_text, trim_survey_texts

DAY = 86400
RETENTION_DAYS = 90


@pytest.fixture
def campaign(make_campaign):
    return make_campaign()


def answer(redis, campaign, order_id, *, heard_via="friend_whatsapp", now=None, **fields):
    return record_answer(redis, click_id_key=b"k" * 32, campaign_id=campaign.id,
                         order_id=order_id, heard_via=heard_via, source="api",
                         retention_days=RETENTION_DAYS, now=now, **fields)


@pytest.mark.cluster
def test_answers_sent_at_once_for_one_order_are_stored_and_counted_once(redis, campaign):
    created: list[bool] = []
    barrier = threading.Barrier(10)

    def send(number: int) -> None:
        barrier.wait()
        created.append(answer(redis, campaign, "o-1", heard_via="search",
                              text=f"try {number}").created)

    threads = [threading.Thread(target=send, args=(number,)) for number in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(created) == [False] * 9 + [True]
    assert get_self_reported(redis, campaign.id)["search"] == 1
    assert store.list_text_order_ids(redis, campaign.id) == ["o-1"]


def test_text_older_than_the_retention_window_is_dropped_and_the_count_stays(redis,
                                                                             campaign):
    now = time.time()
    answer(redis, campaign, "old", text="Anna", now=now - (RETENTION_DAYS + 1) * DAY)
    answer(redis, campaign, "recent", text="Ben", now=now - DAY)
    answer(redis, campaign, "silent", now=now - (RETENTION_DAYS + 5) * DAY)
    assert trim_survey_texts(redis, [campaign.id], retention_days=RETENTION_DAYS) == 1
    assert store.get_answer(redis, campaign.id, "old").text is None
    assert store.get_answer(redis, campaign.id, "recent").text == "Ben"
    assert store.list_text_order_ids(redis, campaign.id) == ["recent"]
    assert get_self_reported(redis, campaign.id)["friend_whatsapp"] == 3
    assert trim_survey_texts(redis, [campaign.id], retention_days=RETENTION_DAYS) == 0


def test_a_new_answer_trims_its_campaigns_expired_texts(redis, campaign):
    now = time.time()
    answer(redis, campaign, "old", text="Anna", now=now - (RETENTION_DAYS + 1) * DAY)
    answer(redis, campaign, "new", text="Ben", now=now)
    assert store.get_answer(redis, campaign.id, "old").text is None


def test_the_cli_trims_survey_texts_with_the_click_streams(redis, campaign, runner):
    from shortener.cli import main

    answer(redis, campaign, "old", text="Anna", now=time.time() - 100 * DAY)
    result = runner.invoke(main, ["clicks", "trim"])
    assert result.exit_code == 0, result.output
    assert '"survey_texts_dropped": 1' in result.output
    assert store.get_answer(redis, campaign.id, "old").text is None


def test_a_customers_text_is_erased_on_request(redis, campaign, runner):
    from shortener.cli import main

    answer(redis, campaign, "o-1", text="my colleague Petra")
    result = runner.invoke(main, ["survey", "erase", "--campaign", campaign.id, "--order", "o-1"])
    assert result.exit_code == 0, result.output
    assert store.get_answer(redis, campaign.id, "o-1").text is None
    assert store.list_text_order_ids(redis, campaign.id) == []
    missing = runner.invoke(main, ["survey", "erase", "--campaign", campaign.id,
                                   "--order", "o-2"])
    assert missing.exit_code == 1
    assert erase_answer_text(redis, campaign.id, "o-2") is None


def test_erasing_an_advocate_erases_the_answers_that_concern_them(redis, app_settings,
                                                                  campaign):
    upsert_advocate(redis, "cust-7", name="Anna Berg", contact="anna@example.org")
    mint_link(redis, app_settings, campaign_id=campaign.id, advocate="cust-7")
    mint_link(redis, app_settings, campaign_id=campaign.id, advocate="cust-8")
    key = app_settings.secrets["click_id_key"].encode()
    record_conversion(redis, click_id_key=key, order_id="by-anna", campaign_id=campaign.id,
                      advocate="cust-7")
    answer(redis, campaign, "by-anna", text="a friend from work")
    answer(redis, campaign, "names-her", text="ANNA BERG told me")
    answer(redis, campaign, "mails-her", text="anna@example.org")
    answer(redis, campaign, "someone-else", text="Carl")
    erased = erase_personal_data(redis, "cust-7")
    texts = {order: store.get_answer(redis, campaign.id, order).text
             for order in ("by-anna", "names-her", "mails-her", "someone-else")}
    assert texts == {"by-anna": None, "names-her": None, "mails-her": None,
                     "someone-else": "Carl"}
    assert store.list_text_order_ids(redis, campaign.id) == ["someone-else"]
    assert erased.external_id.startswith("erased-")
    assert get_self_reported(redis, campaign.id)["friend_whatsapp"] == 4


def test_an_order_booked_by_click_is_measured_and_one_without_is_not(redis, campaign,
                                                                     app_settings, client):
    from tests.conftest import BROWSER_UA

    link = mint_link(redis, app_settings, campaign_id=campaign.id, advocate="cust-1").link
    location = client.get(f"/{link.code}", headers={"User-Agent": BROWSER_UA}).headers[
        "Location"]
    click_id = location.rsplit("sclid=", 1)[1]
    key = app_settings.secrets["click_id_key"].encode()
    record_conversion(redis, click_id_key=key, order_id="clicked", click_id=click_id)
    answer(redis, campaign, "clicked", heard_via="friend_messenger")
    answer(redis, campaign, "told", heard_via="friend_in_person")
    answer(redis, campaign, "searched", heard_via="search")
    assert count_unmeasured_friends(redis, campaign.id) == (2, 1)
    today = time.strftime("%Y%m%d", time.gmtime())
    assert count_unmeasured_friends(redis, campaign.id, [today]) == (2, 1)
    assert count_unmeasured_friends(redis, campaign.id, ["20200101"]) == (0, 0)
