"""Export stage [500]: validated records -> local spool -> object store, manifest last.

The layout of the export and its guarantees are in :mod:`pipelines.core.storage`. Scrapy's
``FEEDS`` is not used: its S3 storage logs a failed upload and still exits 0, and it cannot write
partitioned keys or manifests.

The runner reads the outcome from ``crawler.stats.get_value("syndicrawl/export/run_failed")``
(1 = the export failed, the spool is kept and the run must exit non-zero) or from
``ExportPipeline.failed``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scrapy.utils.asyncio import run_in_thread
from twisted.python.failure import Failure

from crawler.config import read_options, setting_name
from crawler.items import SCHEMA_RESOURCE, SCHEMA_VERSION, ArticleItem, to_record
from pipelines.core.storage import (
    ArticleSink,
    Exporter,
    ExportOptions,
    ExportResult,
    InvalidKeyPart,
    RecordValidator,
    SpoolError,
    encode_record,
    new_run_id,
)
from pipelines.errors import ExportFailed, InvalidRecord
from pipelines.stage_options import ExportStageOptions
from pipelines.stats import count

if TYPE_CHECKING:
    from collections.abc import Mapping

    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

STAGE = "export"
RUN_FAILED_STAT = "syndicrawl/export/run_failed"
FAILURE_MESSAGE_STAT = "syndicrawl/export/failure_message"  # read by crawler.runner.run_problems

# Named when a failed upload leaves the spool for the next run.
OUTPUT_URI = setting_name(ExportStageOptions, "output_uri")
STATE_DIR = setting_name(ExportStageOptions, "state_dir")
SPOOL_SUBDIR = "spool"
SPOOL_RUN_HINT = "spool_run"  # item.hints key: the spool run holding the item's record

# Resume without loss or duplicates (crawler/state/resume.py). ``record_spooling`` is sent with
# ``item`` and ``run_id`` just BEFORE a record is appended to the spool: the spider holds the
# article in the seen-store (not seen yet). ``records_stored`` is sent (upload thread) after a
# part of this run is stored, with ``run_id`` and ``keys`` (each record's ``url``): the spider
# commits those articles then. An article is never seen while its record sits in an open batch,
# which the next run discards after a SIGKILL.
record_spooling = object()
records_stored = object()


def open_link_source(stage: ExportStageOptions) -> Any:
    """A read handle on the syndication index (None when the stage is off)."""
    if not stage.syndication_enabled:
        return None
    from pipelines.core.dedupe import SyndicationDetector, open_index

    index = open_index(
        stage.syndication_backend,
        state_dir=stage.state_dir,
        redis_url=stage.redis_url,
        redis_prefix=stage.syndication_redis_prefix,
    )
    return SyndicationDetector(index)


def core_options(stage: ExportStageOptions, settings: Mapping[str, Any]) -> ExportOptions:
    """The exporter's options: the stage's settings, and Scrapy's ``AWS_*`` ones for S3."""
    return ExportOptions(
        output_uri=stage.output_uri,
        spool_dir=Path(stage.state_dir) / SPOOL_SUBDIR,
        run_id=stage.run_id or new_run_id(),
        batch_size=stage.batch_size,
        compression=stage.compression,
        gzip_level=stage.gzip_level,
        retries=stage.retries,
        backoff_seconds=stage.backoff_seconds,
        multipart_threshold=stage.multipart_threshold,
        endpoint_url=settings.get("AWS_ENDPOINT_URL") or None,
        region=settings.get("AWS_REGION_NAME") or None,
    )


def options_from_settings(settings: Mapping[str, Any]) -> ExportOptions:
    """The export options of a crawl; ``BadSetting`` names the setting, the value and what is allowed."""
    return core_options(read_options(ExportStageOptions, settings), settings)


