"""Check an export against its manifests: presence, size, sha256, record count, schema.

Objects under ``articles/`` that no manifest lists are reported as orphans. They are warnings,
not errors: a run that is still uploading, or whose upload failed, has parts but no manifest yet.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from pipelines.core.storage.errors import ObjectNotFound, StoreError
from pipelines.core.storage.layout import ARTICLES, MANIFEST_KEY_RE, MANIFESTS, PART_KEY_RE
from pipelines.core.storage.manifest import parse_manifest
from pipelines.core.storage.records import RecordValidator
from pipelines.core.storage.sink import ArticleSink
from pipelines.core.storage.spool import PartInfo

MAX_RECORD_PROBLEMS = 5  # per file: enough to see the pattern without flooding the output


@dataclass(frozen=True, slots=True)
class Problem:
    key: str
    problem: str


@dataclass(slots=True)
class VerifyReport:
    store: str
    manifests: int = 0
    files: int = 0
    records: int = 0
    bytes: int = 0
    problems: list[Problem] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "store": self.store,
            "manifests": self.manifests,
            "files": self.files,
            "records": self.records,
            "bytes": self.bytes,
            "problems": [{"key": p.key, "problem": p.problem} for p in self.problems],
            "orphans": self.orphans,
        }


def _check_records(body: bytes, key: str, validator: RecordValidator) -> tuple[int, list[Problem]]:
    problems: list[Problem] = []
    bad = 0
    lines = body.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    else:
        problems.append(Problem(key, "last line has no newline (truncated object?)"))
    for number, line in enumerate(lines, 1):
        try:
            record = json.loads(line.decode("utf-8"))
            found = validator.problems(record)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            found = [f"not a UTF-8 JSON object: {exc}"]
        if found:
            bad += 1
            if bad <= MAX_RECORD_PROBLEMS:
                problems.append(Problem(key, f"line {number}: {'; '.join(found)}"))
    if bad > MAX_RECORD_PROBLEMS:
        problems.append(Problem(key, f"{bad} invalid record(s) in all"))
    return len(lines), problems


def _check_part(
    sink: ArticleSink, part: PartInfo, validator: RecordValidator, report: VerifyReport
) -> None:
    try:
        data = sink.get_bytes(part.key)
    except ObjectNotFound:
        report.problems.append(Problem(part.key, "listed in a manifest but missing from the store"))
        return
    report.files += 1
    report.bytes += len(data)
    if len(data) != part.bytes:
        report.problems.append(
            Problem(part.key, f"size is {len(data)} bytes, manifest says {part.bytes}")
        )
    digest = hashlib.sha256(data).hexdigest()
    if digest != part.sha256:
        report.problems.append(
            Problem(part.key, f"sha256 is {digest}, manifest says {part.sha256}")
        )
    try:
        body = gzip.decompress(data) if part.key.endswith(".gz") else data
    except (OSError, EOFError) as exc:
        report.problems.append(Problem(part.key, f"not valid gzip: {exc}"))
        return
    count, problems = _check_records(body, part.key, validator)
    report.records += count
    report.problems.extend(problems)
    if count != part.records:
        report.problems.append(
            Problem(part.key, f"has {count} record(s), manifest says {part.records}")
        )


def verify_export(sink: ArticleSink, validator: RecordValidator | None = None) -> VerifyReport:
    """Check every manifest under the sink and the files they list; raises ``StoreError`` if unreachable."""
    validator = validator or RecordValidator()
    report = VerifyReport(sink.describe())
    listed: set[str] = set()
    for info in sink.list_objects(MANIFESTS):
        if not MANIFEST_KEY_RE.match(info.key):
            report.problems.append(Problem(info.key, "unexpected object under manifests/"))
            continue
        report.manifests += 1
        try:
            manifest, parts = parse_manifest(sink.get_bytes(info.key), info.key)
        except (ValueError, StoreError) as exc:
            report.problems.append(Problem(info.key, str(exc)))
            continue
        run_id = MANIFEST_KEY_RE.match(info.key)["run_id"]  # type: ignore[index]
        if manifest.get("run_id") != run_id:
            report.problems.append(
                Problem(info.key, f"run_id is {manifest.get('run_id')!r}, key says {run_id!r}")
            )
        totals = manifest.get("totals", {})
        if totals.get("records") != sum(p.records for p in parts) or totals.get("files") != len(
            parts
        ):
            report.problems.append(
                Problem(info.key, f"totals {totals} do not match its files list")
            )
        for part in parts:
            listed.add(part.key)
            match = PART_KEY_RE.match(part.key)
            if not match or match["run_id"] != run_id:
                report.problems.append(Problem(part.key, f"not a part key of run {run_id}"))
            _check_part(sink, part, validator, report)
    report.orphans = [info.key for info in sink.list_objects(ARTICLES) if info.key not in listed]
    return report
