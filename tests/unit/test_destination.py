"""The UTM merge and destination checks (pure: no Redis)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from shortener.errors import InvalidClickId, InvalidDestination, InvalidInput
from shortener.links.destination import (
    build_destination_url,
    new_click_id,
    validate_destination,
    validate_utm,
    verify_click_id,
)
from shortener.links.models import Campaign, Link


def build(destination: str, *, campaign_utm=None, link_utm=None, channel=None,
          channel_utm=False, link_destination=None) -> str:
    campaign = Campaign(id="1", name="c", destination=destination, utm=campaign_utm or {},
                        channel_utm=channel_utm)
    link = Link(code="abc12", campaign_id="1", advocate="alice-42", utm=link_utm or {},
                destination=link_destination)
    return build_destination_url(campaign, link, click_id="abc12.XYZ", click_id_param="sclid",
                                 channel=channel)


def params(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def test_it_adds_campaign_defaults_advocate_and_click_id():
    url = build("https://shop.example/p", campaign_utm={"utm_source": "referral",
                                                         "utm_campaign": "spring"})
    assert dict(params(url)) == {
        "utm_content": "alice-42", "utm_source": "referral", "utm_campaign": "spring",
        "sclid": "abc12.XYZ",
    }


def test_link_overrides_beat_campaign_defaults():
    url = build("https://shop.example/", campaign_utm={"utm_source": "a"},
                link_utm={"utm_source": "b"})
    assert dict(params(url))["utm_source"] == "b"


def test_a_campaign_utm_content_beats_the_advocate():
    url = build("https://shop.example/", campaign_utm={"utm_content": "banner"})
    assert dict(params(url))["utm_content"] == "banner"


def test_it_keeps_the_destinations_own_query_byte_for_byte():
    raw = "q=a+b&tag=1&tag=2&empty=&utm_source=newsletter&x=%2F%C3%A9"
    url = build(f"https://shop.example/search?{raw}", campaign_utm={"utm_source": "ours"})
    assert urlsplit(url).query.startswith(raw + "&")
    assert [value for name, value in params(url) if name == "utm_source"] == ["newsletter"]
    assert [value for name, value in params(url) if name == "tag"] == ["1", "2"]


def test_it_keeps_the_fragment():
    url = build("https://shop.example/p?x=1#section-2?not=query")
    assert url.endswith("#section-2?not=query")
    assert dict(params(url))["x"] == "1"


def test_non_ascii_values_are_percent_encoded():
    url = build("https://shop.example/p", campaign_utm={"utm_campaign": "été 2026 ✓"})
    assert url.isascii()
    assert dict(params(url))["utm_campaign"] == "été 2026 ✓"


def test_a_very_long_destination_survives_whole():
    long_query = "&".join(f"k{i}=v{i}" for i in range(400))
    url = build(f"https://shop.example/p?{long_query}")
    assert long_query in url


def test_the_link_destination_replaces_the_campaigns():
    url = build("https://shop.example/a", link_destination="https://shop.example/b?y=2")
    assert url.startswith("https://shop.example/b?y=2&")


@pytest.mark.parametrize(
    ("channel", "source", "medium"),
    [("whatsapp", "whatsapp", "messaging"), ("email", "email", "email"),
     ("instagram", "instagram", "social")],
)
def test_an_opted_in_campaign_gets_the_classified_channel(channel, source, medium):
    got = dict(params(build("https://shop.example/", channel=channel, channel_utm=True)))
    assert (got["utm_source"], got["utm_medium"]) == (source, medium)


def test_the_channel_never_overwrites_explicit_utm():
    got = dict(params(build("https://shop.example/", channel="whatsapp", channel_utm=True,
                            campaign_utm={"utm_source": "crm"})))
    assert got["utm_source"] == "crm"
    assert got["utm_medium"] == "messaging"


def test_without_opt_in_the_channel_is_not_written():
    assert "utm_source" not in dict(params(build("https://shop.example/", channel="whatsapp")))


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("javascript:alert(1)", "http"),
        ("ftp://shop.example/", "http"),
        ("https://", "no host"),
        ("https://shop.example/a b", "control"),
        ("https://shop.example/\r\nSet-Cookie:x", "control"),
        ("https://shop.example/\x00", "control"),
        ("https://user:pw@shop.example/", "user name"),
        ("https://shop.example:99999/", "not a valid URL"),
        ("https://[::1/", "not a valid URL"),
        ("https://shop.example/" + "a" * 5000, "longer"),
        ("", "non-empty"),
    ],
)
def test_it_refuses_bad_destinations_naming_the_field(url, problem):
    with pytest.raises(InvalidDestination) as caught:
        validate_destination(url)
    assert caught.value.field == "destination"
    assert problem in caught.value.message


def test_allowed_hosts_limit_destinations():
    hosts = ["shop.example", "*.brand.example"]
    assert validate_destination("https://shop.example/x", allowed_hosts=hosts)
    assert validate_destination("https://eu.brand.example/x", allowed_hosts=hosts)
    with pytest.raises(InvalidDestination, match="allowed hosts"):
        validate_destination("https://evil.example/x", allowed_hosts=hosts)
    with pytest.raises(InvalidDestination, match="allowed hosts"):
        validate_destination("https://shop.example.evil.example/", allowed_hosts=hosts)


@pytest.mark.parametrize(
    ("utm", "field"),
    [({"utm_nope": "x"}, "utm.utm_nope"), ({"utm_source": 3}, "utm.utm_source"),
     ({"utm_source": "a\nb"}, "utm.utm_source"), ({"utm_term": "x" * 201}, "utm.utm_term"),
     ("source=x", "utm")],
)
def test_bad_utm_values_name_the_key(utm, field):
    with pytest.raises(InvalidInput) as caught:
        validate_utm(utm)
    assert caught.value.field == field


# Click ids ----------------------------------------------------------------------

KEY = b"k" * 64


def test_a_click_id_is_the_code_and_a_24_character_token():
    click_id = new_click_id("kX3pA", KEY, convertible=True)
    code, dot, token = click_id.partition(".")
    assert (code, dot, len(token)) == ("kX3pA", ".", 24)
    assert re.fullmatch(r"[A-Za-z0-9_-]{24}", token)


def test_a_human_clicks_id_verifies_to_its_code():
    assert verify_click_id(new_click_id("kX3pA", KEY, convertible=True), KEY) == "kX3pA"


def test_click_ids_are_unique():
    assert len({new_click_id("kX3pA", KEY, convertible=True) for _ in range(1000)}) == 1000


def _altered(click_id: str) -> str:
    last = click_id[-2]
    return click_id[:-2] + ("A" if last != "A" else "B") + click_id[-1]


@pytest.mark.parametrize("forge", [
    lambda real: "kX3pA.made-up",                                # the reported forgery
    lambda real: "kX3pA." + "A" * 24,                            # right shape, no MAC
    lambda real: "kX3pA.Ab3dEf9hIjKl",                           # shape of ids before signing
    lambda real: "other." + real.partition(".")[2],              # token moved to another code
    _altered,                                                    # one character changed
    lambda real: new_click_id("kX3pA", b"another instance", convertible=True),
    lambda real: new_click_id("kX3pA", KEY, convertible=False),  # HEAD, bot or crawler
    lambda real: "kX3pA." + "é" * 24,
    lambda real: "kX3pA",
    lambda real: 42,
])
def test_forged_click_ids_do_not_verify(forge):
    real = new_click_id("kX3pA", KEY, convertible=True)
    with pytest.raises(InvalidClickId) as caught:
        verify_click_id(forge(real), KEY)
    assert caught.value.field == "click_id"

SHOP = ["shop.example", "*.shop.example"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1\\.shop.example/",  # a backslash ends the host for a browser
        "https://evil.example\\@shop.example/",  # so the user info here is no user info
        "http://%2e%2e.shop.example/",  # empty labels once decoded
        "http://2130706433/", "http://0x7f.0.0.1/", "http://0177.0.0.1/",  # all 127.0.0.1
        "https://shop.example@evil.example/",
        "https://evil.example%2fshop.example/",
        "https://evil.example#.shop.example",
        "https://evil.example?.shop.example",
    ],
)
def test_a_host_a_browser_would_visit_elsewhere_is_refused(url):
    with pytest.raises(InvalidDestination) as caught:
        validate_destination(url, allowed_hosts=SHOP)
    assert caught.value.field == "destination"


@pytest.mark.parametrize(
    "url",
    [
        "//shop.example/", "https:/\\shop.example/", "https:\\\\shop.example/",
        " https://shop.example/", "https://shop.example/ ", "https://sh\top.example/",
        "https://shop.example/a\nb",
    ],
)
def test_urls_a_browser_would_repair_are_refused_rather_than_guessed(url):
    with pytest.raises(InvalidDestination):
        validate_destination(url, allowed_hosts=SHOP)


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("HTTPS://Shop.Example/a/../b", "https://shop.example/b"),
        ("https://shop.example", "https://shop.example/"),
        ("https://shop.example:443/x?q=1#f", "https://shop.example/x?q=1#f"),
        ("https://eu.shop.example/a\\b", "https://eu.shop.example/a/b"),
        ("https://b\u00fccher.shop.example/", "https://xn--bcher-kva.shop.example/"),
        ("https://shop.example/%2e%2e/x", "https://shop.example/x"),
    ],
)
def test_the_destination_is_stored_as_a_browser_would_follow_it(url, normalised):
    assert validate_destination(url, allowed_hosts=SHOP) == normalised


def test_an_idna_host_is_checked_in_its_ascii_form():
    assert validate_destination("https://b\u00fccher.example/",
                                allowed_hosts=["xn--bcher-kva.example"])
    with pytest.raises(InvalidDestination, match="allowed hosts"):
        validate_destination("https://b\u00fccher.example/", allowed_hosts=["bucher.example"])
