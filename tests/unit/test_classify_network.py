"""The network signal: the offline lookup of an address, and what classify makes of it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from shortener.classify import MACHINE_NETWORKS, classify
from shortener.clicks.network import (
    NETWORK_CLASSES,
    NetworkInfo,
    TrustedNetworks,
    look_up_network,
)

BROWSER = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/124.0.0.0 Safari/537.36")
AWS = "52.95.110.1"  # Amazon's published ranges (ip-ranges.json)
HOME_GB = "81.2.69.142"  # a British ISP's block


def test_a_cloud_address_is_a_hosting_network_with_its_country() -> None:
    assert look_up_network(AWS) == NetworkInfo("hosting", "US")


def test_an_address_in_no_provider_list_is_unknown_but_has_a_country() -> None:
    assert look_up_network(HOME_GB) == NetworkInfo("unknown", "GB")


def test_private_and_documentation_addresses_are_reserved_without_a_country() -> None:
    for address in ("127.0.0.1", "10.1.2.3", "203.0.113.77", "::1"):
        assert look_up_network(address) == NetworkInfo("reserved", "")


def test_trusted_networks_by_range_or_provider() -> None:
    assert look_up_network(AWS, trusted=TrustedNetworks.parse(["52.95.0.0/16"])).network == \
        "trusted"
    assert look_up_network(AWS, trusted=TrustedNetworks.parse(["amazon aws"])).network == \
        "trusted"
    assert look_up_network(AWS, trusted=TrustedNetworks.parse(["2001:db8::/32"])).network == \
        "hosting"


def test_a_malformed_trusted_range_is_refused() -> None:
    import pytest

    with pytest.raises(ValueError):
        TrustedNetworks.parse(["300.0.0.0/8"])


def test_a_browser_from_a_machine_network_is_a_crawler() -> None:
    for network in MACHINE_NETWORKS:
        result = classify(BROWSER, "https://www.google.com/", network=network, country="US")
        assert (result.kind, result.channel, result.signal) == ("crawler", None,
                                                               "hosting_network")
        assert (result.network, result.country) == (network, "US")


def test_people_behind_vpns_cdns_and_trusted_networks_stay_people() -> None:
    for network in ("vpn", "tor", "cdn", "trusted", "unknown", "reserved", ""):
        result = classify(BROWSER, network=network, country="de")
        assert (result.kind, result.channel, result.country) == ("human", "direct", "DE")


def test_a_preview_fetch_from_a_cloud_is_still_a_preview() -> None:
    result = classify("WhatsApp/2.23.20.0", network="hosting")
    assert (result.kind, result.channel) == ("preview_bot", "whatsapp")


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.text(max_size=200), st.binary(max_size=64),
                 st.ip_addresses().map(str), st.integers()))
def test_any_address_is_harmless(address: object) -> None:
    found = look_up_network(address)
    assert found.network in NETWORK_CLASSES
    assert found.country == "" or (len(found.country) == 2 and found.country.isupper())


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.text(max_size=40))
def test_any_network_or_country_passed_to_classify_is_harmless(network: str,
                                                               country: str) -> None:
    result = classify(BROWSER, network=network, country=country)
    assert len(result.country) <= 2 and len(result.network) <= 16
