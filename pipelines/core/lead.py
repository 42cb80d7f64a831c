"""The article's lead (standfirst) when it sits outside the body container trafilatura chose.

Many news pages print a summary paragraph in the article header (``p.lead``, ``div.article__lead``,
``h2.subtitle``) and the body below it in its own container; trafilatura takes the body container
and the lead is lost. The page names its lead: the meta description is, on such pages, the lead's
text. So a visible element whose whole text *is* the description, outside menus and footers and
not already in the extracted text, is put back as the first paragraph. An exact match only: a
description written apart from the page (or cut with "...") matches no element and adds nothing.

On the shared corpora (``syndicrawl eval extraction``) this adds recall on fundus and newspaper4k,
whose truths include the lead, and costs article-extraction-benchmark, whose truth leaves it out,
about 0.001 of precision.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml import html as lxml_html

from pipelines.core.pagetext import normalise_text

MIN_LEAD_CHARS = 40
_SKIP = frozenset({"nav", "footer", "aside", "form", "script", "noscript", "style"})
_WORDS = re.compile(r"\w+")
_MAX_HITS = 20


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = _WORDS.findall(text.casefold())
    return {tuple(words[i : i + 4]) for i in range(max(1, len(words) - 3))}


def _already_there(lead: str, paragraphs: Sequence[str]) -> bool:
    wanted = _shingles(lead)
    have = _shingles(" ".join(paragraphs[:8]))  # a lead opens the text, if it is there at all
    return len(wanted & have) >= 0.5 * len(wanted)


def visible_lead(
    tree: lxml_html.HtmlElement, description: str | None, paragraphs: Sequence[str]
) -> str | None:
    """The description's text if an element of the page shows exactly it and the text lacks it."""
    if not description:
        return None
    lead = normalise_text(description)
    if len(lead) < MIN_LEAD_CHARS or lead.endswith(("...", "…")):
        return None
    if _already_there(lead, paragraphs):
        return None
    # the longest of the first words: one text node holds it, so XPath finds it in C
    probe = max(lead.split()[:6], key=len)
    hits = tree.xpath("//body//text()[contains(., $w)]", w=probe)
    for node in hits[:_MAX_HITS]:
        el = node.getparent()
        for _ in range(3):  # the lead may be split by <strong> or <a>
            if el is None or el.tag in _SKIP:
                break
            text = normalise_text(el.text_content())
            if text == lead:
                if any(a.tag in _SKIP for a in el.iterancestors()):
                    break
                return lead
            if len(text) > len(lead):
                break
            el = el.getparent()
    return None
