"""Fuzz the extraction and cleaning cores with generated HTML (hypothesis): they either return a
result or raise their own typed error (``ExtractionError``), never crash on hostile input."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.core.cleaning import Cleaner
from pipelines.core.extraction import (
    ArticleExtractor,
    ExtractionError,
    ExtractOptions,
    split_paragraphs,
)

TAGS = [
    "p",
    "div",
    "article",
    "span",
    "h1",
    "h2",
    "a",
    "script",
    "style",
    "table",
    "td",
    "li",
    "ul",
    "br",
    "img",
    "time",
    "meta",
    "header",
    "footer",
    "main",
    "section",
    "blockquote",
    "iframe",
    "svg",
    "math",
]
ATTRS = [
    "class",
    "id",
    "href",
    "content",
    "property",
    "datetime",
    "itemprop",
    "lang",
    "charset",
    "style",
    "src",
]

# Text with the awkward parts: control characters, NULs, lone surrogates, RTL marks, entities,
# characters outside the BMP, and stray markup.
awkward_text = st.lists(
    st.one_of(
        st.characters(codec=None),
        st.sampled_from(
            [
                "&amp;",
                "&#0;",
                "&#x110000;",
                "&nbsp;",
                "&bogus;",
                "<",
                ">",
                "\x00",
                "\ufeff",
                "\u202e",
                "\ud800",
                "\U0001f4f0",
                "]]>",
                "<!--",
                "-->",
                "<![CDATA[",
                "\r\n",
                "\t",
            ]
        ),
        st.text(max_size=20),
    ),
    max_size=12,
).map("".join)
attr = st.tuples(st.sampled_from(ATTRS), awkward_text).map(lambda kv: f' {kv[0]}="{kv[1]}"')


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(
        lambda tag, attrs, inner, close: (
            f"<{tag}{''.join(attrs)}>{''.join(inner)}" + (f"</{tag}>" if close else "")
        ),
        st.sampled_from(TAGS),
        st.lists(attr, max_size=3),
        st.lists(children, max_size=4),
        st.booleans(),
    )


fragments = st.recursive(awkward_text, _element, max_leaves=30)
documents = st.builds(
    lambda head, body, doctype: f"{doctype}<html><head>{head}</head><body>{body}</body></html>",
    st.lists(fragments, max_size=3).map("".join),
    st.lists(fragments, max_size=8).map("".join),
    st.sampled_from(
        [
            "",
            "<!doctype html>",
            "<?xml version='1.0' encoding='utf-8'?>",
            "<!DOCTYPE x [<!ENTITY a 'b'>]>",
        ]
    ),
)

EXTRACTOR = ArticleExtractor(ExtractOptions(min_chars=0))
CLEANER = Cleaner()
FETCHED = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html=documents)
def test_extraction_and_cleaning_never_crash(html: str) -> None:
    try:
        found = EXTRACTOR.extract(html, "https://fuzz.example/news/1.html", fetched_at=FETCHED)
    except ExtractionError:
        return  # a typed, counted drop reason: fine
    paragraphs = split_paragraphs(found.text)
    result = CLEANER.clean(paragraphs, title=found.title)
    assert isinstance(result.text, str)
    assert len(result.sha256) == 64


@settings(max_examples=150, deadline=None)
@given(paragraphs=st.lists(awkward_text, max_size=12), title=st.one_of(st.none(), awkward_text))
def test_cleaning_never_crashes_on_any_paragraphs(paragraphs: list[str], title: str | None) -> None:
    result = CLEANER.clean(paragraphs, title=title)
    assert isinstance(result.text, str)


@settings(max_examples=200, deadline=None)
@given(
    body=st.binary(max_size=2000),
    declared=st.sampled_from(
        [None, "utf-8", "iso-8859-1", "cp1251", "shift_jis", "utf-16", "bogus", ""]
    ),
)
def test_decoding_any_bytes_under_any_label_gives_text(body: bytes, declared: str | None) -> None:
    from crawler.middlewares.encoding import decode_html

    text, encoding = decode_html(body, declared)
    assert isinstance(text, str)
    assert encoding


xml_like = st.one_of(
    st.binary(max_size=1500),
    documents.map(lambda html: html.encode("utf-8", "surrogatepass")),
    st.builds(
        lambda inner: f'<?xml version="1.0"?><urlset><url><loc>{inner}</loc></url></urlset>'.encode(
            "utf-8", "surrogatepass"
        ),
        awkward_text,
    ),
)


@settings(max_examples=200, deadline=None)
@given(body=xml_like)
def test_sitemap_and_feed_parsers_raise_only_their_own_error(body: bytes) -> None:
    from crawler.discovery.feeds import parse_feed
    from crawler.discovery.sitemaps import parse_sitemap
    from crawler.discovery.xmlsafe import XMLDocumentError

    for parse in (parse_sitemap, parse_feed):
        with contextlib.suppress(XMLDocumentError):
            parse(body)
