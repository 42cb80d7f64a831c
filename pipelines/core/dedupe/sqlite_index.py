"""SQLite backend of the syndication index: one file, WAL mode, buckets on disk.

Memory stays bounded as the index grows: buckets are a ``WITHOUT ROWID`` table keyed
(key, doc), read with one indexed query per lookup, and SQLite's page cache is capped.

Commits are batched. The detector calls ``commit`` once per article; the index commits then only
every ``batch_articles`` articles (64) or ``batch_seconds`` (1 s), as one commit writes each page
an article touched (some 25 random pages) and cost more than the article's inserts and lookups.
What other code reads stays as it was with one commit per article:

* the writer's own connection reads the open batch;
* another ``SqliteIndex`` on the same file in this process (the export stage reads the links as it
  makes each part) first commits the articles that this process's writers finished: it reads
  every article whose ``commit`` came before the read, never half of one. So a record in a
  finished part has its article committed, which is what a run after a SIGKILL relies on;
* ``flush``, ``close`` and ``size_bytes`` commit at once; an index never closed commits its
  finished articles at interpreter exit.

A crash (SIGKILL, power loss) loses the open batch only: articles finished since the last commit,
none of whose records reached a part, so the next run fetches them again and indexes them anew.
The exception is an article dropped after this stage (a copy in ``originals`` mode, an invalid
record): the seen-store records it at once and it is not fetched again, so the index lacks it and
the link it made. Another process sees the file up to one batch late (longer while the crawl
sits idle: ``batch_seconds`` is checked as articles finish).
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pipelines.core.dedupe.errors import IndexUnavailable
from pipelines.core.dedupe.index import StoredDoc, url_key
from pipelines.core.dedupe.sketch import Sketch

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS docs(
    id INTEGER PRIMARY KEY, uk INTEGER NOT NULL UNIQUE, url TEXT NOT NULL, canonical TEXT,
    site TEXT, title TEXT, published INTEGER, lead INTEGER, body INTEGER, sketch BLOB,
    credited TEXT, status TEXT, original INTEGER, cluster TEXT, similarity REAL, evidence TEXT);
CREATE INDEX IF NOT EXISTS docs_site ON docs(site, published);
CREATE INDEX IF NOT EXISTS docs_original ON docs(original) WHERE original IS NOT NULL;
CREATE TABLE IF NOT EXISTS post(k INTEGER NOT NULL, d INTEGER NOT NULL, PRIMARY KEY(k, d)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pending(p TEXT NOT NULL, d INTEGER NOT NULL, PRIMARY KEY(p, d)) WITHOUT ROWID;
"""
_COLS = (
    "id, url, canonical, site, title, published, lead, body, sketch, credited, status, "
    "original, cluster, similarity, evidence"
)


def _row_doc(row: tuple) -> StoredDoc:
    (
        doc_id,
        url,
        canonical,
        site,
        title,
        published,
        lead,
        body,
        blob,
        credited,
        status,
        original,
        cluster,
        similarity,
        evidence,
    ) = row
    return StoredDoc(
        id=doc_id,
        url=url,
        canonical=canonical,
        site=site,
        title=title or "",
        published=published,
        sketch=Sketch.unpack(blob, lead, body),
        credited=credited,
        status=status,
        original_id=original,
        cluster=cluster,
        similarity=similarity,
        evidence=evidence.split("|") if evidence else [],
    )


# The columns every stored article has; link columns (original, cluster, ...) come after.
DOC_COLUMNS = "uk, url, canonical, site, title, published, lead, body, sketch, credited, status"


def doc_values(doc: StoredDoc) -> tuple[Any, ...]:
    return (
        url_key(doc.url),
        doc.url,
        doc.canonical,
        doc.site,
        doc.title,
        doc.published,
        doc.sketch.lead_hash,
        doc.sketch.body_hash,
        doc.sketch.pack(),
        doc.credited,
        doc.status,
    )


# This process's open indexes by file: a read through one commits what the others finished.
_OPEN: dict[str, weakref.WeakSet[SqliteIndex]] = {}
_OPEN_LOCK = threading.Lock()
# An article written for longer than this is taken as abandoned (the detector's article takes
# about a millisecond; one that raised half-way stays open until the next article's commit).
_ARTICLE_SECONDS = 5.0


