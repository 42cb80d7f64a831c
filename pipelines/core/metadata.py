"""Structured metadata of a page: JSON-LD, OpenGraph and ``<meta>`` tags, read from one lxml tree.

Only the article's own metadata counts: JSON-LD objects of an article type (not a nested image,
video or related teaser), ``article:*`` OpenGraph properties and the usual news meta names. Dates
are returned as raw candidates with their source and kind; :mod:`pipelines.core.dating` parses and
ranks them.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from lxml import html as lxml_html

logger = logging.getLogger(__name__)

DateKind = Literal["published", "modified"]
CandidateSource = Literal["jsonld", "meta", "sitemap", "feed", "text", "url", "http"]

ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "askpublicnewsarticle",
        "blogposting",
        "liveblogposting",
        "socialmediaposting",
        "techarticle",
        "scholarlyarticle",
        "report",
    }
)
# Page-level types: their dates are weaker evidence (a page may be modified without the article).
PAGE_TYPES = frozenset({"webpage", "itempage", "medicalwebpage"})
LISTING_TYPES = frozenset({"collectionpage", "searchresultspage", "profilepage"})

# (meta name or property, kind, rank): lower rank is trusted more. ``date``/``dc.date`` come last:
# on print-edition sites they hold the issue date, not the publication time.
META_DATES: dict[str, tuple[DateKind, int]] = {
    "article:published_time": ("published", 0),
    "og:article:published_time": ("published", 0),
    "datepublished": ("published", 1),
    "parsely-pub-date": ("published", 1),
    "sailthru.date": ("published", 2),
    "publish-date": ("published", 2),
    "publish_date": ("published", 2),
    "publishdate": ("published", 2),
    "pubdate": ("published", 2),
    "article.published": ("published", 2),
    "cxenseparse:recs:publishtime": ("published", 2),
    "dcterms.created": ("published", 3),
    "dc.date.issued": ("published", 3),
    "dcterms.date": ("published", 4),
    "dc.date": ("published", 5),
    "date": ("published", 5),
    "article:modified_time": ("modified", 0),
    "og:updated_time": ("modified", 1),
    "datemodified": ("modified", 1),
    "last-modified": ("modified", 2),
    "dcterms.modified": ("modified", 3),
}


@dataclass(frozen=True, slots=True)
class DateCandidate:
    """A date string found on the page or in a discovery hint, before parsing."""

    raw: str
    source: CandidateSource
    kind: DateKind = "published"
    rank: int = 0
    """Trust within one source: 0 is best."""
    where: str = ""
    """Which field held it, e.g. ``NewsArticle.datePublished`` or ``article:published_time``."""


@dataclass(slots=True)
class PageMetadata:
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    canonical_url: str | None = None
    language: str | None = None
    site_name: str | None = None
    """``og:site_name``."""
    publisher_name: str | None = None
    """The article's JSON-LD ``publisher.name``."""
    description: str | None = None
    """``og:description``, else ``description``, else ``twitter:description``."""
    title_from_markup: bool = False
    """``title`` came from ``<title>``, not from JSON-LD/OpenGraph/meta."""
    titles: list[str] = field(default_factory=list)
    """Every headline form seen (JSON-LD, og/twitter title, <title>, first <h1>): the clean stage
    drops a leading paragraph that repeats any of them."""
    types: set[str] = field(default_factory=set)
    """Lower-cased JSON-LD ``@type`` values and ``og:type`` of the page."""
    dates: list[DateCandidate] = field(default_factory=list)

    def site_names(self) -> list[str]:
        """The names the page gives its own site: og:site_name, JSON-LD publisher, <title> suffix."""
        from pipelines.core.promo import title_suffixes  # promo imports credits, not metadata

        names = [n for n in (self.site_name, self.publisher_name) if n]
        return names + title_suffixes(self.titles)

    @property
    def is_article_typed(self) -> bool:
        return bool(self.types & ARTICLE_TYPES) or "og:article" in self.types

    @property
    def is_listing_typed(self) -> bool:
        """The page declares itself a listing and nothing article-like."""
        return (
            bool(self.types & LISTING_TYPES)
            and not self.is_article_typed
            and "og:article" not in self.types
        )


