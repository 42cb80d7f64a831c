"""Settings of the fetch middlewares (declarations only: light to import; see :mod:`crawler.config`)."""

from __future__ import annotations

from dataclasses import dataclass

from crawler.config import Options, setting


@dataclass(frozen=True, kw_only=True)
class AddressGuardOptions(Options):
    """``crawler.middlewares.address_guard.AddressGuardMiddleware``."""

    enabled: bool = setting(
        "SYNDICRAWL_FETCH_ADDRESS_GUARD_ENABLED",
        True,
        "refuse private, loopback, link-local (cloud metadata) addresses",
    )
    allowed_addresses: tuple[str, ...] = setting(
        "SYNDICRAWL_FETCH_ALLOWED_ADDRESSES",
        (),
        "IPs/CIDRs exempt from the guard (the demo and tests: `127.0.0.1`)",
    )
    dns_cache_seconds: float = setting(
        "SYNDICRAWL_FETCH_DNS_CACHE_SECONDS",
        60.0,
        "how long the address guard caches a host's addresses",
        low=0,
    )


@dataclass(frozen=True, kw_only=True)
class BudgetOptions(Options):
    """``crawler.middlewares.budget.RequestBudgetMiddleware``."""

    request_budget: int = setting(
        "SYNDICRAWL_FETCH_REQUEST_BUDGET",
        5000,
        "requests per site per run, unless the site file sets `request_budget`",
        low=1,
    )


@dataclass(frozen=True, kw_only=True)
class RetryOptions(Options):
    """``crawler.middlewares.retry_after.PoliteRetryMiddleware`` (Scrapy's RETRY_* apply too)."""

    max_retry_after: float = setting(
        "SYNDICRAWL_FETCH_MAX_RETRY_AFTER",
        120.0,
        "seconds; a longer `Retry-After` gives up (counted)",
        low=0,
    )
    backoff_base: float = setting(
        "SYNDICRAWL_FETCH_BACKOFF_BASE",
        1.0,
        "seconds; retry *n* of a 5xx waits up to `BASE * 2**n` (with jitter)",
        low=0,
    )
    backoff_max: float = setting(
        "SYNDICRAWL_FETCH_BACKOFF_MAX", 30.0, "seconds; cap of that wait", low=0
    )
