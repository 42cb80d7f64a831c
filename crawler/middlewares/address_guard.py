"""Refuse requests whose host is, or resolves to, a non-public address.

DNS rebinding: the guard resolves the host itself, and Scrapy's downloader resolves it again when
it connects (through its own DNS cache, DNSCACHE_ENABLED). A hostile name server can answer the
guard with a public address and the downloader, seconds later, with 169.254.169.254. The guard's
short cache and the downloader's cache narrow that window but do not close it; a deployment that
must be airtight also blocks these ranges at the network edge (egress firewall, or an egress proxy
that applies the same rules to the address it actually connects to).

Redirects need nothing special: RedirectMiddleware builds a new Request, which passes through this
middleware again before anything connects.
"""

from __future__ import annotations

import logging
import socket
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import run_in_thread
from scrapy.utils.httpobj import urlparse_cached

from crawler.config import read_options, setting_name

from .addresses import AddressPolicy, IPAddress, parse_ip, parse_networks
from .common import count_outcome, site_of
from .errors import RefusedAddress, RefusedScheme
from .options import AddressGuardOptions

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

ALLOWED_SCHEMES = frozenset({"http", "https"})
_CACHE_SIZE = 4096
_WARNED_SIZE = 10_000
ALLOWED_ADDRESSES = setting_name(AddressGuardOptions, "allowed_addresses")  # named in refusals


def resolve_host(host: str) -> tuple[IPAddress, ...]:
    """Every address ``host`` resolves to (blocking: call it in a thread)."""
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    found: list[IPAddress] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        ip = parse_ip(str(sockaddr[0]))
        if ip is not None and ip not in found:
            found.append(ip)
    return tuple(found)


class HostCache:
    """A small time-limited LRU of host -> addresses, so each host is resolved once per TTL."""

    def __init__(self, ttl: float, size: int = _CACHE_SIZE) -> None:
        self.ttl, self.size = ttl, size
        self._entries: OrderedDict[str, tuple[float, tuple[IPAddress, ...]]] = OrderedDict()

    def get(self, host: str) -> tuple[IPAddress, ...] | None:
        entry = self._entries.get(host)
        if entry is None or entry[0] < time.monotonic():
            return None
        self._entries.move_to_end(host)
        return entry[1]

    def put(self, host: str, addresses: tuple[IPAddress, ...]) -> None:
        self._entries[host] = (time.monotonic() + self.ttl, addresses)
        self._entries.move_to_end(host)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)


