"""The run's ledger of article URLs: each article is requested once per run, however many start
points find it, and only when the seen-store says it is new or changed since the last run.

The hints of every start point that finds an article are merged (first value wins per field); in
a distributed run the merge happens in Redis (:class:`crawler.state.seen.SharedHints`), so the
article is requested by one worker only. Stats (``discovery/<outcome>_count``, per site) are
counted here, where the decisions are made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crawler.state.seen import SeenStore, SharedHints, decide, parse_lastmod
from pipelines.stats import count

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy.statscollectors import StatsCollector

STAGE = "discovery"
FETCHED: dict[str, Any] = {}  # the entry of an article already fetched in this run (never mutated)
UNCHANGED = "_unchanged"  # hint: skipped as unchanged by the start point that found it first


class ArticleLedger:
    def __init__(
        self,
        seen: SeenStore | None,
        shared_hints: SharedHints | None = None,
        stats: Callable[[], StatsCollector | None] = lambda: None,
    ) -> None:
        self.seen = seen
        self.shared_hints = shared_hints
        # A getter: Scrapy sets the crawler's stats only when the crawl starts, after the spider is made.
        self._stats = stats
        self.hints: dict[str, dict[str, Any]] = {}
        # The newest lastmod of an article that a start point parsed after its fetch gave.
        self._later_lastmod: dict[str, str] = {}

    @property
    def stats(self) -> StatsCollector | None:
        return self._stats()

    def offer(self, site: str, key: str, hints: dict[str, Any]) -> dict[str, str] | None:
        """The request headers to fetch article ``key`` with now, or None when it needs no fetch
        (fetched already, queued already, or unchanged since the last run)."""
        known = self.hints.get(key)
        if known is FETCHED:  # its hints went with the item; the seen-store takes a newer lastmod
            later = newest(self._later_lastmod.get(key), hints.get("lastmod"))
            if later is not None:
                self._later_lastmod[key] = later
            return None
        if known is not None:  # found again through another start point: merge, fetch once
            for name, value in hints.items():
                if value and not known.get(name):
                    known[name] = value
            # The newest lastmod, not the first: a feed's publication date found before a
            # sitemap's update date would make the next run take the article for changed.
            if hints.get("lastmod"):
                known["lastmod"] = newest(known.get("lastmod"), hints["lastmod"])
            if self.shared_hints is not None:
                self.shared_hints.merge(key, hints)
            # Skipped as unchanged, but this start point (a feed after a listing) has a date the
            # first one lacked: decide again with it.
            if not (known.get(UNCHANGED) and hints.get("lastmod")):
                return None
            hints = known
            previous = self.seen.get(key) if self.seen else None
            decision = decide(previous, hints.get("lastmod"))
            if decision == "unchanged":
                return None
            del hints[UNCHANGED]
            count(self.stats, STAGE, "skipped_unchanged", value=-1, site=site)
        else:
            self.hints[key] = hints = {k: v for k, v in hints.items() if v}
            if self.shared_hints is not None and not self.shared_hints.merge(key, hints):
                return None  # another worker of the run found it first: its request is queued
            count(self.stats, STAGE, "discovered", site=site)
            previous = self.seen.get(key) if self.seen else None
            decision = decide(previous, hints.get("lastmod"))
            if decision == "unchanged":
                hints[UNCHANGED] = True
                count(self.stats, STAGE, "skipped_unchanged", site=site)
                return None
        headers: dict[str, str] = {}
        if decision == "changed" and previous is not None:
            count(self.stats, STAGE, "changed", site=site)
            hints["previous_sha256"] = previous.content_sha256
            if self.shared_hints is not None:
                self.shared_hints.merge(key, {"previous_sha256": previous.content_sha256})
            if previous.etag:
                headers["If-None-Match"] = previous.etag
            if previous.last_modified:
                headers["If-Modified-Since"] = previous.last_modified
        return headers

    def take(self, key: str) -> dict[str, Any]:
        """The merged hints of a fetched article, for its item; the ledger keeps only the key,
        so memory stays flat."""
        if self.shared_hints is not None:
            return self.shared_hints.get(key)
        hints = dict(self.hints.get(key) or {})
        self.hints[key] = FETCHED
        return hints

    def lastmod(self, key: str) -> str | None:
        """The newest lastmod the start points of this run found for ``key`` (also after its fetch)."""
        return newest(self.hints.get(key, {}).get("lastmod"), self._later_lastmod.get(key))

    def claim_relink(self, site: str, key: str) -> bool:
        """Whether this run should fetch ``key`` again to export its changed syndication link: only
        an article this run has neither fetched nor queued (those take the link from the index)."""
        known = self.hints.get(key)
        if known is FETCHED or (known is not None and not known.get(UNCHANGED)):
            return False
        if self.shared_hints is not None and not self.shared_hints.merge(key, {"relink": True}):
            return False  # another worker of this run has it: its part takes the link
        self.hints[key] = {"relink": True}
        count(self.stats, STAGE, "relink_refetch", site=site)
        return True


def newest(first: str | None, second: str | None) -> str | None:
    """The later of two lastmod values as found (one that does not parse loses to one that does)."""
    if not first or not second:
        return first or second
    a, b = parse_lastmod(first), parse_lastmod(second)
    if b is not None and (a is None or b > a):
        return second
    return first
