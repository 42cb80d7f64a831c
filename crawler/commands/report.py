"""``syndicrawl report``: one self-contained HTML page over the recent runs (and ``--json`` figures)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

DEFAULT_STATE_DIR = "./syndicrawl-output/.state"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write an HTML report of the recent runs",
        description="Read the recent runs' stats documents (from the state dir, or from the output store) "
        "and the records they exported, and write one self-contained HTML page: failing monitors, articles "
        "per site per run, errors by kind, the syndication graph and a table per site.",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--state-dir",
        default=None,
        help=f"crawl state dir holding runs/run=*.json (default {DEFAULT_STATE_DIR})",
    )
    source.add_argument(
        "--output",
        default=None,
        help="output store (local folder or s3://bucket/prefix) holding runs/run=*/stats.json",
    )
    parser.add_argument(
        "--runs", type=int, default=10, help="how many recent runs to show (default 10)"
    )
    parser.add_argument(
        "--out",
        default="syndicrawl-report.html",
        help="HTML file to write (default syndicrawl-report.html)",
    )
    parser.add_argument(
        "--endpoint-url", default=None, help="S3 endpoint (default: the AWS_ENDPOINT_URL setting)"
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the report's figures as one JSON object on the last line",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from crawler.monitoring.document import DocumentError
    from crawler.monitoring.history import load_output_history, load_state_history
    from crawler.monitoring.report import collect, figures_json, render_html

    if args.runs < 1:
        print(f"syndicrawl: --runs {args.runs}: expected 1 or more", file=sys.stderr)
        return 2
    endpoint = args.endpoint_url or _default_endpoint()
    try:
        if args.output:
            history = load_output_history(args.output, endpoint_url=endpoint)
            source = args.output
        else:
            source = args.state_dir or DEFAULT_STATE_DIR
            if not Path(source).is_dir():
                print(f"syndicrawl: --state-dir {source}: no such folder", file=sys.stderr)
                return 2
            history = load_state_history(source)
    except (DocumentError, ValueError) as exc:
        print(f"syndicrawl: {exc}", file=sys.stderr)
        return 2
    data = collect(
        history, runs=args.runs, output_uri=args.output, endpoint_url=endpoint, source=source
    )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(data), encoding="utf-8")
    failing = len(data.runs[-1].failed_monitors) if data.runs else 0
    print(f"report: {out} ({len(data.runs)} runs, {failing} failed monitors in the latest run)")
    if args.json:
        print(json.dumps(figures_json(data, str(out)), sort_keys=True, default=str))
    return 0


def _default_endpoint() -> str | None:
    from crawler import settings

    return getattr(settings, "AWS_ENDPOINT_URL", None)