class AddressGuardMiddleware:
    """Downloader middleware: refuse non-public destinations before anything connects.

    Settings (:class:`~crawler.middlewares.options.AddressGuardOptions`):

    * ``SYNDICRAWL_FETCH_ADDRESS_GUARD_ENABLED``: off, the middleware is not installed.
    * ``SYNDICRAWL_FETCH_ALLOWED_ADDRESSES``: IPs/CIDRs fetched even though they are not public,
      e.g. ``["127.0.0.1"]`` for the demo web.
    * ``SYNDICRAWL_FETCH_DNS_CACHE_SECONDS``: how long a resolution is reused.

    Refusals raise :class:`RefusedAddress` (or :class:`RefusedScheme` for non-http(s) URLs) and count
    ``refused_address`` per site (``/<reason>`` for the run). A host that does not resolve is let
    through: the download then fails with a DNS error, counted by FailureStatsMiddleware.
    """

    def __init__(
        self,
        options: AddressGuardOptions,
        *,
        stats: StatsCollector | None = None,
        resolver: Callable[[str], tuple[IPAddress, ...]] = resolve_host,
        spider_getter: Callable[[], object] | None = None,
    ) -> None:
        self.options = options
        self.policy = AddressPolicy(parse_networks(options.allowed_addresses, ALLOWED_ADDRESSES))
        self.stats = stats
        self.resolver = resolver
        self.cache = HostCache(options.dns_cache_seconds)
        self._spider_getter = spider_getter or (lambda: None)
        self._warned: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        options = read_options(AddressGuardOptions, crawler.settings)
        if not options.enabled:
            _register(None)
            name = setting_name(AddressGuardOptions, "enabled")
            raise NotConfigured(f"AddressGuardMiddleware: {name} is False")
        guard = cls(options, stats=crawler.stats, spider_getter=lambda: crawler.spider)
        _register(guard)
        return guard

    async def process_request(self, request: Request) -> None:
        parts = urlparse_cached(request)
        site = site_of(request, self._spider_getter())
        if parts.scheme not in ALLOWED_SCHEMES:
            count_outcome(self.stats, RefusedScheme.reason, parts.scheme or "none", site=site)
            raise RefusedScheme(
                f"scheme {parts.scheme!r} is not one of {sorted(ALLOWED_SCHEMES)}: {request.url}"
            )
        host = (parts.hostname or "").lower()
        if not host:
            return
        addresses = await self._addresses(host)
        for ip in addresses:
            reason = self.policy.check(ip)
            if reason is not None:
                self._refuse(request, host, ip, reason, site)
        return

    async def _addresses(self, host: str) -> tuple[IPAddress, ...]:
        literal = parse_ip(host)
        if literal is not None:
            return (literal,)
        cached = self.cache.get(host)
        if cached is not None:
            return cached
        try:
            # getaddrinfo blocks, so it runs in Twisted's/asyncio's thread pool, off the reactor.
            addresses = await run_in_thread(self.resolver, host)
        except (OSError, UnicodeError) as exc:
            logger.debug(
                "AddressGuard: cannot resolve %(host)s (%(exc)s); leaving it to the downloader",
                {"host": host, "exc": exc},
            )
            return ()
        self.cache.put(host, addresses)
        return addresses

    def _refuse(
        self, request: Request, host: str, ip: IPAddress, reason: str, site: str | None
    ) -> None:
        count_outcome(self.stats, RefusedAddress.reason, reason, site=site)
        if host not in self._warned and len(self._warned) < _WARNED_SIZE:
            self._warned.add(host)
            logger.warning(
                "AddressGuard: refusing %(host)s (%(ip)s is %(reason)s; allow it with %(setting)s) "
                "first seen in %(url)s (site %(site)s); further requests to this host are refused quietly",
                {
                    "host": host,
                    "ip": ip,
                    "reason": reason,
                    "setting": ALLOWED_ADDRESSES,
                    "url": request.url,
                    "site": site,
                },
            )
        raise RefusedAddress(
            f"{host} resolves to {ip}, a {reason} address not in {ALLOWED_ADDRESSES}: {request.url}"
        )


# The guard built for the running crawl, for the browser hook below (which Scrapy-Playwright calls
# with the browser's request only, so it cannot reach the crawler's settings itself).
_active_guard: AddressGuardMiddleware | None = None


def _register(guard: AddressGuardMiddleware | None) -> None:
    global _active_guard
    _active_guard = guard


async def abort_browser_request(browser_request: Any) -> bool:
    """``PLAYWRIGHT_ABORT_REQUEST`` hook: True (abort) for a sub-request to a refused address.

    A rendered page's images, scripts and XHRs are fetched by the browser, not through the
    downloader middlewares, so without this hook a page could make the browser fetch
    ``http://169.254.169.254/``. Set ``PLAYWRIGHT_ABORT_REQUEST =
    "crawler.middlewares.address_guard.abort_browser_request"``. Uses the running crawl's guard
    (allow-list and DNS cache); allows everything when the guard is disabled. The browser resolves
    names again itself: the same DNS-rebinding caveat as above applies.
    """
    guard = _active_guard
    if guard is None:
        return False
    parts = urlsplit(str(browser_request.url))
    if parts.scheme in {"data", "blob", "about"}:
        return False  # in-page content, no connection
    if parts.scheme not in ALLOWED_SCHEMES:
        count_outcome(guard.stats, RefusedScheme.reason, parts.scheme or "none", site=None)
        return True
    host = (parts.hostname or "").lower()
    for ip in await guard._addresses(host) if host else ():
        reason = guard.policy.check(ip)
        if reason is not None:
            count_outcome(guard.stats, RefusedAddress.reason, reason, site=None)
            logger.debug(
                "AddressGuard: aborting browser request to %(host)s (%(ip)s is %(reason)s)",
                {"host": host, "ip": ip, "reason": reason},
            )
            return True
    return False