_WS = re.compile(r"\s+")
_DESCRIPTIONS = ("og:description", "description", "twitter:description")  # most trusted first
_TITLE_SUFFIX = re.compile(r"\s+[|\u2013\u2014·•:-]\s+[^|\u2013\u2014·•]{2,60}$")


def _clean(value: Any) -> str | None:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return None
    text = _WS.sub(" ", str(value)).strip()
    return text or None


def _types(obj: dict[str, Any]) -> set[str]:
    raw = obj.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {v.rsplit("/", 1)[-1].lower() for v in values if isinstance(v, str)}


def _load_json(text: str) -> Any:
    text = text.strip()
    if text.startswith("<!--"):
        text = text[4:]
    if text.endswith("-->"):
        text = text[:-3]
    text = text.strip().removeprefix("//<![CDATA[").removesuffix("//]]>").strip()
    try:
        return json.loads(
            text, strict=False
        )  # strict=False: raw newlines inside strings are common
    except ValueError:
        # trailing commas are the most common JSON-LD syntax error in the wild
        try:
            return json.loads(re.sub(r",\s*([}\]])", r"\1", text), strict=False)
        except ValueError:
            logger.debug("metadata: unreadable JSON-LD block (%(size)s chars)", {"size": len(text)})
            return None


def _top_objects(data: Any) -> Iterator[dict[str, Any]]:
    """Top-level JSON-LD objects: documents, ``@graph`` members and ``mainEntity`` (not deeper)."""
    stack = data if isinstance(data, list) else [data]
    for obj in stack:
        if not isinstance(obj, dict):
            continue
        graph = obj.get("@graph")
        if isinstance(graph, list):
            yield from (o for o in graph if isinstance(o, dict))
        yield obj
        main = obj.get("mainEntity") or obj.get("mainEntityOfPage")
        if isinstance(main, dict) and _types(main) & ARTICLE_TYPES:
            yield main


