"""The run's shared record in Redis: which run, who seeds, which records are stored, the manifest.

No Scrapy here. Exactly-once export rests on two sets:

* ``claims``: article key -> the worker that spooled its record. A worker may spool a record only
  if nobody stored it yet and no *live* other worker holds its claim (a dead worker's claim is
  taken over: its requests were requeued and its spool is lost).
* ``exported``: article keys whose record is in a stored part. ``record_part`` adds a part to the
  journal, its keys to ``exported`` and acks their requests in one MULTI, right after the part
  reached the store: a record is either in a journaled part or will be crawled again.

The run's single manifest lists every journaled part of every worker. It is written once (``SET NX``
on ``finalized``), by the last worker to finish or by ``syndicrawl crawl --redis URL --finalize``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from crawler.distributed.frontier import BUSY, DEAD, FINISHED_STATES, Frontier, _text
from crawler.distributed.keys import RunKeys, current_run_key
from pipelines.core.storage.layout import content_type, manifest_key
from pipelines.core.storage.manifest import build_manifest, encode_manifest
from pipelines.core.storage.sink import ArticleSink
from pipelines.core.storage.spool import PartInfo

logger = logging.getLogger(__name__)

RUN_TTL_SECONDS = 7 * 24 * 3600  # keys of a finalized run are kept a week, for post-mortems

# KEYS: exported, claims, workers; ARGV: article key, worker, heartbeat key prefix.
_CLAIM = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 0 end
local owner = redis.call('HGET', KEYS[2], ARGV[1])
if owner and owner ~= ARGV[2] then
  local state = redis.call('HGET', KEYS[3], owner)
  if state ~= 'dead' and state ~= 'failed' and redis.call('EXISTS', ARGV[3] .. owner) == 1 then
    return 0
  end
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1
"""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class Completion:
    """Whether a run can be finalized, and why not."""

    complete: bool
    reason: str


