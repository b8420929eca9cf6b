"""The address check and the pinning resolver, with stubbed lookups: nothing here connects."""

from __future__ import annotations

import ipaddress
import re
import socket

import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

from index.errors import IngestRefused
from index.netguard import (
    AddressPolicy,
    AddressRefused,
    AllowList,
    GuardedResolver,
    HostNotFound,
    classify,
    parse_ip_literal,
    parse_ipv4_loose,
)


class StubResolver(AbstractResolver):
    """Answers from a table; an unknown name fails like a DNS miss. Counts lookups."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.lookups: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.lookups.append(host)
        if host not in self.table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            ResolveResult(
                hostname=host,
                host=addr,
                port=port,
                family=socket.AF_INET6 if ":" in addr else socket.AF_INET,
                proto=0,
                flags=0,
            )
            for addr in self.table[host]
        ]

    async def close(self) -> None:
        pass


REFUSED = {
    "10.0.0.1": "private",
    "172.16.0.1": "private",
    "172.31.255.254": "private",
    "192.168.1.1": "private",
    "169.254.169.254": "metadata",
    "169.254.1.1": "link-local",
    "100.64.0.1": "CGNAT",
    "100.100.100.200": "metadata",
    "0.0.0.0": "unspecified",
    "0.1.2.3": "private",
    "127.0.0.1": "loopback",
    "127.255.0.9": "loopback",
    "224.0.0.1": "multicast",
    "239.255.255.250": "multicast",
    "240.0.0.1": "private",
    "255.255.255.255": "private",
    "198.18.0.1": "private",
    "fd00::1": "private",
    "fd00:ec2::254": "metadata",
    "fe80::1": "link-local",
    "fec0::1": "site-local",
    "ff02::1": "multicast",
    "::1": "loopback",
    "::": "unspecified",
    "::ffff:10.0.0.1": "private",
    "::ffff:127.0.0.1": "loopback",
    "::ffff:169.254.169.254": "metadata",
    "64:ff9b::a00:1": "private",
    "2002:c0a8:101::1": "private",  # 6to4 wrapping 192.168.1.1
    "::10.0.0.1": "private",  # deprecated IPv4-compatible form
}

PUBLIC = ["8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700:4700::1111", "2a00:1450::1"]


@pytest.mark.parametrize(("address", "kind"), sorted(REFUSED.items()))
def test_non_public_addresses_are_classified(address: str, kind: str) -> None:
    reason = classify(ipaddress.ip_address(address))
    assert reason is not None and kind in reason


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address: str) -> None:
    assert classify(ipaddress.ip_address(address)) is None
    AddressPolicy().check_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0x7F000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("192.168.257", "192.168.1.1"),
        ("0", "0.0.0.0"),
        ("127.0.0.1.", "127.0.0.1"),
        ("8.8.8.8", "8.8.8.8"),
    ],
)
def test_legacy_ipv4_notations_are_understood(host: str, expected: str) -> None:
    assert parse_ipv4_loose(host) == ipaddress.IPv4Address(expected)
    # agree with the C library, which is what a resolver would hand the connector
    assert socket.inet_ntoa(socket.inet_aton(host.removesuffix("."))) == expected


@pytest.mark.parametrize("host", ["example.com", "1.2.3.4.5", "1e3", "news-site.org", "0x7g.1"])
def test_host_names_are_not_addresses(host: str) -> None:
    assert parse_ipv4_loose(host) is None


@pytest.mark.parametrize("host", ["256.1.1.1", "1.2.3.256", "0x100.1", "4294967296", "1.16777216"])
def test_out_of_range_numeric_hosts_are_refused(host: str) -> None:
    with pytest.raises(AddressRefused, match="not a valid IPv4"):
        parse_ipv4_loose(host)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("[::1]", "::1"),
        ("::1", "::1"),
        ("[::ffff:127.0.0.1]", "::ffff:7f00:1"),
        ("fe80::1%25eth0", "fe80::1"),
        ("[0:0:0:0:0:0:0:1]", "::1"),
    ],
)
def test_ipv6_literals_are_parsed(host: str, expected: str) -> None:
    assert parse_ip_literal(host) == ipaddress.IPv6Address(expected)


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "127.1", "2130706433", "0x7f.1", "0177.0.0.1", "[::1]", "[::ffff:127.0.0.1]"],
)
def test_literal_loopback_refused_without_allow_list(host: str) -> None:
    with pytest.raises(AddressRefused, match="loopback") as info:
        AddressPolicy().check_literal(host)
    assert isinstance(info.value, IngestRefused)
    assert "NEWSBOT_FETCH_ALLOW_HOSTS" in str(info.value)


def test_allow_list_entries() -> None:
    allow = AllowList.parse(["127.0.0.1", "localhost", "10.0.0.0/8", " [::1] ", ""])
    policy = AddressPolicy(allow)
    policy.check_address(ipaddress.ip_address("127.0.0.1"))
    policy.check_address(ipaddress.ip_address("10.20.30.40"))
    policy.check_address(ipaddress.ip_address("::1"))
    assert allow.allows_name("LOCALHOST.")
    with pytest.raises(AddressRefused):
        policy.check_address(ipaddress.ip_address("127.0.0.2"))
    with pytest.raises(AddressRefused):
        policy.check_address(ipaddress.ip_address("192.168.0.1"))
    with pytest.raises(ValueError, match="not a host name"):
        AllowList.parse(["exa mple"])


def test_metadata_address_needs_an_exact_allow_entry() -> None:
    metadata = ipaddress.ip_address("169.254.169.254")
    with pytest.raises(AddressRefused, match="metadata"):
        AddressPolicy(AllowList.parse(["169.254.0.0/16"])).check_address(metadata)
    AddressPolicy(AllowList.parse(["169.254.169.254"])).check_address(metadata)


@pytest.mark.parametrize("address", sorted(REFUSED))
async def test_resolver_refuses_names_resolving_to_non_public(address: str) -> None:
    stub = StubResolver({"evil.example": [address]})
    resolver = GuardedResolver(AddressPolicy(), stub)
    with pytest.raises(AddressRefused) as info:
        await resolver.resolve("evil.example", 80)
    assert "'evil.example' resolves to" in str(info.value)
    assert stub.lookups == ["evil.example"]


async def test_resolver_checks_every_address_of_a_name() -> None:
    stub = StubResolver({"mixed.example": ["93.184.216.34", "2606:4700::1", "10.0.0.7"]})
    resolver = GuardedResolver(AddressPolicy(), stub)
    with pytest.raises(AddressRefused, match=re.escape("10.0.0.7")):
        await resolver.resolve("mixed.example", 443)


async def test_resolver_returns_exactly_the_checked_addresses() -> None:
    stub = StubResolver({"news.example": ["93.184.216.34", "2606:4700::1"]})
    answers = await GuardedResolver(AddressPolicy(), stub).resolve("news.example", 443)
    assert [a["host"] for a in answers] == ["93.184.216.34", "2606:4700::1"]
    assert all(a["port"] == 443 for a in answers)


async def test_resolver_rechecks_on_every_lookup_dns_rebinding() -> None:
    """A name that answered a public address first and a private one later is refused later."""
    stub = StubResolver({"rebind.example": ["93.184.216.34"]})
    resolver = GuardedResolver(AddressPolicy(), stub)
    await resolver.resolve("rebind.example", 80)
    stub.table["rebind.example"] = ["127.0.0.1"]
    with pytest.raises(AddressRefused, match="loopback"):
        await resolver.resolve("rebind.example", 80)


async def test_resolver_checks_literals_without_a_lookup() -> None:
    stub = StubResolver({})
    resolver = GuardedResolver(AddressPolicy(), stub)
    for host in ("0x7f.1", "2130706433", "::1", "169.254.169.254"):
        with pytest.raises(AddressRefused):
            await resolver.resolve(host, 80)
    answers = await resolver.resolve("8.8.8.8", 53)
    assert answers[0]["host"] == "8.8.8.8" and answers[0]["flags"] & socket.AI_NUMERICHOST
    assert stub.lookups == []


async def test_allowed_name_may_resolve_to_loopback() -> None:
    stub = StubResolver({"localhost": ["127.0.0.1", "::1"]})
    policy = AddressPolicy(AllowList.parse(["localhost"]))
    answers = await GuardedResolver(policy, stub).resolve("localhost", 8080)
    assert {a["host"] for a in answers} == {"127.0.0.1", "::1"}
    with pytest.raises(AddressRefused):
        await GuardedResolver(AddressPolicy(), stub).resolve("localhost", 8080)


async def test_dns_failure_is_a_specific_refusal() -> None:
    resolver = GuardedResolver(AddressPolicy(), StubResolver({}))
    with pytest.raises(HostNotFound, match=re.escape("Could not find the host 'nowhere.example'")):
        await resolver.resolve("nowhere.example", 80)


@pytest.mark.parametrize("host", ["bad host", "exa_mple..com", "a" * 300])
def test_malformed_host_names_are_refused(host: str) -> None:
    with pytest.raises(AddressRefused, match="not a valid host name"):
        AddressPolicy().check_literal(host)
