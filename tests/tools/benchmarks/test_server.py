"""The benchmark web server: the synthetic web over keep-alive HTTP/1.1, in its own process."""

from __future__ import annotations

import http.client
import re
import socket
from datetime import UTC, datetime

import pytest

from syndicrawl_tools.benchmarks.pipeline import served
from syndicrawl_tools.benchmarks.server import NOT_FOUND, SiteServer, article_response, prerender
from syndicrawl_tools.benchmarks.synthweb import SyntheticWeb

ANCHOR = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def web() -> SyntheticWeb:
    return SyntheticWeb(60, seed=3, anchor=ANCHOR)


def test_site_server_answers_pages_and_keeps_its_documents(web):
    site = web.sites[0]
    server = SiteServer(web, site, "http://h:1/")
    i = web.articles_of(site)[2]
    response = server.respond(web.article(i).path + "?utm_source=x")
    head, body = response.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200 OK") and body == web.render(i)
    assert f"Content-Length: {len(body)}".encode() in head
    sitemap = server.respond("/sitemaps/sitemap-0.xml")
    assert server.respond("/sitemaps/sitemap-0.xml") is sitemap  # built once
    assert sitemap.count(b"<url>") == len(web.articles_of(site))
    assert server.respond("/robots.txt").endswith(b"Allow: /\n")
    other = web.articles_of(web.sites[1])[0]
    for path in (
        web.article(other).path,
        "/sitemaps/sitemap-7.xml",
        "/nothing",
        "/sitemaps/sitemap-x.xml",
    ):
        assert server.respond(path) is NOT_FOUND
    assert "/nothing" not in server._cached  # unknown paths are not kept


def test_served_web_keeps_connections_alive_and_sends_the_rendered_bytes(web, tmp_path):
    with served(web.n_articles, web.seed, web.anchor, tmp_path) as server:
        urls = server.urls
        site = web.sites[1]
        host, port = urls[site].removeprefix("http://").rstrip("/").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request("GET", "/sitemap_index.xml")
        index = conn.getresponse().read()
        conn.request("GET", "/sitemaps/sitemap-0.xml")  # same connection
        paths = re.findall(rb"<loc>http://[^/]+(/news/[^<]+)</loc>", conn.getresponse().read())
        assert b"sitemap-0.xml" in index and len(paths) == len(web.articles_of(site))
        for path in paths[:3]:
            conn.request("GET", path.decode())
            response = conn.getresponse()
            assert response.status == 200
            assert response.read() == web.render(web.number_of(site, path.decode()) or 0)
        conn.request("GET", "/news/2026/05/not-here-000001.html")
        missing = conn.getresponse()
        assert missing.status == 404 and missing.read() == b"not found"
        conn.close()
        # a malformed request line gets a 400 and the connection closed
        with socket.create_connection((host, int(port)), timeout=10) as raw:
            raw.sendall(b"NONSENSE\r\n\r\n")
            assert raw.recv(1024).startswith(b"HTTP/1.1 400 Bad Request")


def test_prerendered_pages_are_the_rendered_responses_within_the_budget(web):
    site = web.sites[0]
    everything = prerender(web, 10**9)
    assert sorted(everything) == list(range(web.n_articles))
    sizes = [len(everything[i]) for i in range(web.n_articles)]
    some = prerender(web, sum(sizes[:5]) + sizes[5] // 2)
    assert sorted(some) == [0, 1, 2, 3, 4]  # the sixth would pass the budget
    cached = SiteServer(web, site, "http://h:1/", everything)
    fresh = SiteServer(web, site, "http://h:1/")
    for i in web.articles_of(site)[:3]:
        path = web.article(i).path
        assert cached.respond(path) is everything[i]
        assert fresh.respond(path) == everything[i] == article_response(web, i)
