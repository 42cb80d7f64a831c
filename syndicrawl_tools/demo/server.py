"""The demo web server: one stdlib HTTP server per demo site, each on its own 127.0.0.1 port.

Each site is its own origin (own robots.txt, feeds and sitemaps). Pages are a pure function of the
content files, the server's start time (every date is shifted so the timeline ends just before it:
see :mod:`syndicrawl_tools.demo.timeline`), the clock (relative dates), and the mutations tests apply::

    with DemoWeb() as web:
        web.base_urls["meridian-wire"]          # 'http://127.0.0.1:41234/'
        web.update_article("harbor-times", path, "A new closing paragraph.")
        web.set_failure("newsdeck", 503)        # every request to newsdeck answers 503
        web.break_layout("kestrel-fm")          # articles lose their body text and dates
        web.truth()                             # the expected records, mutations included
        web.fetched_paths("meridian-wire")      # request targets seen so far

As a process (for subprocess crawls)::

    python -m syndicrawl_tools.demo.server --port-file ports.json [--log requests.jsonl]

writes ``{"sites": {name: base_url}, "start_time": iso}`` to ``ports.json`` once every site listens
and serves until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import logging
import os
import signal
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urljoin

from syndicrawl_tools.demo import dates
from syndicrawl_tools.demo.content import DemoContent, Page, load_content
from syndicrawl_tools.demo.site import HTML, SiteView, resolve
from syndicrawl_tools.demo.timeline import Timeline
from syndicrawl_tools.demo.truth import DemoTruth, TruthArticle, truth_from_content

if TYPE_CHECKING:
    from crawler.registry import SiteConfig

logger = logging.getLogger(__name__)


class PortUnavailable(OSError):
    """A port asked for (an earlier demo run's) is taken by another program."""


class RequestRecord(NamedTuple):
    site: str
    method: str
    path: str  # request target as sent: path plus query string
    status: int
    timestamp: float  # epoch seconds
    if_none_match: str | None
    if_modified_since: str | None


class Response(NamedTuple):
    status: int
    headers: dict[str, str]
    body: bytes


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _not_modified(headers: Any, etag: str, last_modified: datetime | None) -> bool:
    """RFC 9110 order: If-None-Match decides when present; If-Modified-Since only without it."""
    inm = headers.get("If-None-Match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or etag in tags
    ims = headers.get("If-Modified-Since")
    if ims is None or last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(ims)
    except (TypeError, ValueError):
        return False  # an unparseable date is ignored, as the RFC says
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return last_modified.replace(microsecond=0) <= since


class _Handler(BaseHTTPRequestHandler):
    web: DemoWeb
    site: str
    server_version = "DemoWeb/1.0"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_POST(self) -> None:
        self._send(
            self.command,
            Response(405, {"Content-Type": "text/plain", "Allow": "GET, HEAD"}, b"GET only\n"),
        )

    def _serve(self, head: bool) -> None:
        response = self.web.respond(self.site, self.path, self.headers)
        self._send(self.command, response, head=head)

    def _send(self, method: str, response: Response, head: bool = False) -> None:
        # Recorded before answering: a client that got its response always finds it in the log.
        self.web.record(
            RequestRecord(
                self.site,
                method,
                self.path,
                response.status,
                time.time(),
                self.headers.get("If-None-Match"),
                self.headers.get("If-Modified-Since"),
            )
        )
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if not head and response.status != 304:
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("DemoWeb %s: %s", self.site, format % args)


class DemoWeb:
    """Every demo site on its own ThreadingHTTPServer at ``http://127.0.0.1:<port>/``."""

    def __init__(
        self,
        *,
        start_time: datetime | None = None,
        log_path: str | Path | None = None,
        content: DemoContent | None = None,
        host: str = "127.0.0.1",
        ports: Mapping[str, int] | None = None,
    ) -> None:
        self.content = content or load_content()
        self.host = host
        # Ports of an earlier demo run: the same URLs, so a re-crawl finds its articles known.
        self._ports = dict(ports or {})
        self.log_path = Path(log_path) if log_path else None
        if start_time is not None:
            Timeline(start_time)  # a clear error now for a naive or pre-1991 start time
        self._fixed_start = start_time
        self.start_time: datetime = start_time or datetime.now(UTC).replace(microsecond=0)
        self._started_at = time.monotonic()
        self.base_urls: dict[str, str] = {}
        self._servers: dict[str, ThreadingHTTPServer] = {}
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._requests: list[RequestRecord] = []
        # Mutations, by nominal (content) key: they survive a restart, which moves dated paths.
        self._extra: dict[tuple[str, str], tuple[str, ...]] = {}
        self._updated: dict[tuple[str, str], datetime] = {}
        self._pages: dict[tuple[str, str], Page] = {}  # served key -> page as served
        self._nominal: dict[tuple[str, str], tuple[str, str]] = {}  # served key -> nominal key
        self._drafts: tuple[Page, ...] = ()
        self._serve_content()
        self._failures: dict[str, int] = {}
        self._broken: set[str] = set()

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> DemoWeb:
        if self._servers:
            raise RuntimeError("DemoWeb.start(): already started")
        if self._fixed_start is None:
            self.start_time = datetime.now(UTC).replace(microsecond=0)
        self._started_at = time.monotonic()
        self._serve_content()
        for name in sorted(self.content.sites):
            handler = type(f"DemoHandler_{name}", (_Handler,), {"web": self, "site": name})
            port = self._ports.get(name, 0)
            try:
                server = ThreadingHTTPServer((self.host, port), handler)
            except OSError as exc:
                self.stop()
                raise PortUnavailable(
                    f"demo site {name}: cannot listen on {self.host}:{port} again: {exc.strerror}"
                ) from exc
            server.daemon_threads = True
            self._servers[name] = server
            self.base_urls[name] = f"http://{self.host}:{server.server_address[1]}/"
        for name, server in self._servers.items():
            # A short poll interval keeps stop() fast (shutdown waits for the next poll).
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"demoweb-{name}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        logger.info(
            "DemoWeb: serving %(n)d sites on %(host)s", {"n": len(self._servers), "host": self.host}
        )
        return self

    def stop(self) -> None:
        for server in self._servers.values():
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()

    def now(self) -> datetime:
        """The demo clock: ``start_time`` plus the time since start.

        The real clock for a default start; a fixed ``start_time`` simulates a server started then,
        so relative ages ("5 hours ago") and update times stay consistent with the shifted dates.
        """
        return (
            self.start_time + timedelta(seconds=time.monotonic() - self._started_at)
        ).astimezone(UTC)

    @property
    def timeline(self) -> Timeline:
        """Nominal content dates -> served dates (fixed once the server starts)."""
        return Timeline(self.start_time)

    def _serve_content(self) -> None:
        """Pages at their served paths (the start time moves dated paths), mutations applied."""
        served = self.content.served(self.timeline)
        with self._lock:
            self._pages, self._nominal = {}, {}
            for nominal, page in zip(self.content.pages, served.pages, strict=True):
                extra = self._extra.get(nominal.key, ())
                self._pages[page.key] = dataclasses.replace(
                    page, paragraphs=(*page.paragraphs, *extra)
                )
                self._nominal[page.key] = nominal.key
            self._drafts = served.drafts

    def served_path(self, site: str, path: str) -> str:
        """The served path of a page given by its content (nominal) path; others unchanged."""
        for page in (*self.content.pages, *self.content.drafts):
            if page.site == site and page.path == path:
                return self.timeline.path(path, page.published, self.content.sites[site].timezone)
        return path

    def _served_key(self, site: str, path: str) -> tuple[str, str]:
        key = (site, path)
        return key if key in self._pages else (site, self.served_path(site, path))

    def __enter__(self) -> DemoWeb:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- request log ---------------------------------------------------------------------
    def record(self, rec: RequestRecord) -> None:
        with self._lock:
            self._requests.append(rec)
            if self.log_path:
                line = {
                    **rec._asdict(),
                    "time": datetime.fromtimestamp(rec.timestamp, UTC).isoformat(),
                }
                with self.log_path.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(line) + "\n")

    @property
    def requests(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._requests)

    def fetched_paths(self, site: str) -> set[str]:
        """Request targets (path plus query) ``site`` has been asked for, any method or status."""
        with self._lock:
            return {r.path for r in self._requests if r.site == site}

    # -- mutations -----------------------------------------------------------------------
    def update_article(self, site: str, path: str, new_paragraph_text: str) -> TruthArticle:
        """Append a paragraph to an article and bump its modified date; returns its new truth.

        ``path`` is the served path (or the content's nominal one); the update time is the demo
        clock's now.
        """
        key = self._served_key(site, path)
        with self._lock:
            if key not in self._pages:
                raise KeyError(f"update_article: no demo article {site} {path}")
            page, nominal = self._pages[key], self._nominal[key]
            text = " ".join(new_paragraph_text.split())
            if not text:
                raise ValueError("update_article: new_paragraph_text is empty")
            now = self.now().replace(microsecond=0)
            previous = self._updated.get(nominal) or self.timeline.at(
                page.updated or page.published
            )
            if now <= previous:  # Last-Modified has 1 s resolution: keep it strictly increasing
                now = previous.replace(microsecond=0) + timedelta(seconds=1)
            self._pages[key] = dataclasses.replace(page, paragraphs=(*page.paragraphs, text))
            self._extra[nominal] = (*self._extra.get(nominal, ()), text)
            self._updated[nominal] = now
        return self.truth().article(*key)

    def set_failure(self, site: str, status: int | None = 500) -> None:
        """Every request to ``site`` answers ``status``; ``None`` restores normal service."""
        self._check_site(site)
        with self._lock:
            if status is None:
                self._failures.pop(site, None)
            else:
                self._failures[site] = int(status)

    def break_layout(self, site: str, broken: bool = True) -> None:
        """Articles of ``site`` render with no body text and no date (a redesign gone wrong)."""
        self._check_site(site)
        with self._lock:
            (self._broken.add if broken else self._broken.discard)(site)

    def _check_site(self, site: str) -> None:
        if site not in self.content.sites:
            raise KeyError(f"no demo site {site!r}; sites: {sorted(self.content.sites)}")

    # -- views ---------------------------------------------------------------------------
    def url(self, site: str, path: str) -> str:
        """The URL of ``path`` on ``site``; a content (nominal) article path maps to its served one."""
        return urljoin(self.base_urls[site], self.served_path(site, path))

    def page(self, site: str, path: str) -> Page:
        """The page as served (served or nominal path); its dates are nominal."""
        key = self._served_key(site, path)
        with self._lock:
            return self._pages[key]

    def _updated_served(self) -> dict[tuple[str, str], datetime]:
        served = {nominal: key for key, nominal in self._nominal.items()}
        return {served[k]: t for k, t in self._updated.items()}

    def truth(self) -> DemoTruth:
        """Expected records as served now: mutations applied, relative dates resolved."""
        with self._lock:
            pages = sorted(self._pages.values(), key=lambda p: p.key)
            updated = self._updated_served()
        return truth_from_content(self.content, self.start_time, updated, pages)

    def site_configs(self) -> dict[str, SiteConfig]:
        """The registry configs of the demo sites, pointed at this server's ports."""
        from crawler.registry import load_sites
        from syndicrawl_tools.demo import demo_sites_dir

        return {
            n: c.with_base_url(self.base_urls[n]) for n, c in load_sites(demo_sites_dir()).items()
        }

    def site_view(self, site: str, now: datetime | None = None) -> SiteView:
        with self._lock:
            pages = [p for p in self._pages.values() if p.site == site]
            updated = {path: t for (s, path), t in self._updated_served().items() if s == site}
            broken = site in self._broken
        return SiteView(
            info=self.content.sites[site],
            base_url=self.base_urls.get(site, f"http://{site}.demo.invalid/"),
            pages=pages,
            drafts=[d for d in self._drafts if d.site == site],
            timeline=self.timeline,
            now=now or self.now(),
            url_for=lambda s, p: urljoin(self.base_urls.get(s, f"http://{s}.demo.invalid/"), p),
            updated=updated,
            broken=broken,
        )

    def respond(self, site: str, target: str, headers: Any) -> Response:
        """The response to ``GET target`` on ``site`` (also used by tests without sockets)."""
        with self._lock:
            failure = self._failures.get(site)
        if failure is not None:
            return Response(
                failure,
                {"Content-Type": "text/plain; charset=utf-8"},
                f"demo failure {failure}\n".encode(),
            )
        resource = resolve(self.site_view(site), target)
        if resource is None:
            body = b"<!DOCTYPE html><html><head><title>Not found</title></head><body><h1>Page not found</h1></body></html>"
            return Response(404, {"Content-Type": HTML}, body)
        etag = _etag(resource.body)
        out = {"Content-Type": resource.content_type, "ETag": etag, "Cache-Control": "no-cache"}
        if resource.last_modified is not None:
            out["Last-Modified"] = dates.http_date(resource.last_modified)
        if _not_modified(headers, etag, resource.last_modified):
            return Response(304, {k: v for k, v in out.items() if k != "Content-Type"}, b"")
        return Response(200, out, resource.body)


