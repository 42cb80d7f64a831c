"""Health monitors: pure checks over a run's stats document and the documents of earlier runs.

A small framework of our own rather than Spidermon: Spidermon's monitors are ``unittest`` cases run
by its Scrapy extension while the spider closes, reading the live stats. Ours run after the crawl,
in the runner's process, over the finished document plus the run history read from disk; they must
also run in ``syndicrawl report`` and in tests without a crawler. A monitor is a function
``(run, history, options) -> list[MonitorResult]``; one result per site (or one for the run).

Monitors (settings with defaults in :class:`~crawler.monitoring.options.MonitorOptions`):

- ``no_articles``: a site exported nothing and confirmed nothing as unchanged.
- ``error_rate``: failed requests / attempted requests of a site above ``SYNDICRAWL_MONITOR_MAX_ERROR_RATE``.
- ``export_failed``: the upload of the export failed (``syndicrawl/export/run_failed``).
- ``sudden_drop``: a site's current articles (exported + unchanged) below ``SYNDICRAWL_MONITOR_DROP_RATIO``
  x the median of its recent runs; only with enough history.
- ``dates_lost`` / ``text_lost``: the share of a site's articles without a date, or without text (or
  dropped as ``EmptyExtraction`` / ``BodyTooShort``), above a threshold: the layout changed.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from crawler.config import setting_name
from crawler.monitoring.document import RunDocument
from crawler.monitoring.figures import TEXT_LOSS_DROPS, UNDATED_DROPS
from crawler.monitoring.options import MonitorOptions as MonitorOptions  # the monitors' options
from crawler.outcomes import POLICY_REFUSALS

logger = logging.getLogger(__name__)

# Each result's message names the setting of its threshold.
MAX_ERROR_RATE = setting_name(MonitorOptions, "max_error_rate")
DROP_RATIO = setting_name(MonitorOptions, "drop_ratio")
MIN_HISTORY_RUNS = setting_name(MonitorOptions, "min_history_runs")
MAX_UNDATED_SHARE = setting_name(MonitorOptions, "max_undated_share")
MAX_TEXT_LOSS_SHARE = setting_name(MonitorOptions, "max_text_loss_share")
MIN_SAMPLE = setting_name(MonitorOptions, "min_sample")


@dataclass(frozen=True, slots=True)
class MonitorResult:
    monitor: str
    site: str | None
    """None for a check of the whole run (``export_failed``)."""
    passed: bool
    figure: float | None
    threshold: float | None
    message: str
    """Names the site and the figure, e.g. ``site harbor-times: fetch error rate 0.62 ...``."""

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MonitorResult:
        return cls(
            monitor=str(data.get("monitor")),
            site=data.get("site"),
            passed=bool(data.get("passed")),
            figure=data.get("figure"),
            threshold=data.get("threshold"),
            message=str(data.get("message", "")),
        )


Monitor = Callable[[RunDocument, list[RunDocument], MonitorOptions], list[MonitorResult]]


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _reasons(counts: Mapping[str, int]) -> str:
    return (
        ", ".join(f"{r} {n}" for r, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        or "none"
    )


def no_articles(
    run: RunDocument, history: list[RunDocument], options: MonitorOptions
) -> list[MonitorResult]:
    results = []
    for site, f in sorted(run.sites.items()):
        known = f.skipped_unchanged + f.not_modified + f.unchanged
        passed = f.exported > 0 or known > 0
        if passed:
            message = f"site {site}: {f.exported} articles exported, {known} unchanged"
        else:
            message = (
                f"site {site} yielded no articles: 0 exported and 0 unchanged "
                f"(discovered {f.discovered}, fetched {f.fetched}, failed {f.failed}, dropped {f.dropped}: {_reasons(f.dropped_by_reason)})"
            )
        results.append(MonitorResult("no_articles", site, passed, f.exported, 1, message))
    return results


def error_rate(
    run: RunDocument, history: list[RunDocument], options: MonitorOptions
) -> list[MonitorResult]:
    results = []
    for site, f in sorted(run.sites.items()):
        rate = round(f.error_rate, 4)
        errors = {r: n for r, n in f.failed_by_reason.items() if r not in POLICY_REFUSALS}
        passed = rate <= options.max_error_rate
        message = (
            f"site {site}: fetch error rate {rate:.2f} ({sum(errors.values())} of {f.attempted} requests failed: "
            f"{_reasons(errors)}) {'within' if passed else 'above'} {MAX_ERROR_RATE}={options.max_error_rate}"
        )
        results.append(
            MonitorResult("error_rate", site, passed, rate, options.max_error_rate, message)
        )
    return results


def export_failed(
    run: RunDocument, history: list[RunDocument], options: MonitorOptions
) -> list[MonitorResult]:
    failed = bool(run.run.get("export_failed"))
    if failed:
        detail = run.run.get("export_failure_message") or "the spool is kept for the next run"
        message = f"export failed: {detail}"
    else:
        message = "export uploaded"
    return [MonitorResult("export_failed", None, not failed, 1 if failed else 0, 0, message)]


def sudden_drop(
    run: RunDocument, history: list[RunDocument], options: MonitorOptions
) -> list[MonitorResult]:
    results = []
    for site, f in sorted(run.sites.items()):
        # Runs where the site yielded nothing are left out: one outage must not lower the bar.
        past = [
            r.sites[site].healthy_articles
            for r in history
            if site in r.sites and r.sites[site].healthy_articles > 0
        ]
        past = past[-options.history_runs :]
        current = f.healthy_articles
        if len(past) < options.min_history_runs:
            message = (
                f"site {site}: {current} current articles; not judged, only {len(past)} previous runs with "
                f"articles ({MIN_HISTORY_RUNS}={options.min_history_runs})"
            )
            results.append(MonitorResult("sudden_drop", site, True, current, None, message))
            continue
        median = statistics.median(past)
        limit = round(options.drop_ratio * median, 2)
        passed = current >= limit
        message = (
            f"site {site}: {current} current articles (exported {f.exported} + unchanged "
            f"{current - f.exported}) {'at or above' if passed else 'below'} {DROP_RATIO}={options.drop_ratio} x median "
            f"{median:g} of the last {len(past)} runs = {limit:g}"
        )
        results.append(MonitorResult("sudden_drop", site, passed, current, limit, message))
    return results


def dates_lost(
    run: RunDocument, history: list[RunDocument], options: MonitorOptions
) -> list[MonitorResult]:
    results = []
    for site, f in sorted(run.sites.items()):
        dropped = sum(f.dropped_by_reason.get(r, 0) for r in UNDATED_DROPS)
        undated, base = f.missing_date + dropped, f.exported + dropped
        share = _share(undated, base)
        judged = base >= options.min_sample
        passed = not judged or share <= options.max_undated_share
        message = f"site {site}: {undated} of {base} articles without a publication date (share {share:.2f})"
        if not judged:
            message += f"; not judged, fewer than {MIN_SAMPLE}={options.min_sample} articles"
        else:
            message += f" {'within' if passed else 'above'} {MAX_UNDATED_SHARE}={options.max_undated_share}"
        results.append(
            MonitorResult("dates_lost", site, passed, share, options.max_undated_share, message)
        )
    return results


def text_lost(
    run: RunDocument, history: list[RunDocument], options: MonitorOptions
) -> list[MonitorResult]:
    results = []
    for site, f in sorted(run.sites.items()):
        drops = {
            r: f.dropped_by_reason.get(r, 0) for r in TEXT_LOSS_DROPS if f.dropped_by_reason.get(r)
        }
        lost = f.missing_text + sum(drops.values())
        base = max(
            f.fetched, f.exported + sum(drops.values())
        )  # exported articles include those without text
        share = _share(lost, base)
        judged = base >= options.min_sample
        passed = not judged or share <= options.max_text_loss_share
        message = (
            f"site {site}: {lost} of {base} fetched articles lost their text "
            f"({f.missing_text} exported without text, dropped: {_reasons(drops)}; share {share:.2f})"
        )
        if not judged:
            message += f"; not judged, fewer than {MIN_SAMPLE}={options.min_sample} articles"
        else:
            message += f" {'within' if passed else 'above'} {MAX_TEXT_LOSS_SHARE}={options.max_text_loss_share}"
        results.append(
            MonitorResult("text_lost", site, passed, share, options.max_text_loss_share, message)
        )
    return results


MONITORS: dict[str, Monitor] = {
    "export_failed": export_failed,
    "no_articles": no_articles,
    "error_rate": error_rate,
    "sudden_drop": sudden_drop,
    "dates_lost": dates_lost,
    "text_lost": text_lost,
}


def run_monitors(
    run: RunDocument,
    history: Iterable[RunDocument],
    options: MonitorOptions,
    *,
    only: Iterable[str] | None = None,
) -> list[MonitorResult]:
    """Every monitor's results for ``run``; ``history`` is the earlier runs, oldest first."""
    past = [r for r in history if r.run_id < run.run_id]
    names = list(only) if only is not None else list(MONITORS)
    results: list[MonitorResult] = []
    for name in names:
        results.extend(MONITORS[name](run, past, options))
    return results
