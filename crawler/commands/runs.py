"""``syndicrawl runs``: recent runs as a terminal table (id, start, duration, sites, exported, failures, monitors, status)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

DEFAULT_STATE_DIR = "./syndicrawl-output/.state"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "runs",
        help="list recent runs and their health",
        description="List the recent runs from their stats documents in STATE_DIR/runs, newest first.",
    )
    parser.add_argument(
        "--state-dir",
        default=DEFAULT_STATE_DIR,
        help=f"crawl state dir (default {DEFAULT_STATE_DIR})",
    )
    parser.add_argument("--limit", type=int, default=20, help="how many runs to list (default 20)")
    parser.add_argument(
        "--json", action="store_true", help="print the runs as one JSON object on the last line"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from crawler.monitoring.history import load_state_history
    from crawler.monitoring.runs_table import format_table, run_row

    if args.limit < 1:
        print(f"syndicrawl: --limit {args.limit}: expected 1 or more", file=sys.stderr)
        return 2
    if not Path(args.state_dir).is_dir():
        print(f"syndicrawl: --state-dir {args.state_dir}: no such folder", file=sys.stderr)
        return 2
    history = load_state_history(args.state_dir, limit=args.limit)
    rows = [run_row(r) for r in reversed(history.runs)]
    print(format_table(rows) if rows else f"no runs in {args.state_dir}/runs")
    for skipped in history.skipped:
        print(f"unreadable: {skipped}", file=sys.stderr)
    if args.json:
        print(
            json.dumps(
                {"state_dir": args.state_dir, "runs": rows, "skipped": history.skipped},
                sort_keys=True,
                default=str,
            )
        )
    return 0
