"""Object keys of the export: names, partitions, part and manifest keys (see the package docstring)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from pipelines.core.storage.errors import InvalidKeyPart

Compression = Literal["gzip", "none"]
COMPRESSIONS: tuple[Compression, ...] = ("gzip", "none")

# Same rule as the site registry (crawler/registry.py SITE_NAME_RE).
SITE_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
# Run ids are ``YYYYMMDDTHHMMSSZ-xxxxxx``: upper case is allowed for the T and Z.
RUN_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,79}$")
UNKNOWN_SITE = "unknown"
ARTICLES = "articles/"
MANIFESTS = "manifests/"
PART_KEY_RE = re.compile(
    r"^articles/dt=(?P<dt>\d{4}-\d{2}-\d{2})/site=(?P<site>[a-z0-9][a-z0-9-]*)/"
    r"part-(?P<run_id>[A-Za-z0-9][A-Za-z0-9-]*)(?:_(?P<worker>[a-z0-9][a-z0-9-]*))?-(?P<seq>\d{5,})"
    r"\.jsonl(?P<gz>\.gz)?$"
)
# A worker of a distributed run (crawler/distributed) names its parts part-RUNID_WORKER-NNNNN: run ids
# never contain "_", so the key still parses unambiguously.
WORKER_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
MANIFEST_KEY_RE = re.compile(r"^manifests/run=(?P<run_id>[A-Za-z0-9][A-Za-z0-9-]*)\.json$")


def check_site(site: str) -> str:
    if not SITE_NAME_RE.match(site):
        raise InvalidKeyPart(
            f"site name {site!r} is not allowed in an object key: use [a-z0-9][a-z0-9-]{{0,62}}"
        )
    return site


def check_run_id(run_id: str) -> str:
    if not RUN_ID_RE.match(run_id):
        raise InvalidKeyPart(
            f"run id {run_id!r} is not allowed in an object key: use [A-Za-z0-9][A-Za-z0-9-]{{0,79}}"
        )
    return run_id


def new_run_id(now: datetime | None = None) -> str:
    """A fresh run id, ``YYYYMMDDTHHMMSSZ-xxxxxx`` (UTC time, 6 random hex chars)."""
    now = now or datetime.now(UTC)
    return f"{now.astimezone(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


@dataclass(frozen=True, slots=True, order=True)
class Partition:
    """One ``dt=YYYY-MM-DD/site=NAME`` folder of the export."""

    dt: str
    site: str

    @property
    def path(self) -> str:
        return f"dt={self.dt}/site={self.site}"

    @property
    def slug(self) -> str:
        """A flat file name for the spool's open batch of this partition."""
        return f"{self.dt}_{self.site}"


def _utc_date(value: str, field: str) -> str:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidKeyPart(f"{field}={value!r} is not an ISO 8601 date-time") from exc
    if moment.tzinfo is None:  # the schema requires an offset; treat a naive value as UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).date().isoformat()


def partition_of(record: dict[str, Any], *, today: str) -> Partition:
    """The partition of ``record``: published_at's UTC date, else fetched_at's, else ``today``.

    A record without a site goes to ``site=unknown``.
    """
    site = record.get("site")
    site = UNKNOWN_SITE if site is None else check_site(str(site))
    for field in ("published_at", "fetched_at"):
        value = record.get(field)
        if value:
            return Partition(_utc_date(str(value), field), site)
    return Partition(today, site)


def check_worker(worker: str) -> str:
    if not WORKER_RE.match(worker):
        raise InvalidKeyPart(
            f"worker id {worker!r} is not allowed in an object key: use [a-z0-9][a-z0-9-]{{0,62}}"
        )
    return worker


def part_key(
    partition: Partition, run_id: str, seq: int, compression: Compression, worker: str = ""
) -> str:
    """``articles/dt=.../site=.../part-RUNID[_WORKER]-NNNNN.jsonl[.gz]``, relative to the output prefix."""
    suffix = ".jsonl.gz" if compression == "gzip" else ".jsonl"
    run = check_run_id(run_id) + (f"_{check_worker(worker)}" if worker else "")
    return f"{ARTICLES}{partition.path}/part-{run}-{seq:05d}{suffix}"


def manifest_key(run_id: str) -> str:
    return f"{MANIFESTS}run={check_run_id(run_id)}.json"


def content_type(key: str) -> str:
    if key.endswith(".gz"):
        return "application/gzip"
    if key.endswith(".jsonl"):
        return "application/x-ndjson"
    return "application/json"
