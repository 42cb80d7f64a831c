"""A run's figures per site (fetched, exported, failed, refused, dropped by reason, ...), read from
the stat keys of ``pipelines/stats.py`` and Scrapy's own; a key nobody wrote reads as 0."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from crawler.outcomes import POLICY_REFUSALS
from pipelines.stats import PREFIX

DROP_PREFIX = "item_dropped_reasons_count/"
STATUS_PREFIX = "downloader/response_status_count/"
# Drop reasons the monitors and figures know by name (Scrapy's item_dropped_reasons_count keys).
TEXT_LOSS_DROPS = ("EmptyExtraction", "BodyTooShort")
UNDATED_DROPS = ("NoPublicationDate",)
UNCHANGED_DROPS = ("UnchangedArticle",)
KNOWN_DROPS = (*TEXT_LOSS_DROPS, *UNDATED_DROPS, *UNCHANGED_DROPS)
_SITE_KEY_RE = re.compile(rf"^{PREFIX}/site/(?P<site>[^/]+)/(?P<rest>.+)$")


@dataclass(slots=True)
class SiteFigures:
    """What happened to one site in one run (or, as ``totals``, to all sites)."""

    discovered: int = 0
    """Article URLs found in feeds, sitemaps and listings (each once)."""
    skipped_unchanged: int = 0
    """Discovered articles not fetched because their lastmod did not change."""
    fetched: int = 0
    """Article pages fetched (HTTP 200 and text)."""
    not_modified: int = 0
    """Article fetches answered 304 Not Modified."""
    rendered: int = 0
    """Article pages fetched through Chromium."""
    failed: int = 0
    """Requests that failed for good (articles, feeds, sitemaps, listings)."""
    failed_by_reason: dict[str, int] = field(default_factory=dict)
    """``failed`` split by reason: ``http_500``, ``timeout``, ``dns``, ..."""
    refused: int = 0
    """Requests our own policy refused (robots.txt, the address guard, the request budget)."""
    refused_by_reason: dict[str, int] = field(default_factory=dict)
    """``refused`` split by reason: ``robots_forbidden``, ``refused_address``, ``budget_exceeded``."""
    exported: int = 0
    """Articles written to the export."""
    dropped: int = 0
    """Articles dropped by a pipeline stage."""
    dropped_by_reason: dict[str, int] = field(default_factory=dict)
    """``dropped`` split by drop class (``EmptyExtraction``, ``DuplicateArticle``, ...)."""
    unchanged: int = 0
    """Fetched articles whose text had not changed since the last export (not exported again)."""
    linked: int = 0
    """Exported republications linked to their original."""
    stripped: int = 0
    """Boilerplate blocks (promos, credit lines, ...) removed by the clean stage."""
    stripped_by_reason: dict[str, int] = field(default_factory=dict)
    missing_date: int = 0
    """Exported articles without a publication date."""
    missing_text: int = 0
    """Exported articles without body text."""
    bytes: int = 0
    """Response bytes downloaded (per site only when the monitoring extension is installed)."""

    @property
    def attempted(self) -> int:
        """Requests that could have failed; refusals by policy are not errors of the site."""
        return self.fetched + self.not_modified + self.failed

    @property
    def error_rate(self) -> float:
        attempted = self.attempted
        return self.failed / attempted if attempted else 0.0

    @property
    def healthy_articles(self) -> int:
        """Articles this run confirmed as current: exported, or known and unchanged.

        Incremental runs export only what changed, so the drop monitor compares this figure, not
        bare exports: a quiet day keeps it steady, a broken feed or layout makes it fall.
        """
        return self.exported + self.skipped_unchanged + self.not_modified + self.unchanged

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SiteFigures:
        figures = cls()
        for f in fields(cls):
            value = data.get(f.name)
            if value is None:
                continue  # a figure added in a later minor version: keep the 0 default
            if isinstance(getattr(figures, f.name), dict):
                setattr(figures, f.name, {str(k): int(v) for k, v in dict(value).items()})
            else:
                setattr(figures, f.name, int(value))
        return split_refusals(figures)


def split_refusals(figures: SiteFigures) -> SiteFigures:
    """Documents before 1.1 (and their raw stats) counted refusals by policy as ``failed``."""
    moved = {r: n for r, n in figures.failed_by_reason.items() if r in POLICY_REFUSALS}
    if moved:
        figures.failed_by_reason = {
            r: n for r, n in figures.failed_by_reason.items() if r not in POLICY_REFUSALS
        }
        for reason, n in moved.items():
            figures.refused_by_reason[reason] = figures.refused_by_reason.get(reason, 0) + n
        figures.refused_by_reason = dict(sorted(figures.refused_by_reason.items()))
        figures.failed = sum(figures.failed_by_reason.values())
        figures.refused = sum(figures.refused_by_reason.values())
    return figures


class StatCounters:
    """Stat values grouped by scope (a site, or None for the run) and ``stage/outcome`` name."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        # scope -> "stage/outcome_count" -> detail (None for the bare key) -> value
        self.by_scope: dict[str | None, dict[str, dict[str | None, float]]] = defaultdict(
            lambda: defaultdict(dict)
        )
        prefix = PREFIX + "/"
        for key, value in raw.items():
            if (
                not isinstance(value, int | float)
                or isinstance(value, bool)
                or not key.startswith(prefix)
            ):
                continue
            match = _SITE_KEY_RE.match(key)
            scope, rest = (match["site"], match["rest"]) if match else (None, key[len(prefix) :])
            parts = rest.split("/", 2)
            if len(parts) < 2:
                continue
            name = f"{parts[0]}/{parts[1]}"
            self.by_scope[scope][name][parts[2] if len(parts) == 3 else None] = value

    def sites(self) -> set[str]:
        return {s for s in self.by_scope if s is not None}

    def total(self, scope: str | None, stage: str, outcome: str) -> int:
        """The bare key, or the sum of its ``/<detail>`` keys when only those were counted."""
        values = self.by_scope.get(scope, {}).get(f"{stage}/{counter_name(outcome)}", {})
        bare = values.get(None, 0)
        details = sum(v for d, v in values.items() if d is not None)
        return int(max(bare, details))

    def has(self, scope: str | None, stage: str, outcome: str) -> bool:
        return bool(self.by_scope.get(scope, {}).get(f"{stage}/{counter_name(outcome)}"))

    def details(self, scope: str | None, stage: str, outcome: str) -> dict[str, int]:
        values = self.by_scope.get(scope, {}).get(f"{stage}/{counter_name(outcome)}", {})
        out = {str(d): int(v) for d, v in values.items() if d is not None}
        rest = int(values.get(None, 0)) - sum(out.values())
        if rest > 0:  # counted without a detail: keep the total honest
            out["unknown"] = out.get("unknown", 0) + rest
        return out

    def drops(self, scope: str | None, names: Iterable[str]) -> dict[str, int]:
        """Drop reasons counted by any stage as ``<stage>/dropped_count/<reason>``.

        Each drop is raised by one stage; the monitoring extension counts every drop again under
        ``monitor/``, so the largest count per reason is the right one whichever is installed.
        Stat keys are lower case, so reasons get back their class name from ``names``
        (Scrapy's ``item_dropped_reasons_count/<Reason>`` keys).
        """
        canonical = {n.lower(): n for n in (*KNOWN_DROPS, *names)}
        merged: dict[str, int] = {}
        for name, values in self.by_scope.get(scope, {}).items():
            if name.split("/")[1] != "dropped_count":
                continue
            for detail, value in values.items():
                if detail is not None:
                    reason = canonical.get(detail.lower(), detail)
                    merged[reason] = max(merged.get(reason, 0), int(value))
        return merged


