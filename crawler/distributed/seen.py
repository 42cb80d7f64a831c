"""Seen-store in Redis (same interface as ``crawler.state.seen.SQLiteSeenStore``) for distributed crawls.

One hash, ``PREFIX:seen``: article key -> JSON of the ``SeenEntry``. It is not per run: the next
run's workers read it to skip unchanged articles, whichever machine fetched them.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import redis

from crawler.distributed.keys import seen_key
from crawler.state.seen import SeenEntry


class RedisSeenStore:
    def __init__(self, client: Any, prefix: str) -> None:
        self.r = client
        self.key = seen_key(prefix)

    @classmethod
    def from_url(cls, url: str, prefix: str) -> RedisSeenStore:
        return cls(redis.Redis.from_url(url), prefix)

    def get(self, key: str) -> SeenEntry | None:
        raw = self.r.hget(self.key, key)
        return SeenEntry(**json.loads(raw)) if raw else None

    def record(self, entry: SeenEntry) -> None:
        self.r.hset(self.key, entry.key, json.dumps(asdict(entry), sort_keys=True))

    def count(self) -> int:
        return int(self.r.hlen(self.key))

    def close(self) -> None:
        self.r.close()
