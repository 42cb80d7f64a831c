"""The synthetic web: deterministic, realistic enough to exercise every stage."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from crawler.benchmarks.synthweb import ORIGINALS, SYNDICATORS, SyntheticWeb
from crawler.registry import parse_site

ANCHOR = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def web() -> SyntheticWeb:
    return SyntheticWeb(400, seed=5, anchor=ANCHOR)


def test_same_seed_same_bytes_other_seed_other_text(web):
    again = SyntheticWeb(400, seed=5, anchor=ANCHOR)
    assert all(web.render(i) == again.render(i) for i in (0, 17, 399))
    assert SyntheticWeb(400, seed=6, anchor=ANCHOR).render(17) != web.render(17)


def test_pages_are_news_sized_and_dated_in_the_past(web):
    sizes = [len(web.render(i)) for i in range(0, 400, 40)]
    assert all(60_000 < n < 150_000 for n in sizes), sizes
    assert all(web.article(i).published < ANCHOR for i in range(400))
    html = web.render(3).decode()
    assert '"@type": "NewsArticle"' in html and 'class="dateline"' in html


def test_about_thirty_percent_are_edited_republications_with_credit_and_promo(web):
    copies = [a for a in map(web.article, range(400)) if a.original is not None]
    assert 0.2 < len(copies) / 400 < 0.4
    copy = copies[0]
    base = web.article(copy.original[1])
    assert copy.site in dict(SYNDICATORS) and base.site in dict(ORIGINALS)
    assert copy.paragraphs[-1] == f"Source: {web.publishers[base.site]}"
    assert copy.paragraphs[:-1] != base.paragraphs  # edited, not byte-identical
    assert "Listen to" in web.render(copy.number).decode()


def test_paths_map_back_to_their_article_and_sitemaps_list_every_article(web):
    for site in web.sites:
        numbers = web.articles_of(site)
        assert numbers
        for i in numbers[:5]:
            assert web.number_of(site, web.article(i).path) == i
        listed = re.findall(
            rb"<loc>http://h:1/(news/[^<]+)</loc>", web.sitemap(site, "http://h:1/", 0) or b""
        )
        assert len(listed) == len(numbers)
    other = next(s for s in web.sites if s != web.article(0).site)
    assert web.number_of(other, web.article(0).path) is None
    assert web.number_of(web.sites[0], "/news/2026/05/nothing-here-999999.html") is None


def test_site_configs_are_valid_registry_entries(web):
    for site in web.sites:
        config = parse_site(web.site_config(site, "http://127.0.0.1:4321/"), site)
        assert config.is_article_url(
            "http://127.0.0.1:4321" + web.article(web.articles_of(site)[0]).path
        )
        assert config.owns("http://127.0.0.1/x")
