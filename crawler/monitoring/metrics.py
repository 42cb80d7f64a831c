"""Prometheus metrics of a run: a node_exporter textfile and/or a push to a Pushgateway.

Every value is a gauge describing the last run (a batch job has no process to scrape), labelled by
site where the figure is per site. ``syndicrawl_last_success_timestamp_seconds`` comes from the run
history, so a failed run keeps the time of the site's last good run and an alert can fire on its age.
See ``deploy/prometheus/alerts.yml`` for rules over these names.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Gauge

from crawler.monitoring.document import RunDocument, redact_uri

logger = logging.getLogger(__name__)

TEXTFILE = "SYNDICRAWL_PROMETHEUS_TEXTFILE"
PUSHGATEWAY = "SYNDICRAWL_PROMETHEUS_PUSHGATEWAY"
JOB = "SYNDICRAWL_PROMETHEUS_JOB"
DEFAULT_JOB = "syndicrawl"
PUSH_TIMEOUT_SECONDS = 10.0

# Per-site figures exported as ``syndicrawl_<name>{site=...}``: metric name -> (SiteFigures attribute, help)
SITE_GAUGES = {
    "pages_discovered": ("discovered", "Article URLs discovered in the last run"),
    "pages_fetched": ("fetched", "Article pages fetched in the last run"),
    "pages_skipped_unchanged": (
        "skipped_unchanged",
        "Articles skipped as unchanged in the last run",
    ),
    "articles_exported": ("exported", "Articles exported in the last run"),
    "republications_linked": ("linked", "Republications linked to their original in the last run"),
    "articles_missing_date": (
        "missing_date",
        "Exported articles without a publication date in the last run",
    ),
    "articles_missing_text": ("missing_text", "Exported articles without text in the last run"),
}


def _timestamp(value: str | None) -> float | None:
    try:
        return datetime.fromisoformat(str(value)).timestamp() if value else None
    except ValueError:
        return None


def _site_ok(run: RunDocument, site: str) -> bool:
    failed = [m for m in run.failed_monitors if m.get("site") in (site, None)]
    return site in run.sites and not failed and run.crawl_exit_status == 0


def last_success(runs: Iterable[RunDocument], site: str) -> float | None:
    """Finish time of the latest run in which ``site`` passed every monitor and the run itself was fine."""
    best = None
    for run in runs:
        when = _timestamp(run.finished_at)
        if when is not None and _site_ok(run, site) and (best is None or when > best):
            best = when
    return best


def build_registry(run: RunDocument, history: Iterable[RunDocument] = ()) -> CollectorRegistry:
    """The metrics of ``run``; ``history`` (earlier runs) only feeds the last-success timestamps."""
    registry = CollectorRegistry()
    runs = [*history, run]
    for name, (attribute, help_text) in SITE_GAUGES.items():
        gauge = Gauge(f"syndicrawl_{name}", help_text, ["site"], registry=registry)
        for site, figures in run.sites.items():
            gauge.labels(site=site).set(getattr(figures, attribute))
    failures = Gauge(
        "syndicrawl_fetch_failures",
        "Failed requests in the last run, by reason",
        ["site", "reason"],
        registry=registry,
    )
    drops = Gauge(
        "syndicrawl_articles_dropped",
        "Articles dropped in the last run, by drop reason",
        ["site", "reason"],
        registry=registry,
    )
    stripped = Gauge(
        "syndicrawl_promos_stripped",
        "Boilerplate blocks stripped in the last run, by reason",
        ["site", "reason"],
        registry=registry,
    )
    success = Gauge(
        "syndicrawl_last_success_timestamp_seconds",
        "When the site last passed every monitor (Unix time)",
        ["site"],
        registry=registry,
    )
    for site, figures in run.sites.items():
        for reason, n in figures.failed_by_reason.items():
            failures.labels(site=site, reason=reason).set(n)
        for reason, n in figures.dropped_by_reason.items():
            drops.labels(site=site, reason=reason).set(n)
        for reason, n in figures.stripped_by_reason.items():
            stripped.labels(site=site, reason=reason).set(n)
        when = last_success(runs, site)
        if when is not None:
            success.labels(site=site).set(when)
    run_drops = Gauge(
        "syndicrawl_run_articles_dropped",
        "Articles dropped in the last run (all sites), by reason",
        ["reason"],
        registry=registry,
    )
    for reason, n in run.totals.dropped_by_reason.items():
        run_drops.labels(reason=reason).set(n)
    monitor = Gauge(
        "syndicrawl_monitor_failed",
        "1 if the monitor failed in the last run, else 0",
        ["monitor", "site"],
        registry=registry,
    )
    for result in run.monitors:
        monitor.labels(monitor=str(result["monitor"]), site=result.get("site") or "").set(
            0 if result.get("passed") else 1
        )
    Gauge("syndicrawl_monitors_failed", "Failed monitors in the last run", registry=registry).set(
        len(run.failed_monitors)
    )
    Gauge(
        "syndicrawl_run_exit_status", "Exit status of the last run (0 = healthy)", registry=registry
    ).set(run.exit_status)
    Gauge(
        "syndicrawl_export_failed", "1 if the last run's export upload failed", registry=registry
    ).set(1 if run.run.get("export_failed") else 0)
    Gauge("syndicrawl_run_duration_seconds", "Wall time of the last run", registry=registry).set(
        run.duration_seconds or 0
    )
    Gauge(
        "syndicrawl_run_response_bytes", "Bytes downloaded in the last run", registry=registry
    ).set(run.run.get("response_bytes") or 0)
    finished = _timestamp(run.finished_at)
    if finished is not None:
        Gauge(
            "syndicrawl_last_run_timestamp_seconds",
            "When the last run finished (Unix time)",
            registry=registry,
        ).set(finished)
    ok_times = [
        t for r in runs if r.exit_status == 0 and (t := _timestamp(r.finished_at)) is not None
    ]
    # 0 when no run was ever healthy, so an alert on its age fires instead of seeing no series.
    Gauge(
        "syndicrawl_run_last_success_timestamp_seconds",
        "When a run last finished healthy (Unix time; 0 = never)",
        registry=registry,
    ).set(max(ok_times, default=0))
    return registry


def publish_metrics(
    run: RunDocument, history: Iterable[RunDocument], settings: Mapping[str, Any]
) -> list[str]:
    """Write the textfile and/or push, as configured; returns what failed, in plain words."""
    textfile, gateway = settings.get(TEXTFILE), settings.get(PUSHGATEWAY)
    if not textfile and not gateway:
        return []
    from prometheus_client import push_to_gateway, write_to_textfile

    registry = build_registry(run, history)
    problems: list[str] = []
    if textfile:
        try:
            write_to_textfile(
                str(textfile), registry
            )  # writes a temporary file and renames it: atomic
            logger.info("Metrics: wrote %(path)s", {"path": textfile})
        except OSError as exc:
            logger.error(
                "Metrics (textfile): writing %(setting)s=%(path)s failed: %(error)s",
                {"setting": TEXTFILE, "path": textfile, "error": exc},
            )
            problems.append(f"{TEXTFILE}={textfile}: {exc}")
    if gateway:
        where = redact_uri(str(gateway))
        try:
            push_to_gateway(
                str(gateway),
                job=str(settings.get(JOB) or DEFAULT_JOB),
                registry=registry,
                timeout=PUSH_TIMEOUT_SECONDS,
            )
            logger.info("Metrics: pushed to %(gateway)s", {"gateway": where})
        except OSError as exc:  # URLError and HTTPError are OSErrors
            logger.error(
                "Metrics (push): %(setting)s=%(gateway)s failed: %(error)s",
                {"setting": PUSHGATEWAY, "gateway": where, "error": exc},
            )
            problems.append(f"{PUSHGATEWAY}={where}: {exc}")
    return problems
