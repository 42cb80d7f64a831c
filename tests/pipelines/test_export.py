"""ExportPipeline: settings, schema validation, stats, a local export and a DuckDB read of it."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import re
from pathlib import Path
from typing import Any

import duckdb
import pytest
from scrapy.settings import Settings

from crawler.items import ArticleItem
from pipelines.errors import InvalidRecord
from pipelines.export import ExportPipeline, options_from_settings
from tests.storage.factories import (
    build_pipeline,
    decode_part,
    expected_record,
    make_item,
    run_export,
)


@pytest.fixture
def local(tmp_path: Path) -> dict[str, Any]:
    return {
        "SYNDICRAWL_OUTPUT_URI": str(tmp_path / "out"),
        "SYNDICRAWL_STATE_DIR": str(tmp_path / "state"),
        "SYNDICRAWL_RUN_ID": "run-1",
        "SYNDICRAWL_EXPORT_BATCH_SIZE": 3,
        "SYNDICRAWL_EXPORT_RETRIES": 0,
    }


# --- settings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "value", "attribute", "expected"),
    [
        ("SYNDICRAWL_OUTPUT_URI", "s3://b/p", "output_uri", "s3://b/p"),
        ("SYNDICRAWL_STATE_DIR", "/var/lib/sc", "spool_dir", Path("/var/lib/sc/spool")),
        ("SYNDICRAWL_RUN_ID", "20261127T083000Z-a1b2c3", "run_id", "20261127T083000Z-a1b2c3"),
        ("SYNDICRAWL_EXPORT_BATCH_SIZE", "250", "batch_size", 250),
        ("SYNDICRAWL_EXPORT_COMPRESSION", "NONE", "compression", "none"),
        ("SYNDICRAWL_EXPORT_GZIP_LEVEL", "1", "gzip_level", 1),
        ("SYNDICRAWL_EXPORT_RETRIES", 0, "retries", 0),
        ("SYNDICRAWL_EXPORT_BACKOFF_SECONDS", "0.25", "backoff_seconds", 0.25),
        (
            "SYNDICRAWL_EXPORT_MULTIPART_THRESHOLD",
            8 * 1024 * 1024,
            "multipart_threshold",
            8 * 1024 * 1024,
        ),
        ("AWS_ENDPOINT_URL", "http://minio:9000", "endpoint_url", "http://minio:9000"),
        ("AWS_REGION_NAME", "eu-central-1", "region", "eu-central-1"),
    ],
)
def test_from_crawler_maps_each_setting(
    setting: str, value: Any, attribute: str, expected: Any
) -> None:
    settings = Settings({"SYNDICRAWL_OUTPUT_URI": "./out", setting: value})
    assert getattr(options_from_settings(settings), attribute) == expected


def test_defaults_of_the_project_settings() -> None:
    settings = Settings()
    settings.setmodule("crawler.settings")
    settings.set("SYNDICRAWL_RUN_ID", "")
    options = options_from_settings(settings)
    assert (options.batch_size, options.compression, options.retries) == (500, "gzip", 5)
    assert options.gzip_level == 4
    assert options.multipart_threshold == 64 * 1024 * 1024
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{6}", options.run_id), (
        "a run id is generated when unset"
    )
    assert settings.getdict("ITEM_PIPELINES")["pipelines.export.ExportPipeline"] == 500


@pytest.mark.parametrize(
    ("setting", "value", "allowed"),
    [
        ("SYNDICRAWL_EXPORT_BATCH_SIZE", 0, "an integer >= 1"),
        ("SYNDICRAWL_EXPORT_BATCH_SIZE", "many", "an integer >= 1"),
        ("SYNDICRAWL_EXPORT_BATCH_SIZE", 2.5, "an integer >= 1"),
        ("SYNDICRAWL_EXPORT_COMPRESSION", "zstd", "one of gzip, none"),
        ("SYNDICRAWL_EXPORT_GZIP_LEVEL", 0, "an integer >= 1 and <= 9"),
        ("SYNDICRAWL_EXPORT_GZIP_LEVEL", 10, "an integer >= 1 and <= 9"),
        ("SYNDICRAWL_EXPORT_RETRIES", -1, "an integer >= 0"),
        ("SYNDICRAWL_EXPORT_BACKOFF_SECONDS", "soon", "a number >= 0"),
        ("SYNDICRAWL_EXPORT_MULTIPART_THRESHOLD", 1024, "an integer >= 5242880"),
        ("SYNDICRAWL_RUN_ID", "run/1", "text matching [A-Za-z0-9][A-Za-z0-9-]{0,79}"),
    ],
)
def test_bad_setting_values_name_the_setting_the_value_and_what_is_allowed(
    setting: str, value: Any, allowed: str
) -> None:
    with pytest.raises(ValueError) as caught:
        options_from_settings(Settings({setting: value}))
    assert str(caught.value) == f"{setting}: bad value {value!r}: expected {allowed}"


def test_pipeline_builds_without_a_crawler(tmp_path: Path) -> None:
    options = options_from_settings(
        Settings({"SYNDICRAWL_OUTPUT_URI": str(tmp_path), "SYNDICRAWL_STATE_DIR": str(tmp_path)})
    )
    pipeline = ExportPipeline(options)
    pipeline.open_spider()
    pipeline.process_item(make_item(1))
    asyncio.run(pipeline.close_spider())
    assert not pipeline.failed


# --- records --------------------------------------------------------------------------------


def test_local_export_writes_every_record_once_with_run_id_and_stats(
    local: dict[str, Any], tmp_path: Path
) -> None:
    items = [make_item(n) for n in range(4)] + [make_item(5, site="harbour-times")]
    pipeline, stats = run_export(local, items)

    out = tmp_path / "out"
    manifest = json.loads((out / "manifests" / "run=run-1.json").read_text(encoding="utf-8"))
    records = []
    for entry in manifest["files"]:
        data = (out / entry["key"]).read_bytes()
        records += decode_part(data, entry["key"])
        assert entry["bytes"] == len(data)
    assert sorted(records, key=lambda r: r["url"]) == sorted(
        (expected_record(item, "run-1") for item in items), key=lambda r: r["url"]
    )
    raw = gzip.decompress((out / manifest["files"][0]["key"]).read_bytes()).decode("utf-8")
    assert "Müller" in raw, "non-ASCII is written as UTF-8, not \\u escapes"
    assert stats["syndicrawl/export/exported_count"] == 5
    assert stats["syndicrawl/site/meridian-wire/export/exported_count"] == 4
    assert stats["syndicrawl/export/parts_count"] == 3
    assert stats["syndicrawl/export/uploaded_count/part"] == 3
    assert stats["syndicrawl/export/spooled_bytes"] > 0
    assert stats["syndicrawl/export/run_failed"] == 0
    assert not pipeline.failed


def test_compression_none_writes_plain_jsonl(local: dict[str, Any], tmp_path: Path) -> None:
    run_export({**local, "SYNDICRAWL_EXPORT_COMPRESSION": "none"}, [make_item(1)])
    (part,) = (tmp_path / "out" / "articles").rglob("*.jsonl")
    assert json.loads(part.read_text(encoding="utf-8"))["url"] == make_item(1).url


def test_gzip_level_trades_size_for_speed(local: dict[str, Any], tmp_path: Path) -> None:
    items = [make_item(i) for i in range(1, 40)]
    sizes = {}
    for level in (1, 9):
        out = tmp_path / f"level-{level}"
        settings = {
            **local,
            "SYNDICRAWL_OUTPUT_URI": str(out / "out"),
            "SYNDICRAWL_STATE_DIR": str(out / "state"),
            "SYNDICRAWL_EXPORT_GZIP_LEVEL": level,
            "SYNDICRAWL_EXPORT_BATCH_SIZE": 100,
        }
        run_export(settings, items)
        (part,) = (out / "out" / "articles").rglob("*.jsonl.gz")
        rows = gzip.decompress(part.read_bytes()).decode("utf-8").splitlines()
        assert [json.loads(row)["url"] for row in rows] == [item.url for item in items]
        sizes[level] = part.stat().st_size
    assert sizes[9] < sizes[1]


def invalid_item(kind: str) -> Any:
    item = make_item(1)
    if kind == "language":
        item.language = "english"
    elif kind == "date":
        item.published_at = "27 November 2026"
    elif kind == "site":
        item.site = "Harbour Times"
    elif kind == "not-an-item":
        return {"url": "https://x.example/"}
    return item


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("language", "language: 'english' does not match"),
        ("date", "published_at: '27 November 2026' does not match"),
        ("site", "site name 'Harbour Times' is not allowed"),
        ("not-an-item", "expected an ArticleItem, got dict"),
    ],
)
def test_invalid_records_are_dropped_counted_and_never_written(
    local: dict[str, Any], tmp_path: Path, kind: str, message: str
) -> None:
    pipeline, crawler = build_pipeline(local)
    pipeline.open_spider()
    with pytest.raises(InvalidRecord, match=re.escape(message)):
        pipeline.process_item(invalid_item(kind))
    pipeline.process_item(make_item(2))
    asyncio.run(pipeline.close_spider())
    stats = crawler.stats.get_stats()
    assert stats["syndicrawl/export/invalid_count"] == 1
    assert stats["syndicrawl/export/exported_count"] == 1
    manifest = json.loads((tmp_path / "out" / "manifests" / "run=run-1.json").read_text())
    assert manifest["totals"]["records"] == 1


def test_a_local_store_failure_fails_the_run_with_an_error_naming_store_reason_and_spool(
    local: dict[str, Any], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "out").write_text("a file where the output folder should be")
    with caplog.at_level(logging.INFO):
        pipeline, stats = run_export(local, [make_item(1)])
    assert pipeline.failed
    assert stats["syndicrawl/export/run_failed"] == 1
    assert stats["syndicrawl/export/failed_count/io_error"] == 1
    assert "spool kept" in stats["syndicrawl/export/failure_message"]
    (error,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    text = error.getMessage()
    assert (
        str(tmp_path / "out") in text
        and "io_error" in text
        and str(tmp_path / "state" / "spool" / "run-1") in text
    )


def test_articles_are_plain_dataclass_items() -> None:
    assert isinstance(make_item(1), ArticleItem)


# --- readers --------------------------------------------------------------------------------


def test_duckdb_reads_one_day_of_the_export_with_typed_columns(
    local: dict[str, Any], tmp_path: Path
) -> None:
    items = [make_item(n) for n in range(7)] + [
        make_item(n, site="harbour-times") for n in range(7, 9)
    ]
    items.append(make_item(20, published_at="2026-11-26T12:00:00+00:00"))  # another day: not read
    run_export(local, items)
    pattern = tmp_path / "out" / "articles" / "dt=2026-11-27" / "*" / "*.jsonl.gz"
    relation = duckdb.sql(f"SELECT * FROM read_json('{pattern}')")
    types = dict(zip(relation.columns, (str(t) for t in relation.dtypes), strict=True))

    assert relation.count("*").fetchall() == [(9,)]
    assert types["url"] == "VARCHAR"
    assert types["authors"] == "VARCHAR[]"
    assert types["published_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["fetched_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["syndication"].startswith("STRUCT(status VARCHAR")
    sites = duckdb.sql(
        f"SELECT site, count(*) FROM read_json('{pattern}') GROUP BY site ORDER BY site"
    ).fetchall()
    assert sites == [("harbour-times", 2), ("meridian-wire", 7)]
