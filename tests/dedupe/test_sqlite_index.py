"""SqliteIndex batched commits: readers on other connections of this process see every finished
article and never half of one; a killed crawl keeps what such a reader saw."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from pipelines.core.dedupe import (
    ArticleInput,
    SyndicationDetector,
    SyndicationOptions,
    sqlite_index,
)
from pipelines.core.dedupe.index import StoredDoc, posting_keys
from pipelines.core.dedupe.sketch import make_sketch
from pipelines.core.dedupe.sqlite_index import SqliteIndex
from tests.conftest import REPO_ROOT
from tests.dedupe.conftest import HARBOUR, ORCHARD, paragraphs


def saved_docs(path: Path) -> int:
    """Articles a connection outside this module's indexes sees (another process, say)."""
    with sqlite3.connect(path) as other:
        return int(other.execute("SELECT COUNT(*) FROM docs").fetchone()[0])


def story(n: int) -> ArticleInput:
    text = paragraphs(HARBOUR if n % 2 else ORCHARD) + f"\n\nA closing line for story {n}."
    return ArticleInput(
        url=f"https://wire.example/{n}", text=text, site="coast-wire", published_at=None
    )


def doc(url: str) -> StoredDoc:
    return StoredDoc(url=url, site="coast-wire", sketch=make_sketch(paragraphs(HARBOUR)))


def test_a_batch_waits_for_batch_articles_and_is_committed_on_close(tmp_path: Path) -> None:
    path = tmp_path / "syndication.sqlite3"
    index = SqliteIndex(path, batch_articles=2, batch_seconds=3600)
    for n in range(3):
        index.add(doc(f"https://wire.example/{n}"), [n])
        index.commit()
        assert index.get_by_url(f"https://wire.example/{n}") is not None  # its own batch
        assert saved_docs(path) == (2 if n >= 1 else 0)
    index.close()
    assert saved_docs(path) == 3


def test_batch_seconds_ends_a_batch_at_the_next_article(tmp_path: Path) -> None:
    path = tmp_path / "syndication.sqlite3"
    index = SqliteIndex(path, batch_articles=100, batch_seconds=0.2)
    index.add(doc("https://wire.example/a"), [1])
    index.commit()
    time.sleep(0.25)
    index.add(doc("https://wire.example/b"), [2])
    index.commit()
    assert saved_docs(path) == 2
    index.close()


def test_another_index_on_the_file_reads_every_finished_article(tmp_path: Path) -> None:
    path = tmp_path / "syndication.sqlite3"
    writer = SqliteIndex(path, batch_articles=100, batch_seconds=3600)
    reader = SqliteIndex(path)  # the export stage's handle
    det = SyndicationDetector(writer, options=SyndicationOptions(text_cache=0))
    results = [det.process(story(n)) for n in range(4)]
    assert results[2].syndication.status == "republication"
    assert saved_docs(path) == 0
    seen = reader.get_by_url("https://wire.example/2")
    assert seen is not None and seen.status == "republication"
    assert reader.get_by_url("https://wire.example/0").status == "original"  # type: ignore[union-attr]
    assert {d.url for d in reader.copies_of(seen.original_id or 0)} >= {"https://wire.example/2"}
    assert saved_docs(path) == 4
    writer.close()
    reader.close()


def test_a_reader_waits_for_the_article_in_progress_and_never_sees_half(tmp_path: Path) -> None:
    path = tmp_path / "syndication.sqlite3"
    writer = SqliteIndex(path, batch_articles=100, batch_seconds=3600)
    reader = SqliteIndex(path)
    writer.add(doc("https://wire.example/done"), [1])
    writer.commit()
    started = threading.Event()

    def article_in_progress() -> None:
        new = doc("https://wire.example/new")
        writer.add(new, [2])  # stored as unique first ...
        started.set()
        time.sleep(0.3)
        writer.set_link(replace(new, status="original", cluster="c-0000000000000001"))  # ... linked
        writer.commit()

    thread = threading.Thread(target=article_in_progress)
    thread.start()
    assert started.wait(5)
    began = time.monotonic()
    got = reader.get_by_url("https://wire.example/new")
    waited = time.monotonic() - began
    thread.join()
    assert got is not None and got.status == "original" and waited >= 0.2
    assert reader.get_by_url("https://wire.example/done") is not None
    writer.close()
    reader.close()


