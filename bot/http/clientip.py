"""The client address for the rate limit, behind trusted reverse proxies.

``X-Forwarded-For`` is a list a client can start with anything it likes; only the entries that
trusted proxies appended are believed. So: when the TCP peer is a configured proxy, walk the
header from the right (the entry the nearest proxy added) past every trusted address; the first
untrusted one is the client. When the peer is not a trusted proxy, the header is ignored.
An IPv6 client is its /64: one subscriber or host gets a whole /64 and can use any address in
it, so a bucket per address would let it rotate out of the limit. Small enough to audit here
rather than pull in a middleware library.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(items: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in items)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, nets: tuple[Network, ...]
) -> bool:
    return any(address in net for net in nets)


def client_address(peer: str | None, forwarded_for: list[str], trusted: tuple[Network, ...]) -> str:
    """The address to rate-limit: ``peer`` unless it is a trusted proxy that says otherwise.

    ``forwarded_for`` is every X-Forwarded-For header value in order (a proxy may add a second
    header instead of extending the first)."""
    peer_address = _address(peer or "")
    if peer_address is None or not trusted or not _trusted(peer_address, trusted):
        return peer or "unknown"
    hops = [hop for value in forwarded_for for hop in value.split(",")]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return peer_address.compressed  # garbage from before our proxies: stop trusting
        if not _trusted(address, trusted):
            return address.compressed
    return peer_address.compressed


#: The prefix an IPv6 client is limited by (RFC 6177: a site gets at least a /64).
IPV6_CLIENT_PREFIX = 64


def rate_limit_key(client: str) -> str:
    """The bucket of ``client`` (from :func:`client_address`): an IPv4 address, or the /64 of
    an IPv6 one; anything else as it is."""
    address = _address(client)
    if isinstance(address, ipaddress.IPv6Address):
        return ipaddress.ip_network(f"{address}/{IPV6_CLIENT_PREFIX}", strict=False).compressed
    return client
