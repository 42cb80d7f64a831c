"""A fault-injecting HTTP server on 127.0.0.1, served as one site ("fault-lab").

Raw sockets (one thread per connection, ``Connection: close``), so it can reset connections,
cut bodies short, stall, and stream a 50 MB page without holding it. ``FAULTS`` names every
bad page and what the crawler must count for it; ``HEALTHY`` are the article paths that must be
exported. Every fault and healthy page is linked from ``/index.html`` and ``/sitemap.xml``.
"""

from __future__ import annotations

import contextlib
import select
import socket
import socketserver
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.faults import pages

HTTP_REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


@dataclass(frozen=True, slots=True)
class Fault:
    path: str
    what: str  # the fault, for the README table
    expect: str  # a stat key (without the ``syndicrawl/`` prefix) that must be counted


# Pages the crawler must refuse or give up on, each with the stat that names the reason.
FAULTS: list[Fault] = [
    Fault("/f/timeout.html", "no answer within DOWNLOAD_TIMEOUT", "fetch/failed_count/timeout"),
    Fault(
        "/f/drip.html",
        "slow drip: headers at once, then one body byte a second for 10 minutes",
        "fetch/failed_count/timeout",
    ),
    Fault(
        "/f/reset.html",
        "connection reset (RST) before any response",
        "fetch/failed_count/connection",
    ),
    Fault(
        "/f/truncated.html",
        "body shorter than its Content-Length, then close",
        "fetch/failed_count/data_loss",
    ),
    Fault(
        "/f/throttled-long.html",
        "429 with Retry-After: 3600 (above the cap)",
        "fetch/retry_after_over_cap_count",
    ),
    Fault(
        "/f/down.html",
        "500 on every attempt (a burst longer than the retries)",
        "fetch/failed_count/http_500",
    ),
    Fault("/f/loop-a.html", "redirect loop a -> b -> a", "fetch/failed_count/redirect_loop"),
    Fault("/f/empty.html", "200 with an empty body", "fetch/skipped_non_html_count/empty"),
    Fault(
        "/f/huge.html",
        "50 MB page, streamed without Content-Length",
        "fetch/failed_count/too_large",
    ),
    Fault(
        "/f/bomb.html",
        "gzip bomb: 256 KB that inflates to 256 MB (Content-Encoding: gzip)",
        "fetch/failed_count/too_large_decompressed",
    ),
    Fault(
        "/f/binary.html",
        "PNG bytes under an .html name and Content-Type text/html",
        "fetch/skipped_non_html_count/image_png",
    ),
    Fault(
        "/f/nested.html",
        "100,000 nested <div> elements around the text",
        "extract/dropped_count/emptyextraction",
    ),
    Fault(
        "/sitemap-bomb.xml",
        "sitemap with an XML entity bomb (billion laughs)",
        "discovery/bad_sitemap_count/entities",
    ),
    Fault(
        "/sitemap-index-loop.xml",
        "sitemap index that lists itself",
        "discovery/sitemap_repeat_count",
    ),
    Fault(
        "/sitemap-huge.xml.gz",
        "gzipped sitemap of 1,000,000 URLs (about 60 MB unzipped)",
        "discovery/bad_sitemap_count/too_large",
    ),
]

# Faults the crawler recovers from: the page must be exported, with its text intact.
RECOVERED: dict[str, str] = {
    "/f/slow.html": "answer after 1 s (within the timeout)",
    "/f/throttled.html": "429 with Retry-After: 1 once, then 200",
    "/f/flaky.html": "503 twice (a 5xx burst), then 200",
    "/f/wrong-type.html": "HTML under Content-Type application/octet-stream",
    "/f/no-type.html": "HTML without a Content-Type header",
    "/f/cp1251.html": "cp1251 page labelled UTF-8",
    "/f/shift-jis.html": "Shift_JIS page labelled UTF-8",
    "/f/latin1.html": "Latin-1 page labelled UTF-8",
    "/f/utf8-as-latin1.html": "UTF-8 page labelled ISO-8859-1",
    "/f/slow-head.html": "status line and headers dribbled over 2 s, then the page",
    "/f/nul-script.html": "valid HTML page with one NUL byte inside a script block",
}
RECOVERED_STATS: dict[str, str] = {
    "/f/throttled.html": "fetch/retried_count/429",
    "/f/flaky.html": "fetch/retried_count/503",
    "/f/wrong-type.html": "fetch/content_type_mismatch_count",
    "/f/no-type.html": "fetch/content_type_missing_count",
    "/f/cp1251.html": "fetch/encoding_corrected_count/cp1251",
    "/f/shift-jis.html": "fetch/encoding_corrected_count/cp932",
    "/f/latin1.html": "fetch/encoding_corrected_count/cp1252",
    "/f/utf8-as-latin1.html": "fetch/encoding_corrected_count/utf-8",
}

