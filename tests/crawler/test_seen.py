from __future__ import annotations

from pathlib import Path

import pytest

from crawler.state.seen import SeenEntry, SQLiteSeenStore, decide


def entry(lastmod: str | None) -> SeenEntry:
    return SeenEntry(
        key="k",
        site="s",
        lastmod=lastmod,
        etag='"e1"',
        last_modified=None,
        content_sha256="a" * 64,
        outcome="exported",
    )


@pytest.mark.parametrize(
    ("stored", "discovered", "decision"),
    [
        (None, None, "unchanged"),
        (None, "2026-11-27T10:00:00Z", "changed"),
        ("2026-11-27T10:00:00Z", "2026-11-27T10:00:00+00:00", "unchanged"),
        ("2026-11-27T10:00:00Z", "2026-11-27T11:00:00+01:00", "unchanged"),
        ("2026-11-27T10:00:00Z", "2026-11-27T10:05:00Z", "changed"),
        ("2026-11-27T10:00:00Z", "Fri, 27 Nov 2026 10:30:00 GMT", "changed"),
        ("2026-11-27T10:00:00Z", "2026-11-26", "unchanged"),
    ],
    ids=[
        "no-dates",
        "first-lastmod",
        "same-instant",
        "same-instant-other-offset",
        "newer",
        "rfc822-newer",
        "older",
    ],
)
def test_decide_seen(stored: str | None, discovered: str | None, decision: str) -> None:
    assert decide(entry(stored), discovered) == decision


def test_decide_new() -> None:
    assert decide(None, None) == "new"


def test_sqlite_store_persists_across_reopen(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite3"
    store = SQLiteSeenStore(path)
    store.record(entry("2026-11-27T10:00:00Z"))
    store.close()
    again = SQLiteSeenStore(path)
    got = again.get("k")
    assert got is not None and got.etag == '"e1"' and got.lastmod == "2026-11-27T10:00:00Z"
    assert again.get("other") is None
    assert again.count() == 1
