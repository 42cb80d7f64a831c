"""trafilatura's fast pass on the core's own tree, without trafilatura's copy: the same text as
``trafilatura.extract`` on every page shape, and the later passes on a tree built again."""

from __future__ import annotations

import pytest
import trafilatura
from lxml import etree

from pipelines.core import consuming_pass
from pipelines.core.consuming_pass import VERIFIED_VERSION, ConsumingPass, consumes
from pipelines.core.extraction import (
    ArticleExtractor,
    BodyTooShortError,
    ExtractOptions,
    strip_deleted_anyway,
)
from pipelines.core.parsing import parse_html
from syndicrawl_tools.benchmarks.synthweb import SyntheticWeb

BODY = (
    "<p>The ferry to the outer islands sailed again on Monday after three weeks of repairs to its "
    "engine, the harbour board said, and the winter timetable starts next week.</p>"
    "<p>Its crew said the new engine is quieter and uses a fifth less fuel than the old one, which "
    "had run since the boat was built.</p>"
)
# What trafilatura's raw-tree pruning removes (comment sections, infinite-scroll and share
# containers), a forum page (JSON-LD DiscussionForumPosting keeps its comments), a page with too
# little text, one whose body is outside <p>.
SHAPES = {
    "comments": f"<html><body><article>{BODY}</article><div id='comments'><ol class='comment-list'>"
    "<li>First reader comment that should not be in the text at all.</li></ol></div></body></html>",
    "infinite-scroll": f"<html><body><article>{BODY}</article><div class='infinite-scroll'>"
    "<p>The next story in the endless feed, loaded as the reader scrolls down.</p></div></body></html>",
    "share": f"<html><body><article>{BODY}<div class='elementor-share-buttons'><p>Share this</p>"
    "</div></article></body></html>",
    "forum": '<html><head><script type="application/ld+json">{"@type": "DiscussionForumPosting"}'
    f"</script></head><body><div class='comments'>{BODY}</div></body></html>",
    "short": "<html><body><p>One short line.</p></body></html>",
    "no-p": "<html><body><div>"
    + BODY.replace("<p>", "").replace("</p>", "<br><br>")
    + "</div></body></html>",
    "empty-body": "<html><body></body></html>",
}


def _tree(html: str | bytes) -> etree._Element:
    tree = parse_html(html)
    assert tree is not None
    strip_deleted_anyway(tree)
    return tree


def _pages() -> dict[str, str | bytes]:
    web = SyntheticWeb(40, seed=11)  # the bench's page templates, every site's
    return {**SHAPES, **{f"bench-{i}": web.render(i) for i in range(0, 40, 3)}}


def test_the_verified_trafilatura_is_installed() -> None:
    """A new trafilatura must be checked before the fast pass skips its copy again: run this file
    with VERIFIED_VERSION set to it; until then every pass is trafilatura.extract's, ~2% more CPU."""
    assert consuming_pass.HAS_SEQUENCE
    assert trafilatura.__version__ == VERIFIED_VERSION
    assert consumes(ExtractOptions().trafilatura_options())


@pytest.mark.parametrize(("name", "html"), list(_pages().items()), ids=list(_pages()))
def test_same_text_as_trafilatura_extract(name: str, html: str | bytes) -> None:
    for options in (
        ExtractOptions().trafilatura_options(),
        ExtractOptions(fast=False).trafilatura_options(),
    ):
        tree = _tree(html)
        expected = trafilatura.extract(tree, options=options)
        assert etree.tostring(tree) == etree.tostring(_tree(html))  # extract left it intact
        assert ConsumingPass(options)(tree) == expected


def test_options_it_does_not_cover_go_to_trafilatura_extract_and_leave_the_tree_intact() -> None:
    options = ExtractOptions().trafilatura_options()
    options.with_metadata = True
    assert not consumes(options) and not ConsumingPass(options).consumes
    tree = _tree(SHAPES["comments"])
    before = etree.tostring(tree)
    assert ConsumingPass(options)(tree) == trafilatura.extract(
        _tree(SHAPES["comments"]), options=options
    )
    assert etree.tostring(tree) == before


def test_the_fast_pass_consumes_the_tree_and_the_fallbacks_get_it_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A page whose fast pass finds too little goes to the rescue pass, which must see the page as
    the fast pass found it, not the tree that pass pruned."""
    seen: list[bytes] = []
    real_extract = trafilatura.extract

    def recording_extract(tree: etree._Element, **kwargs: object) -> str | None:
        seen.append(etree.tostring(tree))
        return real_extract(tree, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(trafilatura, "extract", recording_extract)
    html = (
        "<html><body><div id='comments'><p>Reader: the ferry was late again this morning, as usual.</p>"
        "</div><article><p>The ferry sailed again.</p></article></body></html>"
    )
    with pytest.raises(BodyTooShortError):
        ArticleExtractor(ExtractOptions(min_chars=200)).extract(html, "https://example.com/a")
    assert seen, "the short text went to the rescue pass"
    assert all(b"comments" in tree for tree in seen)  # rebuilt: the fast pass had pruned it
