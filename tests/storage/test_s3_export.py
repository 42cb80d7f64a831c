"""The export against a real S3-compatible server process (moto_server on 127.0.0.1)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from crawler.cli import main as cli_main
from pipelines.core.storage import StorageError, open_sink
from tests.conftest import REPO_ROOT
from tests.storage.conftest import MotoServer, s3_client
from tests.storage.factories import (
    build_pipeline,
    decode_part,
    expected_record,
    make_item,
    run_export,
)

pytestmark = pytest.mark.s3

PREFIX = "exports/news"


def settings_for(
    bucket: str, endpoint: str, tmp_path: Path, run_id: str, **extra: Any
) -> dict[str, Any]:
    return {
        "SYNDICRAWL_OUTPUT_URI": f"s3://{bucket}/{PREFIX}",
        "SYNDICRAWL_STATE_DIR": str(tmp_path / "state"),
        "SYNDICRAWL_RUN_ID": run_id,
        "SYNDICRAWL_EXPORT_BATCH_SIZE": 2,
        "SYNDICRAWL_EXPORT_RETRIES": 1,
        "SYNDICRAWL_EXPORT_BACKOFF_SECONDS": 0.01,
        "AWS_ENDPOINT_URL": endpoint,
        **extra,
    }


def object_keys(endpoint: str, bucket: str) -> list[str]:
    response = s3_client(endpoint).list_objects_v2(Bucket=bucket)
    return sorted(entry["Key"] for entry in response.get("Contents", []))


def get_object(endpoint: str, bucket: str, key: str) -> bytes:
    data: bytes = s3_client(endpoint).get_object(Bucket=bucket, Key=key)["Body"].read()
    return data


def verify(
    bucket: str, endpoint: str, capsys: pytest.CaptureFixture[str]
) -> tuple[int, dict[str, Any], str]:
    status = cli_main(
        ["export", "verify", f"s3://{bucket}/{PREFIX}", "--endpoint-url", endpoint, "--json"]
    )
    out = capsys.readouterr().out
    return status, json.loads(out.strip().splitlines()[-1]), out


def spool_runs(tmp_path: Path) -> list[str]:
    spool = tmp_path / "state" / "spool"
    return sorted(p.name for p in spool.iterdir()) if spool.is_dir() else []


def test_parts_land_under_partition_keys_and_manifest_is_written_last(
    bucket: str, s3_proxy: Any, tmp_path: Path
) -> None:
    items = [
        make_item(0),
        make_item(1),
        make_item(2),  # third record of the partition: a second part
        make_item(3, site="harbour-times", published_at="2026-11-26T23:59:59+00:00"),
        make_item(4, site="harbour-times", published_at=None),  # fetched_at decides the date
    ]
    pipeline, stats = run_export(
        settings_for(bucket, s3_proxy.endpoint_url, tmp_path, "run-a"), items
    )

    assert not pipeline.failed
    assert stats["syndicrawl/export/run_failed"] == 0
    base = f"{PREFIX}/articles"
    parts = {
        f"{base}/dt=2026-11-27/site=meridian-wire/part-run-a-00000.jsonl.gz": items[0:2],
        f"{base}/dt=2026-11-27/site=meridian-wire/part-run-a-00001.jsonl.gz": items[2:3],
        f"{base}/dt=2026-11-26/site=harbour-times/part-run-a-00000.jsonl.gz": items[3:4],
        f"{base}/dt=2026-11-28/site=harbour-times/part-run-a-00000.jsonl.gz": items[4:5],
    }
    manifest_key = f"{PREFIX}/manifests/run=run-a.json"
    assert object_keys(s3_proxy.endpoint_url, bucket) == sorted([*parts, manifest_key])
    for key, part_items in parts.items():
        records = decode_part(get_object(s3_proxy.endpoint_url, bucket, key), key)
        assert records == [expected_record(item, "run-a") for item in part_items], key
    # The manifest is the last write of the run.
    writes = [unquote(path) for method, path in s3_proxy.requests if method in ("PUT", "POST")]
    assert len(writes) == 5
    assert writes[-1] == f"/{bucket}/{manifest_key}"
    assert all("/manifests/" not in path for path in writes[:-1])

    manifest = json.loads(get_object(s3_proxy.endpoint_url, bucket, manifest_key))
    assert manifest["run_id"] == "run-a"
    assert manifest["schema_version"] == "1.0"
    assert manifest["complete"] is True
    assert manifest["started_at"] <= manifest["ended_at"]
    assert manifest["totals"] == {
        "files": 4,
        "records": 5,
        "bytes": sum(f["bytes"] for f in manifest["files"]),
    }
    assert {f"{PREFIX}/{f['key']}" for f in manifest["files"]} == set(parts)
    assert stats["syndicrawl/export/uploaded_count/part"] == 4
    assert stats["syndicrawl/export/uploaded_count/manifest"] == 1
    assert stats["syndicrawl/site/harbour-times/export/exported_count"] == 2
    assert spool_runs(tmp_path) == []  # a complete upload clears the spool


def test_verify_passes_and_then_fails_on_tampered_and_missing_objects(
    bucket: str, s3_server: MotoServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    endpoint = s3_server.endpoint_url
    run_export(settings_for(bucket, endpoint, tmp_path, "run-v"), [make_item(n) for n in range(5)])
    status, report, _ = verify(bucket, endpoint, capsys)
    assert (status, report["ok"], report["records"], report["files"]) == (0, True, 5, 3)

    client = s3_client(endpoint)
    client.put_object(
        Bucket=bucket,
        Key=f"{PREFIX}/articles/dt=2026-11-27/site=stray/part-x-00000.jsonl.gz",
        Body=b"",
    )
    status, report, out = verify(bucket, endpoint, capsys)
    assert status == 0, "an orphan is a warning, not an error"
    assert report["orphans"] == ["articles/dt=2026-11-27/site=stray/part-x-00000.jsonl.gz"]
    assert "WARN articles/dt=2026-11-27/site=stray/part-x-00000.jsonl.gz" in out

    first = f"{PREFIX}/articles/dt=2026-11-27/site=meridian-wire/part-run-v-00000.jsonl.gz"
    second = f"{PREFIX}/articles/dt=2026-11-27/site=meridian-wire/part-run-v-00001.jsonl.gz"
    client.put_object(Bucket=bucket, Key=first, Body=get_object(endpoint, bucket, first)[:-7])
    client.delete_object(Bucket=bucket, Key=second)
    status, report, out = verify(bucket, endpoint, capsys)
    assert status == 1
    problems = {(p["key"], p["problem"].split(" ")[0]) for p in report["problems"]}
    assert (first.removeprefix(PREFIX + "/"), "size") in problems
    assert (first.removeprefix(PREFIX + "/"), "sha256") in problems
    assert (second.removeprefix(PREFIX + "/"), "listed") in problems
    assert (
        "FAIL articles/dt=2026-11-27/site=meridian-wire/part-run-v-00001.jsonl.gz: listed in a manifest"
        in out
    )


def test_missing_bucket_fails_the_run_keeps_the_spool_and_the_next_run_uploads_it(
    s3_server: MotoServer,
    aws_env: None,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: Any,
) -> None:
    endpoint = s3_server.endpoint_url
    bucket = f"not-yet-{tmp_path.name[-8:].lower().replace('_', '-')}"
    with caplog.at_level(logging.INFO):
        pipeline, stats = run_export(
            settings_for(bucket, endpoint, tmp_path, "run-1"), [make_item(n) for n in range(3)]
        )

    assert pipeline.failed
    assert stats["syndicrawl/export/run_failed"] == 1
    assert stats["syndicrawl/export/failed_count/no_such_bucket"] == 1
    assert "syndicrawl/export/retries_count" not in stats, "a missing bucket is not retried"
    errors = [
        r for r in caplog.records if r.levelno == logging.ERROR and r.name == "pipelines.export"
    ]
    assert len(errors) == 1
    message = errors[0].getMessage()
    assert f"s3://{bucket}/{PREFIX}/" in message and "no_such_bucket" in message
    assert str(tmp_path / "state" / "spool" / "run-1") in message
    assert spool_runs(tmp_path) == ["run-1"]
    assert len(list((tmp_path / "state/spool/run-1/parts").rglob("*.jsonl.gz"))) == 2

    s3_client(endpoint).create_bucket(Bucket=bucket)
    pipeline, stats = run_export(settings_for(bucket, endpoint, tmp_path, "run-2"), [make_item(10)])

    assert not pipeline.failed
    assert pipeline.result is not None and pipeline.result.leftover_runs == ["run-1"]
    assert stats["syndicrawl/export/leftover_runs_count"] == 1
    assert spool_runs(tmp_path) == []
    keys = object_keys(endpoint, bucket)
    assert (
        f"{PREFIX}/manifests/run=run-1.json" in keys
        and f"{PREFIX}/manifests/run=run-2.json" in keys
    )
    status, report, _ = verify(bucket, endpoint, capsys)
    assert (status, report["manifests"], report["records"], report["orphans"]) == (0, 2, 4, [])


def test_server_stopped_mid_run_keeps_the_spool_and_a_fresh_server_gets_everything(
    moto_factory: Any, aws_env: None, tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: Any
) -> None:
    server: MotoServer = moto_factory()
    bucket = "midrun"
    s3_client(server.endpoint_url).create_bucket(Bucket=bucket)
    pipeline, crawler = build_pipeline(settings_for(bucket, server.endpoint_url, tmp_path, "run-1"))
    pipeline.open_spider()
    for n in range(2):
        pipeline.process_item(make_item(n))
    pipeline.exporter.wait_idle()
    assert len(object_keys(server.endpoint_url, bucket)) == 1, (
        "the first part is uploaded during the crawl"
    )

    server.stop()
    for n in range(2, 5):
        pipeline.process_item(make_item(n))
    import asyncio

    with caplog.at_level(logging.ERROR):
        asyncio.run(pipeline.close_spider())
    stats = crawler.stats.get_stats()
    assert pipeline.failed and stats["syndicrawl/export/run_failed"] == 1
    assert stats["syndicrawl/export/failed_count/connection"] == 1
    assert stats["syndicrawl/export/retries_count/connection"] == 1
    assert (
        "connection" in caplog.text and str(tmp_path / "state" / "spool" / "run-1") in caplog.text
    )
    assert spool_runs(tmp_path) == ["run-1"]

    server.restart()  # a fresh, empty server: the part uploaded before the stop is gone
    s3_client(server.endpoint_url).create_bucket(Bucket=bucket)
    pipeline, stats = run_export(settings_for(bucket, server.endpoint_url, tmp_path, "run-2"), [])
    assert not pipeline.failed
    assert spool_runs(tmp_path) == []
    status, report, _ = verify(bucket, server.endpoint_url, capsys)
    assert (status, report["manifests"], report["files"], report["records"]) == (0, 2, 3, 5)


@pytest.mark.parametrize(
    ("status", "reason", "retries"),
    [(403, "access_denied", 0), (503, "throttled", 2)],
    ids=["403-permanent", "503-retried"],
)
def test_store_refusing_writes_fails_the_run_and_the_next_run_uploads(
    bucket: str, s3_proxy: Any, tmp_path: Path, capsys: Any, status: int, reason: str, retries: int
) -> None:
    s3_proxy.refuse_status = status
    settings = settings_for(
        bucket, s3_proxy.endpoint_url, tmp_path, "run-1", SYNDICRAWL_EXPORT_RETRIES=2
    )
    pipeline, stats = run_export(settings, [make_item(n) for n in range(3)])
    assert pipeline.failed
    assert stats[f"syndicrawl/export/failed_count/{reason}"] == 1
    assert stats.get("syndicrawl/export/retries_count", 0) == retries
    assert spool_runs(tmp_path) == ["run-1"]
    assert object_keys(s3_proxy.endpoint_url, bucket) == []

    s3_proxy.refuse_status = None
    pipeline, stats = run_export({**settings, "SYNDICRAWL_RUN_ID": "run-2"}, [make_item(7)])
    assert not pipeline.failed
    assert spool_runs(tmp_path) == []
    code, report, _ = verify(bucket, s3_proxy.endpoint_url, capsys)
    assert (code, report["manifests"], report["records"]) == (0, 2, 4)


def test_large_part_goes_up_as_a_multipart_upload(
    bucket: str, s3_server: MotoServer, tmp_path: Path
) -> None:
    words = " ".join(f"w{n:06d}" for n in range(800_000))  # ~6.4 MB, above the 5 MiB threshold
    item = make_item(0, text=words)
    settings = settings_for(
        bucket,
        s3_server.endpoint_url,
        tmp_path,
        "run-big",
        SYNDICRAWL_EXPORT_COMPRESSION="none",
        SYNDICRAWL_EXPORT_MULTIPART_THRESHOLD=5 * 1024 * 1024,
    )
    pipeline, _ = run_export(settings, [item])
    assert not pipeline.failed
    key = f"{PREFIX}/articles/dt=2026-11-27/site=meridian-wire/part-run-big-00000.jsonl"
    head = s3_client(s3_server.endpoint_url).head_object(Bucket=bucket, Key=key)
    assert "-" in head["ETag"], "a multipart upload's ETag ends in -<parts>"
    assert decode_part(get_object(s3_server.endpoint_url, bucket, key), key) == [
        expected_record(item, "run-big")
    ]


def test_credentials_never_appear_in_logs(
    bucket: str, s3_server: MotoServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        run_export(
            settings_for(bucket, s3_server.endpoint_url, tmp_path, "run-log"), [make_item(1)]
        )
        run_export(
            settings_for("no-such-bucket-x", s3_server.endpoint_url, tmp_path, "run-log2"),
            [make_item(2)],
        )
    assert "testing-secret" not in caplog.text
    assert "pipelines.export" in {r.name for r in caplog.records}


def test_s3_output_without_boto3_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(__import__("sys").modules, "boto3", None)
    with pytest.raises(StorageError, match="boto3"):
        open_sink("s3://bucket/prefix")


CRAWL = """
import json, sys
from scrapy import Spider
from scrapy.crawler import CrawlerProcess
from tests.storage.factories import make_item

