"""Resume after a crash: make the seen-store agree with what the export spool really kept.

An exported article is *held* in the seen-store (``SQLiteSeenStore.hold``) until the part file
with its record is stored; then it is committed (seen). A crawl killed with SIGKILL leaves held
entries behind. At the start of the next run, for each dead run that holds entries:

* the keys whose records are in a finished part of that run's spool (``SPOOL/RUNID/parts``)
  are committed: the part is uploaded by this run (leftover upload), so the article must not be
  fetched and exported again (no duplicate);
* the rest are forgotten: their records were in unfinished batches, which the exporter discards,
  so the articles are fetched again (no loss).

A run whose spool is locked by a live process is left alone.
"""

from __future__ import annotations

import gzip
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from crawler.state.seen import SeenEntry
from pipelines.core.storage.errors import SpoolBusy, SpoolError
from pipelines.core.storage.spool import SpoolRun

logger = logging.getLogger(__name__)


class HoldingSeenStore(Protocol):
    def hold(self, entry: SeenEntry, run_id: str) -> None: ...

    def pending_runs(self) -> list[str]: ...

    def commit(self, run_id: str, keys: list[str]) -> int: ...

    def forget_pending(self, run_id: str) -> int: ...


@dataclass(slots=True)
class Reconciled:
    committed: int = 0
    forgotten: int = 0
    runs: int = 0


def record_urls(path: Path) -> list[str]:
    """The ``url`` of every record in a finished part file (gzip when the name ends in ``.gz``)."""
    data = path.read_bytes()
    body = gzip.decompress(data) if path.name.endswith(".gz") else data
    return [json.loads(line)["url"] for line in body.splitlines() if line.strip()]


def reconcile_pending(seen: HoldingSeenStore, spool_dir: Path) -> Reconciled:
    """Commit or forget what dead runs still hold (see the module docstring)."""
    outcome = Reconciled()
    for run_id in seen.pending_runs():
        path = spool_dir / run_id
        if not path.is_dir():
            # The run removed its spool only after storing everything; nothing it holds has a record.
            outcome.forgotten += seen.forget_pending(run_id)
            outcome.runs += 1
            continue
        run = SpoolRun(path)
        try:
            run.acquire()
        except SpoolBusy:
            logger.info("Resume: run %(run)s is live, leaving its held entries", {"run": run_id})
            continue
        except SpoolError as exc:
            logger.warning("Resume: cannot lock %(path)s: %(error)s", {"path": path, "error": exc})
            continue
        try:
            keys = [url for part in run.parts() for url in record_urls(run.part_path(part.key))]
            outcome.committed += seen.commit(run_id, keys)
            outcome.forgotten += seen.forget_pending(run_id)
            outcome.runs += 1
        except (SpoolError, OSError, ValueError, KeyError) as exc:
            # Held entries are not seen: the articles are fetched again, which is safe.
            logger.warning(
                "Resume: cannot read the parts of %(path)s: %(error)s", {"path": path, "error": exc}
            )
        finally:
            run.release()
    if outcome.runs:
        logger.info(
            "Resume: %(runs)d interrupted run(s): %(committed)d article(s) had a stored record, "
            "%(forgotten)d will be fetched again",
            {"runs": outcome.runs, "committed": outcome.committed, "forgotten": outcome.forgotten},
        )
    return outcome
