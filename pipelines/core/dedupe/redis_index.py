"""Redis backend of the syndication index, for distributed crawls: workers share one index.

Keys, all under ``<prefix>:`` (one prefix per deployment; tests use one per test)::

    seq                 INCR counter of article ids
    urls                HASH url-key -> id
    d:<id>              HASH of one article (same fields as the SQLite row; sketch as bytes)
    k:<key>             SET of ids posted under one bucket key
    s:<site>            ZSET of ids scored by publication time (epoch s)
    o:<id>              SET of copy ids of an original
    p:<publisher>       SET of ids of copies waiting for the credited publisher's original

Lookups are pipelined: one round trip for all bucket keys of a query.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

from pipelines.core.dedupe.errors import IndexUnavailable
from pipelines.core.dedupe.index import StoredDoc, url_key
from pipelines.core.dedupe.sketch import Sketch

if TYPE_CHECKING:
    from redis.typing import EncodableT, FieldT

    # One article's hash fields, typed as redis-py's HSET takes them (its mapping key is invariant).
    HashFields = dict[FieldT, EncodableT]

logger = logging.getLogger(__name__)

_NONE_SCORE = -1.0  # undated articles sort before every dated one


def _s(value: Any) -> str | None:
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisIndex:
    """Shared index on a Redis server (``SYNDICRAWL_REDIS_URL``)."""

    def __init__(
        self, url: str, *, prefix: str = "syndicrawl:syn", client: Any | None = None
    ) -> None:
        import redis

        self.prefix = prefix
        self.url = url
        try:
            self._r = client or redis.Redis.from_url(url)
            self._r.ping()
        except (redis.RedisError, ValueError) as exc:
            raise IndexUnavailable(f"cannot reach the syndication index at {url}: {exc}") from exc

    def _k(self, *parts: object) -> str:
        return ":".join([self.prefix, *map(str, parts)])

    def _doc(self, doc_id: int, h: dict[bytes, bytes]) -> StoredDoc:
        def g(name: str) -> bytes | None:
            return h.get(name.encode())

        published = g("published")
        original = g("original")
        similarity = g("similarity")
        evidence = _s(g("evidence"))
        return StoredDoc(
            id=doc_id,
            url=_s(g("url")) or "",
            canonical=_s(g("canonical")) or None,
            site=_s(g("site")) or None,
            title=_s(g("title")) or "",
            published=int(published) if published else None,
            sketch=Sketch.unpack(g("sketch") or b"", int(g("lead") or 0), int(g("body") or 0)),
            credited=_s(g("credited")) or None,
            status=_s(g("status")) or "unique",  # type: ignore[arg-type]
            original_id=int(original) if original else None,
            cluster=_s(g("cluster")) or None,
            similarity=float(similarity) if similarity else None,
            evidence=evidence.split("|") if evidence else [],
        )

    @staticmethod
    def _fields(doc: StoredDoc) -> HashFields:
        return {
            "url": doc.url,
            "canonical": doc.canonical or "",
            "site": doc.site or "",
            "title": doc.title,
            "published": "" if doc.published is None else doc.published,
            "lead": doc.sketch.lead_hash,
            "body": doc.sketch.body_hash,
            "sketch": doc.sketch.pack(),
            "credited": doc.credited or "",
            **RedisIndex._link_fields(doc),
        }

    @staticmethod
    def _link_fields(doc: StoredDoc) -> HashFields:
        return {
            "status": doc.status,
            "original": "" if doc.original_id is None else doc.original_id,
            "cluster": doc.cluster or "",
            "similarity": "" if doc.similarity is None else doc.similarity,
            "evidence": "|".join(doc.evidence),
        }

    def get_by_url(self, url: str) -> StoredDoc | None:
        doc_id = self._r.hget(self._k("urls"), url_key(url))
        if doc_id is None:
            return None
        docs = self.get_many([int(doc_id)])
        doc = docs.get(int(doc_id))
        return doc if doc is not None and doc.url == url else None

    def get_many(self, ids: Iterable[int]) -> dict[int, StoredDoc]:
        wanted = list(ids)
        pipe = self._r.pipeline(transaction=False)
        for doc_id in wanted:
            pipe.hgetall(self._k("d", doc_id))
        return {i: self._doc(i, h) for i, h in zip(wanted, pipe.execute(), strict=True) if h}

    def add(self, doc: StoredDoc, keys: Sequence[int]) -> int:
        doc.id = int(self._r.incr(self._k("seq")))
        pipe = self._r.pipeline(transaction=True)
        pipe.hset(self._k("d", doc.id), mapping=self._fields(doc))
        pipe.hset(self._k("urls"), url_key(doc.url), doc.id)
        for key in keys:
            pipe.sadd(self._k("k", key), doc.id)
        if doc.site:
            pipe.zadd(
                self._k("s", doc.site),
                {str(doc.id): _NONE_SCORE if doc.published is None else doc.published},
            )
        if doc.original_id is not None:
            pipe.sadd(self._k("o", doc.original_id), doc.id)
        pipe.execute()
        return doc.id

    def replace_sketch(self, doc: StoredDoc, old_keys: Sequence[int], keys: Sequence[int]) -> None:
        pipe = self._r.pipeline(transaction=True)
        for key in old_keys:
            pipe.srem(self._k("k", key), doc.id)
        for key in keys:
            pipe.sadd(self._k("k", key), doc.id)
        fields = self._fields(doc)
        for name in ("status", "original", "cluster", "similarity", "evidence"):
            fields.pop(name)
        pipe.hset(self._k("d", doc.id), mapping=fields)
        if doc.site:
            pipe.zadd(
                self._k("s", doc.site),
                {str(doc.id): _NONE_SCORE if doc.published is None else doc.published},
            )
        pipe.execute()

    def set_link(self, doc: StoredDoc) -> None:
        old = self._r.hget(self._k("d", doc.id), "original")
        pipe = self._r.pipeline(transaction=True)
        if old:
            pipe.srem(self._k("o", int(old)), doc.id)
        if doc.original_id is not None:
            pipe.sadd(self._k("o", doc.original_id), doc.id)
        pipe.hset(self._k("d", doc.id), mapping=self._link_fields(doc))
        pipe.execute()

    def lookup(self, keys: Sequence[int], max_per_key: int) -> dict[int, int]:
        pipe = self._r.pipeline(transaction=False)
        for key in keys:
            pipe.scard(self._k("k", key))
        sizes = pipe.execute()
        pipe = self._r.pipeline(transaction=False)
        for key, size in zip(keys, sizes, strict=True):
            if 0 < size <= max_per_key:
                pipe.smembers(self._k("k", key))
        hits: dict[int, int] = {}
        for members in pipe.execute():
            for m in members:
                hits[int(m)] = hits.get(int(m), 0) + 1
        return hits

    def by_site(self, site: str, start: int | None, end: int | None, limit: int) -> list[StoredDoc]:
        if start is None and end is None:
            ids = self._r.zrevrange(self._k("s", site), 0, limit - 1)
        else:
            lo = "-inf" if start is None else start
            hi = "+inf" if end is None else end
            ids = self._r.zrevrangebyscore(self._k("s", site), hi, lo, start=0, num=limit)
        # Without withscores the reply is plain members; redis-py types both shapes as one.
        wanted = [int(i) for i in cast("list[bytes | str]", ids)]
        docs = self.get_many(wanted)
        return [docs[i] for i in wanted if i in docs]

    def copies_of(self, original_id: int) -> list[StoredDoc]:
        ids = sorted(int(i) for i in self._r.smembers(self._k("o", original_id)))
        docs = self.get_many(ids)
        return [docs[i] for i in ids if i in docs]

    def add_pending(self, publisher: str, doc_id: int) -> None:
        self._r.sadd(self._k("p", publisher), doc_id)

    def pending(self, publisher: str) -> list[int]:
        return sorted(int(i) for i in self._r.smembers(self._k("p", publisher)))

    def remove_pending(self, publisher: str, doc_id: int) -> None:
        self._r.srem(self._k("p", publisher), doc_id)

    def count(self) -> int:
        return int(self._r.hlen(self._k("urls")))

    def commit(self) -> None:
        return None

    def clear(self) -> int:
        """Delete every key under the prefix (tests, resets); returns how many were deleted."""
        deleted = 0
        batch: list[bytes] = []
        for key in self._r.scan_iter(match=f"{self.prefix}:*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                deleted += int(self._r.delete(*batch))
                batch = []
        if batch:
            deleted += int(self._r.delete(*batch))
        return deleted

    def close(self) -> None:
        self._r.close()
