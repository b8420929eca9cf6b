"""Which addresses the fetcher may connect to, and a resolver that pins the checked answer.

Server-side request forgery defence: a link must not make the bot talk to itself, the host's
private network or a cloud metadata service. Every address a host name resolves to is checked,
and the aiohttp connector connects only to the addresses this resolver returned, so a DNS answer
that changes between the check and the connection (rebinding) cannot slip through.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from index.errors import IngestRefused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Cloud instance-metadata endpoints (AWS, GCP, Azure, Oracle, Alibaba, DigitalOcean, ...).
# Most sit in ranges refused anyway; they are named so that an allow-list CIDR covering a private
# range never opens them by accident: only the exact address in the allow-list does.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",
        "169.254.170.2",
        "169.254.169.253",
        "168.63.129.16",
        "100.100.100.200",
        "192.0.0.192",
        "fd00:ec2::254",
        "fd00:ec2::23",
    )
)

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
# IPv6 prefixes that embed an IPv4 address a packet may end up at.
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))

_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.?)+$")
_IPV4_PART = re.compile(r"^(0x[0-9a-f]*|0[0-7]*|[1-9][0-9]*)$")


class AddressRefused(IngestRefused):
    """A host or address the fetcher must not contact."""


def parse_ipv4_loose(host: str) -> ipaddress.IPv4Address | None:
    """Parse the numeric IPv4 forms the C library accepts (``127.1``, ``2130706433``,
    ``0x7f.1``, ``0177.0.0.1``); None when ``host`` is not one of them.

    A URL checker that only understands dotted quads would pass these to the resolver, which
    turns them into 127.0.0.1.
    """
    text = host.lower().removesuffix(".")
    parts = text.split(".")
    if not 1 <= len(parts) <= 4 or not all(_IPV4_PART.match(p) for p in parts):
        return None
    values = []
    for part in parts:
        if part.startswith("0x"):
            values.append(int(part[2:] or "0", 16))
        elif part.startswith("0") and len(part) > 1:
            values.append(int(part, 8))
        else:
            values.append(int(part))
    *head, last = values
    if any(v > 255 for v in head) or last >= 256 ** (4 - len(head)):
        raise AddressRefused(f"'{host}' is not a valid IPv4 address.")
    # Leading parts are single bytes; the last fills the rest: a.b.c.d, a.b.(16 bits), a.(24).
    number = 0
    for i, value in enumerate(head):
        number |= value << (8 * (3 - i))
    number |= last
    return ipaddress.IPv4Address(number)


def parse_ip_literal(host: str) -> IPAddress | None:
    """The address a URL host names literally (any notation), or None for a host name."""
    text = unquote(host).strip("[]")
    if ":" in text:
        try:
            return ipaddress.IPv6Address(text.split("%", 1)[0])
        except ValueError:
            raise AddressRefused(f"'{host}' is not a valid IPv6 address.") from None
    return parse_ipv4_loose(text)


def embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address forwards to (mapped, compatible, 6to4, NAT64, Teredo)."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if any(ip in net for net in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if int(ip) >> 32 == 0 and int(ip) > 1:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(int(ip))
    return None


def classify(ip: IPAddress) -> str | None:
    """Why ``ip`` must not be contacted ("a loopback address", ...), or None if it is public."""
    inner = embedded_ipv4(ip)
    if inner is not None:
        reason = classify(inner)
        return f"{reason} (it wraps {inner})" if reason else None
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    checks = (
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT, "a shared (CGNAT) address"),
        (ip.is_multicast, "a multicast address"),
        (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local, "a site-local address"),
        (ip.is_private, "a private address"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "a non-public address"),
    )
    return next((reason for hit, reason in checks if hit), None)


@dataclass(frozen=True)
class AllowList:
    """Hosts and addresses the operator allows even though they are not public.

    Entries are host names (``localhost``), addresses (``127.0.0.1``, ``::1``) or networks
    (``10.0.0.0/8``). A name entry allows whatever that name resolves to; an address or network
    entry allows those addresses however they are reached.
    """

    names: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()
    addresses: frozenset[IPAddress] = field(default_factory=frozenset)

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AllowList:
        names: set[str] = set()
        networks: list[IPNetwork] = []
        addresses: set[IPAddress] = set()
        for raw in entries:
            entry = raw.strip().lower().strip("[]")
            if not entry:
                continue
            try:
                if "/" in entry:
                    networks.append(ipaddress.ip_network(entry, strict=False))
                else:
                    addresses.add(ipaddress.ip_address(entry))
            except ValueError:
                if not _HOSTNAME.match(entry):
                    raise ValueError(f"'{raw}' is not a host name, address or network") from None
                names.add(entry.removesuffix("."))
        return cls(frozenset(names), tuple(networks), frozenset(addresses))

    def allows_name(self, host: str) -> bool:
        return host.lower().removesuffix(".") in self.names

    def allows_address(self, ip: IPAddress) -> bool:
        if ip in self.addresses:
            return True
        if ip in METADATA_ADDRESSES:  # only ever by its exact address
            return False
        return any(ip.version == net.version and ip in net for net in self.networks)


@dataclass(frozen=True)
class AddressPolicy:
    allow: AllowList = AllowList()

    def check_address(self, ip: IPAddress, host: str | None = None) -> None:
        """Raise AddressRefused unless ``ip`` is public or allowed."""
        if self.allow.allows_address(ip):
            return
        reason = classify(ip)
        if reason is None:
            return
        if host and parse_ip_literal(host) is not None and host.strip("[]") != str(ip):
            what = f"'{host}' means {ip}, {reason}"
        elif host and host.strip("[]") != str(ip):
            what = f"'{host}' resolves to {ip}, {reason}"
        else:
            what = f"{ip} is {reason}"
        raise AddressRefused(
            f"Refused: {what}. Links must point to a public web site; an operator can allow "
            "this host with NEWSBOT_FETCH_ALLOW_HOSTS."
        )

    def check_literal(self, host: str) -> IPAddress | None:
        """Check a URL host that is an address in any notation; None for a host name."""
        ip = parse_ip_literal(host)
        if ip is not None:
            self.check_address(ip, host)
        elif not _HOSTNAME.match(host.lower()):
            raise AddressRefused(f"'{host}' is not a valid host name.")
        return ip


class HostNotFound(IngestRefused):
    def __init__(self, host: str, err: OSError | None) -> None:
        detail = f" ({err.strerror or err})" if err is not None else ""
        super().__init__(
            f"Could not find the host '{host}'{detail}. Check the link for typos; the site may "
            "no longer exist."
        )


class GuardedResolver(AbstractResolver):
    """Resolve, check every answer, return only checked addresses (which the connector uses).

    ``inner`` does the actual lookup; tests pass a stub so that nothing leaves the machine.
    """

    def __init__(self, policy: AddressPolicy, inner: AbstractResolver | None = None) -> None:
        self.policy = policy
        self._inner = inner if inner is not None else ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        ip = self.policy.check_literal(host)
        if ip is not None:
            return [_result(host, ip, port)]
        try:
            answers = await self._inner.resolve(host, port, family)
        except OSError as err:
            raise HostNotFound(host, err) from None
        if not answers:
            raise HostNotFound(host, None)
        if not self.policy.allow.allows_name(host):
            for answer in answers:
                addr = ipaddress.ip_address(answer["host"].split("%", 1)[0])
                self.policy.check_address(addr, host)
        return answers

    async def close(self) -> None:
        await self._inner.close()


def _result(host: str, ip: IPAddress, port: int) -> ResolveResult:
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    return ResolveResult(
        hostname=host,
        host=str(ip),
        port=port,
        family=family,
        proto=0,
        flags=socket.AI_NUMERICHOST,
    )
