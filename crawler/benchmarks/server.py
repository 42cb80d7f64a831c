"""Serve a :class:`~crawler.benchmarks.synthweb.SyntheticWeb` on 127.0.0.1, one port per site.

Run as its own process so its CPU is not counted in the crawl's::

    python -m crawler.benchmarks.server --articles 10000 --seed 7 --anchor ISO --port-file ports.json

writes ``{"sites": {name: base_url}}`` to the port file once every site listens, then serves until
SIGTERM. A minimal HTTP/1.1 server on asyncio streams (keep-alive, GET only): the stdlib
``http.server`` costs more CPU per request than the crawl's own fetch stage.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
from datetime import datetime
from pathlib import Path

from crawler.benchmarks.synthweb import SyntheticWeb

logger = logging.getLogger(__name__)

ROBOTS = b"User-agent: *\nAllow: /\n"


def _response(status: str, body: bytes, content_type: str) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        "Connection: keep-alive\r\n\r\n"
    )
    return head.encode("ascii") + body


def page(web: SyntheticWeb, site: str, base_url: str, path: str) -> bytes:
    """The whole HTTP response for ``path`` of ``site``."""
    path = path.split("?", 1)[0]
    if path == "/robots.txt":
        return _response("200 OK", ROBOTS, "text/plain")
    if path == "/sitemap_index.xml":
        return _response("200 OK", web.sitemap_index(site, base_url), "application/xml")
    if path.startswith("/sitemaps/sitemap-") and path.endswith(".xml"):
        k = path[len("/sitemaps/sitemap-") : -4]
        body = web.sitemap(site, base_url, int(k)) if k.isdigit() else None
        if body is not None:
            return _response("200 OK", body, "application/xml")
    elif path.startswith("/news/"):
        i = web.number_of(site, path)
        if i is not None:
            return _response("200 OK", web.render(i), "text/html; charset=utf-8")
    return _response("404 Not Found", b"not found", "text/plain")


async def _handle(
    web: SyntheticWeb,
    site: str,
    base_url: str,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
            parts = request_line.split(" ")
            if len(parts) != 3:
                writer.write(_response("400 Bad Request", b"bad request", "text/plain"))
                break
            writer.write(page(web, site, base_url, parts[1]))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def serve(web: SyntheticWeb, port_file: Path) -> None:
    servers, urls = [], {}
    for site in web.sites:
        holder: dict[str, str] = {}

        def handler(
            r: asyncio.StreamReader,
            w: asyncio.StreamWriter,
            site: str = site,
            holder: dict[str, str] = holder,
        ) -> asyncio.Future[None]:
            return asyncio.ensure_future(_handle(web, site, holder["url"], r, w))

        server = await asyncio.start_server(handler, "127.0.0.1", 0, backlog=1024)
        port = server.sockets[0].getsockname()[1]
        holder["url"] = urls[site] = f"http://127.0.0.1:{port}/"
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
        prog="python -m crawler.benchmarks.server", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--anchor", required=True, help="ISO time of the newest article")
    parser.add_argument("--port-file", required=True)
    args = parser.parse_args(argv)
    web = SyntheticWeb(args.articles, seed=args.seed, anchor=datetime.fromisoformat(args.anchor))
    asyncio.run(serve(web, Path(args.port_file)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
