"""The Redis backend against the real local server (skipped only when it is unreachable)."""

from __future__ import annotations

import uuid

import pytest

from pipelines.core.dedupe import ArticleInput, SyndicationDetector, SyndicationOptions
from pipelines.core.dedupe.errors import IndexUnavailable
from pipelines.core.dedupe.index import StoredDoc, posting_keys
from pipelines.core.dedupe.redis_index import RedisIndex
from pipelines.core.dedupe.sketch import make_sketch

URL = "redis://127.0.0.1:6379/0"
pytestmark = pytest.mark.redis


@pytest.fixture
def prefix():
    try:
        probe = RedisIndex(URL, prefix="syndicrawl-test:probe")
    except IndexUnavailable as exc:
        pytest.skip(f"Redis unreachable: {exc}")
    name = f"syndicrawl-test:{uuid.uuid4().hex}"
    yield name
    RedisIndex(URL, prefix=name).clear()
    probe.close()


def test_two_workers_share_one_index(prefix, sites, harbour_text) -> None:
    opts = SyndicationOptions(text_cache=0)
    worker_a = SyndicationDetector(RedisIndex(URL, prefix=prefix), sites, opts)
    worker_b = SyndicationDetector(RedisIndex(URL, prefix=prefix), sites, opts)
    worker_a.process(
        ArticleInput(
            url="https://wire/pier",
            text=harbour_text,
            site="coast-wire",
            published_at="2026-03-01T09:00:00+00:00",
        )
    )
    trimmed = " ".join(harbour_text.split()[:90])
    res = worker_b.process(
        ArticleInput(
            url="https://radio/pier",
            text=trimmed,
            site="valley-radio",
            published_at="2026-03-02T09:00:00+00:00",
        )
    )
    assert res.syndication.status == "republication"
    assert res.syndication.original_url == "https://wire/pier"
    # Worker A sees B's link: the original lists the copy.
    original = worker_a.index.get_by_url("https://wire/pier")
    assert original is not None
    assert worker_a.syndication_of(original).copies == ["https://radio/pier"]
    assert worker_a.index.count() == 2


def test_pending_credit_survives_in_redis(prefix, sites, harbour_text) -> None:
    index = RedisIndex(URL, prefix=prefix)
    index.add_pending("coastwire", 7)
    assert RedisIndex(URL, prefix=prefix).pending("coastwire") == [7]
    index.remove_pending("coastwire", 7)
    assert index.pending("coastwire") == []


def test_fields_round_trip_and_by_site_orders_newest_first(prefix, harbour_text) -> None:
    index = RedisIndex(URL, prefix=prefix)
    sketch = make_sketch(harbour_text)
    keys = posting_keys(sketch, SyndicationOptions().index_keys)

    def add(name: str, published: int | None) -> StoredDoc:
        doc = StoredDoc(url=f"https://wire/{name}", site="coast-wire", sketch=sketch, title=name)
        doc.published = published
        index.add(doc, keys)
        return doc

    undated, old, new = add("undated", None), add("old", 1_000), add("new", 2_000)
    new.status, new.original_id, new.similarity = "republication", old.id, 0.875
    new.cluster, new.evidence = "c-1", ["lead", "body"]
    index.set_link(new)

    back = index.get_by_url("https://wire/new")
    assert back is not None
    assert (back.title, back.published, back.status, back.original_id) == (
        "new",
        2_000,
        "republication",
        old.id,
    )
    assert (back.similarity, back.cluster, back.evidence) == (0.875, "c-1", ["lead", "body"])
    assert back.sketch.lead_hash == sketch.lead_hash and back.sketch.body_hash == sketch.body_hash
    assert [d.url for d in index.copies_of(old.id)] == ["https://wire/new"]

    assert [d.title for d in index.by_site("coast-wire", None, None, 10)] == [
        "new",
        "old",
        "undated",
    ]
    assert [d.title for d in index.by_site("coast-wire", 500, None, 10)] == ["new", "old"]
    assert [d.title for d in index.by_site("coast-wire", None, 1_500, 1)] == ["old"]
    assert index.by_site("elsewhere", None, None, 10) == []
    assert undated.id in {d.id for d in index.by_site("coast-wire", None, None, 10)}


def test_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(IndexUnavailable, match="127.0.0.1:1"):
        RedisIndex("redis://127.0.0.1:1/0")
