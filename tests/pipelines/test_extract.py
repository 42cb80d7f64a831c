"""Extract core and ExtractPipeline: body text, metadata, site selectors, drop reasons, odd input."""

from __future__ import annotations

import pytest
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from crawler.registry import parse_site
from pipelines.core.extraction import (
    ArticleExtractor,
    BodyTooShortError,
    EmptyExtractionError,
    ExtractOptions,
    NotAnArticleError,
    PageTooLargeError,
    normalise_url,
)
from pipelines.errors import BodyTooShort, EmptyExtraction, PageTooLarge
from pipelines.extract import HINT_DATES, ExtractPipeline

BODY = [
    "The county council voted on Monday to rebuild the harbour wall at Port Alder, ending two years of argument over who should pay for the work.",
    "Engineers say the wall, built in 1887, has lost a third of its stones to winter storms and could fail within five years without repair.",
    "The plan splits the cost between the county, the port authority and a national coastal fund, which approved its share last month.",
    "Fishing crews welcomed the decision but asked that the harbour stay open to boats while the builders are on site.",
]


def page(body: list[str] = BODY, *, head: str = "", extra: str = "", lang: str = "en") -> str:
    paras = "\n".join(f"<p>{p}</p>" for p in body)
    return f"""<!doctype html><html lang="{lang}"><head><title>Harbour wall to be rebuilt | Alder Gazette</title>{head}</head>
<body><nav><a href="/">Home</a> <a href="/news/">News</a> <a href="/sport/">Sport</a></nav>
<article><h1>Harbour wall to be rebuilt</h1>{paras}{extra}</article>
<footer><p>Alder Gazette, 1 Quay Street. All rights reserved.</p></footer></body></html>"""


JSONLD = """<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
 {"@type": "WebPage", "datePublished": "2026-01-01T00:00:00Z"},
 {"@type": "NewsArticle", "headline": "Harbour wall to be rebuilt", "datePublished": "2026-03-02T08:15:00+01:00",
  "dateModified": "2026-03-02T10:00:00+01:00", "inLanguage": "en-GB",
  "author": [{"@type": "Person", "name": "Mira Holt"}, {"@type": "Person", "name": "Tom Reyes"}],
  "image": {"@type": "ImageObject", "datePublished": "2019-05-05T00:00:00Z"}}]}</script>
<link rel="canonical" href="https://gazette.example/news/harbour-wall?utm_source=feed#top">"""


@pytest.fixture
def extractor() -> ArticleExtractor:
    return ArticleExtractor(ExtractOptions(min_chars=100))


def site(**extra):
    data = {
        "name": "gazette",
        "role": "original",
        "domains": ["gazette.example"],
        "start": {"rss": ["https://gazette.example/rss"]},
        "language": "en",
        **extra,
    }
    return parse_site(data, "test")


def test_body_paragraphs_joined_by_blank_line(extractor):
    found = extractor.extract(page(), "https://gazette.example/news/harbour-wall")
    assert found.text.split("\n\n")[-4:] == BODY
    assert "Home" not in found.text and "All rights reserved" not in found.text


def test_metadata_from_jsonld_and_canonical(extractor):
    found = extractor.extract(page(head=JSONLD), "https://gazette.example/x")
    assert found.title == "Harbour wall to be rebuilt"
    assert found.authors == ["Mira Holt", "Tom Reyes"]
    assert found.canonical_url == "https://gazette.example/news/harbour-wall"
    assert found.language == "en"
    published = [d for d in found.metadata.dates if d.kind == "published" and d.source == "jsonld"]
    # the article object's date ranks first; the nested image's date is not a candidate at all
    assert min(published, key=lambda d: d.rank).raw == "2026-03-02T08:15:00+01:00"
    assert all("2019" not in d.raw for d in found.metadata.dates)


def test_opengraph_and_meta_fallbacks(extractor):
    head = """<meta property="og:title" content="Harbour wall to be rebuilt">
<meta name="author" content="Mira Holt, Tom Reyes"><meta property="article:published_time" content="2026-03-02T07:15:00Z">
<meta property="og:url" content="https://gazette.example/news/harbour-wall">"""
    found = extractor.extract(page(head=head), "https://gazette.example/x")
    assert found.authors == ["Mira Holt", "Tom Reyes"]
    assert found.canonical_url == "https://gazette.example/news/harbour-wall"
    assert any(d.raw == "2026-03-02T07:15:00Z" and d.source == "meta" for d in found.metadata.dates)


def test_site_selectors_removed_before_extraction(extractor):
    extra = '<div class="promo"><p>Listen to Alder Radio every morning from six for the valley breakfast show with news.</p></div>'
    found = extractor.extract(
        page(extra=extra), "https://gazette.example/a", site(boilerplate={"selectors": [".promo"]})
    )
    assert "Alder Radio" not in found.text
    assert BODY[0] in found.text


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("", EmptyExtractionError),
        ("   \n ", EmptyExtractionError),
        ("<html><body><div></div></body></html>", EmptyExtractionError),
        (page(["A short note."]), BodyTooShortError),
    ],
    ids=["empty", "whitespace", "no-text", "too-short"],
)
def test_preconditions_raise_specific_errors(extractor, html, error):
    with pytest.raises(error):
        extractor.extract(html, "https://gazette.example/a")


