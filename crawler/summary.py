"""A run's summary for people (a table) and for machines (one JSON object), from its stats."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from crawler.monitoring.document import POLICY_REFUSALS
from crawler.runner import RunResult
from pipelines.stats import PREFIX

DROP_PREFIX = "item_dropped_reasons_count/"


@dataclass(slots=True)
class SiteSummary:
    pages_fetched: int = 0
    articles_exported: int = 0
    republications_linked: int = 0
    skipped_unchanged: int = 0
    failed: int = 0
    refused: int = 0
    """Requests our own policy refused (robots.txt, address guard, request budget)."""


@dataclass(slots=True)
class RunSummary:
    run_id: str
    exit_status: int
    output: str
    sites: dict[str, SiteSummary] = field(default_factory=dict)
    drops: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    stats_path: str | None = None

    @property
    def totals(self) -> SiteSummary:
        total = SiteSummary()
        for site in self.sites.values():
            for name in SiteSummary.__slots__:
                setattr(total, name, getattr(total, name) + getattr(site, name))
        return total

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "exit_status": self.exit_status,
            "output": self.output,
            "stats_path": self.stats_path,
            "totals": {n: getattr(self.totals, n) for n in SiteSummary.__slots__},
            "sites": {
                s: {n: getattr(v, n) for n in SiteSummary.__slots__} for s, v in self.sites.items()
            },
            "drops": self.drops,
            "problems": self.problems,
        }

    def to_text(self) -> str:
        lines = [f"run {self.run_id}: {'OK' if self.exit_status == 0 else 'FAILED'}", ""]
        header = f"{'site':<24}{'fetched':>9}{'exported':>10}{'linked':>8}{'unchanged':>11}{'failed':>8}{'refused':>9}"
        lines.append(header)
        lines.append("-" * len(header))
        for name, s in [*sorted(self.sites.items()), ("TOTAL", self.totals)]:
            lines.append(
                f"{name:<24}{s.pages_fetched:>9}{s.articles_exported:>10}{s.republications_linked:>8}"
                f"{s.skipped_unchanged:>11}{s.failed:>8}{s.refused:>9}"
            )
        lines.append("")
        if self.drops:
            lines.append("dropped: " + ", ".join(f"{r} {n}" for r, n in sorted(self.drops.items())))
        else:
            lines.append("dropped: none")
        lines.append(f"output: {self.output}")
        if self.stats_path:
            lines.append(f"stats: {self.stats_path}")
        lines.extend(f"PROBLEM: {p}" for p in self.problems)
        return "\n".join(lines)


def summarize(result: RunResult, output: str, site_names: list[str]) -> RunSummary:
    stats = result.stats
    summary = RunSummary(
        run_id=result.run_id,
        exit_status=result.exit_status,
        output=output,
        problems=list(result.problems),
        stats_path=result.stats_path,
    )

    def site_total(site: str, stage: str, outcome: str) -> int:
        base = f"{PREFIX}/site/{site}/{stage}/{outcome}_count"
        return int(sum(v for k, v in stats.items() if k == base or k.startswith(base + "/")))

    for site in site_names:
        refused = sum(
            int(stats.get(f"{PREFIX}/site/{site}/fetch/failed_count/{reason}", 0))
            for reason in POLICY_REFUSALS
        )
        summary.sites[site] = SiteSummary(
            pages_fetched=site_total(site, "fetch", "article_fetched"),
            articles_exported=site_total(site, "export", "exported"),
            republications_linked=site_total(site, "syndication", "linked"),
            skipped_unchanged=site_total(site, "discovery", "skipped_unchanged"),
            failed=site_total(site, "fetch", "failed") - refused,
            refused=refused,
        )
    summary.drops = {
        k[len(DROP_PREFIX) :]: int(v) for k, v in stats.items() if k.startswith(DROP_PREFIX)
    }
    return summary


def print_summary(summary: RunSummary, as_json: bool) -> None:
    print(summary.to_text())
    if as_json:
        print(json.dumps(summary.to_json(), sort_keys=True))
