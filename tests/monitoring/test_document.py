from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.monitoring.document import (
    KIND,
    SCHEMA_VERSION,
    DocumentError,
    RunDocument,
    build_document,
)
from crawler.monitoring.storage import load_document, upload_document, write_document
from tests.monitoring.conftest import STANDARD_SITES, raw_stats, run_id_at, standard_raw

RUN = run_id_at(0)
START, END = "2026-03-02T06:00:00+00:00", "2026-03-02T06:05:12+00:00"


def build(raw: dict, sites: list[str] | None = None, **kw) -> dict:
    return build_document(
        raw, sites if sites is not None else STANDARD_SITES, RUN, START, END, 0, **kw
    )


def test_per_site_figures_from_raw_stats() -> None:
    doc = build(standard_raw())
    assert doc["kind"] == KIND and doc["schema_version"] == SCHEMA_VERSION
    assert doc["duration_seconds"] == 312.0
    harbor, valley, kestrel = (
        doc["sites"][s] for s in ("harbor-times", "valley-ledger", "kestrel-fm")
    )
    assert harbor["exported"] == 24 and harbor["fetched"] == 24 and harbor["linked"] == 6
    assert harbor["stripped_by_reason"] == {"promo": 3} and harbor["bytes"] == 240_000
    assert harbor["failed_by_reason"] == {"timeout": 1}
    assert valley["failed"] == 16 and valley["failed_by_reason"] == {"http_500": 16}
    assert valley["discovered"] == 18
    # stat keys are lower case; drop reasons get their class names back
    assert kestrel["dropped_by_reason"] == {"BodyTooShort": 3, "EmptyExtraction": 7}
    assert kestrel["dropped"] == 10 and kestrel["missing_date"] == 2
    assert doc["totals"]["exported"] == 28 and doc["totals"]["failed"] == 17
    assert doc["totals"]["dropped_by_reason"] == {"BodyTooShort": 3, "EmptyExtraction": 7}
    assert doc["run"]["responses_by_status"] == {"200": 40, "500": 64}
    assert doc["run"]["retries"] == 48 and doc["run"]["response_bytes"] == 345_678
    assert doc["run"]["export_failed"] is False
    assert doc["stats"]["start_time"] == "2026-03-02T06:00:00+00:00"  # datetimes become ISO strings
    json.dumps(doc)  # JSON-ready as it is


def test_missing_and_unknown_keys_read_as_zero() -> None:
    doc = build(
        {"some/other_stat": 5, "syndicrawl/site/new-site/future_stage/thing_count": 2},
        ["quiet-site"],
    )
    assert set(doc["sites"]) == {"quiet-site", "new-site"}  # a site seen only in the stats is kept
    assert all(v in (0, {}) for v in doc["sites"]["quiet-site"].values())
    assert doc["totals"]["exported"] == 0 and doc["run"]["requests"] == 0


def test_a_stage_counting_only_per_site_still_reaches_the_totals() -> None:
    doc = build(
        {
            "syndicrawl/site/a/export/exported_count": 4,
            "syndicrawl/site/b/export/exported_count": 3,
        },
        ["a", "b"],
    )
    assert doc["totals"]["exported"] == 7


def test_credentials_never_reach_the_document() -> None:
    raw = {
        **raw_stats({"a": {"export/exported": 1}}),
        "aws_secret_access_key": "AKIA-SECRET",
        "AWS_SESSION_TOKEN": "tok",
        "smtp_password": "pw",
        "syndicrawl/export/failure_message": "PUT https://user:hunter2@store.example/b failed",
    }
    doc = build(raw, ["a"], output_uri="https://key:hunter2@minio.local/bucket")
    text = json.dumps(doc)
    for secret in ("AKIA-SECRET", 'tok"', "hunter2", '"pw"'):
        assert secret not in text
    assert doc["output_uri"] == "https://minio.local/bucket"


def test_write_document_to_state_dir_and_local_output(tmp_path: Path) -> None:
    doc = build(standard_raw(), output_uri=str(tmp_path / "out"))
    path = write_document(doc, tmp_path / "state", str(tmp_path / "out"))
    assert path == tmp_path / "state" / "runs" / f"run={RUN}.json"
    copy = tmp_path / "out" / "runs" / f"run={RUN}" / "stats.json"
    assert (
        json.loads(path.read_text()) == json.loads(copy.read_text()) == json.loads(json.dumps(doc))
    )
    loaded = load_document(path)
    assert loaded.sites["kestrel-fm"].dropped_by_reason == {"BodyTooShort": 3, "EmptyExtraction": 7}
    assert loaded.to_json() == json.loads(json.dumps(doc))  # round trip


def test_load_rejects_unknown_major_and_reads_legacy(tmp_path: Path) -> None:
    doc = build(standard_raw())
    bad = tmp_path / "v9.json"
    bad.write_text(json.dumps({**doc, "schema_version": "9.0"}))
    with pytest.raises(DocumentError, match=r"schema_version '9.0'"):
        load_document(bad)
    newer_minor = RunDocument.from_json({**doc, "schema_version": "1.7"})
    assert newer_minor.sites["harbor-times"].exported == 24
    legacy = tmp_path / "legacy.json"  # what the runner wrote before this package
    legacy.write_text(
        json.dumps(
            {
                "run_id": RUN,
                "started_at": START,
                "finished_at": END,
                "exit_status": 1,
                "problems": ["x"],
                "stats": standard_raw(),
            },
            default=str,
        )
    )
    old = load_document(legacy)
    assert (
        old.sites["valley-ledger"].failed == 16 and old.exit_status == 1 and old.problems == ["x"]
    )
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    with pytest.raises(DocumentError, match=r"garbage\.json"):
        load_document(garbage)


@pytest.mark.s3
def test_upload_document_puts_stats_json_under_the_prefix(moto_endpoint: str) -> None:
    import boto3

    client = boto3.client("s3", endpoint_url=moto_endpoint)
    client.create_bucket(Bucket="news")
    doc = build(standard_raw())
    uri = upload_document(doc, "s3://news/feeds/prod", moto_endpoint)
    assert uri == f"s3://news/feeds/prod/runs/run={RUN}/stats.json"
    body = client.get_object(Bucket="news", Key=f"feeds/prod/runs/run={RUN}/stats.json")[
        "Body"
    ].read()
    assert json.loads(body)["sites"]["harbor-times"]["exported"] == 24
    with pytest.raises(Exception, match="NoSuchBucket"):
        upload_document(doc, "s3://missing-bucket", moto_endpoint)
    with pytest.raises(ValueError, match="expected s3://bucket"):
        upload_document(doc, "/local/folder", moto_endpoint)
