"""The run stats document: a typed, versioned JSON summary of one crawl run, built from raw stats.

Written to ``STATE_DIR/runs/run=RUNID.json`` and next to the export (``OUTPUT/runs/run=RUNID/stats.json``,
locally or in S3), so ``syndicrawl report`` and ``syndicrawl runs`` read runs without parsing logs.

Figures come from the stat keys of ``pipelines/stats.py`` (``syndicrawl/site/<site>/<stage>/<outcome>_count
[/<detail>]``) and Scrapy's own keys. A key nobody wrote reads as 0, so a stage that is not installed or
counts nothing leaves its figures at 0 instead of breaking the document.

Versioning: ``schema_version`` is ``MAJOR.MINOR``. Adding a figure bumps MINOR (readers fill it with 0);
renaming or removing one bumps MAJOR, and :func:`load_document` refuses a major it does not know.
Documents the runner wrote before this module (no ``schema_version``, raw ``stats``) are rebuilt on load.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crawler.monitoring.figures import (
    DROP_PREFIX,
    STATUS_PREFIX,
    SiteFigures,
    StatCounters,
    merge_totals,
    site_figures,
)
from crawler.monitoring.redact import redact_text, redact_uri, scrub
from pipelines.stats import PREFIX

logger = logging.getLogger(__name__)

KIND = "syndicrawl/run-stats"
SCHEMA_VERSION = "1.1"  # 1.1: refusals by policy are ``refused``, no longer in ``failed``
RUNS_FOLDER = "runs"


class DocumentError(ValueError):
    """A stats document that cannot be read: wrong kind, unknown major version, bad JSON."""


@dataclass(slots=True)
class RunDocument:
    run_id: str
    started_at: str | None
    finished_at: str | None
    exit_status: int
    sites: dict[str, SiteFigures]
    totals: SiteFigures
    duration_seconds: float | None = None
    crawl_exit_status: int = 0
    """The exit status before the monitors ran (crawl, export and log problems only)."""
    finish_reason: str | None = None
    output_uri: str | None = None
    problems: list[str] = field(default_factory=list)
    run: dict[str, Any] = field(default_factory=dict)
    """Run-wide figures Scrapy keeps: items, requests, statuses, retries, bytes, export failure."""
    monitors: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    """The raw stats (credentials-like keys removed), for figures this document does not name."""
    schema_version: str = SCHEMA_VERSION

    @property
    def failed_monitors(self) -> list[dict[str, Any]]:
        return [m for m in self.monitors if not m.get("passed", True)]

    @property
    def ok(self) -> bool:
        return self.exit_status == 0

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": KIND,
            "schema_version": self.schema_version,
            "run_id": self.run_id,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "duration_seconds": self.duration_seconds,
            "exit_status": self.exit_status,
            "crawl_exit_status": self.crawl_exit_status,
            "finish_reason": self.finish_reason,
            "output_uri": self.output_uri,
            "problems": list(self.problems),
            "sites": {name: figures.to_json() for name, figures in sorted(self.sites.items())},
            "totals": self.totals.to_json(),
            "run": dict(self.run),
            "monitors": list(self.monitors),
            "monitors_failed": len(self.failed_monitors),
            "stats": dict(self.stats),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, source: str = "<document>") -> RunDocument:
        if "schema_version" not in data and "stats" in data and "run_id" in data:
            return _from_legacy(data)
        if data.get("kind") != KIND:
            raise DocumentError(f"{source}: kind is {data.get('kind')!r}, expected {KIND!r}")
        version = str(data.get("schema_version", ""))
        if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
            raise DocumentError(
                f"{source}: schema_version {version!r} is not readable (this version reads {SCHEMA_VERSION.split('.')[0]}.x)"
            )
        try:
            return cls(
                run_id=str(data["run_id"]),
                started_at=data.get("started_at"),
                finished_at=data.get("finished_at"),
                exit_status=int(data.get("exit_status", 0)),
                sites={
                    str(k): SiteFigures.from_json(v)
                    for k, v in dict(data.get("sites") or {}).items()
                },
                totals=SiteFigures.from_json(data.get("totals") or {}),
                duration_seconds=data.get("duration_seconds"),
                crawl_exit_status=int(data.get("crawl_exit_status", 0)),
                finish_reason=data.get("finish_reason"),
                output_uri=data.get("output_uri"),
                problems=[str(p) for p in data.get("problems") or []],
                run=dict(data.get("run") or {}),
                monitors=[dict(m) for m in data.get("monitors") or []],
                stats=dict(data.get("stats") or {}),
                schema_version=version,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise DocumentError(f"{source}: malformed stats document: {exc}") from exc


def _number(raw: Mapping[str, Any], key: str) -> int:
    value = raw.get(key, 0)
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def _seconds_between(start: str | None, end: str | None) -> float | None:
    try:
        return round(
            (datetime.fromisoformat(str(end)) - datetime.fromisoformat(str(start))).total_seconds(),
            3,
        )
    except (TypeError, ValueError):
        return None


def build_run(
    raw: Mapping[str, Any],
    sites: Iterable[str],
    run_id: str,
    started_at: str | None,
    finished_at: str | None,
    exit_status: int,
    *,
    output_uri: str | None = None,
    problems: Iterable[str] = (),
) -> RunDocument:
    """The typed document of one run (monitors not yet run)."""
    clean = scrub(raw)
    counters = StatCounters(raw)
    run_drops = {k[len(DROP_PREFIX) :]: _number(raw, k) for k in raw if k.startswith(DROP_PREFIX)}
    names = sorted(set(sites) | counters.sites())
    per_site = {
        name: site_figures(counters, name, counters.drops(name, run_drops)) for name in names
    }
    totals = merge_totals(site_figures(counters, None, run_drops), per_site.values())
    if not totals.bytes:
        totals.bytes = _number(raw, "downloader/response_bytes")
    elapsed = raw.get("elapsed_time_seconds")
    duration = _seconds_between(started_at, finished_at)
    if duration is None and isinstance(elapsed, int | float):
        duration = float(elapsed)
    run = {
        "items_scraped": _number(raw, "item_scraped_count"),
        "items_dropped": _number(raw, "item_dropped_count"),
        "requests": _number(raw, "downloader/request_count"),
        "responses_by_status": {
            k[len(STATUS_PREFIX) :]: _number(raw, k)
            for k in sorted(raw)
            if k.startswith(STATUS_PREFIX)
        },
        "retries": _number(raw, "retry/count"),
        "response_bytes": _number(raw, "downloader/response_bytes"),
        "elapsed_seconds": float(elapsed) if isinstance(elapsed, int | float) else None,
        "log_errors": _number(raw, "log_count/ERROR"),
        "export_failed": bool(raw.get(f"{PREFIX}/export/run_failed")),
        "export_failure_message": clean.get(f"{PREFIX}/export/failure_message"),
    }
    reason = raw.get("finish_reason")
    return RunDocument(
        run_id=run_id,
        started_at=started_at,
        finished_at=finished_at,
        duration_seconds=duration,
        exit_status=int(exit_status),
        crawl_exit_status=int(exit_status),
        finish_reason=str(reason) if reason is not None else None,
        output_uri=redact_uri(output_uri),
        problems=[redact_text(str(p)) for p in problems],
        sites=per_site,
        totals=totals,
        run=run,
        stats=clean,
    )


def build_document(
    raw: dict[str, Any],
    sites: list[str],
    run_id: str,
    started_at: str | None,
    finished_at: str | None,
    exit_status: int,
    *,
    output_uri: str | None = None,
    problems: Iterable[str] = (),
) -> dict[str, Any]:
    """The JSON stats document of one run, from the runner's raw Scrapy stats."""
    return build_run(
        raw,
        sites,
        run_id,
        started_at,
        finished_at,
        exit_status,
        output_uri=output_uri,
        problems=problems,
    ).to_json()


def _from_legacy(data: Mapping[str, Any]) -> RunDocument:
    doc = build_run(
        dict(data.get("stats") or {}),
        [],
        str(data["run_id"]),
        data.get("started_at"),
        data.get("finished_at"),
        int(data.get("exit_status", 0)),
        problems=[str(p) for p in data.get("problems") or []],
    )
    doc.schema_version = "0"
    return doc
