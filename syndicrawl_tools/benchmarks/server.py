"""Serve a benchmark web on 127.0.0.1, one port per site.

Run as its own process so its CPU is not counted in the crawl's::

    python -m syndicrawl_tools.benchmarks.server --articles 10000 --seed 7 --anchor ISO --port-file ports.json
    python -m syndicrawl_tools.benchmarks.server --corpus ../shared/corpus --anchor ISO --port-file ports.json

The first serves a :class:`~syndicrawl_tools.benchmarks.synthweb.SyntheticWeb`, the second the
shared corpora's real pages (:class:`~syndicrawl_tools.benchmarks.corpusweb.CorpusWeb`, every
response built before the port file is written). Both go through the same serving code: a
:class:`ServableWeb` names its sites and gives each a :class:`Responder` (path to whole response).

writes ``{"sites": {name: base_url}}`` to the port file once every site listens, then serves until
SIGTERM. A minimal HTTP/1.1 server on asyncio streams (keep-alive, GET only): the stdlib
``http.server`` costs more CPU per request than the crawl's own fetch stage. It shares the machine
with the crawl being measured, which a real publisher's server does not. So pages are rendered
once, before the port file is written, and kept as whole responses while they fit in
``--cache-mb`` (a 10,000-article web at page scale 1 takes ~1.2 GB); a page then costs the request
handling (about 0.03 ms) instead of its render (about 0.3 ms), every crawl of the web alike.
Pages past the budget are rendered on request. robots.txt and sitemaps are built once and kept.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol

from syndicrawl_tools.benchmarks.corpusweb import CorpusWeb
from syndicrawl_tools.benchmarks.synthweb import SyntheticWeb

logger = logging.getLogger(__name__)

ROBOTS = b"User-agent: *\nAllow: /\n"


def _response(status: str, body: bytes, content_type: str) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        "Connection: keep-alive\r\n\r\n"
    )
    return head.encode("ascii") + body


NOT_FOUND = _response("404 Not Found", b"not found", "text/plain")
BAD_REQUEST = _response("400 Bad Request", b"bad request", "text/plain")


class Responder(Protocol):
    """One site's answers."""

    def respond(self, path: str) -> bytes:
        """The whole HTTP response for ``path`` (query included)."""
        ...


class ServableWeb(Protocol):
    """What :func:`serve` serves: some sites, each answered by its own :class:`Responder`."""

    @property
    def sites(self) -> Sequence[str]: ...

    def responder(self, site: str, base_url: str) -> Responder:
        """``site``'s responder once it is known to listen at ``base_url``."""
        ...


class SiteServer:
    """The responses of one site of the web at ``base_url`` (robots.txt and sitemaps built once)."""

    def __init__(
        self,
        web: SyntheticWeb,
        site: str,
        base_url: str,
        pages: dict[int, bytes] | None = None,
    ) -> None:
        self.web, self.site, self.base_url = web, site, base_url
        self.pages = pages if pages is not None else {}
        """Whole responses of rendered articles, by article number (:func:`prerender`)."""
        self._cached: dict[str, bytes] = {}

    def respond(self, path: str) -> bytes:
        """The whole HTTP response for ``path``."""
        path = path.split("?", 1)[0]
        if path.startswith("/news/"):
            i = self.web.number_of(self.site, path)
            if i is None:
                return NOT_FOUND
            kept = self.pages.get(i)
            return kept if kept is not None else article_response(self.web, i)
        cached = self._cached.get(path)
        if cached is None:
            cached = self._document(path)
            if cached is not NOT_FOUND:  # only our few documents: any path could be asked for
                self._cached[path] = cached
        return cached

    def _document(self, path: str) -> bytes:
        web, site, base = self.web, self.site, self.base_url
        if path == "/robots.txt":
            return _response("200 OK", ROBOTS, "text/plain")
        if path == "/sitemap_index.xml":
            return _response("200 OK", web.sitemap_index(site, base), "application/xml")
        if path.startswith("/sitemaps/sitemap-") and path.endswith(".xml"):
            k = path[len("/sitemaps/sitemap-") : -4]
            body = web.sitemap(site, base, int(k)) if k.isdigit() and len(k) < 6 else None
            if body is not None:
                return _response("200 OK", body, "application/xml")
        return NOT_FOUND


class StaticSite:
    """A site of fixed documents, every response built once up front."""

    def __init__(self, documents: Mapping[str, tuple[bytes, str]]) -> None:
        self.responses = {
            path: _response("200 OK", body, content_type)
            for path, (body, content_type) in documents.items()
        }

    def respond(self, path: str) -> bytes:
        return self.responses.get(path.split("?", 1)[0], NOT_FOUND)


