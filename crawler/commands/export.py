"""``syndicrawl export verify URI``: check an export against its manifests.

For every ``manifests/run=RUNID.json`` under URI (a directory or ``s3://bucket/prefix``): each
listed object is present, has the listed size, sha256 and record count, and every record is UTF-8
JSON that validates against the record schema. Objects under ``articles/`` that no manifest lists
are printed as warnings (orphans: a run still uploading, or one whose upload failed).

Exit status: 0 all good (orphans allowed); 1 something is wrong, or the store cannot be read;
2 bad usage. ``--json`` prints the report as one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from pipelines.core.storage import StorageError, open_sink, verify_export


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export",
        help="inspect exported data",
        description="Inspect an export written by syndicrawl.",
    )
    actions = parser.add_subparsers(dest="export_action", metavar="ACTION", required=True)
    verify = actions.add_parser(
        "verify",
        help="check every manifest and the files it lists",
        description="Check an export against its manifests: presence, size, sha256, record count, schema.",
    )
    verify.add_argument("uri", help="the export's output URI: a directory or s3://bucket/prefix")
    verify.add_argument(
        "--endpoint-url", default=None, help="S3-compatible endpoint (MinIO, R2, Ceph)"
    )
    verify.add_argument("--region", default=None, help="S3 region name")
    verify.add_argument(
        "--json", action="store_true", help="print the report as one JSON object on the last line"
    )
    verify.set_defaults(func=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    try:
        sink = open_sink(args.uri, endpoint_url=args.endpoint_url, region=args.region)
    except (ValueError, StorageError) as exc:
        print(f"syndicrawl: {exc}", file=sys.stderr)
        return 2
    try:
        report = verify_export(sink)
    except StorageError as exc:
        print(f"FAIL cannot read {sink.describe()}: {exc}")
        if args.json:
            print(json.dumps({"ok": False, "store": sink.describe(), "error": str(exc)}))
        return 1
    for problem in report.problems:
        print(f"FAIL {problem.key}: {problem.problem}")
    for orphan in report.orphans:
        print(f"WARN {orphan}: not listed in any manifest (orphan)")
    verdict = "OK" if report.ok else "FAILED"
    print(
        f"{verdict}: {report.manifests} manifest(s), {report.files} file(s), {report.records} record(s), "
        f"{report.bytes} bytes in {report.store}; {len(report.problems)} problem(s), "
        f"{len(report.orphans)} orphan(s)"
    )
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False))
    return 0 if report.ok else 1
