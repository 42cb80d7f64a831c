"""What each demo site serves at each path: a pure function of its pages, mutations and the clock.

:func:`resolve` maps one request target (path plus query) to a :class:`Resource` or ``None`` (404).
The discovery surfaces of each site are declared once in :data:`LAYOUTS`. Every date served is a
nominal content date moved by the view's :class:`~syndicrawl_tools.demo.timeline.Timeline`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin

from syndicrawl_tools.demo import feeds
from syndicrawl_tools.demo.content import Page, SiteInfo
from syndicrawl_tools.demo.render import ArticleView, Link, ListingView
from syndicrawl_tools.demo.themes import theme_for
from syndicrawl_tools.demo.timeline import Timeline

HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
GZIP = "application/gzip"


@dataclass(frozen=True, slots=True)
class Layout:
    """Where a site's discovery surfaces live."""

    listing: str  # first listing page
    page_url: str  # later pages, ``{n}`` = page number (2, 3, ...)
    per_page: int = 4
    rss: str | None = None
    atom: str | None = None
    news_sitemap: str | None = None
    sitemap: str | None = None  # one plain urlset
    sitemap_index: str | None = None  # index -> gzipped article sitemap + plain sections sitemap
    disallow: tuple[str, ...] = ()
    self_canonical: bool = True
    feed_limit: int = 6  # feeds carry only the newest entries, like real ones


LAYOUTS: dict[str, Layout] = {
    "meridian-wire": Layout(
        listing="/latest/",
        page_url="/latest/page/{n}/",
        rss="/rss.xml",
        news_sitemap="/news-sitemap.xml",
        disallow=("/drafts/",),
    ),
    "harbor-times": Layout(
        listing="/news/",
        page_url="/news/?page={n}",
        atom="/atom.xml",
        sitemap_index="/sitemap_index.xml",
        disallow=("/search", "/account/"),
    ),
    "el-faro": Layout(
        listing="/portada/",
        page_url="/portada/{n}/",
        per_page=3,
        rss="/rss/portada.xml",
        disallow=("/buscador/",),
        self_canonical=False,
    ),
    "valley-ledger": Layout(
        listing="/stories/",
        page_url="/stories/?p={n}",
        per_page=2,
        rss="/feed.xml",
        disallow=("/admin/",),
    ),
    "kestrel-fm": Layout(
        listing="/news/",
        page_url="/news/page/{n}/",
        rss="/feed/",
        disallow=("/wp-admin/",),
        self_canonical=False,
    ),
    "newsdeck": Layout(
        listing="/top/",
        page_url="/top/{n}",
        rss="/rss/top.xml",
        sitemap="/sitemap.xml",
        disallow=("/share/", "/newsletter/"),
    ),
    "riverton-courier": Layout(
        listing="/local/", page_url="/local/?page={n}", rss="/rss.xml", disallow=("/private/",)
    ),
}
JS_SITES = frozenset({"valley-ledger"})  # article bodies are written by an inline script
GZ_SITEMAP = "/sitemaps/articles-2026-03.xml.gz"
SECTIONS_SITEMAP = "/sitemaps/sections.xml"


@dataclass(frozen=True, slots=True)
class Resource:
    body: bytes
    content_type: str
    last_modified: datetime | None = None


@dataclass(slots=True)
class SiteView:
    """Everything :func:`resolve` needs about one site at one moment."""

    info: SiteInfo
    base_url: str
    pages: list[Page]  # current (possibly updated) truth pages of the site
    drafts: list[Page]
    timeline: Timeline
    now: datetime
    url_for: Callable[[str, str], str]  # (site, path) -> absolute URL on any demo site
    updated: dict[str, datetime] = field(default_factory=dict)  # path -> mutation time (real)
    broken: bool = False

    def published(self, page: Page) -> datetime:
        return self.timeline.at(page.published)

    def updated_at(self, page: Page) -> datetime | None:
        if page.path in self.updated:
            return self.updated[page.path]
        return self.timeline.at(page.updated) if page.updated else None

    def newest_first(self) -> list[Page]:
        return sorted(self.pages, key=lambda p: (self.published(p), p.path), reverse=True)

    def url(self, path: str) -> str:
        return urljoin(self.base_url, path)


def _date_meta(view: SiteView, page: Page) -> str:
    from syndicrawl_tools.demo import dates

    when = view.published(page)
    if page.relative:
        return dates.relative(when, view.now)
    if view.info.language == "es":
        return dates.spanish_long(when, view.info.timezone)
    return dates.english_long(when, view.info.timezone)


def _summary(page: Page) -> str:
    return page.paragraphs[0].split(". ")[0].rstrip(".") + "."


def article_view(view: SiteView, page: Page) -> ArticleView:
    layout = LAYOUTS[view.info.name]
    ordered = view.newest_first()
    i = next(k for k, p in enumerate(ordered) if p.path == page.path) if page in ordered else 0
    related = tuple(
        Link(p.title, view.url(p.path), "" if view.broken else _date_meta(view, p))
        for p in (ordered[i + 1 :] + ordered[:i])[:4]
    )
    if page.canonical is not None:
        canonical: str | None = view.url_for(*page.canonical)
    else:
        canonical = view.url(page.path) if layout.self_canonical else None
    return ArticleView(
        site=view.info,
        page=page,
        url=view.url(page.path),
        canonical_url=canonical,
        published=view.published(page),
        updated=view.updated_at(page),
        now=view.now,
        related=related,
        broken=view.broken,
        original_url=view.url_for(*page.original)
        if page.original and view.info.name == "newsdeck"
        else None,
    )