def test_an_article_abandoned_half_way_is_waited_for_once_then_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_index, "_ARTICLE_SECONDS", 0.3)
    path = tmp_path / "syndication.sqlite3"
    writer = SqliteIndex(path, batch_articles=100, batch_seconds=3600)
    reader = SqliteIndex(path)

    def article_that_raises() -> None:
        writer.add(doc("https://wire.example/done"), [1])
        writer.commit()
        writer.add(doc("https://wire.example/half"), [2])  # then the detector raised

    thread = threading.Thread(target=article_that_raises)
    thread.start()
    thread.join()
    began = time.monotonic()
    assert reader.get_by_url("https://wire.example/done") is not None
    assert 0.1 < time.monotonic() - began < 2
    assert saved_docs(path) == 2  # the half article went with it, as with the next commit
    began = time.monotonic()
    reader.get_by_url("https://wire.example/half")
    assert time.monotonic() - began < 0.1
    writer.close()
    reader.close()


def test_a_reader_in_the_writers_thread_mid_article_does_not_wait(tmp_path: Path) -> None:
    path = tmp_path / "syndication.sqlite3"
    writer = SqliteIndex(path, batch_articles=100, batch_seconds=3600)
    reader = SqliteIndex(path)
    writer.add(doc("https://wire.example/half"), [1])
    began = time.monotonic()
    assert reader.get_by_url("https://wire.example/half") is None  # not finished: not committed
    assert time.monotonic() - began < 0.5
    writer.commit()
    assert reader.get_by_url("https://wire.example/half") is not None
    writer.close()
    reader.close()


def test_bulk_load_and_size_commit_at_once(tmp_path: Path) -> None:
    from pipelines.core.dedupe.sqlite_index import bulk_load

    path = tmp_path / "syndication.sqlite3"
    index = SqliteIndex(path)
    docs = [doc(f"https://wire.example/{n}") for n in range(3)]
    bulk_load(index, [(d, posting_keys(d.sketch, 8)) for d in docs])
    assert saved_docs(path) == 3
    index.add(doc("https://wire.example/3"), [5])
    index.commit()
    assert index.size_bytes() > 0 and saved_docs(path) == 4
    index.close()


def test_bad_batch_options_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="batch_articles"):
        SqliteIndex(tmp_path / "x.sqlite3", batch_articles=0)


KILLED_CHILD = """
import os, signal, sys
from pipelines.core.dedupe import SyndicationDetector, SyndicationOptions
from pipelines.core.dedupe.sqlite_index import SqliteIndex
from tests.dedupe.test_sqlite_index import story
writer = SqliteIndex(sys.argv[1], batch_articles=100, batch_seconds=3600)
reader = SqliteIndex(sys.argv[1])
det = SyndicationDetector(writer, options=SyndicationOptions(text_cache=0))
for n in range(3):
    det.process(story(n))
assert reader.get_by_url(story(2).url) is not None  # a part with its record is being made
for n in range(3, 5):
    det.process(story(n))
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_crawl_keeps_every_article_a_reader_saw(tmp_path: Path) -> None:
    path = tmp_path / "syndication.sqlite3"
    done = subprocess.run(
        [sys.executable, "-c", KILLED_CHILD, str(path)], cwd=REPO_ROOT, capture_output=True
    )
    assert done.returncode == -9, done.stderr.decode()
    index = SqliteIndex(path)
    assert index.count() == 3  # the two articles after the read were in the open batch
    kept = index.get_by_url(story(2).url)
    assert kept is not None and kept.status == "republication"
    index.close()


NEVER_CLOSED_CHILD = """
import sys
from pipelines.core.dedupe.sqlite_index import SqliteIndex
from tests.dedupe.test_sqlite_index import doc
index = SqliteIndex(sys.argv[1], batch_articles=100, batch_seconds=3600)
for n in range(3):
    index.add(doc(f"https://wire.example/{n}"), [n])
    index.commit()
index.add(doc("https://wire.example/half"), [9])  # an article that raised half-way
"""


def test_an_index_never_closed_keeps_its_finished_articles_at_exit(tmp_path: Path) -> None:
    path = tmp_path / "syndication.sqlite3"
    done = subprocess.run(
        [sys.executable, "-c", NEVER_CLOSED_CHILD, str(path)], cwd=REPO_ROOT, capture_output=True
    )
    assert done.returncode == 0, done.stderr.decode()
    with sqlite3.connect(path) as other:
        urls = {url for (url,) in other.execute("SELECT url FROM docs")}
    assert urls >= {f"https://wire.example/{n}" for n in range(3)}
