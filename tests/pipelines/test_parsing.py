"""The page parser: the trees trafilatura's own ``load_html`` makes, without lxml.html's Python
class lookup."""

from __future__ import annotations

import threading

import pytest
from lxml import etree
from lxml import html as lxml_html
from trafilatura.utils import load_html

from pipelines.core.parsing import parse_html

ARTICLE = (
    "<html><head><title>Harbour ferry returns</title>"
    '<meta name="description" content="The ferry sails again."></head><body>'
    "<nav><a href='/'>Home</a></nav><article><h1>Harbour ferry returns</h1>"
    "<p>The ferry to the outer islands sailed again on Monday after three weeks of repairs.</p>"
    "<form><input name='q'><label>Search</label><select><option>a</option></select></form>"
    "<!-- a comment --><p>Its crew said the new engine is quieter.</p></article></body></html>"
)

PAGES = {
    "article": ARTICLE,
    "xml-declaration": '<?xml version="1.0" encoding="windows-1251"?>' + ARTICLE,
    "broken": "<html><body><div><p>Unclosed paragraph<div>and a stray </span> tag<p>more",
    "self-closed-html": '<html lang="en"/><body><p>Self-closed root element.</p></body></html>',
    "fragment": "<p>Just one paragraph of text, not a document.</p>",
    "xhtml-doctype": '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n' + ARTICLE,
    "control-characters": ARTICLE.replace("three weeks", "three\x0b weeks\x1f"),
    "noncharacter": ARTICLE.replace("quieter", "quieter\ufffe"),
}


def _shape(tree: lxml_html.HtmlElement | None) -> str | None:
    return None if tree is None else etree.tostring(tree, encoding="unicode")


@pytest.mark.parametrize("html", PAGES.values(), ids=PAGES.keys())
def test_same_tree_as_trafilatura_load_html(html: str) -> None:
    expected = load_html(html)
    if expected is None:
        expected = load_html(f"<html><body>{html}</body></html>")
    assert _shape(parse_html(html)) == _shape(expected)


def test_every_element_is_an_html_element_without_the_forms_classes() -> None:
    tree = parse_html(ARTICLE)
    assert tree is not None
    elements = [el for el in tree.iter() if isinstance(el.tag, str)]
    assert {"form", "input", "label", "select", "option"} <= {el.tag for el in elements}
    assert all(type(el) is lxml_html.HtmlElement for el in elements)
    assert tree.xpath("string(//h1)") == "Harbour ferry returns"
    assert "three weeks" in tree.text_content()
    assert not [el for el in tree.iter() if isinstance(el, etree._Comment)]  # as trafilatura


def test_copies_keep_the_same_classes() -> None:
    # trafilatura copies the tree it is given; a copy must not fall back to the Python lookup
    from copy import copy, deepcopy

    tree = parse_html(ARTICLE)
    assert tree is not None
    for twin in (copy(tree), deepcopy(tree)):
        assert all(type(el) is lxml_html.HtmlElement for el in twin.iter("form", "input", "p"))


def test_control_characters_do_not_defeat_the_parser() -> None:
    html = "<html><body><p>Null \x00 and bell \x07 inside a paragraph of text.</p></body></html>"
    tree = parse_html(html)
    assert tree is not None
    assert "paragraph of text" in tree.text_content()


def test_not_html_gives_a_wrapped_document_or_none() -> None:
    empty = parse_html("")
    assert empty is not None and empty.text_content() == ""
    plain = parse_html("just a line of plain text, no markup at all")
    assert plain is not None and "plain text" in plain.text_content()


def test_one_parser_per_thread() -> None:
    # lxml parsers are not shared between threads: each thread parses with its own
    results: list[str] = []

    def parse() -> None:
        tree = parse_html(ARTICLE)
        results.append(tree.xpath("string(//h1)") if tree is not None else "")

    threads = [threading.Thread(target=parse) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["Harbour ferry returns"] * 4


@pytest.mark.parametrize("html", PAGES.values(), ids=PAGES.keys())
def test_utf8_bytes_give_the_same_tree_as_the_text(html: str) -> None:
    # the pool sends pages as UTF-8 bytes; lxml reads them without a str being made
    assert _shape(parse_html(html.encode("utf-8"))) == _shape(parse_html(html))


def test_bytes_read_as_they_are_unless_a_repair_is_needed() -> None:
    from pipelines.core.parsing import _load_utf8

    assert _load_utf8(ARTICLE.replace("ferry", "ferrý").encode("utf-8")) is not None
    for needs_the_text in ("xhtml-doctype", "control-characters", "noncharacter", "fragment"):
        assert _load_utf8(PAGES[needs_the_text].encode("utf-8")) is None, needs_the_text


def test_the_size_limit_counts_characters_not_bytes() -> None:
    from pipelines.core.extraction import _chars_above

    text = "é" * 10  # 20 bytes in UTF-8
    assert _chars_above(text, 10) is None and _chars_above(text.encode("utf-8"), 10) is None
    assert _chars_above(text, 9) == 10 and _chars_above(text.encode("utf-8"), 9) == 10


def test_the_parts_trafilatura_deletes_anyway_are_stripped_before_it_reads_the_page() -> None:
    from pipelines.core.extraction import strip_deleted_anyway

    page = (
        "<html><head><script>var state = 1;</script></head><body>"
        "<nav><ul><li><a href='/a'>Section A</a></li></ul></nav>"
        "<aside class='related'><p>Related story teaser</p></aside>"
        "<article><p>The ferry sailed again<button>Share</button> on Monday.</p>"
        "<figure><table><tr><td>12</td></tr></table></figure><time>Monday</time>"
        "<svg><use href='#i'></use></svg></article><footer>Contact us</footer></body></html>"
    )
    tree = parse_html(page)
    assert tree is not None
    strip_deleted_anyway(tree)
    tags = {el.tag for el in tree.iter() if isinstance(el.tag, str)}
    assert not tags & {"nav", "aside", "footer", "button"}
    assert {"script", "figure", "table", "time", "svg", "article"} <= tags  # left to trafilatura
    # the text after a stripped element stays where it was
    assert tree.xpath("string(//article/p)") == "The ferry sailed again on Monday."


def test_a_page_whose_every_paragraph_is_in_an_aside_is_left_whole() -> None:
    from pipelines.core.extraction import strip_deleted_anyway

    tree = parse_html(
        "<html><body><nav>Menu</nav><aside><p>All of the story is here, in an aside.</p>"
        "<p>And its second paragraph.</p></aside></body></html>"
    )
    assert tree is not None
    before = _shape(tree)
    strip_deleted_anyway(tree)
    assert _shape(tree) == before
