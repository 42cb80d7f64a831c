"""Site registry: one YAML file per site, validated when loaded.

A site file looks like this (every key but ``name``, ``role``, ``domains`` and one start point is
optional)::

    name: meridian-wire              # [a-z0-9][a-z0-9-]{0,62}: used in output keys
    publisher: Meridian Wire         # display name; credit lines are matched against it
    aliases: [Meridian, MW]          # other names the publisher is credited as
    role: original                   # original | syndicator
    base_url: https://wire.example   # relative start points resolve against it
    domains: [wire.example]
    start:
      rss: [/rss.xml]
      atom: []
      sitemaps: [/sitemap.xml]       # sitemap indexes and sitemaps, plain or .gz
      news_sitemaps: [/news-sitemap.xml]
      listings:
        - url: /news/
          next: "a.next::attr(href)"   # CSS for the pagination link (optional)
          links: "article h2 a::attr(href)"   # CSS for article links (optional)
    article_url_pattern: '/news/\\d{4}/[^/]+\\.html$'
    language: en
    languages: [en]                  # for dateparser; defaults to [language]
    timezone: Europe/London          # for dates on the page that carry no offset
    render_javascript: false
    boilerplate:
      selectors: [".promo", "aside"] # removed from the HTML before extraction
      patterns: ['^Listen live on .*$']  # paragraphs matching are removed from the text
    credit_patterns: ['^Source:\\s*(?P<source>.+)$']
    carries:                         # other publishers whose stories the site republishes
      - Meridian Wire                #   by name: a registry site's publisher or a known wire
      - {publisher: Reuters, aliases: [Reuters News Agency]}  # with the names the site credits it by
    credit_styles: [dateline, source, with]  # built-in credit forms the site uses (default: all)
    politeness: {concurrency: 2, delay: 0.5}
    request_budget: 5000             # requests per run; default SYNDICRAWL_FETCH_REQUEST_BUDGET

Credits: a republished article's credit line is parsed into ``credited_source``, spelled as the
registry spells the publisher: the ``publisher`` and ``aliases`` of every site, and the ``carries``
entries of every site (a site carrying several wires lists each; every article is credited to the
one its own credit line names). ``credit_styles`` narrows the built-in forms tried on the site's
pages to the ones it uses (:data:`CREDIT_STYLES`; see :mod:`pipelines.core.credits`), for a site
whose charts say "Source: ..." in the text; ``credit_patterns`` add the site's own forms.

Errors are :class:`SiteConfigError` with one line naming the file, the field, the bad value and
what is allowed.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import yaml

Role = Literal["original", "syndicator"]
ROLES: tuple[Role, ...] = ("original", "syndicator")
SITE_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
LANGUAGE_RE = re.compile(r"^[a-z]{2}$")
START_KINDS = ("rss", "atom", "sitemaps", "news_sitemaps", "listings")
CREDIT_STYLES = (
    "dateline",  # MOSCOW (Reuters) - ...
    "source",  # Source: X
    "first-appeared",  # This article first appeared on X
    "with",  # With AFP / - With files from X
    "reporting",  # Additional reporting by X / Reporting by A; Editing by B
    "contributed",  # X writers A and B contributed to this report
    "byline",  # By Reuters Staff
    "copyright",  # (c) 2026 Agence France-Presse
    "agency",  # a paragraph that is only a known agency's name: AFP
    "suffix",  # ... he said. - NAN
)
TOP_LEVEL_KEYS = {
    "name",
    "publisher",
    "aliases",
    "role",
    "base_url",
    "domains",
    "start",
    "article_url_pattern",
    "language",
    "languages",
    "timezone",
    "render_javascript",
    "boilerplate",
    "credit_patterns",
    "carries",
    "credit_styles",
    "politeness",
    "request_budget",
}


class SiteConfigError(ValueError):
    """A site file is not valid. ``str()`` is one line: file, field, bad value, what is allowed."""

    def __init__(self, path: str, field_name: str, value: Any, allowed: str) -> None:
        self.path, self.field_name, self.value, self.allowed = path, field_name, value, allowed
        shown = repr(value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        super().__init__(f"{path}: field '{field_name}': bad value {shown}: {allowed}")


@dataclass(frozen=True, slots=True)
class Listing:
    url: str
    next: str | None = None
    links: str | None = None


@dataclass(frozen=True, slots=True)
class StartPoints:
    rss: tuple[str, ...] = ()
    atom: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    news_sitemaps: tuple[str, ...] = ()
    listings: tuple[Listing, ...] = ()

    def count(self) -> int:
        return sum(len(getattr(self, k)) for k in START_KINDS)


@dataclass(frozen=True, slots=True)
class Boilerplate:
    selectors: tuple[str, ...] = ()
    patterns: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True, slots=True)
class CarriedPublisher:
    """A publisher whose stories the site republishes, with the names the site credits it by."""

    publisher: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Politeness:
    concurrency: int = 2
    delay: float = 0.5


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """One validated site."""

    name: str
    role: Role
    domains: tuple[str, ...]
    start: StartPoints
    publisher: str = ""
    aliases: tuple[str, ...] = ()
    base_url: str | None = None
    article_url_pattern: re.Pattern[str] | None = None
    language: str | None = None
    languages: tuple[str, ...] = ()
    timezone: str = "UTC"
    render_javascript: bool = False
    boilerplate: Boilerplate = field(default_factory=Boilerplate)
    credit_patterns: tuple[re.Pattern[str], ...] = ()
    carries: tuple[CarriedPublisher, ...] = ()
    credit_styles: frozenset[str] | None = None  # None: every built-in form
    politeness: Politeness = field(default_factory=Politeness)
    request_budget: int | None = None  # None: SYNDICRAWL_FETCH_REQUEST_BUDGET
    source_path: str = ""

    def absolute(self, url: str) -> str:
        """``url`` resolved against ``base_url`` (start points may be relative)."""
        return urljoin(self.base_url, url) if self.base_url else url

    def with_base_url(self, base_url: str) -> SiteConfig:
        """A copy served from ``base_url`` (the demo web binds each site to its own free port, so
        the site's domain is its ``host:port``)."""
        return replace(self, base_url=base_url, domains=(urlsplit(base_url).netloc.lower(),))

    def is_article_url(self, url: str) -> bool:
        if self.article_url_pattern is None:
            return True
        return self.article_url_pattern.search(url) is not None

    def owns(self, url: str) -> bool:
        """Whether ``url`` is on one of the site's domains (or their subdomains). A domain given
        as ``host:port`` matches that port only."""
        parts = urlsplit(url)
        host, netloc = (parts.hostname or "").lower(), parts.netloc.lower()
        return any(
            netloc == d if ":" in d else host == d or host.endswith("." + d) for d in self.domains
        )


def _fail(path: str, field_name: str, value: Any, allowed: str) -> SiteConfigError:
    return SiteConfigError(path, field_name, value, allowed)


def _str_list(path: str, name: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(path, name, value, "a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _regex(path: str, name: str, value: Any) -> re.Pattern[str]:
    if not isinstance(value, str) or not value:
        raise _fail(path, name, value, "a non-empty regular expression string")
    try:
        return re.compile(value, re.MULTILINE)
    except re.error as exc:
        raise _fail(path, name, value, f"a valid Python regular expression ({exc})") from exc


def _url(path: str, name: str, value: Any, base_url: str | None) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, name, value, "a URL string")
    parts = urlsplit(value)
    if parts.scheme:
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise _fail(path, name, value, "an http(s) URL or a path relative to base_url")
    elif not base_url:
        raise _fail(path, name, value, "an absolute http(s) URL (no base_url is set)")
    return value.strip()


def _carries(path: str, value: Any) -> tuple[CarriedPublisher, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _fail(path, "carries", value, "a list of publisher names or {publisher, aliases}")
    out = []
    for i, entry in enumerate(value):
        where = f"carries[{i}]"
        if isinstance(entry, str) and entry.strip():
            out.append(CarriedPublisher(entry.strip()))
            continue
        if not isinstance(entry, dict) or set(entry) - {"publisher", "aliases"}:
            raise _fail(path, where, entry, "a publisher name or a mapping {publisher, aliases}")
        name = entry.get("publisher")
        if not isinstance(name, str) or not name.strip():
            raise _fail(path, f"{where}.publisher", name, "a non-empty publisher name")
        out.append(
            CarriedPublisher(
                name.strip(), _str_list(path, f"{where}.aliases", entry.get("aliases"))
            )
        )
    return tuple(out)


def parse_site(data: Any, path: str = "<site>") -> SiteConfig:
    """Validate one site's parsed YAML and build its :class:`SiteConfig`."""
    if not isinstance(data, dict):
        raise _fail(path, "<document>", data, "a mapping of site fields")
    unknown = sorted(set(data) - TOP_LEVEL_KEYS)
    if unknown:
        raise _fail(
            path, unknown[0], data[unknown[0]], f"one of the known fields {sorted(TOP_LEVEL_KEYS)}"
        )

    name = data.get("name")
    if not isinstance(name, str) or not SITE_NAME_RE.match(name):
        raise _fail(
            path, "name", name, "lowercase letters, digits and '-', 1-63 chars, e.g. 'daily-herald'"
        )
    role = data.get("role")
    if role not in ROLES:
        raise _fail(path, "role", role, "'original' or 'syndicator'")

    base_url = data.get("base_url")
    if base_url is not None:
        parts = urlsplit(str(base_url))
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise _fail(path, "base_url", base_url, "an absolute http(s) URL")

    domains = _str_list(path, "domains", data.get("domains"))
    if not domains and base_url:
        domains = (urlsplit(base_url).hostname or "",)
    if not domains:
        raise _fail(path, "domains", data.get("domains"), "a non-empty list of host names")
    for d in domains:
        if "/" in d or " " in d:
            raise _fail(path, "domains", d, "bare host names such as 'example.com'")

    start_raw = data.get("start")
    if not isinstance(start_raw, dict):
        raise _fail(path, "start", start_raw, f"a mapping with some of {list(START_KINDS)}")
    bad = sorted(set(start_raw) - set(START_KINDS))
    if bad:
        raise _fail(path, f"start.{bad[0]}", start_raw[bad[0]], f"one of {list(START_KINDS)}")
    lists: dict[str, tuple[str, ...]] = {}
    for kind in ("rss", "atom", "sitemaps", "news_sitemaps"):
        urls = _str_list(path, f"start.{kind}", start_raw.get(kind))
        lists[kind] = tuple(_url(path, f"start.{kind}", u, base_url) for u in urls)
    listings: list[Listing] = []
    for i, entry in enumerate(start_raw.get("listings") or []):
        where = f"start.listings[{i}]"
        if isinstance(entry, str):
            entry = {"url": entry}
        if not isinstance(entry, dict) or set(entry) - {"url", "next", "links"}:
            raise _fail(
                path, where, entry, "a URL or a mapping with 'url', optional 'next' and 'links' CSS"
            )
        listings.append(
            Listing(
                url=_url(path, f"{where}.url", entry.get("url"), base_url),
                next=entry.get("next"),
                links=entry.get("links"),
            )
        )
    start = StartPoints(listings=tuple(listings), **lists)
    if start.count() == 0:
        raise _fail(path, "start", start_raw, "at least one feed, sitemap or listing page")

    pattern = data.get("article_url_pattern")
    article_re = _regex(path, "article_url_pattern", pattern) if pattern is not None else None

    language = data.get("language")
    if language is not None and (not isinstance(language, str) or not LANGUAGE_RE.match(language)):
        raise _fail(path, "language", language, "an ISO 639-1 code such as 'en'")
    languages = _str_list(path, "languages", data.get("languages")) or (
        (language,) if language else ()
    )
    for lang in languages:
        if not LANGUAGE_RE.match(lang):
            raise _fail(path, "languages", lang, "ISO 639-1 codes such as 'en'")

    tz = data.get("timezone", "UTC")
    try:
        zoneinfo.ZoneInfo(str(tz))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise _fail(path, "timezone", tz, "an IANA time zone such as 'Europe/London'") from exc

    render = data.get("render_javascript", False)
    if not isinstance(render, bool):
        raise _fail(path, "render_javascript", render, "true or false")

    bp_raw = data.get("boilerplate") or {}
    if not isinstance(bp_raw, dict) or set(bp_raw) - {"selectors", "patterns"}:
        raise _fail(path, "boilerplate", bp_raw, "a mapping with 'selectors' and/or 'patterns'")
    selectors = _str_list(path, "boilerplate.selectors", bp_raw.get("selectors"))
    for sel in selectors:
        try:
            from cssselect import GenericTranslator

            GenericTranslator().css_to_xpath(sel)
        except Exception as exc:  # cssselect raises several types for bad selectors
            raise _fail(
                path, "boilerplate.selectors", sel, f"a valid CSS selector ({exc})"
            ) from exc
    patterns = tuple(
        _regex(path, "boilerplate.patterns", p)
        for p in _str_list(path, "boilerplate.patterns", bp_raw.get("patterns"))
    )

    credit_patterns = tuple(
        _regex(path, "credit_patterns", p)
        for p in _str_list(path, "credit_patterns", data.get("credit_patterns"))
    )
    for rx in credit_patterns:
        if "source" not in rx.groupindex:
            raise _fail(
                path, "credit_patterns", rx.pattern, "a regex with a named group (?P<source>...)"
            )

    carries = _carries(path, data.get("carries"))
    styles_raw = data.get("credit_styles")
    credit_styles = None
    if styles_raw is not None:
        styles = _str_list(path, "credit_styles", styles_raw)
        for style in styles:
            if style not in CREDIT_STYLES:
                raise _fail(path, "credit_styles", style, f"some of {list(CREDIT_STYLES)}")
        credit_styles = frozenset(styles)

    pol_raw = data.get("politeness") or {}
    if not isinstance(pol_raw, dict) or set(pol_raw) - {"concurrency", "delay"}:
        raise _fail(path, "politeness", pol_raw, "a mapping with 'concurrency' and/or 'delay'")
    concurrency = pol_raw.get("concurrency", 2)
    if (
        not isinstance(concurrency, int)
        or isinstance(concurrency, bool)
        or not 1 <= concurrency <= 64
    ):
        raise _fail(path, "politeness.concurrency", concurrency, "an integer from 1 to 64")
    delay = pol_raw.get("delay", 0.5)
    if not isinstance(delay, int | float) or isinstance(delay, bool) or not 0 <= delay <= 600:
        raise _fail(path, "politeness.delay", delay, "seconds from 0 to 600")

    budget = data.get("request_budget")
    if budget is not None and (
        not isinstance(budget, int) or isinstance(budget, bool) or budget < 1
    ):
        raise _fail(path, "request_budget", budget, "a positive integer")

    publisher = data.get("publisher", name)
    if not isinstance(publisher, str) or not publisher.strip():
        raise _fail(path, "publisher", publisher, "a non-empty display name")

    return SiteConfig(
        name=name,
        role=role,
        domains=tuple(d.lower() for d in domains),
        start=start,
        publisher=publisher.strip(),
        aliases=_str_list(path, "aliases", data.get("aliases")),
        base_url=base_url,
        article_url_pattern=article_re,
        language=language,
        languages=languages,
        timezone=str(tz),
        render_javascript=render,
        boilerplate=Boilerplate(selectors=selectors, patterns=patterns),
        credit_patterns=credit_patterns,
        carries=carries,
        credit_styles=credit_styles,
        politeness=Politeness(concurrency=concurrency, delay=float(delay)),
        request_budget=budget,
        source_path=path,
    )


def load_site_file(path: Path) -> SiteConfig:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(str(path), "<file>", str(path), f"a readable UTF-8 YAML file ({exc})") from exc
    try:
        data = yaml.safe_load(text)  # safe_load: site files never construct Python objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "<document>"
        raise _fail(
            str(path), where, text[:40], f"valid YAML ({getattr(exc, 'problem', exc)})"
        ) from exc
    return parse_site(data, str(path))


def load_sites(directory: Path | str) -> dict[str, SiteConfig]:
    """Every ``*.yaml``/``*.yml`` site file in ``directory``, by name. Raises on the first bad file."""
    folder = Path(directory)
    if not folder.is_dir():
        raise _fail(str(folder), "--sites", str(folder), "an existing folder of site YAML files")
    files = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    if not files:
        raise _fail(
            str(folder), "--sites", str(folder), "a folder holding at least one *.yaml site file"
        )
    sites: dict[str, SiteConfig] = {}
    for path in files:
        site = load_site_file(path)
        if site.name in sites:
            raise _fail(
                str(path),
                "name",
                site.name,
                f"a name not already used by {sites[site.name].source_path}",
            )
        sites[site.name] = site
    return sites


def bundled_sites_dir() -> Path:
    """The site files shipped in the package (``crawler/sites/``, which ships none yet: real sites are configured by users)."""
    return Path(str(resources.files("crawler").joinpath("sites")))


def demo_sites_dir() -> Path:
    """The demo web's site files (``crawler/demo/sites/``)."""
    return Path(str(resources.files("crawler").joinpath("demo/sites")))
