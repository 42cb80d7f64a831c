"""The seen-store's held entries and their reconciliation with a dead run's spool (no crawl)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from crawler.state.resume import reconcile_pending
from crawler.state.seen import SeenEntry, SQLiteSeenStore
from pipelines.core.storage.spool import SpoolRun

RUN = "20261120T080000Z-abcdef"


def entry(key: str) -> SeenEntry:
    return SeenEntry(
        key=key,
        site="s",
        lastmod="2026-11-20",
        etag=None,
        last_modified=None,
        content_sha256="0" * 64,
        outcome="exported",
    )


def write_part(spool: Path, run: str, urls: list[str]) -> None:
    part = (
        spool
        / run
        / "parts"
        / "articles"
        / "dt=2026-11-20"
        / "site=s"
        / f"part-{run}-00000.jsonl.gz"
    )
    part.parent.mkdir(parents=True)
    part.write_bytes(gzip.compress(b"".join(json.dumps({"url": u}).encode() + b"\n" for u in urls)))


def test_held_entries_are_not_seen_until_committed(tmp_path: Path) -> None:
    seen = SQLiteSeenStore(tmp_path / "seen.sqlite3")
    seen.hold(entry("https://a.example/1"), RUN)
    assert seen.get("https://a.example/1") is None
    assert seen.commit(RUN, ["https://a.example/1", "https://a.example/other"]) == 1
    assert seen.get("https://a.example/1") == entry("https://a.example/1")
    assert seen.pending_runs() == []


def test_reconcile_commits_what_reached_a_part_and_forgets_the_rest(tmp_path: Path) -> None:
    seen = SQLiteSeenStore(tmp_path / "seen.sqlite3")
    spool = tmp_path / "spool"
    for key in ("https://a.example/1", "https://a.example/2", "https://a.example/3"):
        seen.hold(entry(key), RUN)
    write_part(spool, RUN, ["https://a.example/1", "https://a.example/2"])
    (spool / RUN / "tmp").mkdir()
    (spool / RUN / "tmp" / "x.jsonl").write_text(json.dumps({"url": "https://a.example/3"}) + "\n")

    done = reconcile_pending(seen, spool)

    assert (done.committed, done.forgotten, done.runs) == (2, 1, 1)
    assert seen.get("https://a.example/1") is not None
    assert seen.get("https://a.example/2") is not None
    assert (
        seen.get("https://a.example/3") is None
    )  # its record was in an unfinished batch: fetch again
    assert seen.pending_runs() == []


def test_reconcile_leaves_a_live_run_alone_and_forgets_a_finished_one(tmp_path: Path) -> None:
    seen = SQLiteSeenStore(tmp_path / "seen.sqlite3")
    spool = tmp_path / "spool"
    live, gone = RUN, "20261120T090000Z-123456"
    seen.hold(entry("https://a.example/live"), live)
    seen.hold(entry("https://a.example/gone"), gone)
    write_part(spool, live, ["https://a.example/live"])
    holder = SpoolRun(spool / live)
    holder.acquire()
    try:
        done = reconcile_pending(seen, spool)
    finally:
        holder.release()
    assert (done.committed, done.forgotten, done.runs) == (0, 1, 1)
    assert seen.pending_runs() == [live]
    assert seen.get("https://a.example/live") is None
