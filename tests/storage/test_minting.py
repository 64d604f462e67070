"""Minting against a real Redis: idempotence, races, aliases, nothing half-written."""

from __future__ import annotations

import threading

import pytest

from shortener import keys
from shortener.errors import (
    AliasTaken,
    CampaignNotFound,
    Conflict,
    InvalidAlias,
    InvalidDestination,
    InvalidInput,
)
from shortener.links import store
from shortener.links.minting import mint_link

pytestmark = pytest.mark.cluster


def mint(redis, settings, campaign, advocate="alice", **fields):
    return mint_link(redis, settings, campaign_id=campaign.id, advocate=advocate, **fields)


def test_minting_twice_returns_the_same_link(redis, app_settings, make_campaign):
    campaign = make_campaign()
    first = mint(redis, app_settings, campaign)
    second = mint(redis, app_settings, campaign)
    assert first.created and not second.created
    assert first.link.code == second.link.code
    assert store.list_link_codes(redis, campaign_id=campaign.id) == [first.link.code]


def test_each_channel_gets_its_own_link(redis, app_settings, make_campaign):
    campaign = make_campaign()
    codes = {mint(redis, app_settings, campaign, channel=channel).link.code
             for channel in (None, "whatsapp", "email", "telegram")}
    assert len(codes) == 4


def test_minting_creates_the_advocate_with_a_share_token(redis, app_settings, make_campaign):
    mint(redis, app_settings, make_campaign(), advocate="bob")
    advocate = store.get_advocate(redis, "bob")
    assert advocate is not None and len(advocate.share_token) >= 20
    assert store.get_advocate_by_share_token(redis, advocate.share_token) == advocate


def test_codes_honour_the_minimum_length(redis, app_settings, make_campaign):
    campaign = make_campaign()
    for number in range(20):
        code = mint(redis, app_settings, campaign, advocate=f"a{number}").link.code
        assert len(code) >= app_settings.code_min_length


def test_concurrent_minting_of_one_link_yields_one_link(redis, app_settings, make_campaign):
    campaign = make_campaign()
    barrier = threading.Barrier(16)
    results: list[str] = []

    def worker() -> None:
        barrier.wait()
        results.append(mint(redis, app_settings, campaign, advocate="carol").link.code)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 16
    assert len(set(results)) == 1
    assert store.list_link_codes(redis, campaign_id=campaign.id) == results[:1]
    links = [key for key in redis.scan_iter(match=keys.link("*"))]
    assert links == [keys.link(results[0])]


def test_an_alias_becomes_the_code(redis, app_settings, make_campaign):
    link = mint(redis, app_settings, make_campaign(), alias="spring-alice").link
    assert link.code == "spring-alice" and link.alias


def test_a_taken_alias_is_refused(redis, app_settings, make_campaign):
    campaign = make_campaign()
    mint(redis, app_settings, campaign, alias="taken-one")
    with pytest.raises(AliasTaken) as caught:
        mint(redis, app_settings, campaign, advocate="bob", alias="taken-one")
    assert caught.value.field == "alias"
    assert store.get_advocate(redis, "bob") is None


def test_asking_for_another_alias_on_an_existing_link_conflicts(redis, app_settings,
                                                               make_campaign):
    campaign = make_campaign()
    mint(redis, app_settings, campaign, alias="first-alias")
    with pytest.raises(Conflict):
        mint(redis, app_settings, campaign, alias="second-alias")


