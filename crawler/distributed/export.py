"""``DistributedExportPipeline`` [500]: the export stage of a worker in a distributed run.

Same spool, parts and uploads as :class:`pipelines.export.ExportPipeline`, with three differences:

* parts are named ``part-RUNID_WORKER-NNNNN`` and spooled under ``STATE_DIR/spool-workers/``;
* before spooling a record the worker claims its article key in Redis: a record already stored,
  or claimed by another live worker, is dropped (``AlreadyExported``), so each record is exported
  once however often its page was fetched (a dead worker's requests are crawled again);
* after each part is stored it is journaled in Redis with its records' keys, and the requests of
  those records are acked, in one transaction. No manifest per worker: the run's single
  manifest (``RunBoard.finalize``) lists every journaled part.
* as a part is made, each record's ``syndication`` is refreshed from the shared index: a copy
  spooled before another worker found its original is linked to it. The last parts are made
  when the whole run is idle, so they carry the final links; a part sealed mid-crawl (every
  ``SYNDICRAWL_EXPORT_BATCH_SIZE`` records) carries the links known at that moment.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import shutil
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scrapy.exceptions import DropItem

from crawler.config import read_options
from crawler.distributed.context import WorkerContext, context_for
from crawler.items import SCHEMA_VERSION, ArticleItem
from pipelines.core.storage import SpoolBusy, SpoolError
from pipelines.core.storage.sink import normalise_uri
from pipelines.core.storage.spool import SpoolRun, measure
from pipelines.errors import DuplicateArticle
from pipelines.export import ExportPipeline, core_options, open_link_source
from pipelines.stage_options import ExportStageOptions
from pipelines.stats import count

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

WORKER_SPOOL_SUBDIR = "spool-workers"  # not under spool/: a single-machine run must not adopt these


class AlreadyExported(DuplicateArticle):
    """Another worker of the distributed run stored (or is storing) this article's record."""


def record_keys(path: Path) -> list[str]:
    """The ``url`` of every record in a part file."""
    data = path.read_bytes()
    body = gzip.decompress(data) if path.name.endswith(".gz") else data
    return [json.loads(line)["url"] for line in body.splitlines() if line.strip()]


class DistributedExportPipeline(ExportPipeline):
    """The export stage of one worker: per-worker part names and spool, a claim per record, each
    stored part journaled in Redis (the module docstring says why each differs)."""

    context: WorkerContext

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        context = context_for(crawler)
        stage = read_options(ExportStageOptions, crawler.settings)
        options = replace(
            core_options(stage, crawler.settings),
            worker=context.worker,
            spool_dir=Path(stage.state_dir) / WORKER_SPOOL_SUBDIR,
        )
        pipeline = cls(options, stats=crawler.stats)
        pipeline.crawler = crawler
        pipeline.detector = open_link_source(stage)  # the shared Redis index here
        if pipeline.detector is not None:
            pipeline.exporter.transform_line = pipeline._refresh_links
        pipeline.context = context
        pipeline.exporter.on_part_stored = pipeline._part_stored
        return pipeline

    def open_spider(self) -> None:
        self._discard_dead_spools()
        self.context.board.open_run(
            output_uri=normalise_uri(self.options.output_uri),
            schema_version=SCHEMA_VERSION,
            compression=self.options.compression,
        )
        super().open_spider()

    def _discard_dead_spools(self) -> None:
        # Spools of dead workers on this machine: their unstored records are crawled again elsewhere.
        folder = self.options.spool_dir
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            run = SpoolRun(path)
            try:
                run.acquire()
            except (SpoolBusy, SpoolError):
                continue  # a live worker's spool
            try:
                logger.info(
                    "Export: discarding the spool of a dead worker, %(path)s", {"path": path}
                )
                shutil.rmtree(path, ignore_errors=True)
            finally:
                run.release()

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return super().process_item(item)
        if not self.context.board.claim(item.url, self.context.worker):
            count(self.stats, "distributed", "already_exported", site=item.site)
            raise AlreadyExported(
                f"another worker of run {self.options.run_id} exported it: {item.url}"
            )
        try:
            return super().process_item(item)
        except DropItem:
            with contextlib.suppress(Exception):
                self.context.board.release(item.url, self.context.worker)
            raise

    def _part_stored(self, key: str, path: Path) -> None:
        """Journal a stored part (upload thread); a failure keeps the spool and fails the run."""
        try:
            part = measure(path, key)
            keys = record_keys(path)
            tokens = [
                token for token in (self.context.deferred.pop(k, None) for k in keys) if token
            ]
            self.context.board.record_part(part, self.context.worker, keys, tokens)
        except Exception as exc:
            raise SpoolError(
                f"part {key} is stored but could not be journaled in Redis: {exc!r}"
            ) from exc
        count(self.stats, "distributed", "parts_journaled")
