"""One worker's view of a distributed run, shared by its Scrapy components (one per crawler)."""

from __future__ import annotations

import os
import re
import secrets
import socket
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import redis

from crawler.config import read_options, setting_name
from crawler.distributed.board import RunBoard
from crawler.distributed.frontier import Frontier
from crawler.distributed.hints import RedisHints
from crawler.distributed.keys import RunKeys, check_worker
from crawler.distributed.options import DistributedOptions

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

TOKEN_META = "syndicrawl_token"  # request.meta key: the frontier token of a popped request
HEARTBEAT_MISSES = 3  # a worker is dead after this many missed beats


def default_worker_id() -> str:
    """``<host>-<pid>-<random>``: unique even when a restarted container reuses host name and pid."""
    host = re.sub(r"[^a-z0-9-]+", "-", socket.gethostname().lower()).strip("-")[:40] or "worker"
    return f"{host}-{os.getpid()}-{secrets.token_hex(2)}"


@dataclass(eq=False)
class WorkerContext:
    client: Any
    keys: RunKeys
    worker: str
    heartbeat_seconds: float
    seed_only: bool = False
    frontier: Frontier = field(init=False)
    board: RunBoard = field(init=False)
    hints: RedisHints = field(init=False)
    # article key -> frontier token, for requests whose ack waits until the record is stored
    deferred: dict[str, str] = field(default_factory=dict)
    seeder: bool = False

    def __post_init__(self) -> None:
        check_worker(self.worker)
        self.frontier = Frontier(
            self.client, self.keys, heartbeat_ttl=self.heartbeat_seconds * HEARTBEAT_MISSES
        )
        self.board = RunBoard(self.client, self.keys, self.frontier)
        self.hints = RedisHints(self.client, self.keys.hints)

    @classmethod
    def from_options(cls, options: DistributedOptions) -> WorkerContext:
        if not options.run_id:
            enabled, run_id = (setting_name(DistributedOptions, a) for a in ("enabled", "run_id"))
            raise ValueError(
                f"{enabled} is on but {run_id} is empty: every worker of a run needs the same run id"
            )
        return cls(
            client=redis.Redis.from_url(options.redis_url),
            keys=RunKeys(options.prefix, options.run_id),
            worker=options.worker_id or default_worker_id(),
            heartbeat_seconds=options.heartbeat_seconds,
            seed_only=options.seed_only,
        )

    def ack(self, *tokens: str) -> None:
        self.frontier.ack(self.worker, [t for t in tokens if t])

    def ack_key(self, url_key: str) -> None:
        token = self.deferred.pop(url_key, None)
        if token:
            self.ack(token)


_CONTEXTS: weakref.WeakKeyDictionary[Any, WorkerContext] = weakref.WeakKeyDictionary()


def context_for(crawler: Crawler) -> WorkerContext:
    """The crawler's worker context, made from its settings on first use."""
    context = _CONTEXTS.get(crawler)
    if context is None:
        options = read_options(DistributedOptions, crawler.settings)
        context = _CONTEXTS[crawler] = WorkerContext.from_options(options)
    return context
