"""A run's summary for people (a table) and for machines (one JSON object), from its stats.

The figures are the run document's (:mod:`crawler.monitoring.document`), so the summary, ``runs``
and the report never disagree; column labels come from :mod:`crawler.outcomes`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from crawler.monitoring.document import build_run
from crawler.monitoring.figures import SiteFigures
from crawler.outcomes import SUMMARY_FIGURES, label
from crawler.runner import RunResult

# The summary's JSON keys (kept for scripts written against them) -> the document's figure.
JSON_KEYS = {
    "pages_fetched": "fetched",
    "articles_exported": "exported",
    "republications_linked": "linked",
    "skipped_unchanged": "skipped_unchanged",
    "failed": "failed",
    "refused": "refused",
}


@dataclass(slots=True)
class RunSummary:
    run_id: str
    exit_status: int
    output: str
    sites: dict[str, SiteFigures] = field(default_factory=dict)
    totals: SiteFigures = field(default_factory=SiteFigures)
    drops: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    stats_path: str | None = None
    log_path: str | None = None

    def to_json(self) -> dict[str, Any]:
        def figures(f: SiteFigures) -> dict[str, int]:
            return {key: getattr(f, name) for key, name in JSON_KEYS.items()}

        return {
            "run_id": self.run_id,
            "exit_status": self.exit_status,
            "output": self.output,
            "stats_path": self.stats_path,
            "log_path": self.log_path,
            "totals": figures(self.totals),
            "sites": {s: figures(f) for s, f in self.sites.items()},
            "drops": self.drops,
            "problems": self.problems,
        }

    def to_text(self) -> str:
        lines = [f"run {self.run_id}: {'OK' if self.exit_status == 0 else 'FAILED'}", ""]
        labels = [label(name) for name in SUMMARY_FIGURES]
        widths = [max(len(text), 6) + 2 for text in labels]
        header = f"{'site':<24}" + "".join(
            text.rjust(width) for text, width in zip(labels, widths, strict=True)
        )
        lines += [header, "-" * len(header)]
        for name, figures in [*sorted(self.sites.items()), ("TOTAL", self.totals)]:
            lines.append(
                f"{name:<24}"
                + "".join(
                    str(getattr(figures, figure)).rjust(width)
                    for figure, width in zip(SUMMARY_FIGURES, widths, strict=True)
                )
            )
        lines.append("")
        if self.drops:
            lines.append(
                f"{label('dropped')}: "
                + ", ".join(f"{r} {n}" for r, n in sorted(self.drops.items()))
            )
        else:
            lines.append(f"{label('dropped')}: none")
        lines.append(f"output: {self.output}")
        if self.stats_path:
            lines.append(f"stats: {self.stats_path}")
        if self.log_path:
            lines.append(f"log: {self.log_path}")
        lines.extend(f"PROBLEM: {p}" for p in self.problems)
        return "\n".join(lines)


def summarize(result: RunResult, output: str, site_names: list[str]) -> RunSummary:
    doc = build_run(
        result.stats, site_names, result.run_id, result.started_at, result.finished_at, 0
    )
    return RunSummary(
        run_id=result.run_id,
        exit_status=result.exit_status,
        output=output,
        sites={name: doc.sites.get(name, SiteFigures()) for name in site_names},
        totals=doc.totals,
        drops=dict(doc.totals.dropped_by_reason),
        problems=list(result.problems),
        stats_path=result.stats_path,
        log_path=result.log_path,
    )


def print_summary(summary: RunSummary, as_json: bool) -> None:
    print(summary.to_text())
    if as_json:
        print(json.dumps(summary.to_json(), sort_keys=True))
