"""``syndicrawl crawl --redis URL``: one worker of a distributed run (see deploy/README.md).

Every worker runs the same command. The run id comes from ``--run-id``, else the run Redis calls
current (``PREFIX:current-run``), else a new one that becomes current (``--join`` never creates
one; ``--wait SECONDS`` waits for one). The first worker to take the run's seed lock queues the
start points; all of them crawl the shared queue until the run has no work left. Each worker
exports its own parts; the last one to finish writes the run's single manifest.

``--seed-only`` starts a new run, queues its start points and exits (the Kubernetes seed job).
``--finalize`` crawls nothing: it writes the manifest of a complete run, e.g. after the last
worker died (``--force`` writes it for an incomplete run, marked ``complete: false``).

Exit status: 0 done; 1 the crawl or its export failed, or the run could not be finalized when
asked to; 2 bad usage or Redis unreachable.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from typing import Any

import redis

from crawler.config import read_options, setting_name
from crawler.distributed import context as ctx
from crawler.distributed.board import RunBoard, resolve_run
from crawler.distributed.frontier import DONE, FAILED, Frontier, _text
from crawler.distributed.keys import RunKeys, check_worker, current_run_key
from crawler.distributed.options import DistributedOptions
from crawler.registry import SiteConfig
from crawler.runner import BadSetting, ChromiumMissing, new_run_id, project_settings, run_crawl
from crawler.summary import summarize
from pipelines.core.storage import open_sink

logger = logging.getLogger(__name__)

WAIT_POLL_SECONDS = 2.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("distributed mode (scrapy-redis; see deploy/README.md)")
    group.add_argument(
        "--redis",
        default=None,
        metavar="URL",
        help="crawl as one worker of a distributed run coordinated through this Redis "
        f"(same as {setting_name(DistributedOptions, 'enabled')}=1 with "
        f"{setting_name(DistributedOptions, 'redis_url')})",
    )
    group.add_argument(
        "--run-id",
        default=None,
        help="the run to join or start (default: Redis' current run, else a new one)",
    )
    group.add_argument(
        "--worker-id", default=None, help="this worker's id, [a-z0-9-] (default HOST-PID-RANDOM)"
    )
    group.add_argument(
        "--join", action="store_true", help="only join an existing run, never start one"
    )
    group.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="with --join: wait this long for a run",
    )
    group.add_argument(
        "--seed-only", action="store_true", help="start a run, queue its start points and exit"
    )
    group.add_argument(
        "--finalize",
        action="store_true",
        help="write the run's manifest if it is complete; crawl nothing",
    )
    group.add_argument(
        "--force",
        action="store_true",
        help="with --finalize: write it even if the run is incomplete",
    )


def wanted(args: argparse.Namespace, overrides: dict[str, Any]) -> bool:
    """Distributed mode is on: ``--redis``, or the setting (environment or ``--set``)."""
    if getattr(args, "redis", None):
        return True
    return read_options(DistributedOptions, project_settings(overrides)).enabled


def _fail(message: str, status: int = 2) -> int:
    print(f"syndicrawl: {message}", file=sys.stderr)
    return status


def run(
    args: argparse.Namespace,
    sites: dict[str, SiteConfig],
    overrides: dict[str, Any],
    state_dir: str,
) -> int:
    options = read_options(DistributedOptions, project_settings(overrides))  # checked by crawl
    url = args.redis or options.redis_url
    prefix = options.prefix
    try:
        worker = check_worker(args.worker_id or options.worker_id or ctx.default_worker_id())
        client = redis.Redis.from_url(url)
        client.ping()
    except ValueError as exc:
        return _fail(str(exc))
    except redis.RedisError as exc:
        return _fail(f"--redis {url}: cannot reach Redis: {exc}")
    heartbeat = options.heartbeat_seconds

    if args.finalize:
        return finalize(
            client, prefix, args.run_id, args.output, heartbeat, force=args.force, as_json=args.json
        )

    if args.seed_only:
        run_id = args.run_id or new_run_id()
        raw = client.get(current_run_key(prefix))
        current = _text(raw) if raw else None
        if current and current != run_id:
            return _fail(
                f"run {current} is still in progress (finalize it first, or pass --run-id)", 1
            )
        client.set(current_run_key(prefix), run_id)
    else:
        deadline = time.monotonic() + max(0.0, args.wait)
        while True:
            found = resolve_run(
                client, prefix, run_id=args.run_id, create=not args.join, new_id=new_run_id()
            )
            if found or time.monotonic() >= deadline:
                break
            time.sleep(WAIT_POLL_SECONDS)
        if not found:
            print(f"syndicrawl: no run to join in {url} (prefix {prefix})", file=sys.stderr)
            return 0
        run_id = found
    board = RunBoard(client, RunKeys(prefix, run_id), Frontier(client, RunKeys(prefix, run_id)))
    if board.finalized():
        print(
            f"syndicrawl: run {run_id} is already finalized ({board.finalized()})", file=sys.stderr
        )
        return 0

    overrides = {
        **overrides,
        setting_name(DistributedOptions, "enabled"): True,
        setting_name(DistributedOptions, "redis_url"): url,
        setting_name(DistributedOptions, "prefix"): prefix,
        setting_name(DistributedOptions, "worker_id"): worker,
        setting_name(DistributedOptions, "seed_only"): bool(args.seed_only),
    }
    try:
        result = run_crawl(
            sites, output_uri=args.output, state_dir=state_dir, run_id=run_id, overrides=overrides
        )
    except (ChromiumMissing, BadSetting) as exc:  # BadSetting: a bad --run-id
        return _fail(str(exc))

    frontier = Frontier(
        client, RunKeys(prefix, run_id), heartbeat_ttl=heartbeat * ctx.HEARTBEAT_MISSES
    )
    if result.stats.get("syndicrawl/export/run_failed") or result.stats.get(
        "finish_reason"
    ) not in ("finished", None):
        # Whatever this worker held goes back to the queue for the others.
        requeued = frontier.requeue(worker, FAILED, force=True)
        logger.error(
            "Distributed: worker %(worker)s failed; %(n)d request(s) back in the queue",
            {"worker": worker, "n": requeued},
        )
    else:
        # A clean finish: every record is stored, so what is still held (never acked) is finished work.
        client.delete(RunKeys(prefix, run_id).processing(worker))
        frontier.set_state(worker, DONE)
    manifest = board.finalize(open_sink(args.output)) if not args.seed_only else None
    summary = summarize(result, args.output, sorted(sites))
    print(summary.to_text())
    print(
        f"distributed: run {run_id}, worker {worker}, "
        + (f"manifest {manifest}" if manifest else "manifest not written by this worker")
    )
    if args.json:
        document = summary.to_json()
        document["distributed"] = {
            "run_id": run_id,
            "worker": worker,
            "seed_only": bool(args.seed_only),
            "manifest": manifest,
            "exported_records": board.exported_count(),
        }
        print(json.dumps(document, sort_keys=True))
    return result.exit_status


def finalize(
    client: Any,
    prefix: str,
    run_id: str | None,
    output: str,
    heartbeat: float,
    *,
    force: bool,
    as_json: bool,
) -> int:
    run_id = run_id or resolve_run(client, prefix, run_id=None, create=False, new_id="")
    if not run_id:
        return _fail(f"--finalize: no current run under prefix {prefix}; pass --run-id", 1)
    keys = RunKeys(prefix, run_id)
    board = RunBoard(
        client, keys, Frontier(client, keys, heartbeat_ttl=heartbeat * ctx.HEARTBEAT_MISSES)
    )
    manifest = board.finalize(open_sink(output), force=force)
    completion = board.completion() if manifest is None else None
    document = {
        "run_id": run_id,
        "manifest": manifest,
        "reason": completion.reason if completion else "complete",
    }
    print(
        f"distributed: run {run_id}: "
        + (f"manifest {manifest}" if manifest else f"not finalized: {document['reason']}")
    )
    if as_json:
        print(json.dumps(document, sort_keys=True))
    return 0 if manifest else 1
