"""``finalize_run``: what the runner calls once the crawl is over.

Builds the stats document, runs the monitors against the site history in ``STATE_DIR/runs``,
writes the document (state dir, and the output: local folder or S3), publishes Prometheus metrics
and sends notifications when the run is unhealthy. Publishing problems (upload, push, notify) are
logged at ERROR and listed in :attr:`RunHealth.problems`; they do not change the exit status, which
says whether the crawl and its sites are healthy.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.config import read_options
from crawler.monitoring.document import build_run
from crawler.monitoring.history import load_state_history
from crawler.monitoring.metrics import publish_metrics
from crawler.monitoring.monitors import MonitorResult, run_monitors
from crawler.monitoring.notify import notify
from crawler.monitoring.options import MonitorOptions, NotifyOptions, PrometheusOptions
from crawler.monitoring.storage import (
    is_s3,
    local_output_dir,
    output_key,
    upload_document,
    write_document,
)

logger = logging.getLogger(__name__)

EXIT_FAILED = 1
HISTORY_FILES = 500


@dataclass(slots=True)
class RunHealth:
    exit_status: int
    """Non-zero when the crawl itself failed or any monitor failed."""
    failed_monitors: list[MonitorResult]
    document_path: Path
    """``STATE_DIR/runs/run=RUNID.json``."""
    document: dict[str, Any] = field(default_factory=dict)
    document_uri: str | None = None
    """Where the copy next to the export went (``s3://...`` or a local path), if written."""
    problems: list[str] = field(default_factory=list)
    """Publishing problems (upload, metrics, notifications), in plain words."""


def _summary(run_id: str, status: int, failed: list[MonitorResult], problems: Iterable[str]) -> str:
    lines = [f"syndicrawl run {run_id}: {'OK' if status == 0 else 'FAILED'} (exit status {status})"]
    lines += [f"- {r.monitor}: {r.message}" for r in failed]
    lines += [f"- problem: {p}" for p in problems]
    return "\n".join(lines)


def finalize_run(
    raw_stats: Mapping[str, Any],
    *,
    sites: Iterable[str],
    run_id: str,
    started_at: str | None,
    finished_at: str | None,
    exit_status: int,
    state_dir: str | Path,
    output_uri: str | None,
    settings: Mapping[str, Any],
    problems: Iterable[str] = (),
) -> RunHealth:
    """Document, monitor, publish and notify one finished run; returns its health and exit status.

    ``settings``: the crawl's (Scrapy's, or any mapping of names to values), read here into the
    monitors', the metrics' and the notifications' options."""
    problems = list(problems)
    doc = build_run(
        raw_stats,
        list(sites),
        run_id,
        started_at,
        finished_at,
        exit_status,
        output_uri=output_uri,
        problems=problems,
    )
    try:
        options: MonitorOptions | None = read_options(MonitorOptions, settings)
    except ValueError as exc:
        # A crawl checks its settings before it starts (crawler/declarations.check_all); a caller
        # that did not still gets a red run here rather than monitors that never ran.
        logger.error("Monitors: bad setting, monitors not run: %(error)s", {"error": exc})
        options = None
        results = [MonitorResult("monitor_settings", None, False, None, None, str(exc))]
    # Enough past runs for the drop baseline (runs without the site are skipped) and last-success times.
    history = load_state_history(state_dir, limit=HISTORY_FILES).before(run_id)
    if options is not None:
        results = run_monitors(doc, history, options) if options.enabled else []
    failed = [r for r in results if not r.passed]
    for r in failed:
        logger.error(
            "Monitor failed (%(monitor)s): site %(site)s: figure %(figure)s, threshold %(threshold)s: %(message)s",
            {
                "monitor": r.monitor,
                "site": r.site or "-",
                "figure": r.figure,
                "threshold": r.threshold,
                "message": r.message,
            },
        )
    doc.monitors = [r.to_json() for r in results]
    doc.exit_status = exit_status if exit_status else (EXIT_FAILED if failed else 0)
    logger.info(
        "Run %(run_id)s: %(passed)d of %(total)d monitors passed, exit status %(status)d",
        {
            "run_id": run_id,
            "passed": len(results) - len(failed),
            "total": len(results),
            "status": doc.exit_status,
        },
    )

    document = doc.to_json()
    path = write_document(document, state_dir, output_uri)
    publish_problems: list[str] = []
    document_uri: str | None = None
    if output_uri and is_s3(output_uri):
        try:
            document_uri = upload_document(
                document,
                output_uri,
                settings.get("AWS_ENDPOINT_URL") or None,
                region=settings.get("AWS_REGION_NAME") or None,
            )
        except (
            Exception
        ) as exc:  # botocore raises many types; the document is safe in the state dir
            logger.exception(
                "Stats document: upload to %(output)s failed: %(error)s",
                {"output": output_uri, "error": exc},
            )
            publish_problems.append(f"stats document upload to {output_uri} failed: {exc}")
    elif output_uri:
        document_uri = str(local_output_dir(output_uri) / output_key(run_id))
    publish_problems += publish_metrics(doc, history, read_options(PrometheusOptions, settings))
    if doc.exit_status != 0:
        publish_problems += notify(
            f"syndicrawl run {run_id} FAILED",
            _summary(run_id, doc.exit_status, failed, [*problems, *publish_problems]),
            read_options(NotifyOptions, settings),
        )
    return RunHealth(
        exit_status=doc.exit_status,
        failed_monitors=failed,
        document_path=path,
        document=document,
        document_uri=document_uri,
        problems=publish_problems,
    )
