"""Discovery documents of the demo sites: robots.txt, RSS 2.0, Atom, sitemaps and news sitemaps."""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape as xml_escape

from syndicrawl_tools.demo import dates


@dataclass(frozen=True, slots=True)
class Entry:
    title: str
    url: str
    published: datetime
    updated: datetime | None
    authors: tuple[str, ...]
    summary: str
    language: str

    @property
    def lastmod(self) -> datetime:
        return self.updated or self.published


def x(text: str) -> str:
    return xml_escape(text, {'"': "&quot;"})


def robots(disallow: Iterable[str], sitemaps: Iterable[str]) -> str:
    lines = ["# Demo site: crawlers welcome, drafts are not.", "User-agent: *"]
    lines += [f"Disallow: {path}" for path in disallow] or ["Disallow:"]
    lines += ["", "User-agent: GPTBot", "Disallow: /", ""]
    lines += [f"Sitemap: {url}" for url in sitemaps]
    return "\n".join(lines) + "\n"


def rss(
    title: str, home: str, self_url: str, description: str, language: str, entries: list[Entry]
) -> str:
    items = []
    for e in entries:
        creators = "".join(f"<dc:creator>{x(a)}</dc:creator>" for a in e.authors)
        items.append(
            f"<item><title>{x(e.title)}</title><link>{x(e.url)}</link>"
            f'<guid isPermaLink="true">{x(e.url)}</guid><pubDate>{dates.rfc822(e.published)}</pubDate>'
            f"{creators}<description>{x(e.summary)}</description></item>"
        )
    built = max((e.lastmod for e in entries), default=None)
    last = f"<lastBuildDate>{dates.rfc822(built)}</lastBuildDate>" if built else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        f"<channel><title>{x(title)}</title><link>{x(home)}</link><description>{x(description)}</description>"
        f'<language>{language}</language>{last}<atom:link href="{x(self_url)}" rel="self" type="application/rss+xml"/>\n'
        + "\n".join(items)
        + "\n</channel>\n</rss>\n"
    )


def atom(title: str, home: str, self_url: str, entries: list[Entry]) -> str:
    updated = max((e.lastmod for e in entries), default=None)
    body = []
    for e in entries:
        authors = "".join(f"<author><name>{x(a)}</name></author>" for a in e.authors)
        body.append(
            f'<entry><title>{x(e.title)}</title><link rel="alternate" href="{x(e.url)}"/><id>{x(e.url)}</id>'
            f"<published>{dates.iso_utc(e.published)}</published><updated>{dates.iso_utc(e.lastmod)}</updated>"
            f'{authors}<summary type="text">{x(e.summary)}</summary></entry>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
        f'<title>{x(title)}</title><id>{x(home)}</id><link rel="alternate" href="{x(home)}"/>'
        f'<link rel="self" href="{x(self_url)}"/>'
        + (f"<updated>{dates.iso_utc(updated)}</updated>" if updated else "")
        + "\n"
        + "\n".join(body)
        + "\n</feed>\n"
    )


def urlset(urls: list[tuple[str, datetime | None]]) -> str:
    rows = "\n".join(
        f"<url><loc>{x(loc)}</loc>"
        + (f"<lastmod>{dates.iso_utc(mod)}</lastmod>" if mod else "")
        + "</url>"
        for loc, mod in urls
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{rows}\n</urlset>\n'
    )


def sitemap_index(sitemaps: list[tuple[str, datetime | None]]) -> str:
    rows = "\n".join(
        f"<sitemap><loc>{x(loc)}</loc>"
        + (f"<lastmod>{dates.iso_utc(mod)}</lastmod>" if mod else "")
        + "</sitemap>"
        for loc, mod in sitemaps
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{rows}\n</sitemapindex>\n'
    )


def news_sitemap(publication: str, entries: list[Entry]) -> str:
    rows = "\n".join(
        f"<url><loc>{x(e.url)}</loc><lastmod>{dates.iso_utc(e.lastmod)}</lastmod><news:news><news:publication>"
        f"<news:name>{x(publication)}</news:name><news:language>{e.language}</news:language></news:publication>"
        f"<news:publication_date>{dates.iso_utc(e.published)}</news:publication_date>"
        f"<news:title>{x(e.title)}</news:title></news:news></url>"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n' + rows + "\n</urlset>\n"
    )


def gz(text: str) -> bytes:
    # mtime=0 keeps the bytes (and so the ETag) stable between requests.
    return gzip.compress(text.encode("utf-8"), mtime=0)
