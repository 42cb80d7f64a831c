"""Raw Scrapy stats as the crawl writes them, and run histories on disk, for the monitoring tests."""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from crawler.monitoring.document import build_document
from crawler.monitoring.storage import write_document
from pipelines.stats import stat_key

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def run_id_at(day: int) -> str:
    """Run ids sort by start time, like the runner's."""
    return f"{(T0 + timedelta(days=day)):%Y%m%dT%H%M%SZ}-{day:06x}"


def raw_stats(per_site: Mapping[str, Mapping[str, int]], **extra: Any) -> dict[str, Any]:
    """Stats as ``pipelines.stats.count`` writes them: each per-site key plus its run total.

    ``per_site`` maps a site to ``{"stage/outcome[/detail]": value}``.
    """
    raw: dict[str, Any] = {}
    for site, counts in per_site.items():
        for name, value in counts.items():
            stage, outcome, *detail = name.split("/")
            for key in (
                stat_key(stage, outcome, *detail, site=site),
                stat_key(stage, outcome, *detail),
            ):
                raw[key] = raw.get(key, 0) + value
    raw.update(extra)
    return raw


def healthy_site(
    exported: int = 20, *, discovered: int | None = None, skipped: int = 0
) -> dict[str, int]:
    return {
        "discovery/discovered": discovered if discovered is not None else exported + skipped,
        "discovery/skipped_unchanged": skipped,
        "fetch/article_fetched": exported,
        "export/exported": exported,
        "syndication/linked": exported // 4,
        "clean/stripped/promo": 3,
        "monitor/scraped": exported,
        "monitor/response_bytes": exported * 10_000,
    }


def standard_raw() -> dict[str, Any]:
    """Three sites: one healthy, one answering 500, one whose layout broke (empty extractions, no dates)."""
    return raw_stats(
        {
            "harbor-times": {**healthy_site(24), "fetch/failed/timeout": 1},
            "valley-ledger": {
                "discovery/discovered": 18,
                "fetch/article_fetched": 2,
                "fetch/failed/http_500": 16,
                "export/exported": 2,
                "monitor/scraped": 2,
            },
            "kestrel-fm": {
                "discovery/discovered": 12,
                "fetch/article_fetched": 12,
                "export/exported": 2,
                "monitor/scraped": 2,
                "monitor/undated": 2,
                "monitor/dropped/EmptyExtraction": 7,
                "monitor/dropped/BodyTooShort": 3,
            },
        },
        **{
            "item_dropped_reasons_count/EmptyExtraction": 7,
            "item_dropped_reasons_count/BodyTooShort": 3,
            "item_scraped_count": 28,
            "downloader/response_status_count/200": 40,
            "downloader/response_status_count/500": 64,
            "downloader/response_bytes": 345_678,
            "retry/count": 48,
            "elapsed_time_seconds": 312.5,
            "finish_reason": "finished",
            "start_time": T0,
        },
    )


STANDARD_SITES = ["harbor-times", "kestrel-fm", "valley-ledger"]


def write_history(
    state_dir: Path,
    exports: list[dict[str, int]],
    *,
    output_uri: str | None = None,
    start_day: int = 0,
) -> list[str]:
    """One stats document per entry of ``exports`` ({site: exported}), a day apart; returns the run ids."""
    ids = []
    for i, per_site in enumerate(exports):
        run_id = run_id_at(start_day + i)
        start = T0 + timedelta(days=start_day + i)
        raw = raw_stats({site: healthy_site(n) for site, n in per_site.items()})
        doc = build_document(
            raw,
            sorted(per_site),
            run_id,
            start.isoformat(),
            (start + timedelta(minutes=5)).isoformat(),
            0,
            output_uri=output_uri,
        )
        write_document(doc, state_dir, output_uri)
        ids.append(run_id)
    return ids


class _Recorder(BaseHTTPRequestHandler):
    def _record(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.server.requests.append(  # type: ignore[attr-defined]
            {
                "method": self.command,
                "path": self.path,
                "headers": dict(self.headers),
                "body": self.rfile.read(length),
            }
        )
        status = self.server.status  # type: ignore[attr-defined]
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_POST = do_PUT = _record

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture
def http_recorder() -> Iterator[Any]:
    """A local HTTP server on a free port that records every POST/PUT; ``.url``, ``.requests``, ``.status``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.requests = []  # type: ignore[attr-defined]
    server.status = 200  # type: ignore[attr-defined]
    server.url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def moto_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A real S3-compatible server (moto) on 127.0.0.1, reached by boto3 over a socket."""
    from moto.server import ThreadedMotoServer

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    # In-process moto keeps one global backend for every server it starts: reset it so no test
    # sees another's buckets.
    urllib.request.urlopen(
        urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10
    ).close()
    yield endpoint
    server.stop()
