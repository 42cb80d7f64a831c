"""``Exporter``: records -> spool parts -> uploads -> manifest, for one run.

The caller's thread only appends lines to the spool (cheap local writes). One worker thread
compresses sealed batches into parts and uploads them, so uploads run during the crawl. The
worker's first job is to upload the leftovers of earlier runs (their parts, then their manifest).
``close()`` seals the last batches, waits for the worker, writes the manifest last and deletes
the run's spool directory, unless something failed: then the spool is kept for the next run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipelines.core.storage.errors import SpoolBusy, SpoolError, StorageError
from pipelines.core.storage.layout import (
    COMPRESSIONS,
    Compression,
    Partition,
    check_run_id,
    check_worker,
    manifest_key,
    part_key,
    partition_of,
)
from pipelines.core.storage.manifest import build_manifest, encode_manifest
from pipelines.core.storage.records import encode_record
from pipelines.core.storage.sink import (
    DEFAULT_MULTIPART_THRESHOLD,
    MIN_MULTIPART_THRESHOLD,
    ArticleSink,
    normalise_uri,
    open_sink,
)
from pipelines.core.storage.spool import DEFAULT_GZIP_LEVEL, RunStart, SpoolRun, leftover_runs
from pipelines.core.storage.uploader import EventCallback, Uploader, _no_event

logger = logging.getLogger(__name__)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(kw_only=True, slots=True)
class ExportOptions:
    """Options of one run's export; ``ValueError`` names the option, the value and what is allowed."""

    output_uri: str
    spool_dir: Path
    run_id: str
    batch_size: int = 500
    compression: Compression = "gzip"
    gzip_level: int = DEFAULT_GZIP_LEVEL
    retries: int = 5
    backoff_seconds: float = 1.0
    backoff_max_seconds: float = 60.0
    multipart_threshold: int = DEFAULT_MULTIPART_THRESHOLD
    endpoint_url: str | None = None
    region: str | None = None
    # Set by a worker of a distributed run (crawler/distributed): parts are named
    # part-RUNID_WORKER-NNNNN, the spool is SPOOL/RUNID_WORKER, earlier spools are not uploaded
    # (their requests are crawled again) and no manifest is written: the run's coordinator writes
    # one for all workers from what ``Exporter.on_part_stored`` reported.
    worker: str = ""

    def __post_init__(self) -> None:
        check_run_id(self.run_id)
        if self.worker:
            check_worker(self.worker)
        if self.batch_size < 1:
            raise ValueError(f"batch_size={self.batch_size!r}: use an integer >= 1")
        if not 1 <= self.gzip_level <= 9:
            raise ValueError(f"gzip_level={self.gzip_level!r}: use an integer from 1 to 9")
        if self.compression not in COMPRESSIONS:
            raise ValueError(
                f"compression={self.compression!r}: use one of {', '.join(COMPRESSIONS)}"
            )
        if self.retries < 0:
            raise ValueError(f"retries={self.retries!r}: use an integer >= 0")
        if self.backoff_seconds < 0:
            raise ValueError(f"backoff_seconds={self.backoff_seconds!r}: use a number >= 0")
        if self.multipart_threshold < MIN_MULTIPART_THRESHOLD:
            raise ValueError(
                f"multipart_threshold={self.multipart_threshold!r}: use >= {MIN_MULTIPART_THRESHOLD} "
                "(5 MiB, the smallest part S3 accepts)"
            )


@dataclass(slots=True)
class ExportResult:
    """How the run's export ended."""

    run_id: str
    store: str
    spool_path: Path
    failed: bool = False
    reason: str | None = None
    error: BaseException | None = None
    manifest_key: str | None = None
    records: int = 0
    parts: int = 0
    bytes: int = 0
    leftover_runs: list[str] = field(default_factory=list)


