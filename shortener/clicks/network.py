"""look_up_network(): what a click's address says about it, so that the address itself can go.

Two offline databases shipped inside pinned packages, read in-process (no
network call, no download at run time):
- iporigin: ranges that hosting, cloud, CDN and VPN providers, Tor and
  declared crawlers publish, compiled weekly into the wheel. It gives the
  network class: ``hosting``, ``cdn``, ``vpn``, ``tor``, ``bot``,
  ``reserved`` (private, loopback...) or ``unknown`` (in no list: most often a
  home or mobile line).
- iptocc: the country the regional internet registries assigned each block
  to (ISO 3166-1 alpha-2), rebuilt nightly from the five RIRs.

Only the derived values (class, country) leave this module; the address is
neither returned nor kept. NetworkCache keeps answers by the keyed,
daily-salted address hash the redirect computes anyway (for its per-address
ceiling), never by the address, so a repeat visitor costs a dictionary
lookup instead of the 40-60 µs of the two range tables. A network the operator trusts
(TRUSTED_NETWORKS: a company VPN egress in a cloud, say) is reported as
``trusted`` and never makes a click a machine.
"""

from __future__ import annotations

import ipaddress
import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import NamedTuple

import iporigin
from iptocc import country_code

# shortener.classify.MACHINE_NETWORKS names the classes whose addresses are
# machines (hosting, bot): e-mail security gateways open links from cloud
# networks with ordinary browser agents. VPN and Tor exits carry people
# (Apple's Private Relay is a VPN here) and CDN ranges front other sites, so
# they are recorded but decide nothing.
NETWORK_CLASSES = ("hosting", "cdn", "vpn", "tor", "bot", "reserved", "unknown", "trusted")
MAX_ADDRESS_LENGTH = 64
# About 200 bytes an entry: 10,000 addresses seen lately cost some 2 MB a process.
MAX_CACHED_NETWORKS = 10_000

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class NetworkInfo(NamedTuple):
    """What is kept of an address: its network class and country ("" when unknown)."""

    network: str
    country: str


UNKNOWN = NetworkInfo("unknown", "")


class TrustedNetworks(NamedTuple):
    """Networks the operator vouches for, as address ranges and iporigin provider names."""

    ranges: tuple[IpNetwork, ...] = ()
    providers: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, items: Iterable[str]) -> TrustedNetworks:
        """Read "203.0.113.0/24" as a range and anything else ("Amazon AWS") as a provider.

        Raises ValueError for an item that looks like an address but is not one.
        """
        ranges: list[IpNetwork] = []
        providers: set[str] = set()
        for item in items:
            item = item.strip()
            if not item:
                continue
            if item[0].isdigit() or ":" in item:
                ranges.append(ipaddress.ip_network(item, strict=False))
            else:
                providers.add(item.casefold())
        return cls(tuple(ranges), frozenset(providers))


NO_TRUSTED_NETWORKS = TrustedNetworks()


def look_up_network(address: object, *,
                    trusted: TrustedNetworks = NO_TRUSTED_NETWORKS) -> NetworkInfo:
    """The network class and country of an address. Never raises: junk is ``unknown``."""
    if not isinstance(address, str) or not address or len(address) > MAX_ADDRESS_LENGTH:
        return UNKNOWN
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return UNKNOWN
    try:
        origin = iporigin.classify(parsed)
        network, provider = origin.kind, origin.provider
    except Exception:  # the bundled table failed to load: the click still counts
        network, provider = "unknown", ""
    if (trusted.providers and provider.casefold() in trusted.providers) or any(
        parsed in block for block in trusted.ranges if block.version == parsed.version
    ):
        network = "trusted"
    if network not in NETWORK_CLASSES:
        network = "unknown"
    try:
        country = country_code(str(parsed)) or "" if parsed.is_global else ""
    except Exception:  # same: a broken table costs the country, not the click
        country = ""
    return NetworkInfo(network, country[:2].upper() if len(country) == 2 else "")


class NetworkCache:
    """look_up_network's answers for the addresses seen lately, least recently used out first.

    Keyed by the caller's keyed, daily-salted hash of the address (see
    visitor_hash.address_hash): the address itself is looked up on a miss and
    never stored, and the keys change with the salt every day.
    """

    def __init__(self, trusted: TrustedNetworks = NO_TRUSTED_NETWORKS, *,
                 max_entries: int = MAX_CACHED_NETWORKS) -> None:
        self.trusted = trusted
        self.max_entries = max_entries
        self._entries: OrderedDict[str, NetworkInfo] = OrderedDict()
        self._lock = threading.Lock()

    def look_up(self, address: object, *, address_hash: str) -> NetworkInfo:
        """The network class and country of ``address``, remembered under ``address_hash``."""
        with self._lock:
            found = self._entries.get(address_hash)
            if found is not None:
                self._entries.move_to_end(address_hash)
                return found
        found = look_up_network(address, trusted=self.trusted)
        with self._lock:
            self._entries[address_hash] = found
            if len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return found

    def keys(self) -> list[str]:
        """What the cache is keyed by (address hashes), for tests and inspection."""
        with self._lock:
            return list(self._entries)


def warm_up() -> None:
    """Load the range table now (a few hundred milliseconds) rather than on the first click."""
    look_up_network("192.0.2.1")
    look_up_network("8.8.8.8")