def counter_name(outcome: str) -> str:
    return outcome if outcome.endswith(("_count", "_bytes", "_seconds")) else f"{outcome}_count"


def site_figures(counters: StatCounters, scope: str | None, drops: dict[str, int]) -> SiteFigures:
    c = counters
    failed_by_reason = c.details(scope, "fetch", "failed")
    refused_by_reason = c.details(scope, "fetch", "refused")
    stripped_by_reason = c.details(scope, "clean", "stripped")
    unchanged = c.total(scope, "revisit", "unchanged") or sum(
        drops.get(r, 0) for r in UNCHANGED_DROPS
    )
    # The monitoring extension sees every exported item; prefer its counts to the stages' own.
    if c.has(scope, "monitor", "undated"):
        missing_date = c.total(scope, "monitor", "undated")
    else:
        missing_date = c.total(scope, "dates", "missing")
    missing_text = (
        c.total(scope, "monitor", "no_text")
        if c.has(scope, "monitor", "no_text")
        else c.total(scope, "extract", "missing_text")
    )
    figures = SiteFigures(
        discovered=c.total(scope, "discovery", "discovered"),
        skipped_unchanged=c.total(scope, "discovery", "skipped_unchanged"),
        fetched=c.total(scope, "fetch", "article_fetched"),
        not_modified=c.total(scope, "fetch", "not_modified"),
        rendered=c.total(scope, "fetch", "rendered"),
        failed=sum(failed_by_reason.values()),
        failed_by_reason=dict(sorted(failed_by_reason.items())),
        refused=sum(refused_by_reason.values()),
        refused_by_reason=dict(sorted(refused_by_reason.items())),
        exported=c.total(scope, "export", "exported"),
        dropped=sum(drops.values()),
        dropped_by_reason=dict(sorted(drops.items())),
        unchanged=unchanged,
        linked=c.total(scope, "syndication", "linked"),
        stripped=sum(stripped_by_reason.values()),
        stripped_by_reason=dict(sorted(stripped_by_reason.items())),
        missing_date=missing_date,
        missing_text=missing_text,
        bytes=c.total(scope, "monitor", "response_bytes"),
    )
    return split_refusals(figures)  # raw stats of runs before refusals had their own key


def merge_totals(run_level: SiteFigures, sites: Iterable[SiteFigures]) -> SiteFigures:
    """Run-level figures, raised to the sum of the sites where a stage counted only per site."""
    sites = list(sites)
    for f in fields(SiteFigures):
        value = getattr(run_level, f.name)
        if isinstance(value, dict):
            summed: dict[str, int] = defaultdict(int)
            for site in sites:
                for key, n in getattr(site, f.name).items():
                    summed[key] += n
            setattr(
                run_level,
                f.name,
                dict(
                    sorted(
                        {
                            k: max(value.get(k, 0), summed.get(k, 0)) for k in {*value, *summed}
                        }.items()
                    )
                ),
            )
        else:
            setattr(run_level, f.name, max(value, sum(getattr(site, f.name) for site in sites)))
    run_level.failed = sum(run_level.failed_by_reason.values())
    run_level.refused = sum(run_level.refused_by_reason.values())
    run_level.dropped = sum(run_level.dropped_by_reason.values())
    run_level.stripped = sum(run_level.stripped_by_reason.values())
    return run_level
