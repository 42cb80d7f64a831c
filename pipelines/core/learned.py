"""Learned per-site boilerplate: short paragraphs that recur at the edges of one site's articles.

A station promo, a newsletter pitch or a "follow us" line that no rule names is found from the
site's own pages. Each short paragraph near the start or end of an article is recorded as a
*sighting* (site, paragraph hash, article key) in SQLite; a paragraph is boilerplate for a site once
it was seen in at least ``min_articles`` distinct articles of that site. It is then stripped only
where boilerplate sits: in an unbroken run of such paragraphs from the start or the end of the text.

What keeps quotes safe: two articles quoting the same sentence give two sightings, not enough; a
recurring paragraph in the middle of the text is never stripped; and a paragraph that another site
carries in fewer than ``min_articles`` of its articles (a copy of the same story, not that site's
chrome) vetoes the learning everywhere.

Writes are batched, as one commit per article cost more than the inserts themselves: a transaction
takes up to ``batch_articles`` articles (256) or ``batch_seconds`` (2 s, checked as each article is
recorded) and is committed then, on ``flush``, on ``close`` and at interpreter exit for a store
never closed. The store's own connection reads the open batch; no other connection reads the file
during a crawl (the next run opens it after ``close``). A crash, or an SQLite error while
recording, loses the open batch only: learning then needs those few articles more, and an article
fetched again counts once, as before.

Tables (``learned.sqlite3`` in ``SYNDICRAWL_STATE_DIR``)::

    sightings(site, hash, article, PRIMARY KEY (site, hash, article))
    paragraphs(site, hash, articles, first_seen, sample, PRIMARY KEY (site, hash))
    site_articles(site, article, seen_at, PRIMARY KEY (site, article))
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

logger = logging.getLogger(__name__)

FILE_NAME = "learned.sqlite3"
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"[^\W_]+")
_HASH_MEMO = 1024  # paragraph hashes kept: observe, then boilerplate, hash the same edges

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sightings (
    site TEXT NOT NULL, hash TEXT NOT NULL, article TEXT NOT NULL,
    PRIMARY KEY (site, hash, article)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS paragraphs (
    site TEXT NOT NULL, hash TEXT NOT NULL, articles INTEGER NOT NULL DEFAULT 0,
    first_seen TEXT NOT NULL, sample TEXT NOT NULL,
    PRIMARY KEY (site, hash)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS paragraphs_by_hash ON paragraphs (hash);
CREATE TABLE IF NOT EXISTS site_articles (
    site TEXT NOT NULL, article TEXT NOT NULL, seen_at TEXT NOT NULL,
    PRIMARY KEY (site, article)
) WITHOUT ROWID;
"""

_ADD_ARTICLE = "INSERT OR IGNORE INTO site_articles (site, article, seen_at) VALUES (?, ?, ?)"
_ADD_SIGHTING = "INSERT OR IGNORE INTO sightings (site, hash, article) VALUES (?, ?, ?)"
_COUNT_PARAGRAPH = (
    "INSERT INTO paragraphs (site, hash, articles, first_seen, sample) VALUES (?, ?, 1, ?, ?)"
    " ON CONFLICT (site, hash) DO UPDATE SET articles = articles + 1"
)


@dataclass(frozen=True, slots=True)
class LearnOptions:
    """``min_articles``: distinct articles of one site before a paragraph counts as its boilerplate
    (``SYNDICRAWL_CLEAN_LEARN_MIN_ARTICLES``); ``max_chars``: longer paragraphs are never learned
    (``SYNDICRAWL_CLEAN_LEARN_MAX_CHARS``); ``edge``: how many paragraphs from each end are recorded."""

    min_articles: int = 3
    max_chars: int = 400
    edge: int = 6

    def __post_init__(self) -> None:
        if self.min_articles < 2:
            raise ValueError(
                f"min_articles must be >= 2 (one article cannot show recurrence), got {self.min_articles}"
            )
        if self.max_chars < 1 or self.edge < 1:
            raise ValueError(f"max_chars and edge must be >= 1, got {self.max_chars}, {self.edge}")


def paragraph_hash(paragraph: str) -> str:
    """Hash of the paragraph's words, case-folded, digits masked (so '© 2025' matches '© 2026')."""
    # word runs joined by one space: the same key as replacing every non-word run by a space
    key = " ".join(_WORD.findall(_DIGITS.sub("0", paragraph.casefold())))
    return hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).hexdigest()[:20]


def article_key(paragraphs: Sequence[str]) -> str:
    """One key per distinct text: the same article fetched under two URLs counts once."""
    return hashlib.sha1("\n".join(paragraphs).encode("utf-8"), usedforsecurity=False).hexdigest()[
        :20
    ]


def edge_indexes(count: int, edge: int) -> list[int]:
    return sorted(set(range(min(edge, count))) | set(range(max(0, count - edge), count)))


def _commit_open_batch(db: sqlite3.Connection, lock: threading.Lock) -> None:
    """A store never closed keeps its batch (only whole articles are ever in it)."""
    if lock.acquire(timeout=1.0):
        try:
            # the process is ending: on an error the batch is lost, as in a crash
            with contextlib.suppress(sqlite3.Error):
                if db.in_transaction:
                    db.execute("COMMIT")
        finally:
            lock.release()