class Articles(Spider):
    name = "articles"

    async def start(self):
        for n in range(5):
            yield make_item(n)

settings = {
    "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    "ITEM_PIPELINES": {"pipelines.export.ExportPipeline": 500},
    "LOG_LEVEL": "INFO",
    **json.loads(sys.argv[1]),
}
process = CrawlerProcess(settings)
crawler = process.create_crawler(Articles)
process.crawl(crawler)
process.start()
stats = crawler.stats.get_stats()
print(json.dumps({k: v for k, v in stats.items() if k.startswith("syndicrawl/export/")}))
"""


def crawl_in_subprocess(settings: dict[str, Any]) -> tuple[dict[str, Any], str]:
    done = subprocess.run(
        [sys.executable, "-c", CRAWL, json.dumps(settings)],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def test_a_real_crawl_waits_for_the_upload_and_reports_a_failure_in_its_stats(
    s3_server: MotoServer, aws_env: None, tmp_path: Path, capsys: Any
) -> None:
    bucket = "crawl-bucket"
    settings = settings_for(bucket, s3_server.endpoint_url, tmp_path, "crawl-1")
    stats, log = crawl_in_subprocess(settings)
    assert stats["syndicrawl/export/run_failed"] == 1
    assert stats["syndicrawl/export/failed_count/no_such_bucket"] == 1
    assert "ERROR: Export: storing run crawl-1" in log

    s3_client(s3_server.endpoint_url).create_bucket(Bucket=bucket)
    stats, _ = crawl_in_subprocess({**settings, "SYNDICRAWL_RUN_ID": "crawl-2"})
    assert stats["syndicrawl/export/run_failed"] == 0
    assert stats["syndicrawl/export/leftover_runs_count"] == 1
    status, report, _ = verify(bucket, s3_server.endpoint_url, capsys)
    assert (status, report["manifests"], report["records"]) == (0, 2, 10)
