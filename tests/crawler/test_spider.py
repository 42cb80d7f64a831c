from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request, XmlResponse
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from crawler.registry import parse_site
from crawler.spiders.news import NewsSpider
from crawler.state.seen import SeenEntry, SQLiteSeenStore

SITE = parse_site(
    {
        "name": "harbor",
        "role": "original",
        "base_url": "https://harbor.example/",
        "start": {
            "news_sitemaps": ["/news.xml"],
            "listings": [{"url": "/news/", "next": "a.next::attr(href)"}],
        },
        "article_url_pattern": r"/news/\d{4}/",
    }
)

NEWS_SITEMAP = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://harbor.example/news/2026/bridge.html?utm_campaign=x</loc><lastmod>2026-11-27T10:00:00Z</lastmod>
<news:news><news:publication><news:language>en</news:language></news:publication><news:publication_date>2026-11-27T08:15:00Z</news:publication_date><news:title>Bridge reopens</news:title></news:news></url>
<url><loc>https://elsewhere.example/news/2026/x.html</loc></url>
<url><loc>https://harbor.example/about.html</loc></url>
</urlset>"""


@pytest.fixture
def spider(tmp_path: Path) -> NewsSpider:
    crawler = get_crawler(NewsSpider, {"SYNDICRAWL_STATE_DIR": str(tmp_path)})
    crawler._apply_settings()
    return NewsSpider.from_crawler(crawler, sites={"harbor": SITE})


def sitemap_response(body: bytes) -> XmlResponse:
    request = Request("https://harbor.example/news.xml", meta={"site": "harbor", "kind": "sitemap"})
    return XmlResponse(url=request.url, body=body, request=request)


def test_news_sitemap_hints_reach_the_article_request(spider: NewsSpider) -> None:
    requests = list(spider.parse_sitemap(sitemap_response(NEWS_SITEMAP)))
    assert [r.url for r in requests] == ["https://harbor.example/news/2026/bridge.html"]
    request = requests[0]
    assert request.meta["site"] == "harbor" and request.meta["kind"] == "article"
    assert request.meta["download_slot"] == "harbor"
    hints = spider.ledger.hints[request.url]
    assert hints["title"] == "Bridge reopens"
    assert (
        hints["published_raw"] == "2026-11-27T08:15:00Z" and hints["published_source"] == "sitemap"
    )
    assert hints["language"] == "en"
    stats = spider.crawler.stats
    assert stats.get_value("syndicrawl/site/harbor/discovery/discovered_count") == 1


def test_article_found_twice_is_requested_once(spider: NewsSpider) -> None:
    first = list(spider.parse_sitemap(sitemap_response(NEWS_SITEMAP)))
    listing = HtmlResponse(
        url="https://harbor.example/news/",
        body=b'<a href="/news/2026/bridge.html#top">x</a><a class="next" href="/news/?page=2">next</a>',
        request=Request(
            "https://harbor.example/news/",
            meta={
                "site": "harbor",
                "kind": "listing",
                "listing": SITE.start.listings[0],
                "listing_page": 1,
            },
        ),
    )
    second = list(spider.parse_listing(listing))
    assert len(first) == 1
    assert [r.meta["kind"] for r in second] == [
        "listing"
    ]  # only the next page, not the article again
    assert second[0].url == "https://harbor.example/news/?page=2"


def test_unchanged_article_is_not_requested(tmp_path: Path) -> None:
    store = SQLiteSeenStore(tmp_path / "seen.sqlite3")
    store.record(
        SeenEntry(
            "https://harbor.example/news/2026/bridge.html",
            "harbor",
            "2026-11-27T10:00:00Z",
            '"v1"',
            None,
            "b" * 64,
            "exported",
        )
    )
    crawler = get_crawler(NewsSpider, {"SYNDICRAWL_STATE_DIR": str(tmp_path)})
    crawler._apply_settings()
    spider = NewsSpider.from_crawler(crawler, sites={"harbor": SITE}, seen_store=store)
    assert list(spider.parse_sitemap(sitemap_response(NEWS_SITEMAP))) == []
    assert crawler.stats.get_value("syndicrawl/site/harbor/discovery/skipped_unchanged_count") == 1
    changed = NEWS_SITEMAP.replace(
        b"<lastmod>2026-11-27T10:00:00Z", b"<lastmod>2026-11-27T12:00:00Z"
    )
    spider.ledger.hints.clear()
    (request,) = spider.parse_sitemap(sitemap_response(changed))
    assert request.headers.get("If-None-Match") == b'"v1"'
    assert spider.ledger.hints[request.url]["previous_sha256"] == "b" * 64


def test_article_response_becomes_item(spider: NewsSpider) -> None:
    (request,) = spider.parse_sitemap(sitemap_response(NEWS_SITEMAP))
    response = HtmlResponse(
        url=request.url,
        body="<html><p>Caf\u00e9</p></html>".encode(),
        encoding="utf-8",
        request=request,
        headers={"ETag": '"v2"'},
    )
    (item,) = spider.parse_article(response)
    assert isinstance(item, ArticleItem)
    assert item.url == request.url and item.site == "harbor" and "Caf\u00e9" in (item.html or "")
    assert item.hints["etag"] == '"v2"' and item.hints["title"] == "Bridge reopens"
    assert item.fetched_at and item.fetched_at.endswith("+00:00")


def test_listing_then_newer_feed_date_refetches(tmp_path: Path) -> None:
    """A listing (no dates) skips a seen article; a sitemap found later with a newer lastmod wins."""
    store = SQLiteSeenStore(tmp_path / "seen.sqlite3")
    store.record(
        SeenEntry(
            "https://harbor.example/news/2026/bridge.html",
            "harbor",
            "2026-11-27T10:00:00Z",
            None,
            None,
            "b" * 64,
            "exported",
        )
    )
    crawler = get_crawler(NewsSpider, {"SYNDICRAWL_STATE_DIR": str(tmp_path)})
    crawler._apply_settings()
    spider = NewsSpider.from_crawler(crawler, sites={"harbor": SITE}, seen_store=store)
    listing = HtmlResponse(
        url="https://harbor.example/news/",
        body=b'<a href="/news/2026/bridge.html">x</a>',
        request=Request(
            "https://harbor.example/news/",
            meta={
                "site": "harbor",
                "kind": "listing",
                "listing": SITE.start.listings[0],
                "listing_page": 1,
            },
        ),
    )
    assert list(spider.parse_listing(listing)) == []
    changed = NEWS_SITEMAP.replace(
        b"<lastmod>2026-11-27T10:00:00Z", b"<lastmod>2026-11-27T12:00:00Z"
    )
    (request,) = spider.parse_sitemap(sitemap_response(changed))
    assert request.url == "https://harbor.example/news/2026/bridge.html"
    assert crawler.stats.get_value("syndicrawl/site/harbor/discovery/skipped_unchanged_count") == 0
    assert "_unchanged" not in spider.ledger.hints[request.url]


def test_the_newest_lastmod_of_the_run_is_the_one_remembered(tmp_path: Path) -> None:
    """A feed's publication date found first, a sitemap's later update date found after the fetch:
    the seen-store keeps the update date, so the next run takes the article for unchanged."""
    from crawler.discovery.ledger import ArticleLedger
    from crawler.state.bookkeeping import SeenBookkeeping

    store = SQLiteSeenStore(tmp_path / "seen.sqlite3")
    ledger = ArticleLedger(store)
    url = "https://harbor.example/news/2026/bridge.html"
    assert ledger.offer("harbor", url, {"lastmod": "2026-11-27T08:15:00Z"}) == {}
    assert ledger.offer("harbor", url, {"lastmod": "2026-11-27T10:00:00+00:00"}) is None
    hints = ledger.take(url)
    assert hints["lastmod"] == "2026-11-27T10:00:00+00:00"  # the newer of the two, not the first
    assert ledger.offer("harbor", url, {"lastmod": "2026-11-27T11:30:00Z"}) is None  # after fetch
    SeenBookkeeping(store, ledger.lastmod).remember(
        url, "harbor", hints, None, "c" * 64, "exported"
    )
    entry = store.get(url)
    assert entry is not None and entry.lastmod == "2026-11-27T11:30:00Z"
    next_run = ArticleLedger(store)
    assert next_run.offer("harbor", url, {"lastmod": "2026-11-27T08:15:00Z"}) is None
    assert next_run.offer("harbor", url, {"lastmod": "2026-11-27T11:30:00Z"}) is None