class _Batch:
    """The open transaction of one connection: whole articles, and maybe one being written."""

    def __init__(self, db: sqlite3.Connection, articles: int, seconds: float) -> None:
        self.db = db
        self.articles = articles
        self.seconds = seconds
        self.lock = threading.RLock()
        self.article_done = threading.Condition(self.lock)
        self.open = False
        self.in_article = False  # written since the last finished article
        self.article_started = 0.0
        self.finished = 0  # finished articles in the open transaction
        self.started = 0.0
        self.writer = 0  # the thread that wrote last

    def begin(self) -> None:
        """Called under the lock before each write."""
        if not self.open:
            self.db.execute("BEGIN")
            self.open = True
            self.started = time.monotonic()
        if not self.in_article:
            self.in_article = True
            self.article_started = time.monotonic()
        self.writer = threading.get_ident()

    def finish_article(self) -> None:
        with self.lock:
            self.in_article = False
            if not self.open:
                return
            self.finished += 1
            if self.finished >= self.articles or time.monotonic() - self.started >= self.seconds:
                self.commit()
            self.article_done.notify_all()

    def commit(self) -> None:
        """Under the lock: commit all that is written."""
        if self.open:
            self.db.execute("COMMIT")
            self.open = False
        self.finished = 0
        self.in_article = False

    def commit_finished(self) -> None:
        """Commit the finished articles. An article being written in another thread is waited
        for, never committed half, unless it was begun ``_ARTICLE_SECONDS`` ago: then it is
        abandoned and goes with the others, as it went with the next article's commit."""
        if not self.open:  # unlocked look first: nothing to do is the common case
            return
        with self.lock:
            if self.in_article and self.writer != threading.get_ident():
                left = self.article_started + _ARTICLE_SECONDS - time.monotonic()
                self.article_done.wait_for(lambda: not self.in_article or not self.open, left)
            abandoned = time.monotonic() - self.article_started >= _ARTICLE_SECONDS
            if self.open and (not self.in_article or abandoned):
                self.commit()

    def commit_at_exit(self) -> None:
        """An index never closed keeps its finished articles, as one commit per article did. An
        article that raised half-way goes with them, as it went with the next article's commit."""
        if self.lock.acquire(timeout=1.0):
            try:
                with contextlib.suppress(sqlite3.Error):
                    self.commit()
            finally:
                self.lock.release()