def _entries(view: SiteView, limit: int | None = None) -> list[feeds.Entry]:
    pages = view.newest_first()[:limit] if limit else view.newest_first()
    return [
        feeds.Entry(
            title=p.title,
            url=view.url(p.path),
            published=view.published(p),
            updated=view.updated_at(p),
            authors=p.authors,
            summary=_summary(p),
            language=p.language,
        )
        for p in pages
    ]


def _listing(view: SiteView, n: int) -> Resource | None:
    layout = LAYOUTS[view.info.name]
    items = [
        Link(p.title, view.url(p.path), _date_meta(view, p), _summary(p))
        for p in view.newest_first()
    ]
    # Drafts sit on the first listing page: a crawler that ignores robots.txt would fetch them.
    drafts = [Link(d.title, view.url(d.path), "Coming up", _summary(d)) for d in view.drafts]
    per = layout.per_page
    pages = max(1, -(-len(items) // per))
    if not 1 <= n <= pages:
        return None
    chunk = items[(n - 1) * per : n * per]
    if n == 1:
        chunk = drafts + chunk

    def page_url(k: int) -> str:
        return view.url(layout.listing if k == 1 else layout.page_url.format(n=k))

    title = {"es": "Últimas noticias"}.get(view.info.language, "Latest news")
    lv = ListingView(
        site=view.info,
        title=title,
        url=page_url(n),
        items=tuple(chunk),
        page_no=n,
        pages=pages,
        next_url=page_url(n + 1) if n < pages else None,
        prev_url=page_url(n - 1) if n > 1 else None,
        home_url=view.url("/"),
    )
    theme = theme_for(view.info.name, view.info.publisher, view.info.tagline, view.info.sections)
    return Resource(theme.listing(lv).encode("utf-8"), HTML)


def _listing_number(layout: Layout, target: str) -> int | None:
    if target in (layout.listing, "/"):
        return 1
    prefix, _, suffix = layout.page_url.partition("{n}")
    if target.startswith(prefix) and target.endswith(suffix):
        middle = target[len(prefix) : len(target) - len(suffix)]
        if middle.isdigit() and not middle.startswith("0"):
            return int(middle)
    return None


def resolve(view: SiteView, target: str) -> Resource | None:
    """The resource at ``target`` (path with query), or None for a 404."""
    layout = LAYOUTS[view.info.name]
    info = view.info
    path = target.split("?", 1)[0]
    theme = theme_for(info.name, info.publisher, info.tagline, info.sections)

    for page in [*view.pages, *view.drafts]:
        if page.path == target or page.path == path:
            html = theme.article(article_view(view, page))
            return Resource(
                html.encode("utf-8"), HTML, view.updated_at(page) or view.published(page)
            )

    if target == "/robots.txt":
        maps = [layout.news_sitemap, layout.sitemap, layout.sitemap_index]
        text = feeds.robots(layout.disallow, [view.url(m) for m in maps if m])
        return Resource(text.encode(), TEXT)

    entries = _entries(view)
    newest = max((e.lastmod for e in entries), default=None)
    home = view.url("/")
    if target == layout.rss:
        text = feeds.rss(
            info.publisher,
            home,
            view.url(target),
            info.tagline,
            info.language,
            _entries(view, layout.feed_limit),
        )
        return Resource(text.encode(), RSS, newest)
    if target == layout.atom:
        text = feeds.atom(info.publisher, home, view.url(target), _entries(view, layout.feed_limit))
        return Resource(text.encode(), ATOM, newest)
    if target == layout.news_sitemap:
        return Resource(feeds.news_sitemap(info.publisher, entries).encode(), XML, newest)
    if target == layout.sitemap:
        urls: list[tuple[str, datetime | None]] = [(e.url, e.lastmod) for e in entries]
        urls.append((view.url(layout.listing), None))
        return Resource(feeds.urlset(urls).encode(), XML, newest)
    if layout.sitemap_index and target == layout.sitemap_index:
        text = feeds.sitemap_index(
            [(view.url(GZ_SITEMAP), newest), (view.url(SECTIONS_SITEMAP), None)]
        )
        return Resource(text.encode(), XML, newest)
    if layout.sitemap_index and target == GZ_SITEMAP:
        return Resource(feeds.gz(feeds.urlset([(e.url, e.lastmod) for e in entries])), GZIP, newest)
    if layout.sitemap_index and target == SECTIONS_SITEMAP:
        others: list[tuple[str, datetime | None]] = [(home, None), (view.url(layout.listing), None)]
        return Resource(feeds.urlset(others).encode(), XML)  # non-article pages only

    n = _listing_number(layout, target)
    if n is not None:
        return _listing(view, n)
    return None
