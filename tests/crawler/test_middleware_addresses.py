"""Address classification (pure) and the address guard component, without a crawl."""

from __future__ import annotations

import asyncio
import ipaddress
import logging

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.middlewares.address_guard import AddressGuardMiddleware, HostCache
from crawler.middlewares.addresses import AddressPolicy, forbidden_reason, parse_ip, parse_networks
from crawler.middlewares.errors import RefusedAddress, RefusedScheme
from crawler.middlewares.options import AddressGuardOptions

FORBIDDEN = [
    ("127.0.0.1", "loopback"),
    ("127.8.9.10", "loopback"),
    ("::1", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "link_local"),
    ("169.254.0.1", "link_local"),
    ("fe80::1", "link_local"),
    ("fd00:ec2::254", "unique_local"),
    ("fc00::1", "unique_local"),
    ("fec0::1", "site_local"),
    ("224.0.0.1", "multicast"),
    ("ff02::1", "multicast"),
    ("0.0.0.0", "unspecified"),
    ("::", "unspecified"),
    ("100.64.0.1", "not_global"),
    ("::ffff:127.0.0.1", "ipv4_mapped_loopback"),
    ("::ffff:169.254.169.254", "ipv4_mapped_link_local"),
    ("::ffff:10.0.0.1", "ipv4_mapped_private"),
    ("::127.0.0.1", "ipv4_mapped_loopback"),
    ("64:ff9b::a9fe:a9fe", "ipv4_mapped_link_local"),
    ("2002:a9fe:a9fe::1", "ipv4_mapped_link_local"),
]


@pytest.mark.parametrize(("address", "reason"), FORBIDDEN, ids=[a for a, _ in FORBIDDEN])
def test_forbidden_addresses_are_named(address: str, reason: str) -> None:
    assert forbidden_reason(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"]
)
def test_public_addresses_pass(address: str) -> None:
    assert forbidden_reason(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize("address", ["240.0.0.1", "255.255.255.255", "192.0.2.1", "2001:db8::1"])
def test_reserved_and_documentation_ranges_are_refused(address: str) -> None:
    assert forbidden_reason(ipaddress.ip_address(address)) is not None


def test_allow_list_overrides_and_covers_mapped_forms() -> None:
    policy = AddressPolicy(parse_networks(["127.0.0.1", "10.1.0.0/16"], "SETTING"))
    assert policy.check(ipaddress.ip_address("127.0.0.1")) is None
    assert policy.check(ipaddress.ip_address("::ffff:127.0.0.1")) is None
    assert policy.check(ipaddress.ip_address("10.1.200.3")) is None
    assert policy.check(ipaddress.ip_address("127.0.0.2")) == "loopback"
    assert policy.check(ipaddress.ip_address("10.2.0.1")) == "private"
    assert policy.check(ipaddress.ip_address("::1")) == "loopback"


def test_bad_allow_list_entry_names_the_setting() -> None:
    with pytest.raises(
        ValueError, match=r"SYNDICRAWL_FETCH_ALLOWED_ADDRESSES: bad value 'localhost'"
    ):
        parse_networks(["localhost"], "SYNDICRAWL_FETCH_ALLOWED_ADDRESSES")


def test_allow_list_accepts_comma_separated_string() -> None:
    assert len(parse_networks("127.0.0.1, ::1", "S")) == 2


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("example.com", None),
    ],
)
def test_parse_ip(host: str, expected: str | None) -> None:
    ip = parse_ip(host)
    assert (str(ip) if ip else None) == expected


# --- the component --------------------------------------------------------------------------


class FakeResolver:
    def __init__(self, table: dict[str, tuple[str, ...]]) -> None:
        self.table, self.calls = table, []

    def __call__(self, host: str) -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, ...]:
        self.calls.append(host)
        if host not in self.table:
            raise OSError(f"cannot resolve {host}")
        return tuple(ipaddress.ip_address(a) for a in self.table[host])


def make_guard(
    table: dict[str, tuple[str, ...]], allowed: tuple[str, ...] = ()
) -> tuple[AddressGuardMiddleware, FakeResolver]:
    crawler = get_crawler()
    resolver = FakeResolver(table)
    guard = AddressGuardMiddleware(
        AddressGuardOptions(allowed_addresses=allowed), stats=crawler.stats, resolver=resolver
    )
    return guard, resolver


def run(guard: AddressGuardMiddleware, url: str, site: str = "wire") -> None:
    asyncio.run(guard.process_request(Request(url, meta={"site": site})))


def test_guard_refuses_a_name_resolving_to_metadata_and_counts_per_site() -> None:
    guard, _ = make_guard({"evil.example": ("93.184.216.34", "169.254.169.254")})
    with pytest.raises(RefusedAddress, match=r"169\.254\.169\.254, a link_local address"):
        run(guard, "http://evil.example/latest/")
    stats = guard.stats.get_stats()
    assert stats["syndicrawl/site/wire/fetch/refused_address_count"] == 1
    assert stats["syndicrawl/fetch/refused_address_count/link_local"] == 1


