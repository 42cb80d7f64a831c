"""End to end: real Scrapy crawls (in a subprocess) against a local server.

The crawl's ``http_proxy`` points at the same local server, so every request the crawler lets
through, whatever its host, lands in the server's log instead of on the network: a refused request
(127.0.0.2, 169.254.169.254) must never appear there, and nothing ever connects past 127.0.0.1.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
HELPER = Path(__file__).with_name("middleware_crawl_helper.py")

pytestmark = pytest.mark.e2e

RUSSIAN = (
    "Городской совет утвердил бюджет нового моста; жители ждали этого решения почти десять лет."
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n"
FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title></channel></rss>'


def page(body: str, title: str = "Test page") -> str:
    return f"<!doctype html><html><head><title>{title}</title></head><body>{body}</body></html>"


@dataclass
class Hit:
    at: float
    host: str
    path: str


@dataclass
class Fixture:
    hits: list[Hit] = field(default_factory=list)
    seen: dict[str, int] = field(
        default_factory=dict
    )  # path -> times served (for first-time-fails routes)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, path: str) -> int:
        with self.lock:
            self.seen[path] = self.seen.get(path, 0) + 1
            return self.seen[path]

    def times(self, path: str) -> list[float]:
        return [h.at for h in self.hits if h.path == path]


def make_handler(fx: Fixture) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # keep pytest output clean
            pass

        def send(
            self,
            status: int,
            body: bytes,
            content_type: str | None = "text/html; charset=utf-8",
            headers: dict[str, str] | None = None,
        ) -> None:
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)  # absolute URI when the crawler uses us as its proxy
            host = parts.netloc or self.headers.get("Host", "")
            path = parts.path or "/"
            with fx.lock:
                fx.hits.append(Hit(time.monotonic(), host, path))
            if not host.startswith("127.0.0.1:"):
                self.send(599, b"this request should never have been made")
                return
            n = fx.count(path)
            if path == "/robots.txt":
                self.send(200, b"User-agent: *\nAllow: /\n", "text/plain")
            elif path in LISTINGS:
                self.send(
                    200,
                    page(LISTINGS[path].replace("{port}", str(self.server.server_port))).encode(),
                )
            elif path.startswith("/article") or path.startswith("/b/"):
                self.send(200, page("<p>Plain article text written for this test.</p>").encode())
            elif path == "/png.html":
                self.send(200, PNG, "text/html")
            elif path == "/report.pdf":
                self.send(200, PDF, "application/pdf")
            elif path == "/plain.html":
                self.send(
                    200, page("<p>An HTML page served as plain text.</p>").encode(), "text/plain"
                )
            elif path == "/cp1251":
                self.send(
                    200, page(f"<p>{RUSSIAN}</p>").encode("cp1251"), "text/html; charset=utf-8"
                )
            elif path == "/to-metadata":
                self.send(
                    302, b"", None, {"Location": "http://169.254.169.254/latest/meta-data/iam"}
                )
            elif path == "/to-private":
                self.send(
                    301, b"", None, {"Location": f"http://127.0.0.2:{self.server.server_port}/x"}
                )
            elif path == "/loop-a":
                self.send(302, b"", None, {"Location": "/loop-b"})
            elif path == "/loop-b":
                self.send(302, b"", None, {"Location": "/loop-a"})
            elif path.startswith("/chain/"):
                self.send(302, b"", None, {"Location": f"/chain/{int(path.rsplit('/', 1)[1]) + 1}"})
            elif path == "/retry-after":
                if n == 1:
                    self.send(503, b"busy", "text/plain", {"Retry-After": "1"})
                else:
                    self.send(200, page("<p>Back after the pause.</p>").encode())
            elif path == "/retry-date":
                if n == 1:
                    self.send(
                        429,
                        b"slow down",
                        "text/plain",
                        {"Retry-After": formatdate(time.time() + 3, usegmt=True)},
                    )
                else:
                    self.send(200, page("<p>Back after the date.</p>").encode())
            elif path == "/retry-long":
                self.send(503, b"come back tomorrow", "text/plain", {"Retry-After": "3600"})
            elif path == "/flaky":
                if n == 1:
                    self.send(500, b"oops", "text/plain")
                else:
                    self.send(200, page("<p>Fine now.</p>").encode())
            elif path == "/big":
                self.send(200, b"<html>" + b"x" * 200_000 + b"</html>")
            elif path == "/slow":
                time.sleep(2.5)
                self.send(200, page("<p>Too late.</p>").encode())
            elif path == "/reset":
                self.close_connection = True
                self.connection.close()  # no response at all
            elif path == "/feed.xml":
                self.send(200, FEED, "text/html")  # mislabelled but real XML
            elif path == "/feed-html":
                self.send(200, page("<p>Log in to read the feed.</p>").encode())
            elif path == "/sitemap.xml.gz":
                self.send(
                    200,
                    gzip.compress(b'<?xml version="1.0"?><urlset></urlset>'),
                    "application/octet-stream",
                )
            else:
                self.send(404, b"not here", "text/plain")

    return Handler


LISTINGS = {
    "/start": "".join(
        f'<a href="{href}" data-kind="{kind}"{extra}>{href}</a>'
        for href, kind, extra in [
            ("/article-1", "article", ""),
            ("/png.html", "article", ""),
            ("/report.pdf", "article", ""),
            ("/plain.html", "article", ""),
            ("/cp1251", "article", ""),
            ("http://127.0.0.2:{port}/secret", "article", ""),
            ("http://169.254.169.254/latest/meta-data/", "article", ""),
            ("http://[::ffff:169.254.169.254]/latest/", "article", ""),
            ("http://[fd00:ec2::254]/latest/", "article", ""),
            ("/to-metadata", "article", ""),
            ("/to-private", "article", ""),
            ("/loop-a", "article", ""),
            ("/chain/0", "article", ""),
            ("/retry-after", "article", ""),
            ("/retry-date", "article", ""),
            ("/retry-long", "article", ""),
            ("/flaky", "article", ""),
            ("/big", "article", ""),
            ("/slow", "article", ' data-timeout="1"'),
            ("/reset", "article", ""),
            ("/gone", "article", ""),
            ("/feed.xml", "feed", ""),
            ("/feed-html", "feed", ""),
            ("/sitemap.xml.gz", "sitemap", ""),
        ]
    ),
    "/b/start": "".join(f'<a href="/b/{i}">{i}</a>' for i in range(10)),
    "/open": '<a href="http://127.0.0.2:{port}/secret">secret</a>',
}


class FixtureServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the crawl opens ~30 connections at once; the default 5 drops some


@pytest.fixture
def server() -> Iterator[tuple[str, Fixture]]:
    fx = Fixture()
    httpd = FixtureServer(("127.0.0.1", 0), make_handler(fx))
    port = httpd.server_port
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}", fx
    finally:
        httpd.shutdown()
        httpd.server_close()


def crawl(
    tmp_path: Path,
    base: str,
    start: list[tuple[str, str]],
    *,
    sites: dict[str, Any] | None = None,
    settings: dict[str, Any] | None = None,
) -> dict[str, Any]:
    out = tmp_path / "result.json"
    config = {
        "out": str(out),
        "start": [{"url": base + path, "kind": kind, "site": "local"} for path, kind in start],
        "sites": sites or {"local": {"domains": ["127.0.0.1"]}},
        "settings": {"SYNDICRAWL_FETCH_ALLOWED_ADDRESSES": ["127.0.0.1"], **(settings or {})},
    }
    (tmp_path / "config.json").write_text(json.dumps(config), encoding="utf-8")
    env = {
        k: v
        for k, v in os.environ.items()
        if k.lower() not in {"no_proxy", "https_proxy", "all_proxy"}
    }
    env.update(http_proxy=base, HTTP_PROXY=base, PYTHONPATH=str(REPO))
    proc = subprocess.run(
        [sys.executable, str(HELPER), str(tmp_path / "config.json")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    (tmp_path / "crawl.log").write_text(proc.stderr, encoding="utf-8")
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert out.exists(), proc.stderr[-4000:]
    return json.loads(out.read_text(encoding="utf-8"))


def fetch_stat(
    stats: dict[str, Any], outcome: str, detail: str | None = None, site: str | None = "local"
) -> int:
    key = (
        f"syndicrawl/site/{site}/fetch/{outcome}_count"
        if site
        else f"syndicrawl/fetch/{outcome}_count"
    )
    if detail is not None:
        key += f"/{detail}"
    return int(stats.get(key, 0))


def failures_of(result: dict[str, Any]) -> dict[str, str]:
    return {
        urlsplit(f["url"]).path
        + (
            "@" + urlsplit(f["url"]).hostname if urlsplit(f["url"]).hostname != "127.0.0.1" else ""
        ): f["why"]
        for f in result["failures"]
    }


def test_crawl_refuses_enforces_and_counts(tmp_path: Path, server: tuple[str, Fixture]) -> None:
    base, fx = server
    result = crawl(
        tmp_path,
        base,
        [("/start", "listing")],
        settings={
            "RETRY_TIMES": 1,
            "SYNDICRAWL_FETCH_BACKOFF_BASE": 0.4,
            "SYNDICRAWL_FETCH_MAX_RETRY_AFTER": 5,
            "REDIRECT_MAX_TIMES": 3,
            "DOWNLOAD_MAXSIZE": 100_000,
            "DOWNLOAD_TIMEOUT": 30,  # /slow gets 1 s through its data-timeout
        },
    )
    stats, failures = result["stats"], failures_of(result)
    pages = {urlsplit(p["url"]).path: p for p in result["pages"]}
    hosts = {h.host for h in fx.hits}

    # Address guard: nothing but 127.0.0.1 ever reached the (proxy) server, redirects included.
    assert hosts == {urlsplit(base).netloc}, hosts
    assert failures["/secret@127.0.0.2"] == "refused_address"
    assert failures["/latest/meta-data/@169.254.169.254"] == "refused_address"
    assert failures["/latest/@::ffff:169.254.169.254"] == "refused_address"
    assert failures["/latest/@fd00:ec2::254"] == "refused_address"
    assert (
        failures["/latest/meta-data/iam@169.254.169.254"] == "refused_address"
    )  # via /to-metadata
    assert failures["/x@127.0.0.2"] == "refused_address"  # via /to-private
    assert fetch_stat(stats, "refused_address") == 6
    assert fetch_stat(stats, "refused_address", "link_local", site=None) == 2
    assert fetch_stat(stats, "refused_address", "loopback", site=None) == 2
    assert fetch_stat(stats, "refused_address", "ipv4_mapped_link_local", site=None) == 1
    assert fetch_stat(stats, "refused_address", "unique_local", site=None) == 1

    # Content types: binaries refused by their bytes, mislabelled HTML accepted and recast.
    assert failures["/png.html"] == "skipped_non_html"
    assert failures["/report.pdf"] == "skipped_non_html"
    assert fetch_stat(stats, "skipped_non_html") == 2
    assert fetch_stat(stats, "skipped_non_html", "image_png", site=None) == 1
    assert fetch_stat(stats, "skipped_non_html", "application_pdf", site=None) == 1
    assert pages["/plain.html"]["class"] == "HtmlResponse"
    assert fetch_stat(stats, "content_type_mismatch") == 2  # /plain.html and /feed.xml
    assert fetch_stat(stats, "content_type_mismatch", "text_plain", site=None) == 1
    assert pages["/feed.xml"]["class"] == "XmlResponse"
    assert failures["/feed-html"] == "skipped_non_xml"
    assert "/sitemap.xml.gz" in pages

    # Encoding: a cp1251 page labelled UTF-8 reaches the callback readable.
    assert pages["/cp1251"]["encoding"] == "cp1251"
    assert RUSSIAN in pages["/cp1251"]["text"]
    assert fetch_stat(stats, "encoding_corrected") == 1

    # Redirects: a loop and an endless chain both end, typed and counted.
    assert failures["/loop-b"] == "redirect_loop"
    assert fetch_stat(stats, "redirect_loop") == 1
    assert failures["/chain/3"] == "too_many_redirects"
    assert fetch_stat(stats, "too_many_redirects") == 1
    assert len(fx.times("/loop-a")) == 1 and len(fx.times("/loop-b")) == 1

    # Retry-After honoured (the gap in the server's own log), backoff for 5xx without it.
    first, second = fx.times("/retry-after")
    assert 1.0 <= second - first < 4.0
    first, second = fx.times("/retry-date")
    assert 1.9 <= second - first < 6.0
    first, second = fx.times("/flaky")
    assert second - first >= 0.2  # backoff: at least half of BACKOFF_BASE
    assert "/retry-after" in pages and "/retry-date" in pages and "/flaky" in pages
    assert fetch_stat(stats, "retried", "503", site=None) == 1
    assert fetch_stat(stats, "retried", "429", site=None) == 1
    assert fetch_stat(stats, "retried", "500", site=None) == 1
    assert len(fx.times("/retry-long")) == 1  # 3600 s is above the cap: no retry at all
    assert fetch_stat(stats, "gave_up", "503", site=None) == 1
    assert fetch_stat(stats, "retry_after_over_cap") == 1
    assert failures["/retry-long"] == "http_503"

    # Final download failures, classified and counted per site.
    assert failures["/big"] == "too_large"
    assert fetch_stat(stats, "too_large") == 1
    assert failures["/slow"] == "timeout"
    assert fetch_stat(stats, "timeout") == 1
    assert fetch_stat(stats, "retried", "timeout", site=None) == 1
    assert failures["/reset"] == "connection"
    assert fetch_stat(stats, "connection") == 1
    assert failures["/gone"] == "http_404"


def test_crawl_budget_stops_requests_before_the_server(
    tmp_path: Path, server: tuple[str, Fixture]
) -> None:
    base, fx = server
    result = crawl(
        tmp_path,
        base,
        [("/b/start", "listing")],
        sites={"local": {"domains": ["127.0.0.1"], "request_budget": 4}},
        settings={"SYNDICRAWL_FETCH_REQUEST_BUDGET": 1000},
    )
    # robots.txt + the listing + two articles: the site's own budget wins over the setting.
    assert len(fx.hits) == 4, [h.path for h in fx.hits]
    assert fetch_stat(result["stats"], "budget_exceeded") == 8
    assert sorted(f["why"] for f in result["failures"]) == ["budget_exceeded"] * 8


def test_crawl_without_guard_reaches_private_address(
    tmp_path: Path, server: tuple[str, Fixture]
) -> None:
    """The control: with the guard off, the request to 127.0.0.2 shows up in the server's log."""
    base, fx = server
    crawl(
        tmp_path,
        base,
        [("/open", "listing")],
        settings={"SYNDICRAWL_FETCH_ADDRESS_GUARD_ENABLED": False, "RETRY_ENABLED": False},
    )
    assert any(h.host.startswith("127.0.0.2:") for h in fx.hits), fx.hits
