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

from crawler.distributed.board import RunBoard
from crawler.distributed.frontier import Frontier
from crawler.distributed.hints import RedisHints
from crawler.distributed.keys import RunKeys, check_worker

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

ENABLED = "SYNDICRAWL_DISTRIBUTED_ENABLED"
REDIS_URL = "SYNDICRAWL_REDIS_URL"
PREFIX = "SYNDICRAWL_DISTRIBUTED_PREFIX"
WORKER_ID = "SYNDICRAWL_DISTRIBUTED_WORKER_ID"
HEARTBEAT_SECONDS = "SYNDICRAWL_DISTRIBUTED_HEARTBEAT_SECONDS"
SEED_ONLY = "SYNDICRAWL_DISTRIBUTED_SEED_ONLY"
RUN_ID = "SYNDICRAWL_RUN_ID"
TOKEN_META = "syndicrawl_token"  # request.meta key: the frontier token of a popped request

DEFAULT_PREFIX = "syndicrawl"
DEFAULT_HEARTBEAT_SECONDS = 5.0
HEARTBEAT_MISSES = 3  # a worker is dead after this many missed beats


def default_worker_id() -> str:
    """``<host>-<pid>-<random>``: unique even when a restarted container reuses host name and pid."""
    host = re.sub(r"[^a-z0-9-]+", "-", socket.gethostname().lower()).strip("-")[:40] or "worker"
    return f"{host}-{os.getpid()}-{secrets.token_hex(2)}"


def is_enabled(settings: BaseSettings) -> bool:
    return settings.getbool(ENABLED, False)


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
    def from_settings(cls, settings: BaseSettings) -> WorkerContext:
        run_id = str(settings.get(RUN_ID) or "")
        if not run_id:
            raise ValueError(
                f"{ENABLED} is on but {RUN_ID} is empty: every worker of a run needs the same run id"
            )
        url = str(settings.get(REDIS_URL) or "")
        if not url:
            raise ValueError(f"{ENABLED} is on but {REDIS_URL} is empty")
        heartbeat = settings.getfloat(HEARTBEAT_SECONDS, DEFAULT_HEARTBEAT_SECONDS)
        if heartbeat <= 0:
            raise ValueError(
                f"{HEARTBEAT_SECONDS}={heartbeat!r} is not allowed: use a number of seconds > 0"
            )
        return cls(
            client=redis.Redis.from_url(url),
            keys=RunKeys(str(settings.get(PREFIX) or DEFAULT_PREFIX), run_id),
            worker=str(settings.get(WORKER_ID) or "") or default_worker_id(),
            heartbeat_seconds=heartbeat,
            seed_only=settings.getbool(SEED_ONLY, False),
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
        context = _CONTEXTS[crawler] = WorkerContext.from_settings(crawler.settings)
    return context