def _person_names(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for it in items:
        name = _clean(it.get("name")) if isinstance(it, dict) else _clean(it)
        if name and not name.startswith("http") and len(name) <= 100:
            names.append(name)
    return names


def _add_unique(target: list[str], names: list[str]) -> None:
    seen = {n.casefold() for n in target}
    for n in names:
        if n.casefold() not in seen:
            seen.add(n.casefold())
            target.append(n)


def _read_jsonld(tree: lxml_html.HtmlElement, meta: PageMetadata) -> None:
    article_seen = False
    for script in tree.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        data = _load_json(script.text or "")
        if data is None:
            continue
        for obj in _top_objects(data):
            types = _types(obj)
            meta.types |= types
            is_article = bool(types & ARTICLE_TYPES)
            is_page = bool(types & PAGE_TYPES)
            if not (is_article or is_page):
                continue
            # the first article object is the page's own; later ones are usually related teasers
            rank = 0 if is_article and not article_seen else 2 if is_article else 3
            kind_name = sorted(types & ARTICLE_TYPES or types & PAGE_TYPES)[0]
            pairs: tuple[tuple[str, DateKind], ...] = (
                ("datePublished", "published"),
                ("dateCreated", "published"),
                ("dateModified", "modified"),
            )
            for key, kind in pairs:
                raw = _clean(obj.get(key))
                if raw:
                    extra = 1 if key == "dateCreated" else 0
                    meta.dates.append(
                        DateCandidate(raw, "jsonld", kind, rank + extra, f"{kind_name}.{key}")
                    )
            if is_article and not article_seen:
                article_seen = True
                meta.title = meta.title or _clean(obj.get("headline"))
                _add_unique(meta.authors, _person_names(obj.get("author")))
                lang = _clean(obj.get("inLanguage"))
                meta.language = meta.language or lang
                publisher = obj.get("publisher")
                if isinstance(publisher, list) and publisher:
                    publisher = publisher[0]
                if isinstance(publisher, dict):
                    meta.publisher_name = _clean(publisher.get("name"))


def _read_meta(tree: lxml_html.HtmlElement, meta: PageMetadata, jsonld_title: str | None) -> None:
    og_title = None
    authors: list[str] = []
    descriptions: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = (
            (
                el.get("property")
                or el.get("name")
                or el.get("itemprop")
                or el.get("http-equiv")
                or ""
            )
            .strip()
            .lower()
        )
        if not key:
            continue
        content = _clean(el.get("content"))
        if not content:
            continue
        if key in META_DATES:
            kind, rank = META_DATES[key]
            meta.dates.append(DateCandidate(content, "meta", kind, rank, key))
        elif key in ("og:title", "twitter:title"):
            og_title = og_title or content
            meta.titles.append(content)
        elif key == "og:type":
            meta.types.add(
                "og:article" if content.lower() == "article" else f"og:{content.lower()}"
            )
        elif key == "og:site_name":
            meta.site_name = content
        elif key in _DESCRIPTIONS:
            descriptions.setdefault(key, content)
        elif key in ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author"):
            if not content.startswith("http"):
                authors.extend(
                    a.strip()
                    for a in re.split(r"\s*(?:,|;|\band\b|\bund\b|&)\s*", content)
                    if a.strip()
                )
        elif (
            key in ("og:locale", "content-language", "language", "dc.language")
            and not meta.language
        ):
            meta.language = content
        elif key == "og:url" and not meta.canonical_url:
            meta.canonical_url = content
    meta.description = next((descriptions[k] for k in _DESCRIPTIONS if k in descriptions), None)
    if not meta.authors:
        _add_unique(meta.authors, [a for a in authors if len(a) <= 100])
    meta.title = jsonld_title or og_title or meta.title


def _read_html(tree: lxml_html.HtmlElement, meta: PageMetadata) -> None:
    for link in tree.iter("link"):
        if (
            "canonical" in (link.get("rel") or "").lower().split()
            and (link.get("href") or "").strip()
        ):
            meta.canonical_url = link.get("href", "").strip()
            break
    if not meta.title:
        # No structured headline: the page's own <title> (site suffix removed) is a weak guess
        # that a feed or news-sitemap title beats (see pipelines/extract.py).
        meta.title_from_markup = True
        for el in tree.xpath("//title"):
            text = _clean(el.text_content())
            if text:
                meta.title = _TITLE_SUFFIX.sub("", text)
                break
    for el in tree.xpath("(//title)[1] | (//h1)[1]"):
        text = _clean(el.text_content())
        if text and len(text) <= 300:
            meta.titles.append(text)
    if not meta.language:
        lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
        meta.language = _clean(lang)
    # microdata itemprop dates (``<time itemprop="datePublished" datetime=...>``)
    for el in tree.iter("time"):
        if el.get("itemprop") not in ("datePublished", "dateModified"):
            continue
        raw = _clean(el.get("datetime") or el.get("content"))
        if raw:
            kind: DateKind = "published" if el.get("itemprop") == "datePublished" else "modified"
            meta.dates.append(DateCandidate(raw, "meta", kind, 1, f"itemprop={el.get('itemprop')}"))


def normalise_language(value: str | None) -> str | None:
    """``en-GB``/``en_US``/``EN`` -> ``en``; None when it is not a two-letter code."""
    if not value:
        return None
    code = re.split(r"[-_]", value.strip().lower(), maxsplit=1)[0]
    return code if re.fullmatch(r"[a-z]{2}", code) else None


def read_metadata(tree: lxml_html.HtmlElement) -> PageMetadata:
    """Title, authors, canonical URL, language, page types and date candidates of ``tree``."""
    meta = PageMetadata()
    _read_jsonld(tree, meta)
    jsonld_title = meta.title
    _read_meta(tree, meta, jsonld_title)
    _read_html(tree, meta)
    if meta.title:
        meta.titles.insert(0, meta.title)
    meta.language = normalise_language(meta.language)
    return meta
