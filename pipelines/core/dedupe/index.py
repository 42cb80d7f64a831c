"""What the index stores per article, the ``SyndicationIndex`` protocol, and an in-memory backend.

Per article: URLs, site, a short title, date, the two exact hashes, the packed bottom-k sketch
(~230 bytes) and the link (status, original, cluster, similarity, evidence). Never the text.
Buckets: each posted key (the smallest sketch values plus the lead and body hashes) maps to the
ids of the articles holding it. Backends: :class:`MemoryIndex` (tests, evaluation: grows in
process), ``SqliteIndex`` (default, on disk) and ``RedisIndex`` (shared by several workers).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

from pipelines.core.dedupe.sketch import Sketch

Status = Literal["original", "republication", "unique"]
TITLE_CHARS = 120
LEAD_KEY_BIT = 1 << 62  # lead/body hash keys live above the 32-bit sketch-value keys


def url_key(url: str) -> int:
    """Signed 63-bit hash of a URL: the index's unique key (the URL itself is stored once)."""
    return int.from_bytes(hashlib.blake2b(url.encode(), digest_size=8).digest(), "little") >> 1


@dataclass(slots=True)
class StoredDoc:
    """One indexed article (no text)."""

    url: str
    site: str | None
    sketch: Sketch
    title: str = ""
    published: int | None = None
    """Publication time, epoch seconds UTC."""
    canonical: str | None = None
    """``rel=canonical`` target when it differs from ``url``."""
    credited: str | None = None
    """Normalised publisher key the page credits (see ``text.publisher_key``)."""
    status: Status = "unique"
    original_id: int | None = None
    cluster: str | None = None
    similarity: float | None = None
    evidence: list[str] = field(default_factory=list)
    id: int = 0

    @property
    def public_url(self) -> str:
        """The URL other records point to: the canonical one when known."""
        return self.canonical or self.url


def posting_keys(sketch: Sketch, count: int) -> list[int]:
    """Bucket keys of a sketch: its ``count`` smallest values, then its lead and body hashes."""
    keys = [int(v) for v in sketch.bottom[:count]]
    keys.append(sketch.lead_hash | LEAD_KEY_BIT)
    keys.append(sketch.body_hash | LEAD_KEY_BIT)
    return keys


class SyndicationIndex(Protocol):
    """Persistent store of article sketches, LSH buckets, links and pending credits."""

    def get_by_url(self, url: str) -> StoredDoc | None: ...

    def get_many(self, ids: Iterable[int]) -> dict[int, StoredDoc]: ...

    def add(self, doc: StoredDoc, keys: Sequence[int]) -> int:
        """Store ``doc`` (id assigned and returned) and post it under ``keys``."""
        ...

    def replace_sketch(self, doc: StoredDoc, old_keys: Sequence[int], keys: Sequence[int]) -> None:
        """The text of a known article changed: new sketch, title and date, same links."""
        ...

    def set_link(self, doc: StoredDoc) -> None:
        """Persist ``doc``'s status, original_id, cluster, similarity and evidence."""
        ...

    def lookup(self, keys: Sequence[int], max_per_key: int) -> dict[int, int]:
        """Ids sharing any of ``keys`` with how many they share; buckets longer than
        ``max_per_key`` (boilerplate shingles) are skipped."""
        ...

    def by_site(self, site: str, start: int | None, end: int | None, limit: int) -> list[StoredDoc]:
        """Articles of ``site`` published in [start, end] (all dates when both are None), newest first."""
        ...

    def copies_of(self, original_id: int) -> list[StoredDoc]: ...

    def add_pending(self, publisher: str, doc_id: int) -> None: ...

    def pending(self, publisher: str) -> list[int]: ...

    def remove_pending(self, publisher: str, doc_id: int) -> None: ...

    def count(self) -> int: ...

    def commit(self) -> None: ...

    def close(self) -> None: ...


class MemoryIndex:
    """In-process index for tests and evaluation; grows without bound, so not for crawls."""

    def __init__(self) -> None:
        self._docs: dict[int, StoredDoc] = {}
        self._by_url: dict[str, int] = {}
        self._posts: dict[int, set[int]] = defaultdict(set)
        self._copies: dict[int, set[int]] = defaultdict(set)
        self._pending: dict[str, set[int]] = defaultdict(set)

    def get_by_url(self, url: str) -> StoredDoc | None:
        doc_id = self._by_url.get(url)
        return None if doc_id is None else replace(self._docs[doc_id])

    def get_many(self, ids: Iterable[int]) -> dict[int, StoredDoc]:
        return {i: replace(self._docs[i]) for i in ids if i in self._docs}

    def add(self, doc: StoredDoc, keys: Sequence[int]) -> int:
        doc.id = len(self._docs) + 1
        self._docs[doc.id] = replace(doc)
        self._by_url[doc.url] = doc.id
        for key in keys:
            self._posts[key].add(doc.id)
        if doc.original_id is not None:
            self._copies[doc.original_id].add(doc.id)
        return doc.id

    def replace_sketch(self, doc: StoredDoc, old_keys: Sequence[int], keys: Sequence[int]) -> None:
        for key in old_keys:
            self._posts[key].discard(doc.id)
        for key in keys:
            self._posts[key].add(doc.id)
        self._docs[doc.id] = replace(doc)

    def set_link(self, doc: StoredDoc) -> None:
        old = self._docs[doc.id]
        if old.original_id is not None:
            self._copies[old.original_id].discard(doc.id)
        if doc.original_id is not None:
            self._copies[doc.original_id].add(doc.id)
        self._docs[doc.id] = replace(doc)

    def lookup(self, keys: Sequence[int], max_per_key: int) -> dict[int, int]:
        hits: dict[int, int] = defaultdict(int)
        for key in keys:
            bucket = self._posts.get(key)
            if not bucket or len(bucket) > max_per_key:
                continue
            for doc_id in bucket:
                hits[doc_id] += 1
        return dict(hits)

    def by_site(self, site: str, start: int | None, end: int | None, limit: int) -> list[StoredDoc]:
        found = [
            d
            for d in self._docs.values()
            if d.site == site
            and (start is None or (d.published is not None and d.published >= start))
            and (end is None or (d.published is not None and d.published <= end))
        ]
        found.sort(key=lambda d: (d.published or 0, d.id), reverse=True)
        return [replace(d) for d in found[:limit]]

    def copies_of(self, original_id: int) -> list[StoredDoc]:
        return [replace(self._docs[i]) for i in sorted(self._copies.get(original_id, ()))]

    def add_pending(self, publisher: str, doc_id: int) -> None:
        self._pending[publisher].add(doc_id)

    def pending(self, publisher: str) -> list[int]:
        return sorted(self._pending.get(publisher, ()))

    def remove_pending(self, publisher: str, doc_id: int) -> None:
        self._pending[publisher].discard(doc_id)

    def count(self) -> int:
        return len(self._docs)

    def commit(self) -> None:
        return None

    def close(self) -> None:
        return None