def _write_port_file(path: Path, web: DemoWeb) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(
        json.dumps({"sites": web.base_urls, "start_time": web.start_time.isoformat()}) + "\n"
    )
    os.replace(tmp, path)  # readers never see a half-written file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m syndicrawl_tools.demo.server", description="Serve the demo web."
    )
    parser.add_argument(
        "--port-file", required=True, type=Path, help="where to write {sites: {name: base_url}}"
    )
    parser.add_argument(
        "--log", type=Path, default=None, help="append one JSON line per request here"
    )
    parser.add_argument(
        "--start-time",
        default=None,
        help="ISO 8601 time the demo clock starts at; served dates end just before it (default: now)",
    )
    args = parser.parse_args(argv)
    try:
        start = datetime.fromisoformat(args.start_time) if args.start_time else None
    except ValueError:
        parser.error(f"--start-time {args.start_time!r} is not ISO 8601")
    if start is not None and start.tzinfo is None:
        parser.error(
            f"--start-time {args.start_time!r} needs a UTC offset, e.g. 2026-11-27T09:00:00+00:00"
        )
    if start is not None:
        try:
            Timeline(start)
        except ValueError as exc:
            parser.error(f"--start-time: {exc}")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with DemoWeb(start_time=start, log_path=args.log) as web:
        _write_port_file(args.port_file, web)
        stop.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
