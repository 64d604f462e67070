"""Referral codes against a real Redis: given at minting, unique, found however typed."""

from __future__ import annotations

import threading

import pytest

from shortener import keys
from shortener.clicks.conversions import record_conversion
from shortener.links import rules
from shortener.links.advocates import erase_personal_data, upsert_advocate
from shortener.links.codes import (
    advocate_for_code,
    canonical_referral_code,
    ensure_referral_codes,
    get_referral_code,
)
from shortener.links.importing import import_advocates
from shortener.links.minting import MintRequest, mint_links
from shortener.links.models import Advocate
from shortener.webhooks import events

pytestmark = pytest.mark.cluster


def test_minting_a_link_gives_the_advocate_a_code(redis, make_campaign, make_link):
    campaign = make_campaign()
    upsert_advocate(redis, "anna-1", name="Anna Maria")
    make_link(campaign, advocate="anna-1")
    code = get_referral_code(redis, campaign.id, "anna-1")
    assert code is not None and code.startswith("ANNA-")
    assert len(code) == len("ANNA-") + 4
    assert set(code[5:]) <= set(rules.REFERRAL_CODE_ALPHABET)
    assert advocate_for_code(redis, campaign.id, code) == "anna-1"


def test_minting_again_keeps_the_code(redis, make_campaign, make_link):
    campaign = make_campaign()
    make_link(campaign, advocate="bob")
    first = get_referral_code(redis, campaign.id, "bob")
    make_link(campaign, advocate="bob", channel="whatsapp")
    assert get_referral_code(redis, campaign.id, "bob") == first


def test_the_campaigns_prefix_wins_over_the_name(redis, make_campaign, make_link):
    campaign = make_campaign(code_prefix="spring")
    upsert_advocate(redis, "anna-1", name="Anna")
    make_link(campaign, advocate="anna-1")
    assert get_referral_code(redis, campaign.id, "anna-1").startswith("SPRING-")


def test_an_advocate_without_a_name_gets_random_characters(redis, make_campaign, make_link):
    campaign = make_campaign()
    make_link(campaign, advocate="cust-42")
    code = get_referral_code(redis, campaign.id, "cust-42")
    assert code[3] == "-" and len(code) == 7
    assert set(code.replace("-", "")) <= set(rules.REFERRAL_CODE_ALPHABET)


@pytest.mark.parametrize("typed", ["anna-7k2p", "ANNA 7K2P", " anna7k2p ", "AnNa--7K2P",
                                   "ANNA_7K2P"])
def test_the_lookup_ignores_case_dashes_and_spaces(redis, make_campaign, typed):
    campaign = make_campaign()
    redis.set(keys.campaign_referral_code(campaign.id, canonical_referral_code("ANNA-7K2P")),
              "anna-1")
    assert advocate_for_code(redis, campaign.id, typed) == "anna-1"


def test_the_lookup_reads_look_alikes_as_the_same_character(redis, make_campaign):
    campaign = make_campaign()
    advocate = Advocate(external_id="oli", name="Olivia")
    code = ensure_referral_codes(redis, campaign, [advocate])["oli"]
    assert code.startswith("OLIVIA-")
    assert advocate_for_code(redis, campaign.id, "0L1V1A" + code[6:]) == "oli"
    assert advocate_for_code(redis, campaign.id, code.lower().replace("l", "1")) == "oli"


@pytest.mark.parametrize("typed", ["", "ANNA-7K2Q", "ANNA-7K2P!", "x" * 40, "ÄNNA-7K2P;"])
def test_the_lookup_answers_none_for_what_is_no_code(redis, make_campaign, typed):
    campaign = make_campaign()
    redis.set(keys.campaign_referral_code(campaign.id, canonical_referral_code("ANNA-7K2P")),
              "anna-1")
    assert advocate_for_code(redis, campaign.id, typed) is None


def test_a_code_is_unique_within_its_campaign_only(redis, make_campaign):
    first, second = make_campaign(), make_campaign()
    redis.set(keys.campaign_referral_code(first.id, "ANNA7K2P"), "anna-1")
    assert advocate_for_code(redis, second.id, "ANNA-7K2P") is None


