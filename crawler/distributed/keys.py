"""Redis key names of distributed mode: one prefix, one folder of keys per run.

::

    PREFIX:current-run                 id of the run new workers join (deleted when it is finalized)
    PREFIX:seen                        the seen-store (kept across runs: incremental crawling)
    PREFIX:syn:*                       the syndication index (pipelines.core.dedupe.redis_index)
    PREFIX:run:RUNID:queue             ZSET of pickled requests, score = -priority (the frontier)
    PREFIX:run:RUNID:dupefilter        SET of request fingerprints (scrapy-redis RFPDupeFilter)
    PREFIX:run:RUNID:processing:W      HASH token -> "score|request": requests worker W popped
    PREFIX:run:RUNID:heartbeat:W       expires when worker W stops refreshing it (dead)
    PREFIX:run:RUNID:workers           HASH worker -> busy | idle | done | dead | failed
    PREFIX:run:RUNID:seed-lock         worker that seeds the start points (SET NX)
    PREFIX:run:RUNID:seeded            set once every start request is in the queue
    PREFIX:run:RUNID:hints             HASH article key -> JSON discovery hints (merged)
    PREFIX:run:RUNID:claims            HASH article key -> worker that spooled its record
    PREFIX:run:RUNID:exported          SET of article keys whose record is in a stored part
    PREFIX:run:RUNID:parts             HASH part key -> JSON PartInfo (the run's journal)
    PREFIX:run:RUNID:info              HASH started_at, schema_version, compression, output_uri
    PREFIX:run:RUNID:finalized         manifest key, once the run's single manifest is written
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.config import check_value
from crawler.distributed.options import DistributedOptions

WORKER_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def check_prefix(prefix: str) -> str:
    """``prefix`` if ``SYNDICRAWL_DISTRIBUTED_PREFIX`` allows it, else BadSetting naming it."""
    return str(check_value(DistributedOptions, "prefix", prefix))


def check_worker(worker: str) -> str:
    if not WORKER_RE.match(worker):
        raise ValueError(
            f"worker id {worker!r} is not allowed: use [a-z0-9][a-z0-9-]{{0,62}} (it goes into part keys)"
        )
    return worker


@dataclass(frozen=True, slots=True)
class RunKeys:
    prefix: str
    run_id: str

    def __post_init__(self) -> None:
        check_prefix(self.prefix)

    @property
    def base(self) -> str:
        return f"{self.prefix}:run:{self.run_id}"

    @property
    def queue(self) -> str:
        return f"{self.base}:queue"

    @property
    def dupefilter(self) -> str:
        return f"{self.base}:dupefilter"

    def processing(self, worker: str) -> str:
        return f"{self.base}:processing:{worker}"

    def heartbeat(self, worker: str) -> str:
        return f"{self.base}:heartbeat:{worker}"

    @property
    def heartbeat_prefix(self) -> str:
        return f"{self.base}:heartbeat:"

    @property
    def workers(self) -> str:
        return f"{self.base}:workers"

    @property
    def seed_lock(self) -> str:
        return f"{self.base}:seed-lock"

    @property
    def seeded(self) -> str:
        return f"{self.base}:seeded"

    @property
    def hints(self) -> str:
        return f"{self.base}:hints"

    @property
    def claims(self) -> str:
        return f"{self.base}:claims"

    @property
    def exported(self) -> str:
        return f"{self.base}:exported"

    @property
    def parts(self) -> str:
        return f"{self.base}:parts"

    @property
    def info(self) -> str:
        return f"{self.base}:info"

    @property
    def finalized(self) -> str:
        return f"{self.base}:finalized"

    @property
    def finalizing(self) -> str:
        return f"{self.base}:finalizing"


def current_run_key(prefix: str) -> str:
    return f"{check_prefix(prefix)}:current-run"


def seen_key(prefix: str) -> str:
    return f"{check_prefix(prefix)}:seen"
