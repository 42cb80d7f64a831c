"""``syndicrawl demo``: crawl the bundled demo web end to end, with nothing to configure.

Starts the demo web (one local server per demo site on 127.0.0.1), crawls every demo site through
the whole pipeline, writes the same layout a production run writes under ``--output`` (a local
folder or ``s3://bucket/prefix``), and prints a summary.

The state (seen-store, run documents, log) is kept between demo runs, and so is the demo web's
clock and ports (``STATE_DIR/demo-web.json``): the second run serves the same articles at the same
URLs, so it shows them skipped as unchanged, and ``syndicrawl runs`` and ``report`` show both runs.
``--fresh`` starts over.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from crawler.commands import console
from crawler.commands.crawl import default_state_dir
from crawler.monitoring.storage import is_s3
from crawler.registry import load_sites
from crawler.runner import BadSetting, ChromiumMissing, new_run_id, run_crawl
from crawler.summary import print_summary, summarize
from syndicrawl_tools.demo import demo_sites_dir

MARKER = ".syndicrawl-demo"
SESSION_FILE = "demo-web.json"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="crawl the bundled demo web to a local folder or S3 and print a summary",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--output",
        default="./syndicrawl-output",
        help="local folder or s3://bucket/prefix (default ./syndicrawl-output)",
    )
    parser.add_argument(
        "--state-dir",
        default=None,
        help="crawl state; default OUTPUT/.state for a local output, ./syndicrawl-state for S3",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="start over: forget earlier demo runs (their output, state and the demo web's clock)",
    )
    parser.add_argument(
        "--endpoint-url",
        default=None,
        help="S3-compatible endpoint (MinIO, Ceph, moto); default the AWS_ENDPOINT_URL setting",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the summary as one JSON object on the last line"
    )
    parser.add_argument(
        "--request-log", default=None, help="write the demo web's own request log here (JSON lines)"
    )
    console.add_arguments(parser)
    parser.set_defaults(func=run)


class DemoUsageError(ValueError):
    """An output or state folder the demo must not touch, or a demo web it cannot bring back."""


@dataclass(frozen=True, slots=True)
class DemoSession:
    """The demo web as an earlier run served it: its clock's start and each site's port."""

    start_time: datetime
    ports: dict[str, int]

    @classmethod
    def load(cls, state_dir: Path) -> DemoSession | None:
        path = state_dir / SESSION_FILE
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                datetime.fromisoformat(data["start_time"]),
                {str(k): int(v) for k, v in data["ports"].items()},
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise DemoUsageError(
                f"{path}: unreadable ({exc}); run 'syndicrawl demo --fresh' to start over"
            ) from exc

    def save(self, state_dir: Path) -> None:
        state_dir.mkdir(parents=True, exist_ok=True)
        data = {"start_time": self.start_time.isoformat(), "ports": self.ports}
        (state_dir / SESSION_FILE).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def _check(folder: Path, what: str) -> None:
    """Refuse a non-empty folder the demo did not make."""
    if folder.exists() and not (folder / MARKER).exists() and any(folder.iterdir()):
        raise DemoUsageError(
            f"{what} {folder}: folder exists and was not made by 'syndicrawl demo'; choose another"
        )


def _claim(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text(
        "made by syndicrawl demo; kept between demo runs, emptied by 'syndicrawl demo --fresh'\n",
        encoding="utf-8",
    )


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def prepare(output: str, state_dir: Path, *, fresh: bool, endpoint_url: str | None) -> None:
    """Make (or, with ``fresh``, empty) the demo's output and state folders."""
    local_output = None if is_s3(output) else Path(output)
    folders = [(local_output, "--output")] if local_output is not None else []
    if local_output is None or not _inside(state_dir, local_output):
        folders.append((state_dir, "--state-dir"))
    for folder, what in folders:
        _check(folder, what)  # before anything is emptied
    if fresh:
        if local_output is None:
            _require_empty_store(output, endpoint_url)
        for folder, _ in folders:
            if folder.exists():
                shutil.rmtree(folder)
    for folder, _ in folders:
        _claim(folder)


def _require_empty_store(output: str, endpoint_url: str | None) -> None:
    """A fresh demo run on S3 needs an empty prefix: the demo never deletes objects in a store."""
    from pipelines.core.storage import open_sink
    from pipelines.core.storage.errors import StoreError

    try:
        first = next(iter(open_sink(output, endpoint_url=endpoint_url).list_objects("")), None)
    except (StoreError, ValueError) as exc:
        raise DemoUsageError(f"--output {output}: {exc}") from exc
    if first is not None:
        raise DemoUsageError(
            f"--output {output}: --fresh needs an empty prefix and this one holds objects "
            f"({first.key}, ...); choose a new prefix"
        )


def run(args: argparse.Namespace) -> int:
    from syndicrawl_tools.demo.server import DemoWeb, PortUnavailable

    output: str = args.output
    state_dir = Path(args.state_dir or default_state_dir(output))
    endpoint = args.endpoint_url or _default_endpoint()
    fresh = args.fresh
    try:
        session = None if fresh else DemoSession.load(state_dir)
        if session is None and (state_dir / "runs").is_dir() and not fresh:
            # An older demo's state, made without a saved demo web: its URLs cannot come back.
            print(f"syndicrawl: {state_dir} has no saved demo web; starting over", file=sys.stderr)
            fresh = True
        prepare(output, state_dir, fresh=fresh, endpoint_url=endpoint)
    except DemoUsageError as exc:
        print(f"syndicrawl: {exc}", file=sys.stderr)
        return 2
    sites = load_sites(demo_sites_dir())
    web = DemoWeb(
        log_path=args.request_log,
        start_time=session.start_time if session else None,
        ports=session.ports if session else None,
    )
    try:
        web.start()
    except PortUnavailable as exc:
        print(
            f"syndicrawl: {exc}; the earlier demo runs' URLs cannot be served again: "
            "stop the program using that port or run 'syndicrawl demo --fresh'",
            file=sys.stderr,
        )
        return 2
    try:
        DemoSession(web.start_time, {n: _port(u) for n, u in web.base_urls.items()}).save(state_dir)
        served = {name: site.with_base_url(web.base_urls[name]) for name, site in sites.items()}
        run_id = new_run_id()
        overrides: dict[str, Any] = {"SYNDICRAWL_FETCH_ALLOWED_ADDRESSES": ["127.0.0.1"]}
        if endpoint:
            overrides["AWS_ENDPOINT_URL"] = endpoint
        terminal = console.console_for(args, state_dir, run_id, overrides)
        try:
            result = run_crawl(
                served,
                output_uri=output,
                state_dir=str(state_dir),
                run_id=run_id,
                overrides=overrides,
                **terminal.run_arguments(),
            )
        except (ChromiumMissing, BadSetting) as exc:  # BadSetting: from the environment
            print(f"syndicrawl: {exc}", file=sys.stderr)
            return 2
    finally:
        web.stop()
    shown = output if is_s3(output) else str(Path(output).resolve())
    print_summary(summarize(result, shown, sorted(served)), args.json)
    if session is not None and not args.json:
        print(f"runs: syndicrawl runs --state-dir {state_dir}   (--fresh starts over)")
    return result.exit_status


def _port(base_url: str) -> int:
    from urllib.parse import urlsplit

    port = urlsplit(base_url).port
    if port is None:
        raise ValueError(f"demo web URL {base_url} has no port")
    return port


def _default_endpoint() -> str | None:
    from crawler import settings

    return getattr(settings, "AWS_ENDPOINT_URL", None)
