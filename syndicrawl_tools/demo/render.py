"""Views the demo sites render, and the body blocks of an article (text, credit line, promo).

A view holds everything one page needs, already resolved (absolute URLs, dates, related links), so
the per-site templates in :mod:`syndicrawl_tools.demo.themes` are plain string building.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from datetime import datetime

from syndicrawl_tools.demo.content import Page, SiteInfo


def esc(text: str) -> str:
    return html.escape(text, quote=True)


@dataclass(frozen=True, slots=True)
class Link:
    title: str
    url: str
    meta: str = ""  # date text or section shown next to the link
    summary: str = ""


@dataclass(frozen=True, slots=True)
class ArticleView:
    site: SiteInfo
    page: Page
    url: str
    canonical_url: str | None  # None: the page has no rel=canonical
    published: datetime
    updated: datetime | None
    now: datetime
    related: tuple[Link, ...]
    broken: bool = False  # layout change: no body text and no date on the page
    original_url: str | None = None  # for "Read the original" links on aggregator copies

    @property
    def comments(self) -> int:
        """A stable, page-specific comment count for the chrome."""
        return int(hashlib.sha256(self.page.path.encode()).hexdigest()[:4], 16) % 240

    @property
    def blocks(self) -> list[tuple[str, str]]:
        """Body paragraphs as ``(css_class, text)``: story text plus credit line and promo."""
        if self.broken:
            return []
        return body_blocks(self.page)


@dataclass(frozen=True, slots=True)
class ListingView:
    site: SiteInfo
    title: str
    url: str
    items: tuple[Link, ...]
    page_no: int
    pages: int
    next_url: str | None
    prev_url: str | None
    home_url: str


def body_blocks(page: Page) -> list[tuple[str, str]]:
    """The body as the page prints it. Only ``""``-class blocks and the credit differ from the truth text."""
    blocks: list[tuple[str, str]] = [("", p) for p in page.paragraphs]
    if page.credit_text and page.credit_position == "dateline" and blocks:
        blocks[0] = ("", page.credit_text + blocks[0][1])
    elif page.credit_text and page.credit_position == "start":
        blocks.insert(0, ("via", page.credit_text))
    elif page.credit_text:
        blocks.append(("credit", page.credit_text))
    if page.promo:
        # A plain paragraph on purpose: no class or wrapper a CSS rule could target.
        blocks.append(("", page.promo))
    return blocks
