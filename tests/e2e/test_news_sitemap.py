"""A site discovered only through a Google News sitemap: the ``news:`` title and publication date
reach the record (Scrapy's SitemapSpider drops them), and robots.txt keeps the crawler out."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from tests.e2e.conftest import crawl, read_records

pytestmark = pytest.mark.e2e
SITE_FILES = Path(__file__).resolve().parent.parent / "data" / "sites" / "newsmap"


class FixtureSite(ThreadingHTTPServer):
    requested: list[str]


class Handler(BaseHTTPRequestHandler):
    server: FixtureSite

    def do_GET(self) -> None:
        self.server.requested.append(self.path)
        path = SITE_FILES / self.path.split("?", 1)[0].lstrip("/")
        if not path.is_file():
            self.send_error(404)
            return
        base = f"http://127.0.0.1:{self.server.server_address[1]}/"
        body = path.read_text(encoding="utf-8").replace("{base}", base).encode()
        self.send_response(200)
        kind = {".xml": "application/xml", ".txt": "text/plain"}.get(
            path.suffix, "text/html; charset=utf-8"
        )
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fixture_site() -> Iterator[FixtureSite]:
    server = FixtureSite(("127.0.0.1", 0), Handler)
    server.requested = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_news_sitemap_fields_reach_the_record(fixture_site: FixtureSite, tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{fixture_site.server_address[1]}/"
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "gull-point.yaml").write_text(
        yaml.safe_dump(
            {
                "name": "gull-point",
                "publisher": "Gull Point Gazette",
                "role": "original",
                "base_url": base,
                "domains": [base.split("/")[2]],
                "start": {"news_sitemaps": ["/news-sitemap.xml"]},
                "language": "en",
                "timezone": "Europe/Paris",
            }
        )
    )
    result = crawl(sites, tmp_path / "out")
    assert result.returncode == 0, result.stderr[-3000:]
    records = {r["url"]: r for r in read_records(tmp_path / "out")}
    lighthouse = records[f"{base}news/lighthouse-keepers-return.html"]
    assert lighthouse["title"] == "Lighthouse keepers return to Gull Point after forty years"
    assert lighthouse["published_at"] == "2026-10-02T04:45:00+00:00"
    assert lighthouse["published_at_source"] == "sitemap"
    assert lighthouse["published_at_raw"] == "2026-10-02T06:45:00+02:00"
    ferry = records[f"{base}news/ferry-timetable-winter.html"]
    assert ferry["title"] == "Winter ferry timetable adds an early crossing"
    assert ferry["published_at"] == "2026-10-03T17:20:00+00:00"
    assert len(records) == 2
    assert "/private/unpublished.html" not in fixture_site.requested
    assert fixture_site.requested.count("/news/lighthouse-keepers-return.html") == 1
