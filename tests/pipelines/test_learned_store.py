"""LearnedStore batching: the same learning as one commit per article, what another connection and a
killed process see, and the paragraph hash kept as stored files have it."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.core.learned import LearnedStore, LearnOptions, paragraph_hash
from tests.conftest import REPO_ROOT

PROMO = "Listen to Alder Radio every morning from seven on 98.4 FM and online."
QUOTE = "“We will rebuild the wall stone by stone,” the harbour master said."


def article(n: int, tail: list[str]) -> list[str]:
    return [
        f"Story {n} opens with a sentence of its own about item number {n} in the valley.",
        f"It goes on with details that belong to story {n} alone, and to nothing else.",
        *tail,
    ]


def articles_of_three_sites() -> list[tuple[str, list[str]]]:
    out = []
    for n in range(30):
        site = ("radio", "gazette", "daily")[n % 3]
        tail = [PROMO] if site == "radio" else []
        if n % 7 == 0:
            tail.append(QUOTE)
        out.append((site, article(n, tail)))
    out.append(("radio", article(0, [PROMO, QUOTE])))  # fetched again: counts once
    return out


def saved_articles(path: Path) -> int:
    with sqlite3.connect(path) as other:
        return int(other.execute("SELECT COUNT(*) FROM site_articles").fetchone()[0])


def test_batched_store_learns_what_one_commit_per_article_learned(tmp_path: Path) -> None:
    one_by_one = LearnedStore(tmp_path / "a.sqlite3", batch_articles=1, batch_seconds=0)
    batched = LearnedStore(tmp_path / "b.sqlite3")
    for site, paras in articles_of_three_sites():
        assert one_by_one.observe(site, paras) == batched.observe(site, paras)
        for store in (one_by_one, batched):
            store.site_articles(site)
        assert one_by_one.boilerplate(site, paras) == batched.boilerplate(site, paras)
    for site in ("radio", "gazette", "daily"):
        assert one_by_one.site_articles(site) == batched.site_articles(site)
        assert [r[:2] for r in one_by_one.learned(site)] == [r[:2] for r in batched.learned(site)]
    assert batched.learned("radio")[0][:2] == (PROMO, 10)
    assert batched.boilerplate("radio", [PROMO]) == {paragraph_hash(PROMO)}
    one_by_one.close()
    batched.close()


def test_open_batch_is_read_by_the_store_and_committed_on_flush_and_close(tmp_path: Path) -> None:
    path = tmp_path / "learned.sqlite3"
    store = LearnedStore(path, LearnOptions(min_articles=3), batch_articles=100)
    for n in range(3):
        store.observe("radio", article(n, [PROMO]))
    assert saved_articles(path) == 0  # another connection: still in the open batch
    assert store.boilerplate("radio", [PROMO]) == {paragraph_hash(PROMO)}
    assert store.site_articles("radio") == 3
    store.flush()
    assert saved_articles(path) == 3
    store.observe("radio", article(3, [PROMO]))
    store.close()
    assert saved_articles(path) == 4


def test_a_batch_is_committed_after_batch_articles_or_batch_seconds(tmp_path: Path) -> None:
    path = tmp_path / "learned.sqlite3"
    store = LearnedStore(path, batch_articles=2, batch_seconds=0.2)
    store.observe("radio", article(0, [PROMO]))
    assert saved_articles(path) == 0
    store.observe("radio", article(1, [PROMO]))
    assert saved_articles(path) == 2
    store.observe("radio", article(2, [PROMO]))
    time.sleep(0.25)
    store.observe("radio", article(2, [PROMO]))  # seen already, still ends the old batch
    assert saved_articles(path) == 3
    store.close()


KILLED_CHILD = """
import os, signal, sys
from pipelines.core.learned import LearnedStore
from tests.pipelines.test_learned_store import PROMO, article
store = LearnedStore(sys.argv[1], batch_articles=2, batch_seconds=3600)
for n in range(5):
    store.observe("radio", article(n, [PROMO]))
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_crawl_keeps_the_committed_batches_whole(tmp_path: Path) -> None:
    path = tmp_path / "learned.sqlite3"
    done = subprocess.run(
        [sys.executable, "-c", KILLED_CHILD, str(path)], cwd=REPO_ROOT, capture_output=True
    )
    assert done.returncode == -9, done.stderr.decode()
    store = LearnedStore(path)
    assert store.site_articles("radio") == 4  # two batches of two; the fifth article was open
    assert store.learned("radio")[0][:2] == (PROMO, 4)
    with sqlite3.connect(path) as other:
        sightings = other.execute("SELECT COUNT(*) FROM sightings").fetchone()[0]
        counted = other.execute("SELECT SUM(articles) FROM paragraphs").fetchone()[0]
    assert sightings == counted == 4 * 3
    store.close()