def test_guard_passes_public_names_and_caches_them() -> None:
    guard, resolver = make_guard({"news.example": ("93.184.216.34",)})
    run(guard, "https://news.example/a")
    run(guard, "https://news.example/b")
    assert resolver.calls == ["news.example"]


def test_guard_leaves_unresolvable_names_to_the_downloader() -> None:
    guard, _ = make_guard({})
    run(guard, "https://nowhere.invalid/")  # no exception: the download will fail with a DNS error


def test_guard_allows_listed_addresses() -> None:
    guard, resolver = make_guard({}, allowed=("127.0.0.1",))
    run(guard, "http://127.0.0.1:8080/")
    assert resolver.calls == []  # IP literals are never resolved
    with pytest.raises(RefusedAddress):
        run(guard, "http://127.0.0.2:8080/")


def test_guard_refuses_other_schemes() -> None:
    guard, _ = make_guard({})
    with pytest.raises(RefusedScheme):
        run(guard, "file:///etc/passwd")


def test_guard_warns_once_per_host(caplog: pytest.LogCaptureFixture) -> None:
    guard, _ = make_guard({})
    with caplog.at_level(logging.WARNING, logger="crawler.middlewares.address_guard"):
        for path in ("a", "b", "c"):
            with pytest.raises(RefusedAddress):
                run(guard, f"http://10.0.0.1/{path}")
    assert len(caplog.records) == 1
    assert guard.stats.get_value("syndicrawl/fetch/refused_address_count") == 3


def test_guard_from_crawler_reads_settings() -> None:
    crawler = get_crawler(
        settings_dict={
            "SYNDICRAWL_FETCH_ALLOWED_ADDRESSES": ["127.0.0.1", "::1"],
            "SYNDICRAWL_FETCH_DNS_CACHE_SECONDS": 5,
        }
    )
    guard = AddressGuardMiddleware.from_crawler(crawler)
    assert len(guard.policy.allowed) == 2
    assert guard.cache.ttl == 5.0


def test_guard_is_on_by_default_and_can_be_turned_off() -> None:
    assert AddressGuardMiddleware.from_crawler(get_crawler()).policy.allowed == ()
    with pytest.raises(NotConfigured, match="SYNDICRAWL_FETCH_ADDRESS_GUARD_ENABLED"):
        AddressGuardMiddleware.from_crawler(
            get_crawler(settings_dict={"SYNDICRAWL_FETCH_ADDRESS_GUARD_ENABLED": False})
        )


def test_guard_rejects_a_bad_allow_list() -> None:
    with pytest.raises(ValueError, match="SYNDICRAWL_FETCH_ALLOWED_ADDRESSES"):
        AddressGuardMiddleware.from_crawler(
            get_crawler(settings_dict={"SYNDICRAWL_FETCH_ALLOWED_ADDRESSES": ["nope"]})
        )


def test_host_cache_expires_and_evicts() -> None:
    cache = HostCache(ttl=0.0, size=2)
    cache.put("a", ())
    assert cache.get("a") is None  # expired at once
    cache = HostCache(ttl=60, size=2)
    for host in ("a", "b", "c"):
        cache.put(host, ())
    assert cache.get("a") is None and cache.get("c") == ()


def test_resolve_host_uses_the_system_resolver() -> None:
    from crawler.middlewares.address_guard import resolve_host

    assert ipaddress.ip_address("127.0.0.1") in resolve_host("localhost")


def test_browser_hook_aborts_refused_sub_requests() -> None:
    from types import SimpleNamespace

    from crawler.middlewares import address_guard

    def hook(url: str) -> bool:
        return asyncio.run(address_guard.abort_browser_request(SimpleNamespace(url=url)))

    crawler = get_crawler(settings_dict={"SYNDICRAWL_FETCH_ALLOWED_ADDRESSES": ["127.0.0.1"]})
    AddressGuardMiddleware.from_crawler(crawler)
    assert hook("http://169.254.169.254/latest/meta-data/") is True
    assert hook("http://[::ffff:10.0.0.1]/x.png") is True
    assert hook("file:///etc/passwd") is True
    assert hook("http://127.0.0.1:8080/app.js") is False
    assert hook("data:image/png;base64,AAAA") is False
    assert crawler.stats.get_value("syndicrawl/fetch/refused_address_count") == 2
    with pytest.raises(NotConfigured):
        AddressGuardMiddleware.from_crawler(
            get_crawler(settings_dict={"SYNDICRAWL_FETCH_ADDRESS_GUARD_ENABLED": False})
        )
    assert hook("http://169.254.169.254/") is False  # guard off: the hook allows everything
