"""The seen-store: what was fetched before, so unchanged articles are not fetched again.

Decisions, per article URL key (see ``crawler.discovery.urls.normalize_url``):

* never seen                                  -> fetch
* seen, discovery gives a ``lastmod`` newer
  than the one stored                         -> fetch again (conditional GET with the stored
                                                 ETag / Last-Modified; the article is re-exported
                                                 with its ``updated_at``)
* seen, no newer ``lastmod``                   -> skip, counted as unchanged

A URL is recorded once its item has left the pipeline (exported or dropped), so a crawl that dies
before exporting an article fetches it again next time. An exported article is first *held*
(``hold``, table ``pending``, with the spool run that has its record) and becomes seen only when
its record's part file is stored (``commit``): after a SIGKILL the next run discards unfinished
spool batches, and an article whose record was in one must be fetched again, not skipped.
``reconcile_pending`` (at the start of the next run) commits the held keys that did reach a
finished part of the dead run's spool and forgets the rest.

SQLite (default, one file under the state dir) for a single machine; a Redis store with the same
interface serves distributed crawls.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable
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

    def values(self) -> tuple[str | None, ...]:
        """The fields in column order (both tables store them after their own leading columns)."""
        return (
            self.key,
            self.site,
            self.lastmod,
            self.etag,
            self.last_modified,
            self.content_sha256,
            self.outcome,
        )


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
    parsed: datetime | None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        parsed = dateparser.parse(
            value, settings={"RETURN_AS_TIMEZONE_AWARE": True, "TO_TIMEZONE": "UTC"}
        )
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
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS pending (key TEXT PRIMARY KEY, run_id TEXT NOT NULL, site TEXT NOT NULL,"
            " lastmod TEXT, etag TEXT, last_modified TEXT, content_sha256 TEXT, outcome TEXT NOT NULL,"
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
                (*entry.values(), time.time()),
            )

    def hold(self, entry: SeenEntry, run_id: str) -> None:
        """Keep ``entry`` until the part with its record is stored (``commit``); not seen until then."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO pending VALUES (?,?,?,?,?,?,?,?,?)",
                (entry.key, run_id, *entry.values()[1:], time.time()),
            )

    def commit(self, run_id: str, keys: Iterable[str]) -> int:
        """Make the held entries of ``keys`` (held by ``run_id``) seen; returns how many."""
        moved = 0
        with self._lock:
            self._db.execute("BEGIN")
            try:
                for key in keys:
                    cursor = self._db.execute(
                        "INSERT OR REPLACE INTO seen SELECT key, site, lastmod, etag, last_modified,"
                        " content_sha256, outcome, ? FROM pending WHERE key=? AND run_id=?",
                        (time.time(), key, run_id),
                    )
                    if cursor.rowcount:
                        moved += 1
                        self._db.execute(
                            "DELETE FROM pending WHERE key=? AND run_id=?", (key, run_id)
                        )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return moved

    def forget_pending(self, run_id: str) -> int:
        """Drop what ``run_id`` still holds (its records never reached a part): fetched again."""
        with self._lock:
            return self._db.execute("DELETE FROM pending WHERE run_id=?", (run_id,)).rowcount

    def pending_runs(self) -> list[str]:
        with self._lock:
            return [
                row[0]
                for row in self._db.execute("SELECT DISTINCT run_id FROM pending ORDER BY run_id")
            ]

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM seen").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
