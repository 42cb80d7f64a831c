"""The seen-store: what was fetched before, so unchanged articles are not fetched again.

Decisions, per article URL key (see ``crawler.discovery.urls.normalize_url``):

* never seen                                  -> fetch
* seen, discovery gives a ``lastmod`` newer
  than the one stored                         -> fetch again (conditional GET with the stored
                                                 ETag / Last-Modified; the article is re-exported
                                                 with its ``updated_at``)
* seen, no newer ``lastmod``                   -> skip, counted as unchanged

A URL is recorded once its item has left the pipeline (exported or dropped), so a crawl that dies
before exporting an article fetches it again next time.

SQLite (default, one file under the state dir) for a single machine; a Redis store with the same
interface serves distributed crawls.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

import dateparser

Decision = Literal["new", "changed", "unchanged"]


@dataclass(frozen=True, slots=True)
class SeenEntry:
    key: str
    site: str
    lastmod: str | None
    etag: str | None
    last_modified: str | None
    content_sha256: str | None
    outcome: str


class SeenStore(Protocol):
    def get(self, key: str) -> SeenEntry | None: ...

    def record(self, entry: SeenEntry) -> None: ...

    def close(self) -> None: ...


class SharedHints(Protocol):
    """Discovery hints shared by the workers of a distributed run (``crawler.distributed.hints``)."""

    def merge(self, key: str, hints: dict[str, Any]) -> bool:
        """Merge ``hints`` (first value wins per field); True on the first sighting of ``key``."""
        ...

    def get(self, key: str) -> dict[str, Any]: ...


def parse_lastmod(value: str | None) -> datetime | None:
    """A sitemap/feed date as an aware UTC datetime (W3C datetime, RFC 822, or free text)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        parsed = dateparser.parse(value, settings={"RETURN_AS_TIMEZONE_AWARE": True, "TO_TIMEZONE": "UTC"})
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def decide(entry: SeenEntry | None, lastmod: str | None) -> Decision:
    if entry is None:
        return "new"
    new, old = parse_lastmod(lastmod), parse_lastmod(entry.lastmod)
    if new is not None and (old is None or new > old):
        return "changed"
    return "unchanged"


class SQLiteSeenStore:
    """Seen-store in one SQLite file (WAL, so a reader never blocks the crawl)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, site TEXT NOT NULL, lastmod TEXT,"
            " etag TEXT, last_modified TEXT, content_sha256 TEXT, outcome TEXT NOT NULL,"
            " updated REAL NOT NULL)"
        )

    def get(self, key: str) -> SeenEntry | None:
        with self._lock:
            row = self._db.execute(
                "SELECT key, site, lastmod, etag, last_modified, content_sha256, outcome FROM seen WHERE key=?",
                (key,),
            ).fetchone()
        return SeenEntry(*row) if row else None

    def record(self, entry: SeenEntry) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO seen VALUES (?,?,?,?,?,?,?,?)",
                (entry.key, entry.site, entry.lastmod, entry.etag, entry.last_modified,
                 entry.content_sha256, entry.outcome, time.time()),
            )

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM seen").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