def test_an_error_while_recording_undoes_the_open_batch_and_the_store_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LearnedStore(tmp_path / "learned.sqlite3", batch_articles=100)
    store.observe("radio", article(0, [PROMO]))
    assert store.site_articles("radio") == 1
    record = store._record

    def fail_after_writing(*args: object) -> bool:
        record(*args)  # type: ignore[arg-type]
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store, "_record", fail_after_writing)
    with pytest.raises(sqlite3.OperationalError):
        store.observe("radio", article(1, [PROMO]))
    monkeypatch.undo()
    assert store.site_articles("radio") == 0  # the batch is undone and the count follows it
    for n in range(3):
        assert store.observe("radio", article(n, [PROMO]))
    assert store.boilerplate("radio", [PROMO]) == {paragraph_hash(PROMO)}
    store.close()


def test_edge_paragraph_hashes_are_remembered_only_for_the_last_paragraphs() -> None:
    store = LearnedStore(None)
    for n in range(400):
        store.observe("radio", article(n, [PROMO]))
    assert 0 < len(store._hashes) <= 1024
    assert store._hashes[PROMO] == paragraph_hash(PROMO)
    store.close()


def replaced_formula(paragraph: str) -> str:
    """The hash as the first learned files were written (two substitutions and a strip)."""
    key = re.sub(r"[\W_]+", " ", re.sub(r"\d+", "0", paragraph.casefold())).strip()
    return hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).hexdigest()[:20]


@pytest.mark.parametrize(
    "paragraph",
    [
        "© 2025 Alder Radio",
        "  Follow us -- on   Mastodon__and_Bluesky!  ",
        "Straße ½ ٣٤ Ⅻ ǅungla K-9 snake_case 12_000",
        "",
        "—",
        "\u00a0Non-breaking\u2003spaces\u200b and zero-width",
    ],
)
def test_paragraph_hash_keeps_the_key_of_stored_files(paragraph: str) -> None:
    assert paragraph_hash(paragraph) == replaced_formula(paragraph)


@given(st.text(max_size=200))
def test_paragraph_hash_keeps_the_key_of_stored_files_for_any_text(paragraph: str) -> None:
    assert paragraph_hash(paragraph) == replaced_formula(paragraph)


NEVER_CLOSED_CHILD = """
import sys
from pipelines.core.learned import LearnedStore
from tests.pipelines.test_learned_store import PROMO, article
store = LearnedStore(sys.argv[1], batch_articles=100, batch_seconds=3600)
for n in range(3):
    store.observe("radio", article(n, [PROMO]))
"""


def test_a_store_never_closed_keeps_its_batch_at_exit(tmp_path: Path) -> None:
    path = tmp_path / "learned.sqlite3"
    done = subprocess.run(
        [sys.executable, "-c", NEVER_CLOSED_CHILD, str(path)], cwd=REPO_ROOT, capture_output=True
    )
    assert done.returncode == 0, done.stderr.decode()
    assert saved_articles(path) == 3
