from __future__ import annotations

import json
import logging
import re
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from crawler.monitoring.finalize import finalize_run
from crawler.monitoring.metrics import build_registry
from crawler.monitoring.storage import load_document
from tests.conftest import REPO_ROOT
from tests.monitoring.conftest import (
    STANDARD_SITES,
    healthy_site,
    raw_stats,
    run_id_at,
    standard_raw,
    write_history,
)

RUN = run_id_at(10)
START, END = "2026-03-12T06:00:00+00:00", "2026-03-12T06:05:00+00:00"


def finalize(
    tmp_path: Path,
    raw: dict[str, Any],
    settings: dict[str, Any] | None = None,
    *,
    exit_status: int = 0,
    sites: list[str] | None = None,
    output: str | None = None,
) -> Any:
    return finalize_run(
        raw,
        sites=sites or STANDARD_SITES,
        run_id=RUN,
        started_at=START,
        finished_at=END,
        exit_status=exit_status,
        state_dir=tmp_path / "state",
        output_uri=output if output is not None else str(tmp_path / "out"),
        settings=settings or {},
    )


def test_healthy_run_exits_zero_and_writes_both_documents(tmp_path: Path) -> None:
    health = finalize(tmp_path, raw_stats({"a": healthy_site(10)}), sites=["a"])
    assert health.exit_status == 0 and health.failed_monitors == []
    assert health.document_path == tmp_path / "state" / "runs" / f"run={RUN}.json"
    doc = load_document(health.document_path)
    assert (
        doc.exit_status == 0 and len(doc.monitors) == 6 and all(m["passed"] for m in doc.monitors)
    )
    copy = tmp_path / "out" / "runs" / f"run={RUN}" / "stats.json"
    assert health.document_uri == str(copy) and json.loads(copy.read_text())["monitors_failed"] == 0


def test_failed_monitors_make_the_exit_status_non_zero_and_log_errors(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="crawler.monitoring")
    health = finalize(tmp_path, standard_raw())
    assert health.exit_status == 1
    assert {(r.monitor, r.site) for r in health.failed_monitors} == {
        ("error_rate", "valley-ledger"),
        ("text_lost", "kestrel-fm"),
    }
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 2
    assert any(
        "error_rate" in e
        and "site valley-ledger" in e
        and "figure 0.8889" in e
        and "threshold 0.2" in e
        for e in errors
    )
    assert any("text_lost" in e and "site kestrel-fm" in e and "figure 0.8333" in e for e in errors)
    doc = json.loads(health.document_path.read_text())
    assert doc["exit_status"] == 1 and doc["crawl_exit_status"] == 0 and doc["monitors_failed"] == 2


def test_a_failed_crawl_stays_failed_even_when_monitors_pass(tmp_path: Path) -> None:
    health = finalize(tmp_path, raw_stats({"a": healthy_site(10)}), exit_status=1, sites=["a"])
    assert health.exit_status == 1 and health.failed_monitors == []


def test_drop_monitor_reads_the_history_in_the_state_dir(tmp_path: Path) -> None:
    write_history(tmp_path / "state", [{"a": 40}, {"a": 42}, {"a": 41}])
    assert finalize(tmp_path, raw_stats({"a": healthy_site(38)}), sites=["a"]).exit_status == 0
    health = finalize(tmp_path, raw_stats({"a": healthy_site(9)}), sites=["a"])
    assert [(r.monitor, r.figure, r.threshold) for r in health.failed_monitors] == [
        ("sudden_drop", 9, 20.5)
    ]


def test_bad_monitor_setting_still_writes_the_document_and_fails(tmp_path: Path) -> None:
    health = finalize(
        tmp_path,
        raw_stats({"a": healthy_site(10)}),
        {"SYNDICRAWL_MONITOR_DROP_RATIO": "half"},
        sites=["a"],
    )
    assert health.exit_status == 1 and health.failed_monitors[0].monitor == "monitor_settings"
    assert "SYNDICRAWL_MONITOR_DROP_RATIO" in health.failed_monitors[0].message
    assert health.document_path.exists()


def test_monitors_can_be_disabled(tmp_path: Path) -> None:
    assert (
        finalize(tmp_path, standard_raw(), {"SYNDICRAWL_MONITOR_ENABLED": False}).exit_status == 0
    )


