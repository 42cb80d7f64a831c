"""The synthetic web: deterministic, sized and built like real news pages, cheap to render."""

from __future__ import annotations

import random
import re
import statistics
import time
from datetime import UTC, datetime

import pytest
from lxml import html as lxml_html

from crawler.registry import parse_site
from pipelines.core.extraction import ArticleExtractor
from syndicrawl_tools.benchmarks.synthweb import (
    ORIGINALS,
    SIZE_RANGE,
    SYNDICATORS,
    Pool,
    SyntheticWeb,
)
from syndicrawl_tools.demo.dates import english_long

ANCHOR = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def web() -> SyntheticWeb:
    return SyntheticWeb(400, seed=5, anchor=ANCHOR)


@pytest.fixture(scope="module")
def sizes(web: SyntheticWeb) -> list[int]:
    return [len(web.render(i)) for i in range(400)]


def test_same_seed_same_bytes_other_seed_other_text(web):
    again = SyntheticWeb(400, seed=5, anchor=ANCHOR)
    assert all(web.render(i) == again.render(i) for i in (0, 17, 399))
    assert SyntheticWeb(400, seed=6, anchor=ANCHOR).render(17) != web.render(17)


def test_page_sizes_spread_like_real_news_pages(sizes):
    q = statistics.quantiles(sizes, n=10)
    assert 95_000 < statistics.median(sizes) < 140_000
    assert q[0] < 70_000 and q[-1] > 200_000, q  # p10, p90
    lo, hi = SIZE_RANGE
    assert all(lo < n < hi * 1.1 for n in sizes), (min(sizes), max(sizes))


def test_page_scale_grows_the_pages_around_the_same_articles(web, sizes):
    heavy = SyntheticWeb(400, seed=5, anchor=ANCHOR, page_scale=1.8)
    heavy_sizes = [len(heavy.render(i)) for i in range(0, 400, 4)]
    ratio = statistics.median(heavy_sizes) / statistics.median(sizes[::4])
    assert 1.5 < ratio < 2.1, ratio
    assert all(heavy.article(i) == web.article(i) for i in (0, 17, 399))
    with pytest.raises(ValueError, match="page_scale"):
        SyntheticWeb(10, page_scale=10)


def test_sizes_vary_per_article_within_a_site(web, sizes):
    for site in web.sites:
        own = [sizes[i] for i in web.articles_of(site)]
        assert max(own) > 1.5 * min(own), site


def test_pages_carry_real_chrome_around_the_article(web):
    i = min(range(400), key=lambda i: abs(len(web.render(i)) - 115_000))
    html = web.render(i).decode()
    tree = lxml_html.fromstring(html)
    elements = list(tree.iter())
    assert 500 < len(elements) < 2000
    scripts = sum(len(el.text or "") for el in tree.iter("script"))
    styles = sum(len(el.text or "") for el in tree.iter("style"))
    assert scripts > 0.15 * len(html) and styles > 0.03 * len(html)
    for selector in (
        "nav a",
        "svg symbol",
        "#comments li",
        "[data-rail] a",
        "footer a",
        ".ad-slot",
    ):
        assert tree.cssselect(selector), selector
    # the site configs' boilerplate selectors still have something to remove
    assert tree.cssselect(".newsletter") and tree.cssselect(".breadcrumbs")
    assert '"@type": "NewsArticle"' in html and 'class="dateline"' in html
    assert all(web.article(i).published < ANCHOR for i in range(400))


def test_the_pipeline_extracts_the_article_and_nothing_of_the_chrome(web):
    extractor = ArticleExtractor()
    copies = [i for i in range(400) if web.article(i).original is not None][:3]
    for i in (0, 3, 101, *copies):
        a = web.article(i)
        site = parse_site(web.site_config(a.site, "http://127.0.0.1:1/"), a.site)
        found = extractor.extract(web.render(i).decode(), "http://127.0.0.1:1" + a.path, site)
        body = [p for p in found.paragraphs if p in a.paragraphs]
        assert body == list(a.paragraphs)
        allowed = {a.title, f"Published {english_long(a.published, 'UTC')}"}
        if a.original is not None:
            pub = web.publishers[a.site]
            allowed.add(
                f"Listen to {pub} live every weekday from six, and catch up on every bulletin "
                f"on the {pub} app."
            )
        assert set(found.paragraphs) - set(a.paragraphs) <= allowed


def test_rendering_is_cheap_with_chrome_built_once_per_site(web):
    for site in web.sites:
        web.render(web.articles_of(site)[0])
        assert web.chrome(site) is web.chrome(site)
    fresh = SyntheticWeb(400, seed=5, anchor=ANCHOR)
    for site in fresh.sites:
        fresh.chrome(site)
    started = time.process_time()
    for i in range(100, 160):
        fresh.render(i)
    per_page = (time.process_time() - started) / 60
    assert per_page < 0.003, per_page  # about 0.3 ms; a chrome rebuilt per page is ~20 ms


def test_sentences_are_the_draws_random_choices_would_make(web):
    # _sentence spells random.choices out for speed: same generator state in, same words out
    a, b = random.Random(11), random.Random(11)
    for _ in range(50):
        n = a.randint(9, 24)
        words = a.choices(web.vocab, cum_weights=web.cum_weights, k=n)
        expected = " ".join(words).capitalize() + a.choice((".", ".", ".", "?", "!"))
        assert web._sentence(b) == expected


def test_pool_slices_wrap_around_and_never_exceed_the_pool():
    pool = Pool(["a", "bb", "ccc"])
    assert pool.mean_chars == 2 and pool.count_for(7) == 4
    r = random.Random(1)
    for _ in range(20):
        taken = pool.take(r, 2)
        assert len(taken) == 2 and "".join(taken) in "abbcccabbccc"
    assert sorted(pool.take(r, 10)) == ["a", "bb", "ccc"]


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