HEALTHY: list[str] = [f"/a/{slug}.html" for slug, _t, _p in pages.STORIES]
# More healthy pages, for labs: recovered stories served plainly (not the two labs crawl as faults).
PLAIN: list[str] = [
    f"/b/{slug}.html"
    for slug, _t, _p in pages.RECOVERED_STORIES
    if slug not in ("slow-head", "nul-script")
]
HUGE_PAGE_BYTES = 50 * 1024 * 1024
DRIP_SECONDS = 600.0  # far longer than any test: only the crawler's timeout ends it


class FaultServer:
    """``with FaultServer(tmp_path) as server:`` serves on ``server.base_url``."""

    def __init__(
        self, workdir: Path, *, million: int = 1_000_000, slow_head_seconds: float = 2.0
    ) -> None:
        self.workdir = workdir
        self.million = million
        self.slow_head_seconds = slow_head_seconds
        self.requests: Counter[str] = Counter()
        # (time.monotonic() when the request arrived, path), in order of arrival
        self.arrivals: list[tuple[float, str]] = []
        # name -> paths of the listing page /lab/<name>.html (see site_yaml)
        self.labs: dict[str, list[str]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/"
        self._bomb = pages.gzip_bomb()
        self._huge_sitemap = workdir / "sitemap-huge.xml.gz"
        pages.write_million_url_sitemap(str(self._huge_sitemap), self.base_url, million)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    def site_yaml(self) -> str:
        return (
            "name: fault-lab\npublisher: Fault Lab Gazette\nrole: original\n"
            f"base_url: {self.base_url}\ndomains: ['127.0.0.1:{self.port}']\n"
            "start:\n  sitemaps: [/sitemap.xml, /sitemap-bomb.xml, /sitemap-huge.xml.gz, /sitemap-index-loop.xml]\n"
            "  listings:\n    - {url: /index.html}\n"
            "article_url_pattern: '^https?://[^/]+/(a|f)/'\nlanguage: en\ntimezone: UTC\n"
            "politeness: {concurrency: 16, delay: 0}\nrequest_budget: 200\n"
        )

    def lab_yaml(
        self,
        name: str,
        paths: list[str],
        *,
        first: Sequence[str] = (),
        concurrency: int,
        delay: float,
    ) -> str:
        """A site file listing ``paths`` on /lab/NAME.html; ``first`` are in its feed
        /lab/NAME.xml, which the spider fetches before listings, so they are requested first."""
        self.labs[name] = list(paths)
        self.labs[f"{name}-feed"] = list(first)
        feed = f"  rss: [/lab/{name}.xml]\n" if first else ""
        return (
            f"name: {name}\npublisher: Fault Lab Gazette\nrole: original\n"
            f"base_url: {self.base_url}\ndomains: ['127.0.0.1:{self.port}']\n"
            f"start:\n{feed}  listings:\n    - {{url: /lab/{name}.html}}\n"
            "article_url_pattern: '^https?://[^/]+/(a|b|f)/'\nlanguage: en\ntimezone: UTC\n"
            f"politeness: {{concurrency: {concurrency}, delay: {delay}}}\n"
        )

    def arrived_after(self, moment: float, paths: Iterable[str]) -> list[str]:
        """Which of ``paths`` were requested after ``moment`` (time.monotonic())."""
        wanted = set(paths)
        with self._lock:
            return [path for when, path in self.arrivals if when > moment and path in wanted]

    # --- routing ---------------------------------------------------------------------------
    def all_pages(self) -> list[str]:
        faults = [f.path for f in FAULTS if f.path.startswith("/f/")]
        return HEALTHY + list(RECOVERED) + faults

    def _handler_class(self) -> type[socketserver.BaseRequestHandler]:
        server = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                server._handle(self.request)

        return Handler

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        try:
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 65536:
                data = conn.recv(4096)
                if not data:
                    return
                head += data
            path = head.split(b" ", 2)[1].decode("latin-1").split("?")[0]
            with self._lock:
                self.requests[path] += 1
                self.arrivals.append((time.monotonic(), path))
                seen = self.requests[path]
            self._route(conn, path, seen)
        except (OSError, IndexError):
            return
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    def _send(
        self,
        conn: socket.socket,
        status: int,
        body: bytes | Iterable[bytes] = b"",
        headers: dict[str, str] | None = None,
        *,
        length: bool = True,
    ) -> None:
        lines = [f"HTTP/1.1 {status} {HTTP_REASONS.get(status, 'Status')}", "Connection: close"]
        all_headers = dict(headers or {})
        if length and isinstance(body, bytes):
            all_headers.setdefault("Content-Length", str(len(body)))
        lines += [f"{k}: {v}" for k, v in all_headers.items()]
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        for chunk in [body] if isinstance(body, bytes) else body:
            conn.sendall(chunk)

    def _html(
        self, conn: socket.socket, text: str, charset: str = "utf-8", codec: str = "utf-8"
    ) -> None:
        self._send(conn, 200, text.encode(codec), {"Content-Type": f"text/html; charset={charset}"})

    def _route(self, conn: socket.socket, path: str, seen: int) -> None:
        stories = {f"/a/{slug}.html": (t, p) for slug, t, p in pages.STORIES}
        stories.update({f"/b/{slug}.html": (t, p) for slug, t, p in pages.RECOVERED_STORIES})
        recovered = {f"/f/{slug}.html": (t, p) for slug, t, p in pages.RECOVERED_STORIES}
        encoded = {
            f"/f/{slug}.html": (codec, label, t, p)
            for slug, codec, label, t, p in pages.ENCODED_STORIES
        }
        if path == "/robots.txt":
            return self._send(
                conn, 200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"}
            )
        if path == "/index.html":
            return self._send(
                conn,
                200,
                pages.listing_html(self.all_pages()),
                {"Content-Type": "text/html; charset=utf-8"},
            )
        if path.startswith("/lab/") and path.endswith(".xml"):
            urls = [self.base_url + p.lstrip("/") for p in self.labs.get(path[5:-4] + "-feed", [])]
            return self._send(
                conn, 200, pages.rss_xml(urls), {"Content-Type": "application/rss+xml"}
            )
        if path.startswith("/lab/") and path[5:].removesuffix(".html") in self.labs:
            return self._send(
                conn,
                200,
                pages.listing_html(self.labs[path[5:].removesuffix(".html")]),
                {"Content-Type": "text/html; charset=utf-8"},
            )
        if path == "/sitemap.xml":
            return self._send(
                conn,
                200,
                pages.sitemap_xml([self.base_url + p.lstrip("/") for p in self.all_pages()]),
                {"Content-Type": "application/xml"},
            )
        if path == "/sitemap-index-loop.xml":
            index = (
                '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{self.base_url}sitemap-index-loop.xml</loc></sitemap>"
                f"<sitemap><loc>{self.base_url}sitemap.xml</loc></sitemap></sitemapindex>"
            )
            return self._send(conn, 200, index.encode(), {"Content-Type": "application/xml"})
        if path == "/sitemap-bomb.xml":
            return self._send(conn, 200, pages.ENTITY_BOMB, {"Content-Type": "application/xml"})
        if path == "/sitemap-huge.xml.gz":
            size = self._huge_sitemap.stat().st_size
            with self._huge_sitemap.open("rb") as fh:
                return self._send(
                    conn,
                    200,
                    iter(lambda: fh.read(1024 * 1024), b""),
                    {"Content-Type": "application/gzip", "Content-Length": str(size)},
                    length=False,
                )
        if path in stories:
            return self._html(conn, pages.article_html(*stories[path]))
        if path in encoded:
            codec, label, title, paragraphs = encoded[path]
            return self._html(
                conn,
                pages.article_html(title, paragraphs, charset=None),
                charset=label,
                codec=codec,
            )
        if path == "/f/slow.html":
            time.sleep(1.0)
            return self._html(conn, pages.article_html(*recovered[path]))
        if path == "/f/throttled.html":
            if seen == 1:
                return self._send(
                    conn, 429, b"slow down", {"Retry-After": "1", "Content-Type": "text/plain"}
                )
            return self._html(conn, pages.article_html(*recovered[path]))
        if path == "/f/flaky.html":
            if seen <= 2:
                return self._send(conn, 503, b"busy", {"Content-Type": "text/plain"})
            return self._html(conn, pages.article_html(*recovered[path]))
        if path == "/f/wrong-type.html":
            return self._send(
                conn,
                200,
                pages.article_html(*recovered[path]).encode(),
                {"Content-Type": "application/octet-stream"},
            )
        if path == "/f/no-type.html":
            return self._send(conn, 200, pages.article_html(*recovered[path]).encode())
        if path == "/f/timeout.html":
            return self._stall(conn, 20)
        if path == "/f/drip.html":
            return self._drip(conn)
        if path == "/f/slow-head.html":
            return self._slow_head(conn, pages.article_html(*recovered[path]).encode())
        if path == "/f/nul-script.html":
            return self._send(
                conn,
                200,
                pages.nul_in_script_html(*recovered[path]),
                {"Content-Type": "text/html; charset=utf-8"},
            )
        if path == "/f/reset.html":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return None  # close() with linger 0 sends RST
        if path == "/f/truncated.html":
            body = pages.article_html(*pages.STORIES[1][1:]).encode()
            conn.sendall(
                f"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: text/html; charset=utf-8\r\n"
                f"Content-Length: {len(body) + 5000}\r\n\r\n".encode()
                + body[: len(body) // 2]
            )
            return None
        if path == "/f/throttled-long.html":
            return self._send(
                conn,
                429,
                b"come back tomorrow",
                {"Retry-After": "3600", "Content-Type": "text/plain"},
            )
        if path == "/f/down.html":
            return self._send(conn, 500, b"internal error", {"Content-Type": "text/plain"})
        if path in ("/f/loop-a.html", "/f/loop-b.html"):
            target = "/f/loop-b.html" if path.endswith("a.html") else "/f/loop-a.html"
            return self._send(conn, 302, b"", {"Location": self.base_url + target.lstrip("/")})
        if path == "/f/empty.html":
            return self._send(conn, 200, b"", {"Content-Type": "text/html; charset=utf-8"})
        if path == "/f/huge.html":
            return self._send(
                conn,
                200,
                pages.big_page_chunks(HUGE_PAGE_BYTES),
                {"Content-Type": "text/html; charset=utf-8"},
                length=False,
            )
        if path == "/f/bomb.html":
            return self._send(
                conn,
                200,
                self._bomb,
                {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"},
            )
        if path == "/f/binary.html":
            return self._send(conn, 200, pages.PNG_BYTES, {"Content-Type": "text/html"})
        if path == "/f/nested.html":
            return self._send(
                conn, 200, pages.deeply_nested_html(), {"Content-Type": "text/html; charset=utf-8"}
            )
        return self._send(conn, 404, b"not found", {"Content-Type": "text/plain"})

    def _drip(self, conn: socket.socket) -> None:
        """Headers at once, then one byte of body a second: the body never ends by itself."""
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
            b"<!doctype html><html><body><p>"
        )
        deadline = time.monotonic() + DRIP_SECONDS
        while time.monotonic() < deadline and not self._stop.wait(1.0):
            conn.sendall(b"z")  # OSError once the crawler has hung up: the handler returns

    def _slow_head(self, conn: socket.socket, body: bytes) -> None:
        """The status line and headers a byte at a time over ``slow_head_seconds``, then the page
        at once: it answers within the timeout, but its latency is the whole wait."""
        head = (
            "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        pause = self.slow_head_seconds / len(head)
        for byte in head:
            conn.sendall(bytes([byte]))
            if self._stop.wait(pause):
                return
        conn.sendall(body)

    def _stall(self, conn: socket.socket, seconds: float) -> None:
        """Say nothing until the client gives up (closes) or ``seconds`` pass."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self._stop.is_set():
            readable, _w, _x = select.select([conn], [], [], 0.2)
            if readable and not conn.recv(1024):
                return