def test_huge_page_is_refused_before_parsing():
    small = ArticleExtractor(ExtractOptions(min_chars=10, max_html_chars=1000))
    with pytest.raises(PageTooLargeError, match="above the limit of 1000"):
        small.extract(page() + " " * 2000, "https://gazette.example/a")


def test_listing_page_is_not_an_article(extractor):
    head = '<script type="application/ld+json">{"@type": "CollectionPage", "name": "News"}</script>'
    html = (
        f"<html><head>{head}</head><body><ul>"
        + "".join(f'<li><a href="/n/{i}">Headline number {i}</a></li>' for i in range(30))
        + "</ul></body></html>"
    )
    with pytest.raises(NotAnArticleError, match="collectionpage"):
        extractor.extract(html, "https://gazette.example/news/")


@pytest.mark.parametrize(
    "html",
    [
        # cp1251 bytes decoded as Latin-1 by a mislabelled server: mojibake, but text
        page([p.encode("utf-8").decode("latin-1") for p in BODY]),
        # control characters and a NUL inside the text
        page([BODY[0] + "\x00\x07", *BODY[1:]]),
        # an XML declaration with an encoding on an already-decoded str
        '<?xml version="1.0" encoding="windows-1251"?>' + page(),
        # Cyrillic decoded right
        page(
            [
                "Городской совет в понедельник проголосовал за восстановление стены гавани, завершив два года споров о том, кто должен платить."
                * 2
            ]
        ),
    ],
    ids=["mojibake", "control-chars", "xml-declaration", "cyrillic"],
)
def test_odd_text_is_handled(extractor, html):
    found = extractor.extract(html, "https://gazette.example/a")
    assert len(found.text) >= 100
    assert "\x00" not in found.text


def test_unclosed_tags_still_extract(extractor):
    broken = page().replace("</p>", "").replace("</article>", "")
    assert BODY[1] in extractor.extract(broken, "https://gazette.example/a").text


def test_normalise_url():
    assert (
        normalise_url("/a/b?utm_medium=x&id=2#frag", "https://Gazette.example/")
        == "https://gazette.example/a/b?id=2"
    )
    assert normalise_url("mailto:x@y.z") is None


def test_options_reject_contradictions():
    with pytest.raises(ValueError, match="favor_precision and favor_recall"):
        ExtractOptions(favor_precision=True, favor_recall=True)
    with pytest.raises(ValueError, match="min_chars"):
        ExtractOptions(min_chars=-1)


# --- adapter ---------------------------------------------------------------------------------------

# The cores in this process, so process_item returns the item (the pool's default is the cores).
IN_PROCESS = {"SYNDICRAWL_POOL_PROCESSES": 0}


def test_from_crawler_maps_settings():
    crawler = get_crawler(
        settings_dict={
            "SYNDICRAWL_EXTRACT_MIN_CHARS": 321,
            "SYNDICRAWL_EXTRACT_MAX_HTML_CHARS": 5000,
            "SYNDICRAWL_EXTRACT_RESCUE_BELOW_CHARS": 0,
        }
    )
    pipe = ExtractPipeline.from_crawler(crawler)
    assert pipe.extractor.options.min_chars == 321
    assert pipe.extractor.options.max_html_chars == 5000
    assert pipe.extractor.options.rescue_below_chars == 0


def test_adapter_fills_item_and_hints():
    crawler = get_crawler(settings_dict=IN_PROCESS)
    pipe = ExtractPipeline.from_crawler(crawler)
    crawler.stats.open_spider()
    item = ArticleItem(
        url="https://gazette.example/x",
        site="gazette",
        html=page(head=JSONLD),
        fetched_at="2026-03-03T00:00:00+00:00",
        hints={"title": "Feed title"},
    )
    out = pipe.process_item(item)
    assert out.title == "Harbour wall to be rebuilt" and out.authors == ["Mira Holt", "Tom Reyes"]
    assert out.canonical_url == "https://gazette.example/news/harbour-wall"
    assert out.hints[HINT_DATES]
    assert crawler.stats.get_value("syndicrawl/extract/extracted_count") == 1


@pytest.mark.parametrize(
    ("html", "drop", "reason"),
    [
        ("", EmptyExtraction, "emptyextraction"),
        (page(["Too short."]), BodyTooShort, "bodytooshort"),
        (page() + " " * 9_000_000, PageTooLarge, "pagetoolarge"),
    ],
    ids=["empty", "short", "huge"],
)
def test_adapter_drops_with_reason_and_stat(html, drop, reason):
    crawler = get_crawler(settings_dict=IN_PROCESS)
    pipe = ExtractPipeline.from_crawler(crawler)
    crawler.stats.open_spider()
    with pytest.raises(drop):
        pipe.process_item(ArticleItem(url="https://gazette.example/x", site="gazette", html=html))
    assert crawler.stats.get_value(f"syndicrawl/extract/dropped_count/{reason}") == 1
    assert crawler.stats.get_value(f"syndicrawl/site/gazette/extract/dropped_count/{reason}") == 1
