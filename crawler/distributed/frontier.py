"""The shared frontier: a Redis priority queue whose pops are reliable (no Scrapy here).

scrapy-redis pops a request destructively (ZRANGE + ZREMRANGEBYRANK): a worker killed with
requests in flight loses them. Here a pop moves the request, in one Lua script, from the queue
into the worker's processing hash and marks the worker busy. The worker acks a token when the
request's work is done (its callback output is queued, or its article's record is in a stored
part). Every worker refreshes a heartbeat key with a TTL; a worker whose heartbeat expired is dead,
and any live worker moves the dead worker's processing entries back into the queue.

Worker states (``workers`` hash): ``busy`` (popped a request since it was last idle), ``idle``
(its engine has nothing to do), ``done`` (finished and exported), ``dead`` (heartbeat expired,
entries requeued), ``failed`` (its export failed, entries requeued).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from crawler.distributed.keys import RunKeys

logger = logging.getLogger(__name__)

BUSY, IDLE, DONE, DEAD, FAILED = "busy", "idle", "done", "dead", "failed"
FINISHED_STATES = (DONE, DEAD, FAILED)

# KEYS: queue, processing, workers; ARGV: worker. Returns {token, request} or nil.
_POP = """
local item = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #item == 0 then return nil end
redis.call('ZREM', KEYS[1], item[1])
local token = redis.sha1hex(item[1])
redis.call('HSET', KEYS[2], token, item[2] .. '|' .. item[1])
redis.call('HSET', KEYS[3], ARGV[1], 'busy')
return {token, item[1]}
"""

# KEYS: queue, processing, workers, heartbeat; ARGV: worker, new state, force (1 = even if alive).
# Returns the number of requeued requests, or -1 when the worker is alive.
_REQUEUE = """
if ARGV[3] ~= '1' and redis.call('EXISTS', KEYS[4]) == 1 then return -1 end
local entries = redis.call('HVALS', KEYS[2])
for _, value in ipairs(entries) do
  local cut = string.find(value, '|', 1, true)
  redis.call('ZADD', KEYS[1], tonumber(string.sub(value, 1, cut - 1)), string.sub(value, cut + 1))
end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
return #entries
"""


class Frontier:
    """The run's queue, processing entries, heartbeats and worker states."""

    def __init__(self, client: Any, keys: RunKeys, *, heartbeat_ttl: float = 30.0) -> None:
        self.r = client
        self.keys = keys
        self.heartbeat_ttl_ms = max(1, int(heartbeat_ttl * 1000))
        self._pop = client.register_script(_POP)
        self._requeue = client.register_script(_REQUEUE)

    # --- queue --------------------------------------------------------------------------------
    def push(self, data: bytes, priority: int = 0) -> None:
        self.r.zadd(self.keys.queue, {data: -priority})

    def __len__(self) -> int:
        return int(self.r.zcard(self.keys.queue))

    def pop(self, worker: str) -> tuple[str, bytes] | None:
        """The highest-priority request, now held in ``worker``'s processing hash; None if empty."""
        found = self._pop(
            keys=[self.keys.queue, self.keys.processing(worker), self.keys.workers], args=[worker]
        )
        if not found:
            return None
        token, data = found
        return (token.decode() if isinstance(token, bytes) else str(token)), bytes(data)

    def ack(self, worker: str, tokens: Iterable[str]) -> int:
        tokens = list(tokens)
        if not tokens:
            return 0
        return int(self.r.hdel(self.keys.processing(worker), *tokens))

    def in_flight(self, worker: str) -> int:
        return int(self.r.hlen(self.keys.processing(worker)))

    def clear(self) -> None:
        self.r.delete(self.keys.queue)

    # --- workers ------------------------------------------------------------------------------
    def beat(self, worker: str) -> None:
        """Refresh ``worker``'s heartbeat; call it every third of the TTL or more often."""
        self.r.set(self.keys.heartbeat(worker), b"1", px=self.heartbeat_ttl_ms)

    def alive(self, worker: str) -> bool:
        return bool(self.r.exists(self.keys.heartbeat(worker)))

    def set_state(self, worker: str, state: str) -> None:
        self.r.hset(self.keys.workers, worker, state)

    def states(self) -> dict[str, str]:
        return {_text(k): _text(v) for k, v in self.r.hgetall(self.keys.workers).items()}

    def join(self, worker: str) -> None:
        """Register ``worker`` (idle) with a fresh heartbeat; requeue leftovers of an earlier holder of the id."""
        self.requeue(worker, IDLE, force=True)
        self.beat(worker)

    def requeue(self, worker: str, state: str, *, force: bool = False) -> int:
        """Move ``worker``'s processing entries back to the queue (only if dead, unless ``force``)."""
        keys = [
            self.keys.queue,
            self.keys.processing(worker),
            self.keys.workers,
            self.keys.heartbeat(worker),
        ]
        return int(self._requeue(keys=keys, args=[worker, state, "1" if force else "0"]))

    def requeue_dead(self, exclude: str | None = None) -> dict[str, int]:
        """Requeue the entries of every worker whose heartbeat expired; {worker: requests requeued}."""
        requeued: dict[str, int] = {}
        for worker, state in self.states().items():
            if worker == exclude or state in (DONE, FAILED):
                continue
            if state == DEAD and not self.r.exists(self.keys.processing(worker)):
                continue
            count = self.requeue(worker, DEAD)
            if count >= 0 and state != DEAD:
                requeued[worker] = count
                logger.warning(
                    "Distributed: worker %(worker)s stopped beating (was %(state)s): %(count)d in-flight "
                    "request(s) back in the queue",
                    {"worker": worker, "state": state, "count": count},
                )
        return requeued

    def quiet(self, me: str) -> bool:
        """Nothing queued and no other live worker busy (call ``requeue_dead`` first)."""
        if len(self):
            return False
        return all(
            state in (IDLE, *FINISHED_STATES)
            for worker, state in self.states().items()
            if worker != me
        )


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