class LearnedStore:
    """SQLite-backed sightings. ``path`` None keeps it in memory (for one page or for tests).

    Thread-safe through one lock: Scrapy calls the pipeline from the reactor thread, the ``extract``
    command from the main one. Writes are batched over articles (see the module docstring);
    ``flush`` commits the open batch, ``close`` does too.
    """

    def __init__(
        self,
        path: Path | str | None = None,
        options: LearnOptions | None = None,
        *,
        batch_articles: int = 256,
        batch_seconds: float = 2.0,
    ) -> None:
        if batch_articles < 1 or batch_seconds < 0:
            raise ValueError(
                f"batch_articles must be >= 1 and batch_seconds >= 0, got {batch_articles}, {batch_seconds}"
            )
        self.options = options or LearnOptions()
        self.path = Path(path) if path is not None else None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        target = str(self.path) if self.path is not None else ":memory:"
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self._db.execute(
            "PRAGMA journal_mode=WAL" if self.path is not None else "PRAGMA journal_mode=MEMORY"
        )
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()
        # per-site article counts, kept here after the first COUNT(*): the clean stage asks for
        # every article, and a COUNT over a big site's rows grows with the crawl
        self._counts: dict[str, int] = {}
        self._batch_articles = batch_articles
        self._batch_seconds = batch_seconds
        self._batched = 0  # articles in the open batch
        self._batch_started = 0.0
        self._hashes: dict[str, str] = {}  # paragraph -> hash, the last _HASH_MEMO paragraphs
        # at interpreter exit, or when dropped without close: commit the open batch
        self._at_exit = weakref.finalize(self, _commit_open_batch, self._db, self._lock)

    @classmethod
    def in_state_dir(
        cls, state_dir: Path | str, options: LearnOptions | None = None
    ) -> LearnedStore:
        return cls(Path(state_dir) / FILE_NAME, options)

    def close(self) -> None:
        with self._lock:
            try:
                if self._at_exit.detach() is not None:  # not closed before
                    self._commit()
            finally:
                self._db.close()

    def flush(self) -> None:
        """Commit the open batch, so other connections (and a crash) see every recorded article."""
        with self._lock:
            self._commit()

    def _commit(self) -> None:
        if self._db.in_transaction:
            self._db.execute("COMMIT")
        self._batched = 0

    def _hash(self, paragraph: str) -> str:
        found = self._hashes.get(paragraph)
        if found is None:
            found = self._hashes[paragraph] = paragraph_hash(paragraph)
            if len(self._hashes) > _HASH_MEMO:
                del self._hashes[next(iter(self._hashes))]  # the oldest
        return found

    def observe(self, site: str, paragraphs: Sequence[str]) -> bool:
        """Record the edge paragraphs of one article; False if this text was already recorded."""
        key = article_key(paragraphs)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        opts = self.options
        with self._lock:
            # two paragraphs with one hash: the later one is the sample
            rows = {
                self._hash(para): para
                for para in (paragraphs[i] for i in edge_indexes(len(paragraphs), opts.edge))
                if len(para) <= opts.max_chars
            }
            if not self._db.in_transaction:
                self._db.execute("BEGIN")
                self._batch_started = time.monotonic()
            try:
                added = self._record(site, key, now, rows)
            except Exception:
                # undone with the whole open batch, as a crash would undo it; the cached counts
                # may include the batch, so they are counted again
                if self._db.in_transaction:  # SQLite may have rolled back already
                    self._db.execute("ROLLBACK")
                self._batched = 0
                self._counts.clear()
                raise
            self._batched += 1
            if (
                self._batched >= self._batch_articles
                or time.monotonic() - self._batch_started >= self._batch_seconds
            ):
                self._commit()
            if added and site in self._counts:
                self._counts[site] += 1
        return added

    def _record(self, site: str, key: str, now: str, rows: dict[str, str]) -> bool:
        if not self._db.execute(_ADD_ARTICLE, (site, key, now)).rowcount:
            return False
        # Sightings are only written with their article's row, in one transaction: a new article
        # has none yet, so each of its paragraphs is sighted, and counted, once more.
        self._db.executemany(_ADD_SIGHTING, [(site, h, key) for h in rows])
        self._db.executemany(
            _COUNT_PARAGRAPH, [(site, h, now, para[:400]) for h, para in rows.items()]
        )
        return True

    def site_articles(self, site: str) -> int:
        with self._lock:
            if site not in self._counts:
                row = self._db.execute(
                    "SELECT COUNT(*) FROM site_articles WHERE site = ?", (site,)
                ).fetchone()
                self._counts[site] = int(row[0])
            return self._counts[site]

    def boilerplate(self, site: str, paragraphs: Iterable[str]) -> set[str]:
        """The hashes among ``paragraphs`` that are learned boilerplate of ``site``."""
        n = self.options.min_articles
        with self._lock:
            hashes = {self._hash(p) for p in paragraphs if len(p) <= self.options.max_chars}
            if not hashes:
                return set()
            marks = ",".join("?" * len(hashes))
            own = {
                h
                for (h,) in self._db.execute(
                    f"SELECT hash FROM paragraphs WHERE site = ? AND articles >= ? AND hash IN ({marks})",
                    (site, n, *hashes),
                )
            }
            if not own:
                return set()
            marks = ",".join("?" * len(own))
            # another site carrying it as content (in fewer than n of its articles) vetoes it
            vetoed = {
                h
                for (h,) in self._db.execute(
                    f"SELECT DISTINCT hash FROM paragraphs WHERE site != ? AND articles < ? AND hash IN ({marks})",
                    (site, n, *own),
                )
            }
        return own - vetoed

    def learned(self, site: str) -> list[tuple[str, int, str]]:
        """(sample, articles, first_seen) of the site's learned paragraphs, most frequent first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT sample, articles, first_seen FROM paragraphs WHERE site = ? AND articles >= ? ORDER BY articles DESC",
                (site, self.options.min_articles),
            ).fetchall()
        return [(str(s), int(a), str(f)) for s, a, f in rows]
