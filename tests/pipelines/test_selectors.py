"""A site's boilerplate selectors compiled into one XPath match what lxml's CSSSelector matches."""

from __future__ import annotations

import cssselect
import pytest
from lxml import html as lxml_html
from lxml.cssselect import CSSSelector

from pipelines.core.selectors import _one_step_condition, compile_selectors

PAGE = """<html><body>
<nav class="breadcrumbs top"><a href="/">Home</a> <a href="/world]">World</a></nav>
<article><h1 id="headline">A headline</h1>
<p class="lead">First paragraph.</p><p>Second paragraph.</p>
<div class="share-tools"><a href="/share?x=1" data-track="tw">Tweet</a></div>
<div class="related box"><p class="teaser">A related teaser.</p><p>Another.</p></div>
<aside><p class="teaser">Aside text.</p></aside>
<ul class="tags"><li class="tag">one</li><li>two</li></ul>
<section class="newsletter"><form><input name="email"></form></section>
<p class="newsletter-note">Not the newsletter block itself.</p>
</article></body></html>"""

CASES = [
    (".newsletter",),
    (".newsletter", ".breadcrumbs"),
    ("#headline", "aside", "div.related p"),
    ("ul > li.tag", "p:first-child", "a[href*='d]']"),
    (".related.box", "[data-track]", "div.share-tools, section"),
    ("p:nth-child(2)", "li:last-child", "article p.teaser"),
]


@pytest.mark.parametrize("selectors", CASES, ids=[" ".join(c) for c in CASES])
def test_one_pass_matches_the_union_of_each_selector_in_document_order(selectors):
    tree = lxml_html.fromstring(PAGE)
    expected = {el for css in selectors for el in CSSSelector(css)(tree)}
    found = compile_selectors(selectors)(tree)
    assert set(found) == expected and expected
    assert len(found) == len(set(found))  # each element once
    order = {el: i for i, el in enumerate(tree.iter())}
    assert [order[el] for el in found] == sorted(order[el] for el in found)


def test_simple_selectors_share_one_step_and_combinators_keep_their_own_path():
    path = compile_selectors((".promo", "#share", "aside", "div.a p")).path
    assert path.count("descendant-or-self::*[") == 1  # #share and aside: one walk
    assert path.count("/@class[") == 1  # .promo: a walk over the class attributes
    assert "/descendant::p" in path


def test_class_selectors_walk_the_class_attributes_and_keep_their_meaning():
    selectors = (".newsletter", ".share-tools", ".tag", ".related.box", "p.teaser")
    path = compile_selectors(selectors).path
    # the three plain classes share the attribute walk; the compound and the typed one do not
    assert path.count("/@class[") == 1 and path.count("normalize-space(.)") == 3
    tree = lxml_html.fromstring(PAGE)
    found = compile_selectors(selectors)(tree)
    assert set(found) == {el for css in selectors for el in CSSSelector(css)(tree)}
    # a whole class name only: .newsletter is not .newsletter-note
    assert [el.get("class") for el in compile_selectors((".newsletter",))(tree)] == ["newsletter"]


def test_positional_predicates_and_further_steps_are_not_merged():
    # merged into one step, position() would count among every element, not among <p>
    assert _one_step_condition("descendant-or-self::p[position() = 1]") is None
    assert _one_step_condition("descendant-or-self::p[@a][@b]") is None
    assert _one_step_condition("descendant-or-self::div[@x = 'a]/b']/p") is None
    assert _one_step_condition("descendant-or-self::p[@x = 'a]b']") == "self::p and (@x = 'a]b')"
    tree = lxml_html.fromstring(PAGE)
    for css in ("p:first-of-type", "li:nth-of-type(2)"):
        assert set(compile_selectors((css,))(tree)) == set(CSSSelector(css)(tree))


def test_no_selectors_match_nothing_and_a_bad_one_raises():
    assert compile_selectors(())(lxml_html.fromstring(PAGE)) == []
    with pytest.raises(cssselect.SelectorError):
        compile_selectors(("div[",))