class ExportPipeline:
    """Write each valid record to the spool, upload parts during the crawl, the manifest at close.

    Settings (:class:`~pipelines.stage_options.ExportStageOptions`, with their defaults):

    - ``SYNDICRAWL_OUTPUT_URI``: a directory or ``s3://bucket/prefix``.
    - ``SYNDICRAWL_STATE_DIR``: the spool is ``<state dir>/spool``.
    - ``SYNDICRAWL_RUN_ID`` (generated when empty): goes into every key of the run.
    - ``SYNDICRAWL_EXPORT_BATCH_SIZE``: records per part file.
    - ``SYNDICRAWL_EXPORT_COMPRESSION``: ``gzip`` or ``none``.
    - ``SYNDICRAWL_EXPORT_RETRIES``: retries per upload after the first attempt.
    - ``SYNDICRAWL_EXPORT_BACKOFF_SECONDS``: first retry delay, doubled per retry, 60 s at most.
    - ``SYNDICRAWL_EXPORT_MULTIPART_THRESHOLD`` (at least 5 MiB): larger files go up in parts.
    - ``AWS_ENDPOINT_URL`` (MinIO, R2, Ceph), ``AWS_REGION_NAME``. Credentials only come from
      boto3's standard chain.

    Example: ``SYNDICRAWL_OUTPUT_URI=s3://news-archive/syndicrawl AWS_ENDPOINT_URL=http://minio:9000``.

    Stats: ``syndicrawl/export/exported_count`` (and per site), ``invalid_count``, ``spooled_bytes``,
    ``parts_count``, ``uploaded_count/<part|manifest>``, ``uploaded_bytes``, ``retries_count[/<reason>]``,
    ``failed_count[/<reason>]``, ``leftover_runs_count``, and ``syndicrawl/export/run_failed`` (0 or 1).
    """

    crawler: Crawler

    def __init__(
        self,
        options: ExportOptions,
        *,
        stats: StatsCollector | None = None,
        sink: ArticleSink | None = None,
        validator: RecordValidator | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.options = options
        self.stats = stats
        self.validator = validator or RecordValidator()
        self.exporter = Exporter(
            options, schema_version=SCHEMA_VERSION, sink=sink, on_event=self._on_event, sleep=sleep
        )
        self.failed = False
        self.result: ExportResult | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        stage = read_options(ExportStageOptions, crawler.settings)
        pipeline = cls(core_options(stage, crawler.settings), stats=crawler.stats)
        pipeline.crawler = crawler
        pipeline.detector = open_link_source(stage)
        if pipeline.detector is not None:
            pipeline.exporter.transform_line = pipeline._refresh_links
        pipeline.exporter.on_part_stored = pipeline._announce_stored
        pipeline.announce_stored = True
        return pipeline

    # True when each stored part is announced with ``records_stored`` (single-machine runs).
    announce_stored = False

    def _hold(self, item: ArticleItem) -> None:
        item.hints[SPOOL_RUN_HINT] = self.options.run_id
        results = self.crawler.signals.send_catch_log(
            signal=record_spooling, item=item, run_id=self.options.run_id
        )
        if any(isinstance(result, Failure) for _receiver, result in results):
            # Logged by send_catch_log; the record is still exported (the next run may fetch it again).
            count(self.stats, STAGE, "failed", "seen_store")

    def _announce_stored(self, key: str, path: Path) -> None:
        """Tell the seen-store which articles are safely stored; a failure fails the run (spool kept)."""
        from crawler.state.resume import record_urls

        try:
            keys = record_urls(path)
        except (OSError, ValueError, KeyError) as exc:
            raise SpoolError(f"cannot read back the stored part {key}: {exc!r}") from exc
        results = self.crawler.signals.send_catch_log(
            signal=records_stored, run_id=self.options.run_id, keys=keys
        )
        for _receiver, result in results:
            if isinstance(result, Failure):
                raise SpoolError(
                    f"part {key} is stored but the seen-store was not updated: {result.getErrorMessage()}"
                )

    # Reads the syndication index as each part is made (upload thread), so a record carries the
    # links known then: an original exported before its copies were found still lists them.
    detector: Any = None

    def _refresh_links(self, line: bytes) -> bytes:
        """The record with its syndication as the index has it now."""
        record = json.loads(line)
        doc = self.detector.index.get_by_url(record.get("url") or "")
        if doc is None or "syndication" not in record:
            return line
        fresh = asdict(self.detector.syndication_of(doc))
        if fresh == record["syndication"]:
            return line
        record["syndication"] = fresh
        count(self.stats, STAGE, "relinked")
        return encode_record(record)

    def _on_event(self, outcome: str, detail: str | None, value: int) -> None:
        # Called from the upload thread too: the keys it touches are never written by the crawl thread.
        count(self.stats, STAGE, outcome, detail, value=value)
        if detail is not None:
            count(self.stats, STAGE, outcome, value=value)

    def open_spider(self) -> None:
        self.exporter.start()
        logger.info(
            "Export: run %(run)s writes to %(store)s, spool %(spool)s",
            {
                "run": self.options.run_id,
                "store": self.exporter.sink.describe(),
                "spool": self.exporter.spool.path,
            },
        )

    def _invalid(self, message: str, site: str | None) -> InvalidRecord:
        count(self.stats, STAGE, "invalid", site=site)
        return InvalidRecord(message)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            raise self._invalid(f"expected an ArticleItem, got {type(item).__name__}", None)
        record = to_record(item)
        if record.get("run_id") is None:
            record["run_id"] = self.options.run_id
        problems = self.validator.problems(record)
        if problems:
            raise self._invalid(
                f"record does not match {SCHEMA_RESOURCE}: {'; '.join(problems)}: {item.url}",
                item.site,
            )
        if self.announce_stored:
            self._hold(item)
        try:
            partition, size = self.exporter.add(record)
        except InvalidKeyPart as exc:
            raise self._invalid(f"{exc}: {item.url}", None) from exc
        except SpoolError as exc:
            self.failed = True
            if self.stats is not None:
                self.stats.set_value(RUN_FAILED_STAT, 1)
            count(self.stats, STAGE, "failed", "spool_io")
            count(self.stats, STAGE, "failed")
            raise ExportFailed(f"{exc}: {item.url}") from exc
        count(self.stats, STAGE, "exported", site=partition.site)
        count(self.stats, STAGE, "spooled_bytes", value=size)
        return item

    async def close_spider(self) -> None:
        # close() uploads and may wait on retries: keep it off the reactor.
        result = await run_in_thread(self.exporter.close)
        self.result = result
        self.failed = self.failed or result.failed
        if self.stats is not None:
            self.stats.set_value(RUN_FAILED_STAT, int(self.failed))
        if result.failed:
            if self.stats is not None:
                self.stats.set_value(
                    FAILURE_MESSAGE_STAT,
                    f"export to {result.store} failed ({result.reason}); spool kept at {result.spool_path}",
                )
            logger.error(
                "Export: storing run %(run)s in %(store)s FAILED (%(reason)s): %(error)s. "
                "%(parts)d part(s) with %(records)d record(s) are kept in the spool at %(spool)s; "
                "the next run with the same %(state)s and %(uri)s uploads them first.",
                {
                    "run": result.run_id,
                    "store": result.store,
                    "reason": result.reason,
                    "error": result.error,
                    "parts": result.parts,
                    "records": result.records,
                    "spool": result.spool_path,
                    "state": STATE_DIR,
                    "uri": OUTPUT_URI,
                },
                exc_info=result.error,
            )
        else:
            logger.info(
                "Export: run %(run)s stored in %(store)s: %(records)d record(s) in %(parts)d part(s), "
                "manifest %(manifest)s; leftover runs uploaded: %(leftovers)s",
                {
                    "run": result.run_id,
                    "store": result.store,
                    "records": result.records,
                    "parts": result.parts,
                    "manifest": result.manifest_key,
                    "leftovers": ", ".join(result.leftover_runs) or "none",
                },
            )
