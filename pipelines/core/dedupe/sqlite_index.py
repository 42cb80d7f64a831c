"""SQLite backend of the syndication index: one file, WAL mode, buckets on disk.

Memory stays bounded as the index grows: buckets are a ``WITHOUT ROWID`` table keyed
(key, doc), read with one indexed query per lookup, and SQLite's page cache is capped.
"""

from __future__ import annotations

import logging
import sqlite3
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


class SqliteIndex:
    """Default backend: a file under the state dir (``syndication.sqlite3``)."""

    def __init__(self, path: str | Path, *, cache_kib: int = 32768, mmap_mib: int = 512) -> None:
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
        self._in_tx = False

    def _begin(self) -> None:
        if not self._in_tx:
            self._db.execute("BEGIN")
            self._in_tx = True

    def commit(self) -> None:
        if self._in_tx:
            self._db.execute("COMMIT")
            self._in_tx = False

    def close(self) -> None:
        self.commit()
        self._db.close()

    def get_by_url(self, url: str) -> StoredDoc | None:
        row = self._db.execute(f"SELECT {_COLS} FROM docs WHERE uk=?", (url_key(url),)).fetchone()
        return _row_doc(row) if row and row[1] == url else None

    def get_many(self, ids: Iterable[int]) -> dict[int, StoredDoc]:
        wanted = list(ids)
        out: dict[int, StoredDoc] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._db.execute(f"SELECT {_COLS} FROM docs WHERE id IN ({marks})", chunk):
                out[row[0]] = _row_doc(row)
        return out

    def add(self, doc: StoredDoc, keys: Sequence[int]) -> int:
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
        self._begin()
        self._db.executemany("DELETE FROM post WHERE k=? AND d=?", [(k, doc.id) for k in old_keys])
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
        rows = self._db.execute(
            f"SELECT {_COLS} FROM docs WHERE original=? ORDER BY id", (original_id,)
        )
        return [_row_doc(r) for r in rows]

    def add_pending(self, publisher: str, doc_id: int) -> None:
        self._begin()
        self._db.execute("INSERT OR IGNORE INTO pending(p, d) VALUES (?, ?)", (publisher, doc_id))

    def pending(self, publisher: str) -> list[int]:
        return [
            d
            for (d,) in self._db.execute("SELECT d FROM pending WHERE p=? ORDER BY d", (publisher,))
        ]

    def remove_pending(self, publisher: str, doc_id: int) -> None:
        self._begin()
        self._db.execute("DELETE FROM pending WHERE p=? AND d=?", (publisher, doc_id))

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM docs").fetchone()[0])

    def size_bytes(self) -> int:
        """Bytes the database occupies (pages in use, WAL checkpointed)."""
        self.commit()
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = self._db.execute("PRAGMA page_size").fetchone()[0]
        pages = self._db.execute("PRAGMA page_count").fetchone()[0]
        free = self._db.execute("PRAGMA freelist_count").fetchone()[0]
        return int(page_size * (pages - free))


def bulk_load(index: SqliteIndex, docs: list[tuple[StoredDoc, list[int]]]) -> None:
    """Insert many prepared docs in one transaction, postings in key order (benchmarks, imports)."""
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
    index.commit()