def test_codes_drawn_with_one_prefix_never_repeat(redis, make_campaign):
    campaign = make_campaign(code_prefix="X")
    advocates = [Advocate(external_id=f"cust-{n}") for n in range(2000)]
    codes = ensure_referral_codes(redis, campaign, advocates)
    assert len(codes) == 2000
    assert len({canonical_referral_code(code) for code in codes.values()}) == 2000
    assert all(advocate_for_code(redis, campaign.id, code) == ident
               for ident, code in codes.items())


def test_a_taken_code_is_drawn_again(redis, make_campaign, monkeypatch):
    campaign = make_campaign()
    redis.set(keys.campaign_referral_code(campaign.id, "ANNA2222"), "someone-else")
    draws = iter(["ANNA-2222", "ANNA-3333"])
    monkeypatch.setattr("shortener.links.codes.new_referral_code",
                        lambda prefix, extra=0: next(draws))
    codes = ensure_referral_codes(redis, campaign, [Advocate(external_id="anna-1", name="Anna")])
    assert codes == {"anna-1": "ANNA-3333"}
    assert advocate_for_code(redis, campaign.id, "ANNA-2222") == "someone-else"


def test_two_processes_giving_codes_at_once_agree(redis_server, make_campaign):
    campaign = make_campaign()
    advocate = Advocate(external_id="race", name="Rita")
    results: list[str] = []

    def give() -> None:
        results.append(ensure_referral_codes(redis_server.client(), campaign,
                                             [advocate])["race"])

    threads = [threading.Thread(target=give) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1
    claimed = [key for key in redis_server.client().scan_iter(
        match=keys.campaign_referral_code(campaign.id, "*"))]
    assert len(claimed) == 1


def test_bulk_minting_gives_every_advocate_a_code(redis, app_settings, make_campaign):
    campaign = make_campaign()
    results = mint_links(redis, app_settings, campaign_id=campaign.id,
                         items=[MintRequest(advocate=f"bulk-{n}") for n in range(50)])
    assert all(result.created for result in results)
    for n in range(50):
        code = get_referral_code(redis, campaign.id, f"bulk-{n}")
        assert advocate_for_code(redis, campaign.id, code) == f"bulk-{n}"


def test_erasure_takes_the_code_away(redis, make_campaign, make_link):
    campaign = make_campaign()
    upsert_advocate(redis, "anna-1", name="Anna")
    make_link(campaign, advocate="anna-1")
    code = get_referral_code(redis, campaign.id, "anna-1")
    erased = erase_personal_data(redis, "anna-1")
    assert advocate_for_code(redis, campaign.id, code) is None
    assert get_referral_code(redis, campaign.id, erased.external_id) is None
    assert not any("ANNA" in key for key in redis.scan_iter(match="*"))


def test_imported_advocates_get_codes_from_their_names(redis, app_settings, make_campaign,
                                                       tmp_path):
    campaign = make_campaign()
    rows = [{"external_id": f"imp-{n}", "name": name}
            for n, name in enumerate(["Jürgen Maier", "Zoë", "", "Li"])]
    result = import_advocates(redis, app_settings, campaign.id, rows,
                              failed_path=tmp_path / "failed.csv")
    assert result["failed"] == 0
    codes = [get_referral_code(redis, campaign.id, f"imp-{n}") for n in range(4)]
    assert [code.split("-")[0] for code in codes[:2]] == ["JURGEN", "ZOE"]
    assert len(codes[2]) == 7 and codes[3].startswith("LI-")
    assert all(advocate_for_code(redis, campaign.id, code) == f"imp-{n}"
               for n, code in enumerate(codes))


def test_the_webhook_payload_of_an_order_by_code_leaves_the_code_out(redis, make_campaign,
                                                                     make_link):
    campaign = make_campaign()
    upsert_advocate(redis, "anna-1", name="Anna")
    make_link(campaign, advocate="anna-1")
    code = get_referral_code(redis, campaign.id, "anna-1")
    recorded = record_conversion(redis, click_id_key=b"k" * 32, order_id="o-1",
                                 campaign_id=campaign.id, referral_code=code)
    assert recorded.conversion.referral_code == code
    data = events.conversion_data(recorded.conversion)
    assert data["channel"] == "code" and data["advocate"] == "anna-1"
    assert "referral_code" not in data and "ANNA" not in str(data)
