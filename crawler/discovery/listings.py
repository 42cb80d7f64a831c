"""Listing pages: the article links of one page and the link to the next page.

Selectors come from the site's ``start.listings`` entries (``links``, ``next``: Scrapy/parsel CSS
with ``::attr()``); without ``links`` every ``<a href>`` is a candidate, and the site's
``article_url_pattern`` decides later which are articles.
"""

from __future__ import annotations

from parsel import Selector

from crawler.registry import Listing

ALL_LINKS = "a::attr(href)"


def listing_links(page: Selector, listing: Listing) -> list[str]:
    """The hrefs (as written, relative or absolute) of the page's article candidates."""
    return page.css(listing.links or ALL_LINKS).getall()


def next_listing_href(page: Selector, listing: Listing) -> str | None:
    """The href of the next listing page, when the listing declares how to find it."""
    return page.css(listing.next).get() if listing.next else None
