"""Article bodies split over several containers: the parts trafilatura's first choice left out.

Some publishers cut one article into several sibling containers of the same class (between ads,
newsletter boxes or image galleries: ``div.body__inner-container`` three times). trafilatura takes
the first body container its expressions match, so the text stops after the first part. This finds
the container holding the extracted text and adds the text blocks of its same-class siblings that
belong to the same article: inside the same ``<article>``/``<main>``, without a headline of their
own (an infinitely scrolled next article has one), not mostly links, and with enough new text.

Written here rather than taken from a library: readability and jusText score single blocks, none
of them joins the parts of one body.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from lxml import html as lxml_html

from pipelines.core.pagetext import normalise_text

BLOCK_TAGS = ("p", "h2", "h3", "h4", "blockquote", "li")
_SKIP_ANCESTORS = frozenset({"figure", "figcaption", "aside", "nav", "footer", "form"})
_CONTAINER_TAGS = frozenset({"div", "section"})
MIN_ANCHOR_CHARS = 60
"""A paragraph this long is specific enough to find its element by its text."""
MIN_PART_CHARS = 200
"""A sibling container adds at least this much new text, or it is not a body part."""
MAX_LINKED_SHARE = 0.5


def _container_of(
    tree: lxml_html.HtmlElement, paragraphs: Sequence[str]
) -> lxml_html.HtmlElement | None:
    """The nearest classed div/section around the first long extracted paragraph."""
    wanted = {p for p in paragraphs if len(p) >= MIN_ANCHOR_CHARS}
    if not wanted:
        return None
    for p in tree.iter("p"):
        if normalise_text(p.text_content()) in wanted:
            for parent in p.iterancestors():
                if parent.tag in _CONTAINER_TAGS and parent.get("class"):
                    return parent
            return None
    return None


def _article_of(el: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    return next(el.iterancestors("article", "main"), None)


def _blocks(part: lxml_html.HtmlElement) -> Iterator[str]:
    for block in part.iter(*BLOCK_TAGS):
        outer = False
        for ancestor in block.iterancestors():
            if ancestor is part:
                break
            if ancestor.tag in _SKIP_ANCESTORS or ancestor.tag in BLOCK_TAGS:
                outer = True  # chrome, or the text is already in an enclosing block
                break
        if outer:
            continue
        text = normalise_text(block.text_content())
        if not text:
            continue
        linked = sum(len(normalise_text(a.text_content())) for a in block.iter("a"))
        if linked <= MAX_LINKED_SHARE * len(text):
            yield text


def continue_split_body(tree: lxml_html.HtmlElement, paragraphs: Sequence[str]) -> list[str] | None:
    """``paragraphs`` with the other parts of a split body around them, or None if there are none."""
    container = _container_of(tree, paragraphs)
    if container is None:
        return None
    cls, article = container.get("class"), _article_of(container)
    have = set(paragraphs)
    before: list[str] = []
    after: list[str] = []
    seen_container = False
    for part in tree.iter(container.tag):
        if part is container:
            seen_container = True
            continue
        if part.get("class") != cls or _article_of(part) is not article:
            continue
        if part.find(".//h1") is not None:
            continue
        nested = any(a is container for a in part.iterancestors()) or any(
            a is part for a in container.iterancestors()
        )
        if nested:
            continue
        new = [t for t in _blocks(part) if t not in have]
        if sum(len(t) for t in new) < MIN_PART_CHARS:
            continue
        have.update(new)
        (after if seen_container else before).extend(new)
    if not before and not after:
        return None
    return [*before, *paragraphs, *after]