class Exporter:
    """Exports one run: ``start()``, ``add(record)`` per record, then ``close()`` once."""

    def __init__(
        self,
        options: ExportOptions,
        *,
        schema_version: str,
        sink: ArticleSink | None = None,
        on_event: EventCallback = _no_event,
        sleep: Callable[[float], None] = time.sleep,
        on_part_stored: Callable[[str, Path], None] | None = None,
    ) -> None:
        self.options = options
        # Called in the upload thread with (key, local file) after each part of this run is stored.
        self.on_part_stored = on_part_stored
        # Rewrites each spooled line as its part is made (upload thread); None keeps lines as spooled.
        self.transform_line: Callable[[bytes], bytes] | None = None
        self.schema_version = schema_version
        self.sink = sink or open_sink(
            options.output_uri,
            endpoint_url=options.endpoint_url,
            region=options.region,
            multipart_threshold=options.multipart_threshold,
        )
        self.on_event = on_event
        self.uploader = Uploader(
            self.sink,
            retries=options.retries,
            backoff_seconds=options.backoff_seconds,
            backoff_max_seconds=options.backoff_max_seconds,
            on_event=on_event,
            sleep=sleep,
        )
        spool_name = f"{options.run_id}_{options.worker}" if options.worker else options.run_id
        self.spool = SpoolRun(options.spool_dir / spool_name)
        self.spool_failure: StorageError | None = None
        self._uri = normalise_uri(options.output_uri)
        self._today = datetime.now(UTC).date().isoformat()
        self._open: dict[Partition, int] = {}
        self._seqs: dict[Partition, int] = {}
        self._uploaded: set[str] = set()
        self._leftovers: list[str] = []
        self._started_at = _now()
        self._executor: ThreadPoolExecutor | None = None

    @property
    def failed(self) -> bool:
        return self.uploader.failure is not None or self.spool_failure is not None

    # --- caller thread ----------------------------------------------------------------------

    def start(self) -> None:
        """Lock the run's spool and queue the upload of earlier runs' leftovers."""
        self.spool.acquire()
        state = self.spool.read_state()
        discarded = self.spool.discard_unfinished()
        if discarded:
            logger.warning(
                "Export: discarded %(count)d unfinished record(s) of an earlier attempt of run %(run)s",
                {"count": discarded, "run": self.options.run_id},
            )
        if state.start is None:
            self.spool.write_start(
                RunStart(
                    self.options.run_id,
                    self._uri,
                    self.schema_version,
                    self.options.compression,
                    self._started_at,
                )
            )
        else:  # the same run id again (a retried run): carry on after its parts
            self._started_at = state.start.started_at
        self._seqs = self.spool.next_seqs()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="syndicrawl-export")
        if not self.options.worker:
            self._submit(self._upload_leftovers)

    def add(self, record: dict[str, Any]) -> tuple[Partition, int]:
        """Spool one record; its partition and encoded size. ``InvalidKeyPart`` or ``SpoolError``."""
        partition = partition_of(record, today=self._today)
        line = encode_record(record)
        try:
            self.spool.append(partition, line)
        except SpoolError as exc:
            self.spool_failure = self.spool_failure or exc
            raise
        self._open[partition] = self._open.get(partition, 0) + 1
        if self._open[partition] >= self.options.batch_size:
            self._seal(partition)
        return partition, len(line)

    def _seal(self, partition: Partition) -> None:
        seq = self._seqs.get(partition, 0)
        self._seqs[partition] = seq + 1
        self._open.pop(partition, None)
        batch = self.spool.seal(partition, seq)
        key = part_key(
            partition, self.options.run_id, seq, self.options.compression, self.options.worker
        )
        self._submit(self._finish_part, batch, key)

    def wait_idle(self) -> None:
        """Block until every queued part is written and its upload tried."""
        if self._executor is not None:
            self._executor.submit(lambda: None).result()

    def close(self) -> ExportResult:
        """Finish the run (blocking): last parts, uploads, manifest; keep the spool on failure."""
        try:
            for partition in sorted(self._open):
                self._seal(partition)
        except SpoolError as exc:
            self.spool_failure = exc
        if self._executor is not None:
            self._executor.shutdown(wait=True)
        result = ExportResult(self.options.run_id, self.sink.describe(), self.spool.path)
        try:
            self._finish_run(result)
        except SpoolError as exc:
            self.spool_failure = self.spool_failure or exc
        finally:
            self.spool.release()
        result.leftover_runs = list(self._leftovers)
        result.failed = self.failed
        failure: StorageError | None = self.uploader.failure or self.spool_failure
        if failure is not None:
            result.reason = getattr(failure, "reason", "spool_io")
            result.error = failure
        return result

    def _finish_run(self, result: ExportResult) -> None:
        ended_at = _now()
        self.spool.write_end(ended_at)
        parts = self.spool.parts()
        result.parts = len(parts)
        result.records = sum(part.records for part in parts)
        result.bytes = sum(part.bytes for part in parts)
        if self.failed:
            return
        for part in parts:
            if part.key not in self._uploaded and not self._upload_part(self.spool, part.key):
                return
        if self.options.worker:  # the distributed run writes one manifest for all its workers
            self.spool.remove()
            return
        manifest = build_manifest(
            run_id=self.options.run_id,
            schema_version=self.schema_version,
            started_at=self._started_at,
            ended_at=ended_at,
            written_at=_now(),
            compression=self.options.compression,
            parts=parts,
        )
        key = manifest_key(self.options.run_id)
        if self.uploader.put_bytes(encode_manifest(manifest), key, "manifest"):
            result.manifest_key = key
            self.spool.remove()

    # --- worker thread ----------------------------------------------------------------------

    def _submit(self, job: Callable[..., None], *args: Any) -> None:
        assert self._executor is not None, "Exporter.start() was not called"
        self._executor.submit(self._guard, job, *args)

    def _guard(self, job: Callable[..., None], *args: Any) -> None:
        # A job's exception would otherwise vanish into its Future: record it as the run's failure.
        try:
            job(*args)
        except SpoolError as exc:
            logger.exception("Export: spool failure: %(error)s", {"error": exc})
            self.spool_failure = self.spool_failure or exc
        except Exception as exc:
            logger.exception("Export: unexpected failure in the upload thread")
            self.spool_failure = self.spool_failure or SpoolError(f"upload thread failed: {exc!r}")

    def _finish_part(self, batch: Path, key: str) -> None:
        self.spool.finalise(
            batch,
            key,
            self.options.compression,
            self.transform_line,
            gzip_level=self.options.gzip_level,
        )
        self.on_event("parts", None, 1)
        self._upload_part(self.spool, key)

    def _upload_part(self, run: SpoolRun, key: str) -> bool:
        ok = self.uploader.put_file(run.part_path(key), key, "part")
        if ok and run is self.spool:
            self._uploaded.add(key)
            if self.on_part_stored is not None:
                self.on_part_stored(key, run.part_path(key))
        return ok

    def _upload_leftovers(self) -> None:
        for run in leftover_runs(self.options.spool_dir, exclude=self.options.run_id):
            if self.uploader.failure is not None:
                return
            try:
                run.acquire()
            except SpoolBusy:
                logger.info(
                    "Export: %(run)s belongs to a live process, not uploading it", {"run": run.path}
                )
                continue
            try:
                self._upload_leftover(run)
            finally:
                run.release()

    def _upload_leftover(self, run: SpoolRun) -> None:
        state = run.read_state()
        if state.start is None:
            if not run.parts():
                run.remove()  # killed before its first journal line: nothing to keep
                return
            logger.warning(
                "Export: %(run)s has parts but no journal start, not uploading it",
                {"run": run.path},
            )
            self.on_event("leftover_skipped", None, 1)
            return
        if state.start.output_uri != self._uri:
            logger.warning(
                "Export: %(run)s was written for %(other)s, not %(uri)s: leaving it in the spool",
                {"run": run.path, "other": state.start.output_uri, "uri": self._uri},
            )
            self.on_event("leftover_skipped", None, 1)
            return
        discarded = run.discard_unfinished()
        parts = run.parts()
        logger.info(
            "Export: uploading %(parts)d leftover part(s) of run %(run)s from %(path)s "
            "(%(discarded)d unfinished record(s) discarded)",
            {"parts": len(parts), "run": run.run_id, "path": run.path, "discarded": discarded},
        )
        for part in parts:  # re-uploads every part: the store may have lost what it had
            if not self._upload_part(run, part.key):
                return
        manifest = build_manifest(
            run_id=state.start.run_id,
            schema_version=state.start.schema_version,
            started_at=state.start.started_at,
            ended_at=state.ended_at,
            written_at=_now(),
            compression=state.start.compression,
            parts=parts,
        )
        if self.uploader.put_bytes(
            encode_manifest(manifest), manifest_key(state.start.run_id), "manifest"
        ):
            run.remove()
            self._leftovers.append(state.start.run_id)
            self.on_event("leftover_runs", None, 1)
