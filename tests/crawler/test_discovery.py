from __future__ import annotations

import gzip

import pytest

from crawler.discovery.feeds import parse_feed
from crawler.discovery.sitemaps import parse_sitemap
from crawler.discovery.urls import normalize_url
from crawler.discovery.xmlsafe import XMLDocumentError

RSS = b"""<?xml version="1.0"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title><language>es-ES</language>
<item><title>Puente nuevo</title><link>https://a.example/n/1.html?utm_source=rss</link>
<pubDate>Fri, 27 Nov 2026 08:30:00 +0100</pubDate></item>
<item><title>No link</title></item>
<item><title>Guid only</title><guid>https://a.example/n/2.html</guid><dc:date>2026-11-26T10:00:00Z</dc:date></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de"><title>F</title>
<entry><title>Erste</title><link rel="alternate" href="https://b.example/x/1"/><link rel="enclosure" href="https://b.example/a.mp3"/>
<published>2026-11-27T07:00:00+01:00</published><updated>2026-11-27T09:00:00+01:00</updated></entry>
</feed>"""

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://c.example/2026/11/27/story.html</loc><lastmod>2026-11-27T10:00:00Z</lastmod>
<news:news><news:publication><news:name>C</news:name><news:language>en</news:language></news:publication>
<news:publication_date>2026-11-27T08:15:00+00:00</news:publication_date><news:title>Harbour bridge reopens</news:title></news:news></url>
</urlset>"""

INDEX = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://c.example/sitemap-1.xml.gz</loc><lastmod>2026-11-27</lastmod></sitemap></sitemapindex>"""


def test_rss_entries_with_dates_and_language() -> None:
    entries = parse_feed(RSS)
    assert [e.url for e in entries] == [
        "https://a.example/n/1.html?utm_source=rss",
        "https://a.example/n/2.html",
    ]
    assert entries[0].title == "Puente nuevo"
    assert entries[0].published_raw == "Fri, 27 Nov 2026 08:30:00 +0100"
    assert entries[0].language == "es"
    assert entries[1].published_raw == "2026-11-26T10:00:00Z"


def test_atom_alternate_link_only() -> None:
    (entry,) = parse_feed(ATOM)
    assert entry.url == "https://b.example/x/1"
    assert entry.published_raw == "2026-11-27T07:00:00+01:00"
    assert entry.updated_raw == "2026-11-27T09:00:00+01:00"
    assert entry.language == "de"


def test_news_sitemap_keeps_news_fields() -> None:
    sitemap = parse_sitemap(NEWS_SITEMAP)
    assert sitemap.kind == "urlset"
    (entry,) = sitemap.entries
    assert entry.news_title == "Harbour bridge reopens"
    assert entry.news_publication_date == "2026-11-27T08:15:00+00:00"
    assert entry.news_language == "en"
    assert entry.lastmod == "2026-11-27T10:00:00Z"


def test_gzipped_sitemap_index() -> None:
    sitemap = parse_sitemap(gzip.compress(INDEX))
    assert sitemap.kind == "sitemapindex"
    assert sitemap.entries[0].url == "https://c.example/sitemap-1.xml.gz"


@pytest.mark.parametrize(
    "body",
    [b"", b"   ", b"<html><body>not a feed</body></html>", b"\x1f\x8bnot really gzip"],
    ids=["empty", "blank", "html", "bad-gzip"],
)
def test_bad_documents_raise_specific_error(body: bytes) -> None:
    with pytest.raises(XMLDocumentError):
        parse_sitemap(body)
    with pytest.raises(XMLDocumentError):
        parse_feed(body)


def test_entity_bomb_is_not_expanded() -> None:
    bomb = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://x.example/&lol3;</loc></url></urlset>"""
    # Refused outright (counted as discovery/bad_sitemap_count/entities), never expanded.
    with pytest.raises(XMLDocumentError, match="entities") as raised:
        parse_sitemap(bomb)
    assert raised.value.reason == "entities"


def test_gzip_bomb_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import crawler.discovery.sitemaps as sitemaps

    monkeypatch.setattr(sitemaps, "MAX_UNZIPPED_BYTES", 1024 * 1024)
    bomb = gzip.compress(b"<urlset>" + b" " * (5 * 1024 * 1024))
    with pytest.raises(XMLDocumentError, match="expands past"):
        parse_sitemap(bomb)


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("HTTP://News.Example.COM:80/a/b.html#comments", "http://news.example.com/a/b.html"),
        ("https://e.example/a?utm_source=x&utm_medium=y&id=7&fbclid=z", "https://e.example/a?id=7"),
        ("https://e.example/a?b=2&a=1", "https://e.example/a?a=1&b=2"),
        ("https://e.example:443/a", "https://e.example/a"),
        ("http://127.0.0.1:8001/news/1.html", "http://127.0.0.1:8001/news/1.html"),
    ],
    ids=[
        "host-case-port-fragment",
        "tracking",
        "query-order",
        "https-default-port",
        "keeps-other-port",
    ],
)
def test_normalize_url(url: str, key: str) -> None:
    assert normalize_url(url) == key
