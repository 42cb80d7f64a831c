"""Prometheus metrics of a run: a node_exporter textfile and/or a push to a Pushgateway.

Every value is a gauge describing the last run (a batch job has no process to scrape), labelled by
site where the figure is per site. ``syndicrawl_last_success_timestamp_seconds`` comes from the run
history, so a failed run keeps the time of the site's last good run and an alert can fire on its age.
See ``deploy/prometheus/alerts.yml`` for rules over these names.

Settings (:class:`~crawler.monitoring.options.PrometheusOptions`):

- ``SYNDICRAWL_PROMETHEUS_TEXTFILE``: path of the textfile to write.
- ``SYNDICRAWL_PROMETHEUS_PUSHGATEWAY``: Pushgateway URL (``http://`` when it has no scheme).
  Credentials in it (``https://user:password@host:9091``, percent-encoded where needed) go as
  HTTP basic auth to the URL without them; logs and problems only ever show that URL.
- ``SYNDICRAWL_PROMETHEUS_JOB``: the job label of the push.

A failed write or push is logged and returned as a problem; it never raises.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from http.client import HTTPException
from typing import NamedTuple
from urllib.parse import unquote, urlsplit, urlunsplit

from prometheus_client import CollectorRegistry, Gauge
from prometheus_client.exposition import basic_auth_handler, default_handler, push_to_gateway

from crawler.config import setting_name
from crawler.monitoring.document import RunDocument
from crawler.monitoring.options import PrometheusOptions

logger = logging.getLogger(__name__)

# Named in problems (a URL with credentials is never shown whole).
TEXTFILE = setting_name(PrometheusOptions, "textfile")
PUSHGATEWAY = setting_name(PrometheusOptions, "pushgateway")
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


# prometheus_client's push handler: (url, method, timeout, headers, data) -> the request to run
PushHandler = Callable[[str, str, float | None, list[tuple[str, str]], bytes], Callable[[], None]]


class PushTarget(NamedTuple):
    """Where to push: ``url`` holds no credentials and may be logged; ``secrets`` never may."""

    url: str
    handler: PushHandler
    secrets: tuple[str, ...]


def push_target(gateway: str) -> PushTarget:
    """Split ``user:password@`` off a Pushgateway URL into a basic-auth handler.

    prometheus_client would send the userinfo as part of the host name (so the push fails to
    resolve), and urllib does not percent-decode it; hence the split here.
    """
    if urlsplit(gateway).scheme not in ("http", "https"):
        gateway = f"http://{gateway}"  # prometheus_client's default, applied before splitting
    parts = urlsplit(gateway)
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if not at:
        return PushTarget(gateway, default_handler, ())
    url = urlunsplit((parts.scheme, hostport, parts.path, parts.query, parts.fragment))
    raw_user, _, raw_password = userinfo.partition(":")
    username, password = unquote(raw_user), unquote(raw_password)

    def handler(
        url: str,
        method: str,
        timeout: float | None,
        headers: list[tuple[str, str]],
        data: bytes,
    ) -> Callable[[], None]:
        return basic_auth_handler(url, method, timeout, headers, data, username, password)

    # Both spellings of the password are secrets: error texts could echo either.
    secrets = tuple(sorted({s for s in (raw_password, password) if s}, key=len, reverse=True))
    return PushTarget(url, handler, secrets)


def _hide(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret masked: a last guard for library error messages."""
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


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
    refusals = Gauge(
        "syndicrawl_fetch_refusals",
        "Requests our own policy refused in the last run (robots.txt, address guard, budget)",
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
        for reason, n in figures.refused_by_reason.items():
            refusals.labels(site=site, reason=reason).set(n)
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
    run: RunDocument, history: Iterable[RunDocument], options: PrometheusOptions
) -> list[str]:
    """Write the textfile and/or push, as configured; returns what failed, in plain words."""
    textfile, gateway = options.textfile, options.pushgateway
    if not textfile and not gateway:
        return []
    from prometheus_client import write_to_textfile

    registry = build_registry(run, history)
    problems: list[str] = []
    if textfile:
        try:
            write_to_textfile(textfile, registry)  # a temporary file renamed: atomic
            logger.info("Metrics: wrote %(path)s", {"path": textfile})
        except OSError as exc:
            logger.error(
                "Metrics (textfile): writing %(setting)s=%(path)s failed: %(error)s",
                {"setting": TEXTFILE, "path": textfile, "error": exc},
            )
            problems.append(f"{TEXTFILE}={textfile}: {exc}")
    if gateway:
        problem = push(registry, gateway, options.job)
        if problem:
            problems.append(problem)
    return problems


def push(registry: CollectorRegistry, gateway: str, job: str) -> str | None:
    """Push ``registry`` to the Pushgateway at ``gateway``; returns the failure in plain words."""
    try:
        target = push_target(gateway)
    except ValueError:  # urlsplit's message may quote the netloc, credentials included
        logger.error("Metrics (push): %(setting)s is not a valid URL", {"setting": PUSHGATEWAY})
        return f"{PUSHGATEWAY}: not a valid URL"
    try:
        push_to_gateway(
            target.url,
            job=job,
            registry=registry,
            timeout=PUSH_TIMEOUT_SECONDS,
            handler=target.handler,
        )
    # URLError and HTTPError are OSErrors; a garbled reply is an HTTPException and a bad port a
    # ValueError: none of them may end the run.
    except (OSError, HTTPException, ValueError) as exc:
        error = _hide(str(exc), target.secrets)
        logger.error(
            "Metrics (push): %(setting)s=%(gateway)s failed: %(error)s",
            {"setting": PUSHGATEWAY, "gateway": target.url, "error": error},
        )
        return f"{PUSHGATEWAY}={target.url}: {error}"
    logger.info("Metrics: pushed to %(gateway)s", {"gateway": target.url})
    return None