class SqliteIndex:
    """Default backend: a file under the state dir (``syndication.sqlite3``).

    Thread-safe: the crawl writes from the reactor thread, the export stage reads another instance
    from its upload thread, and such a read may commit this instance's finished articles.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        cache_kib: int = 32768,
        mmap_mib: int = 512,
        batch_articles: int = 64,
        batch_seconds: float = 1.0,
    ) -> None:
        if batch_articles < 1 or batch_seconds < 0:
            raise ValueError(
                f"batch_articles must be >= 1 and batch_seconds >= 0, got {batch_articles}, {batch_seconds}"
            )
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                str(self.path), isolation_level=None, check_same_thread=False
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(f"PRAGMA cache_size=-{int(cache_kib)}")
            # Reads through a bounded memory map skip a syscall per page: lookups stay flat as the file grows.
            self._db.execute(f"PRAGMA mmap_size={int(mmap_mib) * 1024 * 1024}")
            self._db.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise IndexUnavailable(f"cannot open syndication index {self.path}: {exc}") from exc
        self._batch = _Batch(self._db, batch_articles, batch_seconds)
        self._lock = self._batch.lock
        # at interpreter exit, or when dropped without close: commit the finished articles
        self._at_exit = weakref.finalize(self, self._batch.commit_at_exit)
        with _OPEN_LOCK:
            self._peers = _OPEN.setdefault(str(self.path.resolve()), weakref.WeakSet())
            self._peers.add(self)

    def _write_lock(self) -> threading.RLock:
        """The lock to write under; call ``_begin`` inside it."""
        if not self._batch.open:
            self._commit_peers()  # another writer of the file in this process may hold its lock
        return self._lock

    def _read_lock(self) -> threading.RLock:
        """The lock to read under, once this process's other writers of the file committed."""
        self._commit_peers()
        return self._lock

    def _begin(self) -> None:
        self._batch.begin()

    def commit(self) -> None:
        """The article is finished: committed with its batch (see the module docstring)."""
        self._batch.finish_article()

    def flush(self) -> None:
        """Commit everything written so far, finished or not."""
        with self._lock:
            self._batch.commit()

    def _commit_peers(self) -> None:
        if len(self._peers) < 2:
            return
        with _OPEN_LOCK:
            peers = [peer for peer in self._peers if peer is not self]
        for peer in peers:
            peer._batch.commit_finished()

    def close(self) -> None:
        with _OPEN_LOCK:
            self._peers.discard(self)
        with self._lock:
            self.flush()
            self._at_exit.detach()
            self._db.close()

    def get_by_url(self, url: str) -> StoredDoc | None:
        with self._read_lock():
            row = self._db.execute(
                f"SELECT {_COLS} FROM docs WHERE uk=?", (url_key(url),)
            ).fetchone()
            return _row_doc(row) if row and row[1] == url else None

    def get_many(self, ids: Iterable[int]) -> dict[int, StoredDoc]:
        with self._read_lock():
            wanted = list(ids)
            out: dict[int, StoredDoc] = {}
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for row in self._db.execute(
                    f"SELECT {_COLS} FROM docs WHERE id IN ({marks})", chunk
                ):
                    out[row[0]] = _row_doc(row)
            return out

    def add(self, doc: StoredDoc, keys: Sequence[int]) -> int:
        with self._write_lock():
            self._begin()
            cur = self._db.execute(
                f"INSERT INTO docs({DOC_COLUMNS}, original, cluster, similarity, evidence)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    *doc_values(doc),
                    doc.original_id,
                    doc.cluster,
                    doc.similarity,
                    "|".join(doc.evidence) or None,
                ),
            )
            doc.id = int(cur.lastrowid or 0)
            self._db.executemany(
                "INSERT OR IGNORE INTO post(k, d) VALUES (?, ?)", [(k, doc.id) for k in keys]
            )
            return doc.id

    def replace_sketch(self, doc: StoredDoc, old_keys: Sequence[int], keys: Sequence[int]) -> None:
        with self._write_lock():
            self._begin()
            self._db.executemany(
                "DELETE FROM post WHERE k=? AND d=?", [(k, doc.id) for k in old_keys]
            )
            self._db.executemany(
                "INSERT OR IGNORE INTO post(k, d) VALUES (?, ?)", [(k, doc.id) for k in keys]
            )
            self._db.execute(
                "UPDATE docs SET title=?, published=?, lead=?, body=?, sketch=?, canonical=?, credited=? WHERE id=?",
                (
                    doc.title,
                    doc.published,
                    doc.sketch.lead_hash,
                    doc.sketch.body_hash,
                    doc.sketch.pack(),
                    doc.canonical,
                    doc.credited,
                    doc.id,
                ),
            )

    def set_link(self, doc: StoredDoc) -> None:
        with self._write_lock():
            self._begin()
            self._db.execute(
                "UPDATE docs SET status=?, original=?, cluster=?, similarity=?, evidence=? WHERE id=?",
                (
                    doc.status,
                    doc.original_id,
                    doc.cluster,
                    doc.similarity,
                    "|".join(doc.evidence) or None,
                    doc.id,
                ),
            )

    def lookup(self, keys: Sequence[int], max_per_key: int) -> dict[int, int]:
        if not keys:
            return {}
        with self._read_lock():
            marks = ",".join("?" * len(keys))
            per_key: dict[int, list[int]] = {}
            for k, d in self._db.execute(f"SELECT k, d FROM post WHERE k IN ({marks})", list(keys)):
                per_key.setdefault(k, []).append(d)
            hits: dict[int, int] = {}
            for ids in per_key.values():
                if len(ids) > max_per_key:
                    continue
                for d in ids:
                    hits[d] = hits.get(d, 0) + 1
            return hits

    def by_site(self, site: str, start: int | None, end: int | None, limit: int) -> list[StoredDoc]:
        with self._read_lock():
            if start is None and end is None:
                sql = f"SELECT {_COLS} FROM docs WHERE site=? ORDER BY published DESC, id DESC LIMIT ?"
                rows = self._db.execute(sql, (site, limit))
            else:
                sql = (
                    f"SELECT {_COLS} FROM docs WHERE site=? AND published BETWEEN ? AND ?"
                    " ORDER BY published DESC LIMIT ?"
                )
                rows = self._db.execute(
                    sql,
                    (
                        site,
                        start if start is not None else -(2**62),
                        end if end is not None else 2**62,
                        limit,
                    ),
                )
            return [_row_doc(r) for r in rows]

    def copies_of(self, original_id: int) -> list[StoredDoc]:
        with self._read_lock():
            rows = self._db.execute(
                f"SELECT {_COLS} FROM docs WHERE original=? ORDER BY id", (original_id,)
            )
            return [_row_doc(r) for r in rows]

    def add_pending(self, publisher: str, doc_id: int) -> None:
        with self._write_lock():
            self._begin()
            self._db.execute(
                "INSERT OR IGNORE INTO pending(p, d) VALUES (?, ?)", (publisher, doc_id)
            )

    def pending(self, publisher: str) -> list[int]:
        with self._read_lock():
            return [
                d
                for (d,) in self._db.execute(
                    "SELECT d FROM pending WHERE p=? ORDER BY d", (publisher,)
                )
            ]

    def remove_pending(self, publisher: str, doc_id: int) -> None:
        with self._write_lock():
            self._begin()
            self._db.execute("DELETE FROM pending WHERE p=? AND d=?", (publisher, doc_id))

    def count(self) -> int:
        with self._read_lock():
            return int(self._db.execute("SELECT count(*) FROM docs").fetchone()[0])

    def size_bytes(self) -> int:
        """Bytes the database occupies (pages in use, WAL checkpointed)."""
        with self._lock:
            self.flush()
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            page_size = self._db.execute("PRAGMA page_size").fetchone()[0]
            pages = self._db.execute("PRAGMA page_count").fetchone()[0]
            free = self._db.execute("PRAGMA freelist_count").fetchone()[0]
        return int(page_size * (pages - free))


def bulk_load(index: SqliteIndex, docs: list[tuple[StoredDoc, list[int]]]) -> None:
    """Insert many prepared docs in one transaction, postings in key order (benchmarks, imports)."""
    with index._write_lock():
        index._begin()
        db = index._db
        posts: list[tuple[int, int]] = []
        for doc, keys in docs:
            cur = db.execute(
                f"INSERT INTO docs({DOC_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)", doc_values(doc)
            )
            doc.id = int(cur.lastrowid or 0)
            posts += [(k, doc.id) for k in keys]
        posts.sort()
        db.executemany("INSERT OR IGNORE INTO post(k, d) VALUES (?, ?)", posts)
        index.flush()
