"""Export of article records to a directory or an S3-compatible bucket (no Scrapy here).

Layout of an export (``PREFIX`` is the path of ``SYNDICRAWL_OUTPUT_URI``: a local directory,
or ``s3://bucket/prefix``)::

    PREFIX/articles/dt=YYYY-MM-DD/site=NAME/part-RUNID-NNNNN.jsonl.gz
    PREFIX/manifests/run=RUNID.json

- One JSON object per line (``crawler.items.to_record``), UTF-8 with non-ASCII kept as is, every
  line ends with ``\\n``; gzip unless ``SYNDICRAWL_EXPORT_COMPRESSION=none`` (then ``.jsonl``).
  The records follow ``crawler/schemas/article.v1.json``.
- ``dt`` is the UTC date of ``published_at``; of ``fetched_at`` when it is unknown; of the export
  day when both are. ``site`` is the registry name (``[a-z0-9][a-z0-9-]{0,62}``), ``unknown`` for
  a record without one. Both are Hive-style, so engines can prune on them:
  ``read_json('PREFIX/articles/dt=2026-11-27/*/*.jsonl.gz')`` in DuckDB.
- A part holds at most ``SYNDICRAWL_EXPORT_BATCH_SIZE`` records. ``NNNNN`` counts from 00000 per
  run and partition, so a retried upload overwrites the same key instead of adding a copy.
- ``RUNID`` is ``[A-Za-z0-9][A-Za-z0-9-]*`` (``YYYYMMDDTHHMMSSZ-xxxxxx`` by default).
- The manifest is written LAST, after every part of the run is stored: a run without a manifest
  is unfinished or failed, and readers should ignore its parts. It lists each file's key,
  records, bytes and sha256, the totals, the schema version and the run's start and end times
  (see :mod:`pipelines.core.storage.manifest`). ``complete: false`` marks a run that was killed:
  its finished parts were uploaded by the next run; its unfinished batches were lost (the next
  crawl fetches those articles again).
- Records reach a local spool first (``SYNDICRAWL_STATE_DIR/spool/RUNID/``, see
  :mod:`pipelines.core.storage.spool`). When the store is down or refuses writes, the spool is
  kept and the next run with the same state dir and output URI uploads it before its own parts.

Modules: ``layout`` (keys and names), ``sink`` (the ``ArticleSink`` protocol, ``open_sink``),
``local`` / ``s3`` (the sinks), ``spool``, ``uploader`` (retries, backoff), ``manifest``,
``exporter`` (one run, end to end), ``verify`` (check an export), ``errors``.
"""

from __future__ import annotations

from pipelines.core.storage.errors import (
    InvalidKeyPart,
    ObjectNotFound,
    SpoolBusy,
    SpoolError,
    StorageError,
    StoreError,
)
from pipelines.core.storage.exporter import Exporter, ExportOptions, ExportResult
from pipelines.core.storage.layout import new_run_id
from pipelines.core.storage.records import RecordValidator, encode_record
from pipelines.core.storage.sink import ArticleSink, ObjectInfo, open_sink
from pipelines.core.storage.verify import VerifyReport, verify_export

__all__ = [
    "ArticleSink",
    "ExportOptions",
    "ExportResult",
    "Exporter",
    "InvalidKeyPart",
    "ObjectInfo",
    "ObjectNotFound",
    "RecordValidator",
    "SpoolBusy",
    "SpoolError",
    "StorageError",
    "StoreError",
    "VerifyReport",
    "encode_record",
    "new_run_id",
    "open_sink",
    "verify_export",
]
