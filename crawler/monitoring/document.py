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

import json
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from crawler.outcomes import POLICY_REFUSALS
from pipelines.stats import PREFIX

logger = logging.getLogger(__name__)

KIND = "syndicrawl/run-stats"
SCHEMA_VERSION = "1.1"  # 1.1: refusals by policy are ``refused``, no longer in ``failed``
RUNS_FOLDER = "runs"
DROP_PREFIX = "item_dropped_reasons_count/"
STATUS_PREFIX = "downloader/response_status_count/"
# Extraction drops that mean "the page no longer looks like the site we know" (a layout change).
TEXT_LOSS_DROPS = ("EmptyExtraction", "BodyTooShort")
UNDATED_DROPS = ("NoPublicationDate",)
UNCHANGED_DROPS = ("UnchangedArticle",)
KNOWN_DROPS = (*TEXT_LOSS_DROPS, *UNDATED_DROPS, *UNCHANGED_DROPS)
# A stat or setting name that looks like a credential never goes into a document.
SECRET_NAME_RE = re.compile(
    r"secret|passw|token|api[_-]?key|access[_-]?key|credential|auth(?!or)|private[_-]?key|webhook|cookie|session[_-]?id",
    re.IGNORECASE,
)
_USERINFO_RE = re.compile(r"([a-z][a-z0-9+.-]*://)[^/\s@]+@", re.IGNORECASE)
_SITE_KEY_RE = re.compile(rf"^{PREFIX}/site/(?P<site>[^/]+)/(?P<rest>.+)$")


class DocumentError(ValueError):
    """A stats document that cannot be read: wrong kind, unknown major version, bad JSON."""


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
        return _split_refusals(figures)


def _split_refusals(figures: SiteFigures) -> SiteFigures:
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


# --- reading stat keys -------------------------------------------------------------------------
class _Counters:
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
        values = self.by_scope.get(scope, {}).get(f"{stage}/{_counter(outcome)}", {})
        bare = values.get(None, 0)
        details = sum(v for d, v in values.items() if d is not None)
        return int(max(bare, details))

    def has(self, scope: str | None, stage: str, outcome: str) -> bool:
        return bool(self.by_scope.get(scope, {}).get(f"{stage}/{_counter(outcome)}"))

    def details(self, scope: str | None, stage: str, outcome: str) -> dict[str, int]:
        values = self.by_scope.get(scope, {}).get(f"{stage}/{_counter(outcome)}", {})
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


def _counter(outcome: str) -> str:
    return outcome if outcome.endswith(("_count", "_bytes", "_seconds")) else f"{outcome}_count"


def _figures(counters: _Counters, scope: str | None, drops: dict[str, int]) -> SiteFigures:
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
    return _split_refusals(figures)  # raw stats of runs before refusals had their own key


def _merge_totals(run_level: SiteFigures, sites: Iterable[SiteFigures]) -> SiteFigures:
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


def redact_uri(uri: str | None) -> str | None:
    """``uri`` without a ``user:password@`` part, which must never reach a document or a log."""
    if not uri:
        return uri
    parts = urlsplit(uri)
    if parts.username is None and parts.password is None:
        return uri
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def scrub(raw: Mapping[str, Any]) -> dict[str, Any]:
    """JSON-ready stats without keys that look like credentials; URLs lose their user:password."""
    clean: dict[str, Any] = {}
    for key, value in raw.items():
        if SECRET_NAME_RE.search(str(key)):
            logger.warning(
                "Stats document: left out key %(key)s (looks like a credential)", {"key": key}
            )
            continue
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, str) and "@" in value:
            value = _USERINFO_RE.sub(r"\1", value)
        elif not isinstance(value, int | float | str | bool | type(None)):
            value = str(value)
        clean[str(key)] = value
    return dict(sorted(clean.items()))


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
    counters = _Counters(raw)
    run_drops = {k[len(DROP_PREFIX) :]: _number(raw, k) for k in raw if k.startswith(DROP_PREFIX)}
    names = sorted(set(sites) | counters.sites())
    per_site = {name: _figures(counters, name, counters.drops(name, run_drops)) for name in names}
    totals = _merge_totals(_figures(counters, None, run_drops), per_site.values())
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
        problems=[_USERINFO_RE.sub(r"\1", str(p)) for p in problems],
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


# --- files -------------------------------------------------------------------------------------
def document_name(run_id: str) -> str:
    return f"run={run_id}.json"


def output_key(run_id: str) -> str:
    """Key of the document next to the export, relative to the output prefix."""
    return f"{RUNS_FOLDER}/run={run_id}/stats.json"


def dumps(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)  # a reader (report, runs) never sees half a document


def is_s3(uri: str | None) -> bool:
    return bool(uri) and str(uri).startswith("s3://")


def local_output_dir(output_uri: str) -> Path:
    parts = urlsplit(output_uri)
    return Path(parts.path) if parts.scheme == "file" else Path(output_uri)


def write_document(doc: Mapping[str, Any], state_dir: str | Path, output_uri: str | None) -> Path:
    """Write ``STATE_DIR/runs/run=RUNID.json`` and, for a local output, ``OUTPUT/runs/run=RUNID/stats.json``.

    Returns the state-dir path. S3 outputs are handled by :func:`upload_document`.
    """
    text = dumps(doc)
    run_id = str(doc["run_id"])
    path = Path(state_dir) / RUNS_FOLDER / document_name(run_id)
    _write_atomic(path, text)
    if output_uri and not is_s3(output_uri):
        _write_atomic(local_output_dir(output_uri) / output_key(run_id), text)
    return path


def upload_document(
    doc: Mapping[str, Any],
    output_uri: str,
    endpoint_url: str | None = None,
    *,
    region: str | None = None,
) -> str:
    """Put the document at ``s3://BUCKET/PREFIX/runs/run=RUNID/stats.json``; returns that URI.

    Credentials come from boto3's standard chain only. Errors (botocore) propagate to the caller.
    """
    import boto3
    from botocore.config import Config

    parts = urlsplit(output_uri)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"output URI {output_uri!r}: expected s3://bucket[/prefix]")
    prefix = parts.path.strip("/")
    key = f"{prefix}/{output_key(str(doc['run_id']))}" if prefix else output_key(str(doc["run_id"]))
    config = Config(
        region_name=region,
        connect_timeout=10,
        read_timeout=30,
        retries={"total_max_attempts": 3, "mode": "standard"},
        s3={"addressing_style": "path"} if endpoint_url else None,
    )
    client = boto3.session.Session().client("s3", endpoint_url=endpoint_url, config=config)
    client.put_object(
        Bucket=parts.netloc,
        Key=key,
        Body=dumps(doc).encode("utf-8"),
        ContentType="application/json",
    )
    return f"s3://{parts.netloc}/{key}"


def load_document(path: str | Path) -> RunDocument:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DocumentError(f"{path}: cannot read stats document: {exc}") from exc
    if not isinstance(data, dict):
        raise DocumentError(f"{path}: a stats document is a JSON object, got {type(data).__name__}")
    return RunDocument.from_json(data, source=str(path))