@pytest.mark.parametrize(
    ("fields", "error", "field"),
    [
        ({"alias": "api"}, InvalidAlias, "alias"),
        ({"alias": "no spaces"}, InvalidAlias, "alias"),
        ({"destination": "javascript:alert(1)"}, InvalidDestination, "destination"),
        ({"destination": "https://ok.example/\r\n"}, InvalidDestination, "destination"),
        ({"channel": "carrier-pigeon"}, InvalidInput, "channel"),
        ({"max_clicks": 0}, InvalidInput, "max_clicks"),
        ({"expires_at": 1.0}, InvalidInput, "expires_at"),
        ({"utm": {"utm_bogus": "x"}}, InvalidInput, "utm.utm_bogus"),
        ({"advocate": "has space"}, InvalidInput, "advocate"),
        ({"advocate": "{brace}"}, InvalidInput, "advocate"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(redis, app_settings, make_campaign,
                                                     fields, error, field):
    campaign = make_campaign()
    before = set(redis.scan_iter())
    with pytest.raises(error) as caught:
        mint(redis, app_settings, campaign, **{"advocate": "dave", **fields})
    assert caught.value.field == field
    assert set(redis.scan_iter()) == before


def test_an_unknown_campaign_is_refused(redis, app_settings):
    from shortener.links.models import Campaign

    ghost = Campaign(id="999", name="ghost", destination="https://x.example/")
    with pytest.raises(CampaignNotFound):
        mint(redis, app_settings, ghost)


def test_a_destination_outside_the_allowed_hosts_is_refused(redis, app_settings, make_campaign):
    campaign = make_campaign(destination="https://shop.example/", allowed_hosts=["shop.example"])
    with pytest.raises(InvalidDestination, match="allowed hosts"):
        mint(redis, app_settings, campaign, destination="https://evil.example/")


def test_without_allowed_hosts_links_stay_on_the_campaign_destination_host(
        redis, app_settings, make_campaign):
    campaign = make_campaign(destination="https://shop.example/spring")
    assert campaign.allowed_hosts == []
    with pytest.raises(InvalidDestination, match="allowed hosts"):
        mint(redis, app_settings, campaign, destination="https://evil.example/")
    minted = mint(redis, app_settings, campaign, destination="https://SHOP.example/autumn")
    assert minted.link.destination == "https://shop.example/autumn"


def test_a_backslash_does_not_take_a_link_to_another_host(redis, app_settings, make_campaign):
    campaign = make_campaign(destination="https://shop.example/",
                             allowed_hosts=["*.shop.example"])
    with pytest.raises(InvalidDestination, match="allowed hosts"):
        mint(redis, app_settings, campaign, destination="http://127.0.0.1\\.shop.example/")


def _mint_in_a_process(args):
    url, settings, campaign_id = args
    from shortener.config import Settings
    from shortener.db import connect

    client = connect(Settings(redis_url=url))
    return mint_link(client, settings, campaign_id=campaign_id, advocate="erin").link.code


def test_two_processes_minting_at_once_get_one_link(redis, redis_server, app_settings,
                                                    make_campaign):
    import multiprocessing

    campaign = make_campaign()
    context = multiprocessing.get_context("fork")
    with context.Pool(4) as pool:
        codes = pool.map(_mint_in_a_process,
                         [(redis_server.url, app_settings, campaign.id)] * 8)
    assert len(set(codes)) == 1
    assert store.list_link_codes(redis, campaign_id=campaign.id) == codes[:1]


def _outcome(result):
    if isinstance(result, Exception):
        return type(result).__name__, result.field
    return result.link.advocate, result.link.channel, result.link.alias, result.created


def test_bulk_minting_answers_as_minting_one_by_one(redis, app_settings, make_campaign):
    from shortener.links.minting import MintRequest, mint_links

    campaign = make_campaign()
    mint(redis, app_settings, campaign, advocate="known")
    # The next generated code is taken by an alias: the bulk path must step past it.
    from shortener.links.codes import encode_code
    taken = encode_code(int(redis.get(keys.link_counter())) + 1,
                        salt=app_settings.secrets["hashids_salt"],
                        min_length=app_settings.code_min_length,
                        alphabet=app_settings.code_alphabet)
    mint(redis, app_settings, campaign, advocate="squatter", alias=taken)
    items = [MintRequest("new-1"), MintRequest("known"), MintRequest("new-1"),
             MintRequest("new-2", channel="whatsapp"), MintRequest("new-3", channel="pigeon"),
             MintRequest("bad id!"), MintRequest("aliased", alias="spring-sale"),
             MintRequest("aliased"), MintRequest("new-4")]
    results = mint_links(redis, app_settings, campaign_id=campaign.id, items=items)
    assert [_outcome(result) for result in results] == [
        ("new-1", None, False, True), ("known", None, False, False),
        ("new-1", None, False, False), ("new-2", "whatsapp", False, True),
        ("InvalidInput", "channel"), ("InvalidInput", "advocate"),
        ("aliased", None, True, True), ("aliased", None, True, False),
        ("new-4", None, False, True)]
    assert results[0].link.code == results[2].link.code
    minted = [result for result in results if not isinstance(result, Exception)]
    assert taken not in {result.link.code for result in minted}
    codes = set(store.list_link_codes(redis, campaign_id=campaign.id))
    assert len(codes) == 2 + 4
    for result in results:
        if not isinstance(result, Exception):
            assert store.get_link(redis, result.link.code) == result.link
            assert store.get_advocate(redis, result.link.advocate) is not None


def test_bulk_minting_keeps_the_recruited_figure(redis, app_settings, make_campaign):
    from shortener.links.advocates import upsert_advocate
    from shortener.links.minting import MintRequest, mint_links

    campaign = make_campaign()
    upsert_advocate(redis, "alice")
    upsert_advocate(redis, "bob", referred_by="alice")
    upsert_advocate(redis, "carol", referred_by="bob")
    mint_links(redis, app_settings, campaign_id=campaign.id,
               items=[MintRequest("carol"), MintRequest("bob")])
    assert redis.smembers(keys.campaign_recruited(campaign.id)) == {"carol"}
    mint_links(redis, app_settings, campaign_id=campaign.id, items=[MintRequest("alice")])
    assert redis.smembers(keys.campaign_recruited(campaign.id)) == {"bob", "carol"}
