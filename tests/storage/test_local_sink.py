"""LocalSink and open_sink."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.core.storage import ObjectInfo, ObjectNotFound, StoreError, open_sink
from pipelines.core.storage.local import LocalSink


def test_put_get_list_round_trip(tmp_path: Path) -> None:
    sink = LocalSink(tmp_path / "out")
    source = tmp_path / "source.bin"
    source.write_bytes(b"part bytes")
    sink.put_file(
        source,
        "articles/dt=2026-11-27/site=a/part-r-00000.jsonl.gz",
        content_type="application/gzip",
    )
    sink.put_bytes(b"{}", "manifests/run=r.json", content_type="application/json")
    sink.put_bytes(b'{"v": 2}', "manifests/run=r.json", content_type="application/json")  # replaces

    assert sink.get_bytes("manifests/run=r.json") == b'{"v": 2}'
    assert list(sink.list_objects("articles/")) == [
        ObjectInfo("articles/dt=2026-11-27/site=a/part-r-00000.jsonl.gz", 10)
    ]
    assert [info.key for info in sink.list_objects("")] == [
        "articles/dt=2026-11-27/site=a/part-r-00000.jsonl.gz",
        "manifests/run=r.json",
    ]
    assert list(sink.list_objects("nothing/")) == []


def test_half_written_files_are_not_listed(tmp_path: Path) -> None:
    sink = LocalSink(tmp_path)
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "part.jsonl.gz.tmp-123").write_bytes(b"half")
    assert list(sink.list_objects("articles/")) == []


def test_missing_key_is_object_not_found(tmp_path: Path) -> None:
    with pytest.raises(ObjectNotFound, match="does not exist"):
        LocalSink(tmp_path).get_bytes("manifests/run=x.json")


def test_write_failure_is_a_store_error_with_a_reason(tmp_path: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("a file where the output folder should be")
    with pytest.raises(StoreError) as caught:
        LocalSink(blocker).put_bytes(b"x", "manifests/run=r.json", content_type="application/json")
    assert caught.value.reason == "io_error"
    assert caught.value.retryable


def test_keys_cannot_escape_the_root(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="escapes"):
        LocalSink(tmp_path).put_bytes(b"x", "../outside", content_type="text/plain")


@pytest.mark.parametrize(
    ("uri", "kind"),
    [("./out", "LocalSink"), ("file:///tmp/out", "LocalSink"), ("s3://bucket/prefix", "S3Sink")],
)
def test_open_sink_picks_the_sink_from_the_uri(uri: str, kind: str, aws_env: None) -> None:
    assert type(open_sink(uri)).__name__ == kind


@pytest.mark.parametrize(
    ("uri", "message"),
    [("gs://bucket/x", "scheme 'gs'"), ("s3:///prefix", "no bucket")],
    ids=["scheme", "bucket"],
)
def test_open_sink_rejects_bad_uris(uri: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        open_sink(uri)