# --- notifications ------------------------------------------------------------------------------
def test_webhook_is_called_only_for_a_failed_run(tmp_path: Path, http_recorder: Any) -> None:
    settings = {
        "SYNDICRAWL_NOTIFY_SLACK_WEBHOOK": f"{http_recorder.url}/services/T000/B000/secretpart"
    }
    finalize(tmp_path, raw_stats({"a": healthy_site(10)}), settings, sites=["a"])
    assert http_recorder.requests == []
    health = finalize(tmp_path, standard_raw(), settings)
    assert health.problems == []
    [request] = http_recorder.requests
    assert request["method"] == "POST" and request["path"] == "/services/T000/B000/secretpart"
    assert request["headers"]["Content-Type"] == "application/json"
    text = json.loads(request["body"])["text"]
    assert (
        f"syndicrawl run {RUN} FAILED" in text
        and "site valley-ledger: fetch error rate 0.89" in text
    )


def test_webhook_failure_is_reported_without_the_url(
    tmp_path: Path, http_recorder: Any, caplog: pytest.LogCaptureFixture
) -> None:
    http_recorder.status = 500
    health = finalize(
        tmp_path,
        standard_raw(),
        {"SYNDICRAWL_NOTIFY_SLACK_WEBHOOK": f"{http_recorder.url}/hooks/secretpart"},
    )
    assert health.exit_status == 1  # the run's own outcome is unchanged
    assert health.problems == ["notification to SYNDICRAWL_NOTIFY_SLACK_WEBHOOK failed: HTTP 500"]
    assert "secretpart" not in caplog.text and "secretpart" not in health.document_path.read_text()


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib.send_message: EHLO, MAIL, RCPT, DATA, QUIT."""

    def handle(self) -> None:
        self.wfile.write(b"220 localhost test SMTP\r\n")
        mail: dict[str, Any] = {"rcpt": []}
        while line := self.rfile.readline():
            verb = line.decode().strip().split(" ")[0].split(":")[0].upper()
            if verb == "EHLO":
                self.wfile.write(b"250-localhost\r\n250 8BITMIME\r\n")
            elif verb == "RCPT":
                mail["rcpt"].append(line.decode().strip())
                self.wfile.write(b"250 OK\r\n")
            elif verb == "DATA":
                self.wfile.write(b"354 go ahead\r\n")
                body = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    body.append(data)
                mail["data"] = b"".join(body).decode()
                self.server.mails.append(mail)  # type: ignore[attr-defined]
                self.wfile.write(b"250 queued\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 OK\r\n")


@pytest.fixture
def smtp_server() -> Iterator[Any]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.mails = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_email_is_sent_through_the_smtp_host(tmp_path: Path, smtp_server: Any) -> None:
    settings = {
        "SYNDICRAWL_NOTIFY_EMAIL_TO": "ops@example.org, oncall@example.org",
        "SYNDICRAWL_NOTIFY_SMTP_HOST": f"127.0.0.1:{smtp_server.server_address[1]}",
    }
    health = finalize(tmp_path, standard_raw(), settings)
    assert health.problems == []
    [mail] = smtp_server.mails
    assert len(mail["rcpt"]) == 2 and "<ops@example.org>" in mail["rcpt"][0]
    assert f"Subject: syndicrawl run {RUN} FAILED" in mail["data"]
    assert "text_lost: site kestrel-fm" in mail["data"]


# --- Prometheus ---------------------------------------------------------------------------------
def _samples(text: str) -> dict[str, float]:
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
    return out


def test_textfile_has_per_site_metrics(tmp_path: Path) -> None:
    write_history(tmp_path / "state", [{"harbor-times": 20, "valley-ledger": 18, "kestrel-fm": 12}])
    textfile = tmp_path / "node" / "syndicrawl.prom"
    textfile.parent.mkdir()
    health = finalize(tmp_path, standard_raw(), {"SYNDICRAWL_PROMETHEUS_TEXTFILE": str(textfile)})
    assert health.problems == []
    s = _samples(textfile.read_text())
    assert s['syndicrawl_articles_exported{site="harbor-times"}'] == 24
    assert s['syndicrawl_fetch_failures{reason="http_500",site="valley-ledger"}'] == 16
    assert s['syndicrawl_articles_dropped{reason="EmptyExtraction",site="kestrel-fm"}'] == 7
    assert s['syndicrawl_republications_linked{site="harbor-times"}'] == 6
    assert s['syndicrawl_monitor_failed{monitor="error_rate",site="valley-ledger"}'] == 1
    assert s['syndicrawl_monitor_failed{monitor="error_rate",site="harbor-times"}'] == 0
    assert s["syndicrawl_monitors_failed"] == 2 and s["syndicrawl_run_exit_status"] == 1
    assert s["syndicrawl_run_duration_seconds"] == 300
    # the healthy site's last success is this run; the broken ones keep the earlier run's time
    assert (
        s['syndicrawl_last_success_timestamp_seconds{site="harbor-times"}'] == 1773295500.0
    )  # 2026-03-12T06:05Z
    assert (
        s['syndicrawl_last_success_timestamp_seconds{site="valley-ledger"}'] == 1772431500.0
    )  # 2026-03-02T06:05Z
    assert s["syndicrawl_last_run_timestamp_seconds"] == 1773295500.0


def test_push_to_pushgateway(tmp_path: Path, http_recorder: Any) -> None:
    health = finalize(
        tmp_path, standard_raw(), {"SYNDICRAWL_PROMETHEUS_PUSHGATEWAY": http_recorder.url}
    )
    assert health.problems == []
    [request] = http_recorder.requests
    assert request["method"] == "PUT" and request["path"] == "/metrics/job/syndicrawl"
    assert b'syndicrawl_articles_exported{site="kestrel-fm"} 2.0' in request["body"]


def test_push_failure_is_a_problem_not_a_crash(tmp_path: Path, http_recorder: Any) -> None:
    http_recorder.status = 503
    health = finalize(
        tmp_path,
        raw_stats({"a": healthy_site(3)}),
        {"SYNDICRAWL_PROMETHEUS_PUSHGATEWAY": http_recorder.url},
        sites=["a"],
    )
    assert health.exit_status == 0
    assert len(health.problems) == 1 and health.problems[0].startswith(
        "SYNDICRAWL_PROMETHEUS_PUSHGATEWAY="
    )


def test_alert_rules_use_only_metrics_we_export(tmp_path: Path) -> None:
    rules = yaml.safe_load((REPO_ROOT / "deploy" / "prometheus" / "alerts.yml").read_text())
    exprs = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    used = {name for expr in exprs for name in re.findall(r"\bsyndicrawl_[a-z_]+", expr)}
    health = finalize(tmp_path, standard_raw())
    doc = load_document(health.document_path)
    exported = {m.name for m in build_registry(doc, []).collect()}
    assert used and used <= exported, f"alerts.yml uses unknown metrics: {sorted(used - exported)}"


@pytest.mark.s3
def test_s3_output_gets_the_document_and_an_upload_failure_is_a_problem(
    tmp_path: Path, moto_endpoint: str
) -> None:
    import boto3

    client = boto3.client("s3", endpoint_url=moto_endpoint)
    client.create_bucket(Bucket="news")
    settings = {"AWS_ENDPOINT_URL": moto_endpoint}
    health = finalize(
        tmp_path, raw_stats({"a": healthy_site(3)}), settings, sites=["a"], output="s3://news/prod"
    )
    assert (
        health.problems == [] and health.document_uri == f"s3://news/prod/runs/run={RUN}/stats.json"
    )
    body = client.get_object(Bucket="news", Key=f"prod/runs/run={RUN}/stats.json")["Body"].read()
    assert json.loads(body)["sites"]["a"]["exported"] == 3
    assert not (tmp_path / "out").exists() and health.document_path.exists()
    failed = finalize(
        tmp_path,
        raw_stats({"a": healthy_site(3)}),
        settings,
        sites=["a"],
        output="s3://no-such-bucket/prod",
    )
    assert failed.exit_status == 0 and failed.document_path.exists()
    assert len(failed.problems) == 1 and failed.problems[0].startswith(
        "stats document upload to s3://no-such-bucket/prod failed"
    )
    assert "NoSuchBucket" in failed.problems[0]
