"""Every truth article is reachable from its site's start points (feeds, sitemaps, listings)."""

from __future__ import annotations

import gzip
import urllib.request
from urllib.parse import urljoin

import pytest
from lxml import etree
from parsel import Selector

from crawler.registry import SiteConfig
from syndicrawl_tools.demo.server import DemoWeb

NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
    "atom": "http://www.w3.org/2005/Atom",
}


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as resp:
        body: bytes = resp.read()
    return gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body


def rss_links(url: str) -> set[str]:
    return {el.text for el in etree.fromstring(fetch(url)).iterfind("./channel/item/link")}


def atom_links(url: str) -> set[str]:
    root = etree.fromstring(fetch(url))
    return set(root.xpath("//atom:entry/atom:link[@rel='alternate']/@href", namespaces=NS))


def sitemap_links(url: str, depth: int = 0) -> set[str]:
    root = etree.fromstring(fetch(url))
    if root.tag == f"{{{NS['sm']}}}sitemapindex":
        assert depth < 2, "sitemap index nesting too deep"
        return set().union(
            *(sitemap_links(loc, depth + 1) for loc in root.xpath("//sm:loc/text()", namespaces=NS))
        )
    return set(root.xpath("//sm:url/sm:loc/text()", namespaces=NS))


def listing_links(cfg: SiteConfig) -> tuple[set[str], int]:
    found: set[str] = set()
    pages = 0
    for listing in cfg.start.listings:
        url: str | None = cfg.absolute(listing.url)
        while url:
            pages += 1
            assert pages < 30, "pagination does not end"
            sel = Selector(text=fetch(url).decode("utf-8"))
            found |= {urljoin(url, h) for h in sel.css(listing.links or "a::attr(href)").getall()}
            nxt = sel.css(listing.next).get() if listing.next else None
            url = urljoin(url, nxt) if nxt else None
    return found, pages


@pytest.fixture(scope="module")
def configs(web: DemoWeb) -> dict[str, SiteConfig]:
    return web.site_configs()


@pytest.mark.parametrize(
    "site",
    [
        "meridian-wire",
        "harbor-times",
        "el-faro",
        "valley-ledger",
        "kestrel-fm",
        "newsdeck",
        "riverton-courier",
    ],
)
def test_truth_articles_reachable_from_start_points(
    web: DemoWeb, configs: dict[str, SiteConfig], site: str
) -> None:
    cfg = configs[site]
    truth = web.truth()
    expected = {a.url(web.base_urls) for a in truth.for_site(site)}
    drafts = {web.url(site, p) for p in truth.disallowed.get(site, ())}

    listed, pages = listing_links(cfg)
    assert pages >= 2, f"{site}: listings must paginate"
    assert expected <= listed, f"{site}: listings miss {sorted(expected - listed)}"
    assert {u for u in listed if cfg.is_article_url(u)} == expected | drafts

    from_feeds: set[str] = set()
    for u in cfg.start.rss:
        from_feeds |= rss_links(cfg.absolute(u))
    for u in cfg.start.atom:
        from_feeds |= atom_links(cfg.absolute(u))
    for u in (*cfg.start.sitemaps, *cfg.start.news_sitemaps):
        from_feeds |= sitemap_links(cfg.absolute(u))
    articles = {u for u in from_feeds if cfg.is_article_url(u)}
    assert articles and articles <= expected, (
        f"{site}: feeds list non-truth articles {sorted(articles - expected)}"
    )
    assert not drafts & from_feeds


def test_surface_kinds_exist(configs: dict[str, SiteConfig], web: DemoWeb) -> None:
    assert [n for n, c in configs.items() if c.start.atom] == ["harbor-times"]
    assert sum(bool(c.start.rss) for c in configs.values()) >= 5
    news = configs["meridian-wire"].start.news_sitemaps[0]
    root = etree.fromstring(fetch(configs["meridian-wire"].absolute(news)))
    for tag in ("news:title", "news:publication_date", "news:language"):
        assert root.xpath(f"count(//{tag})", namespaces=NS) == len(
            web.truth().for_site("meridian-wire")
        )
    index = fetch(configs["harbor-times"].absolute("/sitemap_index.xml"))
    assert b"sitemapindex" in index and b".xml.gz" in index
    raw = urllib.request.urlopen(
        configs["harbor-times"].absolute("/sitemaps/articles-2026-03.xml.gz")
    ).read()
    assert raw[:2] == b"\x1f\x8b"