class RunBoard:
    def __init__(self, client: Any, keys: RunKeys, frontier: Frontier) -> None:
        self.r = client
        self.keys = keys
        self.frontier = frontier
        self._claim = client.register_script(_CLAIM)

    # --- run ----------------------------------------------------------------------------------
    def open_run(self, *, output_uri: str, schema_version: str, compression: str) -> dict[str, str]:
        """Record the run's start (first worker wins); the run's info as stored."""
        pipe = self.r.pipeline()
        for name, value in (
            ("started_at", now_iso()),
            ("output_uri", output_uri),
            ("schema_version", schema_version),
            ("compression", compression),
        ):
            pipe.hsetnx(self.keys.info, name, value)
        pipe.hgetall(self.keys.info)
        info = {_text(k): _text(v) for k, v in pipe.execute()[-1].items()}
        if info["output_uri"] != output_uri:
            raise ValueError(
                f"run {self.keys.run_id} exports to {info['output_uri']}, not {output_uri}: "
                "every worker of a run must use the same --output"
            )
        return info

    def finalized(self) -> str | None:
        value = self.r.get(self.keys.finalized)
        return _text(value) if value else None

    # --- seeding ------------------------------------------------------------------------------
    def take_seed_lock(self, worker: str) -> bool:
        """True if ``worker`` seeds this run: first come, or the seeder died before it finished."""
        if self.r.set(self.keys.seed_lock, worker, nx=True):
            return True
        holder = _text(self.r.get(self.keys.seed_lock) or b"")
        if self.seeded():
            return False
        if holder == worker:
            return True
        if self.frontier.alive(holder):
            return False
        logger.warning(
            "Distributed: seeding worker %(holder)s died before it finished; %(worker)s seeds again",
            {"holder": holder, "worker": worker},
        )
        self.r.set(self.keys.seed_lock, worker)
        return True

    def mark_seeded(self) -> None:
        self.r.set(self.keys.seeded, now_iso())

    def seeded(self) -> bool:
        return bool(self.r.exists(self.keys.seeded))

    def seeding_stalled(self) -> bool:
        """Nobody is seeding: no lock, or its holder is dead, and the run is not seeded."""
        if self.seeded():
            return False
        holder = self.r.get(self.keys.seed_lock)
        return holder is None or not self.frontier.alive(_text(holder))

    # --- exactly-once export -------------------------------------------------------------------
    def claim(self, key: str, worker: str) -> bool:
        """True if ``worker`` may spool the record of ``key`` (see the module docstring)."""
        return bool(
            self._claim(
                keys=[self.keys.exported, self.keys.claims, self.keys.workers],
                args=[key, worker, self.keys.heartbeat_prefix],
            )
        )

    def release(self, key: str, worker: str) -> None:
        if _text(self.r.hget(self.keys.claims, key) or b"") == worker:
            self.r.hdel(self.keys.claims, key)

    def record_part(
        self, part: PartInfo, worker: str, record_keys: Iterable[str], tokens: Iterable[str]
    ) -> None:
        """Journal a stored part, mark its records exported and ack their requests, atomically."""
        record_keys, tokens = list(record_keys), list(tokens)
        pipe = self.r.pipeline(transaction=True)
        pipe.hset(self.keys.parts, part.key, json.dumps({**part.as_dict(), "worker": worker}))
        if record_keys:
            pipe.sadd(self.keys.exported, *record_keys)
        if tokens:
            pipe.hdel(self.keys.processing(worker), *tokens)
        pipe.execute()

    def parts(self) -> list[PartInfo]:
        found = []
        for raw in self.r.hvals(self.keys.parts):
            entry = json.loads(raw)
            found.append(
                PartInfo(entry["key"], int(entry["records"]), int(entry["bytes"]), entry["sha256"])
            )
        return sorted(found, key=lambda p: p.key)

    def exported_count(self) -> int:
        return int(self.r.scard(self.keys.exported))

    # --- completion and the manifest ------------------------------------------------------------
    def completion(self) -> Completion:
        """Complete when seeded, nothing is queued and every worker is done/dead/failed with nothing held."""
        if not self.seeded():
            return Completion(False, "the start points are not seeded yet")
        self.frontier.requeue_dead()
        if len(self.frontier):
            return Completion(False, f"{len(self.frontier)} request(s) still queued")
        for worker, state in self.frontier.states().items():
            if state not in FINISHED_STATES:
                return Completion(False, f"worker {worker} is still {state}")
            if state == DEAD and self.frontier.in_flight(worker):
                return Completion(False, f"dead worker {worker} still holds requests")
        return Completion(True, "complete")

    def finalize(self, sink: ArticleSink, *, force: bool = False) -> str | None:
        """Write the run's single manifest if the run is complete (or ``force``); its key, else None.

        Only one caller writes it: ``finalizing`` is a short lock, ``finalized`` is set after the write.
        """
        done = self.finalized()
        if done:
            return done
        state = self.completion()
        if not state.complete and not force:
            logger.info(
                "Distributed: run %(run)s not finalized: %(why)s",
                {"run": self.keys.run_id, "why": state.reason},
            )
            return None
        if not self.r.set(self.keys.finalizing, b"1", nx=True, ex=300):
            return None
        try:
            info = {_text(k): _text(v) for k, v in self.r.hgetall(self.keys.info).items()}
            parts = self.parts()
            manifest = build_manifest(
                run_id=self.keys.run_id,
                schema_version=info.get("schema_version", ""),
                started_at=info.get("started_at", now_iso()),
                ended_at=now_iso() if state.complete else None,
                written_at=now_iso(),
                compression=info.get("compression", "gzip"),
                parts=parts,
            )
            key = manifest_key(self.keys.run_id)
            sink.put_bytes(encode_manifest(manifest), key, content_type=content_type(key))
            self.r.set(self.keys.finalized, key)
            self._retire(state.complete)
            logger.info(
                "Distributed: run %(run)s finalized: %(parts)d part(s), %(records)d record(s), manifest %(key)s",
                {
                    "run": self.keys.run_id,
                    "parts": len(parts),
                    "records": manifest["totals"]["records"],
                    "key": key,
                },
            )
            return key
        finally:
            self.r.delete(self.keys.finalizing)

    def _retire(self, complete: bool) -> None:
        current = current_run_key(self.keys.prefix)
        if _text(self.r.get(current) or b"") == self.keys.run_id:
            self.r.delete(current)
        if complete:
            for key in self.r.scan_iter(match=f"{self.keys.base}:*"):
                self.r.expire(key, RUN_TTL_SECONDS)


def resolve_run(
    client: Any, prefix: str, *, run_id: str | None, create: bool, new_id: str
) -> str | None:
    """The run to work on: ``run_id``, else the current run, else (``create``) ``new_id`` made current."""
    key = current_run_key(prefix)
    if run_id:
        if create:
            client.set(key, run_id, nx=True)
        return run_id
    current = client.get(key)
    if current:
        return _text(current)
    if not create:
        return None
    if client.set(key, new_id, nx=True):
        return new_id
    return _text(client.get(key))


__all__ = ["BUSY", "Completion", "RunBoard", "resolve_run"]
