# ruff: noqa: RUF001 - typographic dashes and quotes are what promos use
"""Self-promotion after a story: a paragraph about the publishing site itself, found on one page.

A radio station or a local site appends a paragraph about itself to every story it republishes
("Kestrel FM is the valley's own internet radio station ...", "Listen live on ...", "Download the
app"). Learned boilerplate (:mod:`pipelines.core.learned`) finds such paragraphs after a few of the
site's articles; this finds them on the first page, from who the site is:

- :class:`SiteIdentity`: the site's names, from its registry entry (publisher, aliases, name) and
  from the page (``og:site_name``, JSON-LD ``publisher``, a ``<title>`` suffix, the domain's label:
  "ospreyfm.example" is "ospreyfm"), so ``syndicrawl extract FILE`` without a site file works too;
- :func:`promo_reason`: why a trailing paragraph is a promo, or None. A paragraph is one when it is
  the site's name alone, the name and a slogan ("X - the sound of the valley"), starts with the
  name and describes an outlet ("X is the moorland's premier internet radio ..."), names the site (or
  its domain) in a pitch ("listen to X live", "download the X app", "visit x.com"), or is a pitch
  in the first or second person without a name ("Download our app").

The clean stage applies it only where promos sit: peeling from the end of the text, before the
story's last paragraph stops the peeling (a story that mentions the site stays).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import courlan

from pipelines.core.credits import publisher_key

if TYPE_CHECKING:
    from crawler.registry import SiteConfig

_I = re.IGNORECASE
MAX_PROMO_CHARS = 400
# domain labels too common to name one site ("news.example", "radio.example")
_GENERIC = frozenset(
    {"news", "radio", "tv", "online", "media", "press", "times", "daily", "the", "www", "web"}
    | {"site", "blog", "info", "today", "live", "post", "home", "index", "localhost", "example"}
)
_WORD = re.compile(r"[\w’'&.+-]+")
# what an outlet calls itself
_OUTLET = re.compile(
    r"\b(?:station|radio|fm|am|dab|tv|television|channel|network|newspaper|paper|magazine|site|"
    r"website|portal|platform|outlet|publication|broadcaster|podcasts?|app|voice|home|source|"
    r"brand|media|newsroom|service|destination|number one|no\. ?1|#1|premi(?:um|er)|leading)\b",
    _I,
)
_DESCRIBES = re.compile(r"^\W*(?:is|are|was|[-–—:,|])", _I)
_SLOGAN_SEPARATOR = re.compile(r"^\s*[-–—:|]")
MAX_SLOGAN_CHARS = 100
_DOMAIN = re.compile(r"^[\w-]+\.[a-z]{2,}(?:\.[a-z]{2,})?/?$", _I)
# a pitch for the outlet
_PITCH = re.compile(
    r"\b(?:listen(?:ing)?|tune in|stay tuned|catch|stream(?:ing)?|on air|download|install|app|subscribe|follow|"
    r"visit|sign up|join|watch live|live stream|24/7|around the clock|twenty-four hours|"
    r"frequenc(?:y|ies)|\d{2,3}(?:\.\d)? ?(?:fm|am)|dab\+?)\b",
    _I,
)
# a pitch without a name: first or second person, an imperative to listen, get the app, ...
_ANONYMOUS_PITCH = re.compile(
    r"^\W*(?:listen|tune in)\b.{0,60}\b(?:live|now|online|us|our)\b"
    r"|\b(?:download|get|install)\s+(?:our|the)\s+(?:free\s+)?(?:[\w-]+\s+){0,3}app\b"
    r"|\b(?:available|listen|find us)\s+on\s+(?:spotify|apple podcasts|google podcasts|google play|the app store)\b"
    r"|^\W*(?:subscribe|sign up)\s+(?:to|for)\s+our\b",
    _I,
)


@dataclass(frozen=True, slots=True)
class SiteIdentity:
    """The names a site goes by, as comparison keys (:func:`publisher_key`) and as written."""

    names: tuple[str, ...] = ()
    keys: frozenset[str] = frozenset()
    """:func:`publisher_key` of each name of at least three characters."""

    @classmethod
    def of(
        cls, site: SiteConfig | None, url: str | None, page_names: Iterable[str | None] = ()
    ) -> SiteIdentity:
        names: list[str] = []
        if site is not None:
            names += [site.publisher, *site.aliases, site.name]
        names += [n for n in page_names if n]
        label = _domain_label(url)
        if label:
            names.append(label)
        seen: set[str] = set()
        unique = []
        for name in names:
            key = publisher_key(name)
            if key and key not in seen and key not in _GENERIC:
                seen.add(key)
                unique.append(name.strip())
        return cls(tuple(unique), frozenset(k for k in seen if len(k) >= 3))


def _domain_label(url: str | None) -> str | None:
    """'https://www.ospreyfm.example/x' -> 'ospreyfm' (the registrable domain's first label)."""
    if not url or not url.startswith(("http://", "https://")):
        return None
    return _host_label(url.split("/", 3)[2].split("?", 1)[0].split("#", 1)[0])


# a crawl's hosts are few; courlan takes ~2 µs a name, ~14 µs an IP address
@lru_cache(maxsize=4096)
def _host_label(netloc: str) -> str | None:
    domain = courlan.extract_domain(f"http://{netloc}/", fast=True)
    if not domain:
        return None
    label = str(domain).split(".", 1)[0]
    return label if len(label) >= 3 and not label.isdigit() else None


def title_suffixes(titles: Iterable[str]) -> list[str]:
    """Site names a ``<title>`` adds to the headline: 'Bridge reopens | Alder Radio' -> Alder Radio."""
    forms = [t.strip() for t in titles if t and t.strip()]
    out = []
    for long in forms:
        for head in forms:
            if long != head and long.startswith(head):
                m = re.match(r"^\s*[|–—·:-]\s*(.{2,40})$", long[len(head) :])
                if m:
                    out.append(m.group(1).strip())
    return out


def _name_at(words: list[str], start: int, keys: frozenset[str]) -> int:
    """How many words from ``start`` spell one of the site's names (0: none)."""
    for n in range(min(4, len(words) - start), 0, -1):
        if publisher_key(" ".join(words[start : start + n])) in keys:
            return n
    return 0


def promo_reason(paragraph: str, identity: SiteIdentity) -> str | None:
    """Why ``paragraph`` promotes the publishing site, or None."""
    if len(paragraph) > MAX_PROMO_CHARS:
        return None
    keys = identity.keys
    if keys:
        if publisher_key(paragraph) in keys:
            return "the site's name alone"
        spans = [(m.group(0), m.end()) for m in _WORD.finditer(paragraph)]
        # 'ospreyfm.example' names the site as its domain does
        words = [w.split(".", 1)[0] if _DOMAIN.match(w) else w for w, _ in spans]
        skip = 1 if words and words[0].lower() == "the" else 0
        lead = _name_at(words, skip, keys)
        if lead:
            rest = paragraph[spans[skip + lead - 1][1] :]
            if _DESCRIBES.match(rest) and _OUTLET.search(rest):
                return "describes the site itself"
            if len(paragraph) <= MAX_SLOGAN_CHARS and _SLOGAN_SEPARATOR.match(rest):
                return "the site's name and slogan"
        if _PITCH.search(paragraph) and any(_name_at(words, i, keys) for i in range(len(words))):
            return "a pitch naming the site"
    if _ANONYMOUS_PITCH.search(paragraph):
        return "a listen/app/subscribe pitch"
    return None
