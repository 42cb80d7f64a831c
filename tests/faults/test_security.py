"""Security: the address guard is on by default, credentials never reach logs, stats or reports,
site files are loaded with a safe YAML loader and validated, output keys come only from
validated names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.registry import SiteConfigError, load_sites
from pipelines.core.storage import InvalidKeyPart
from pipelines.core.storage.layout import partition_of
from tests.conftest import REPO_ROOT
from tests.faults.server import FaultServer

SECRETS = {
    "AWS_ACCESS_KEY_ID": "AKIAFAULTLABSENTINEL",
    "AWS_SECRET_ACCESS_KEY": "fault-lab-secret-sentinel-0123456789",
    "AWS_SESSION_TOKEN": "fault-lab-session-sentinel",
    # The webhook's path is its secret; port 9 (discard) on loopback: the post fails, quickly.
    "SYNDICRAWL_NOTIFY_SLACK_WEBHOOK": "http://127.0.0.1:9/services/T0/B0/webhooksentinel",
    "SYNDICRAWL_PROMETHEUS_PUSHGATEWAY": "http://pushuser:pushgatewaysentinel@127.0.0.1:9/",
}
NEEDLES = {
    "AWS_ACCESS_KEY_ID": "AKIAFAULTLABSENTINEL",
    "AWS_SECRET_ACCESS_KEY": "fault-lab-secret-sentinel",
    "AWS_SESSION_TOKEN": "fault-lab-session-sentinel",
    "SYNDICRAWL_NOTIFY_SLACK_WEBHOOK": "webhooksentinel",
    "SYNDICRAWL_PROMETHEUS_PUSHGATEWAY": "pushgatewaysentinel",
}


def _run(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=env,
    )


@pytest.mark.e2e
def test_guard_on_by_default_and_no_credentials_anywhere(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNDICRAWL_FETCH_ALLOWED")}
    env.update(SECRETS, PYTHONPATH=str(REPO_ROOT))
    with FaultServer(tmp_path, million=1000) as server:
        sites = tmp_path / "sites"
        sites.mkdir()
        (sites / "fault-lab.yaml").write_text(server.site_yaml(), encoding="utf-8")
        output = tmp_path / "out"
        crawl = _run(
            "crawl",
            "--sites",
            str(sites),
            "--output",
            str(output),
            "--set",
            "LOG_LEVEL=DEBUG",
            "--json",
            env=env,
            cwd=tmp_path,
        )
        served = sum(server.requests.values())

    # The guard refuses loopback unless SYNDICRAWL_FETCH_ALLOWED_ADDRESSES says otherwise.
    assert served == 0, crawl.stderr[-3000:]
    document = json.loads(
        next((output / ".state" / "runs").glob("run=*.json")).read_text(encoding="utf-8")
    )
    stats = document.get("stats", document)
    assert stats.get("syndicrawl/fetch/refused_address_count", 0) >= 1, crawl.stderr[-3000:]

    report = _run(
        "report",
        "--state-dir",
        str(output / ".state"),
        "--out",
        str(tmp_path / "report.html"),
        env=env,
        cwd=tmp_path,
    )
    runs = _run("runs", "--state-dir", str(output / ".state"), "--json", env=env, cwd=tmp_path)
    texts = {
        "crawl stdout": crawl.stdout,
        "crawl log": crawl.stderr,
        "report command": report.stdout + report.stderr,
        "runs command": runs.stdout + runs.stderr,
    }
    for path in [*output.rglob("*"), tmp_path / "report.html"]:
        if path.is_file() and path.suffix in (".json", ".html", ".jsonl", ".txt", ".prom", ""):
            texts[str(path)] = path.read_text(encoding="utf-8", errors="replace")
    assert (tmp_path / "report.html").exists(), report.stderr[-2000:]
    for where, text in texts.items():
        for name, needle in NEEDLES.items():
            assert needle not in text, f"{name} leaked into {where}"


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (
            "name: ../../x\nrole: original\nbase_url: http://a.example/\ndomains: [a.example]\nstart: {rss: [/r.xml]}\n",
            "name",
        ),
        (
            "name: ok\nrole: original\nbase_url: http://a.example/\ndomains: [a.example]\nstart: {rss: [/r.xml]}\n"
            "publisher: !!python/object/apply:os.system ['touch pwned']\n",
            None,
        ),
        (
            "name: UPPER\nrole: original\nbase_url: http://a.example/\ndomains: [a.example]\nstart: {rss: [/r.xml]}\n",
            "name",
        ),
        (
            "name: ok\nrole: original\nbase_url: http://a.example/\ndomains: [a.example]\nstart: {rss: [/r.xml]}\nrequest_budget: -5\n",
            "request_budget",
        ),
    ],
    ids=["path-traversal-name", "python-object-tag", "uppercase-name", "negative-budget"],
)
def test_bad_site_files_are_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, field: str | None
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "site.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(SiteConfigError) as raised:
        load_sites(tmp_path)
    if field:
        assert raised.value.field_name == field
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("site", ["../../x", "a/b", "..", "", "x\x00y"])
def test_output_keys_only_from_validated_names(site: str) -> None:
    record = {
        "site": site,
        "published_at": "2026-11-20T08:00:00+00:00",
        "fetched_at": "2026-11-20T09:00:00+00:00",
    }
    with pytest.raises(InvalidKeyPart):
        partition_of(record, today="2026-11-20")
