"""Stat keys: one naming scheme, built by one helper.

Keys are lowercase and slash-separated, the stage first and a ``_count`` suffix on counters, like
Scrapy's own ``item_dropped_reasons_count/<Reason>``::

    syndicrawl/<stage>/<outcome>_count                 run total
    syndicrawl/<stage>/<outcome>_count/<detail>        e.g. reason or date source
    syndicrawl/site/<site>/<stage>/<outcome>_count     per site

Only bounded values go into a key (stage, outcome, reason, site name); never URLs.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.statscollectors import StatsCollector

PREFIX = "syndicrawl"
_SAFE = re.compile(r"[^a-z0-9_.=-]+")


def _part(value: str) -> str:
    return _SAFE.sub("_", value.lower()).strip("_") or "unknown"


@lru_cache(maxsize=8192)  # keys are bounded by design; building one costs regex work on every count
def stat_key(
    stage: str, outcome: str, detail: str | None = None, *, site: str | None = None
) -> str:
    """The stat key for ``outcome`` of ``stage`` (``_count`` is appended unless already there)."""
    name = outcome if outcome.endswith(("_count", "_bytes", "_seconds")) else f"{outcome}_count"
    parts = [PREFIX]
    if site is not None:
        parts += ["site", _part(site)]
    parts += [_part(stage), name]
    if detail is not None:
        parts.append(_part(detail))
    return "/".join(parts)


def count(
    stats: StatsCollector | None,
    stage: str,
    outcome: str,
    detail: str | None = None,
    *,
    site: str | None = None,
    value: int | float = 1,
) -> None:
    """Add ``value`` to the run total and, when ``site`` is given, to the site's own key."""
    if stats is None:
        return
    for key in _keys(stage, outcome, detail, site):
        stats.inc_value(key, value)  # type: ignore[arg-type]  # any number adds


@lru_cache(maxsize=8192)  # one lookup per count (~20 a crawled article), not one per key
def _keys(stage: str, outcome: str, detail: str | None, site: str | None) -> tuple[str, ...]:
    """The run total's key, then the site's when ``site`` is given."""
    run = stat_key(stage, outcome, detail)
    return (run,) if site is None else (run, stat_key(stage, outcome, detail, site=site))