class SyntheticServing:
    """A :class:`SyntheticWeb` as a :class:`ServableWeb` (its pre-rendered pages shared by its sites)."""

    def __init__(self, web: SyntheticWeb, pages: dict[int, bytes] | None = None) -> None:
        self.web, self.pages = web, pages if pages is not None else {}

    @property
    def sites(self) -> Sequence[str]:
        return self.web.sites

    def responder(self, site: str, base_url: str) -> Responder:
        return SiteServer(self.web, site, base_url, self.pages)


class CorpusServing:
    """A :class:`CorpusWeb` as a :class:`ServableWeb`."""

    def __init__(self, web: CorpusWeb) -> None:
        self.web = web

    @property
    def sites(self) -> Sequence[str]:
        return self.web.sites

    def responder(self, site: str, base_url: str) -> Responder:
        return StaticSite(self.web.documents(site, base_url))


def article_response(web: SyntheticWeb, i: int) -> bytes:
    return _response("200 OK", web.render(i), "text/html; charset=utf-8")


def prerender(web: SyntheticWeb, budget_bytes: int) -> dict[int, bytes]:
    """Article responses in article order, until the next one would pass ``budget_bytes``."""
    pages: dict[int, bytes] = {}
    used = 0
    for i in range(web.n_articles):
        response = article_response(web, i)
        if used + len(response) > budget_bytes:
            break
        pages[i] = response
        used += len(response)
    return pages


def page(web: SyntheticWeb, site: str, base_url: str, path: str) -> bytes:
    """The whole HTTP response for ``path`` of ``site`` (one-off; the server keeps a SiteServer)."""
    return SiteServer(web, site, base_url).respond(path)


async def _handle(
    server: Responder, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            parts = head.split(b"\r\n", 1)[0].split(b" ")
            if len(parts) != 3:
                writer.write(BAD_REQUEST)
                break
            writer.write(server.respond(parts[1].decode("latin-1")))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def serve(web: ServableWeb, port_file: Path) -> None:
    """Serve every site of ``web`` on its own port; the port file once all listen; until SIGTERM."""
    servers, urls = [], {}
    for site in web.sites:
        holder: dict[str, Responder] = {}  # the responder needs the port, known once listening

        def handler(
            r: asyncio.StreamReader,
            w: asyncio.StreamWriter,
            holder: dict[str, Responder] = holder,
        ) -> asyncio.Future[None]:
            return asyncio.ensure_future(_handle(holder["site"], r, w))

        server = await asyncio.start_server(handler, "127.0.0.1", 0, backlog=1024)
        port = server.sockets[0].getsockname()[1]
        urls[site] = f"http://127.0.0.1:{port}/"
        holder["site"] = web.responder(site, urls[site])
        servers.append(server)
    tmp = port_file.with_suffix(".tmp")
    tmp.write_text(json.dumps({"sites": urls}))
    tmp.replace(port_file)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for server in servers:
        server.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m syndicrawl_tools.benchmarks.server", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--articles", type=int, help="the synthetic web's articles")
    parser.add_argument(
        "--corpus", help="serve this corpus folder's real pages instead (corpusweb.CorpusWeb)"
    )
    parser.add_argument(
        "--corpus-pages", type=int, help="only each sub-corpus's first N pages (default: all)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--anchor", required=True, help="ISO time of the newest article")
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--page-scale", type=float, default=1.0)
    parser.add_argument(
        "--cache-mb",
        type=int,
        default=3072,
        help="memory for pre-rendered pages (default 3072; 0: render every request)",
    )
    args = parser.parse_args(argv)
    anchor = datetime.fromisoformat(args.anchor)
    if (args.articles is None) == (args.corpus is None):
        parser.error("give one of --articles N and --corpus PATH")
    web: ServableWeb
    if args.corpus is not None:
        web = CorpusServing(CorpusWeb(Path(args.corpus), anchor=anchor, per_site=args.corpus_pages))
    else:
        synthetic = SyntheticWeb(
            args.articles, seed=args.seed, anchor=anchor, page_scale=args.page_scale
        )
        cache_bytes = args.cache_mb * 1024 * 1024
        web = SyntheticServing(
            synthetic, prerender(synthetic, cache_bytes) if cache_bytes > 0 else None
        )
    asyncio.run(serve(web, Path(args.port_file)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
