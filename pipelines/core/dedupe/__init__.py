"""Syndication core: sketch, index, verify and link republished copies (no Scrapy here).

Modules: ``text`` (normalisation, shingles, hashes), ``sketch`` (bottom-k MinHash, containment),
``index`` / ``sqlite_index`` / ``redis_index`` (storage), ``verify`` (pair scores), ``detector``
(linking), ``options``, ``errors``.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.core.dedupe.detector import (
    ArticleInput,
    SyndicationDetector,
    SyndicationResult,
    SyndicationUpdate,
    cluster_id,
)
from pipelines.core.dedupe.errors import BadSyndicationOptions, IndexUnavailable, SyndicationError
from pipelines.core.dedupe.index import MemoryIndex, SyndicationIndex
from pipelines.core.dedupe.options import BACKENDS, MODES, SyndicationOptions

INDEX_FILE = "syndication.sqlite3"

__all__ = [
    "BACKENDS",
    "MODES",
    "ArticleInput",
    "BadSyndicationOptions",
    "IndexUnavailable",
    "MemoryIndex",
    "SyndicationDetector",
    "SyndicationError",
    "SyndicationIndex",
    "SyndicationOptions",
    "SyndicationResult",
    "SyndicationUpdate",
    "cluster_id",
    "open_index",
]


def open_index(
    backend: str,
    *,
    state_dir: str | Path | None = None,
    redis_url: str | None = None,
    redis_prefix: str = "syndicrawl:syn",
) -> SyndicationIndex:
    """The configured index: ``sqlite`` (``<state_dir>/syndication.sqlite3``), ``redis`` or ``memory``."""
    if backend == "sqlite":
        from pipelines.core.dedupe.sqlite_index import SqliteIndex

        if not state_dir:
            raise BadSyndicationOptions("state_dir is empty: the sqlite backend needs a folder")
        return SqliteIndex(Path(state_dir) / INDEX_FILE)
    if backend == "redis":
        from pipelines.core.dedupe.redis_index import RedisIndex

        if not redis_url:
            raise BadSyndicationOptions("redis_url is empty: the redis backend needs a URL")
        return RedisIndex(redis_url, prefix=redis_prefix)
    if backend == "memory":
        return MemoryIndex()
    raise BadSyndicationOptions(f"backend={backend!r}: expected one of {', '.join(BACKENDS)}")
