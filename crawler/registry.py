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
    timezone: Europe/London          # for page dates without an offset; an abbreviation
                                     # (WAT, SAST, MDT) is resolved to its IANA zone
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

The structure is defined by a JSON Schema, ``crawler/schemas/site.v1.json`` (checked by
:mod:`crawler.site_schema`); what a schema cannot check (regular expressions, CSS selectors, time
zones, relative start points without ``base_url``) is checked here. A bad file raises
:class:`SiteConfigError` listing every problem of the file at once, one line each, naming the file,
the field, the bad value and what is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import yaml
from cssselect import GenericTranslator

from crawler.site_schema import SiteProblem, schema_problems
from pipelines.core.timezones import TimezoneError, site_zone

Role = Literal["original", "syndicator"]
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


class SiteConfigError(ValueError):
    """A site file is not valid: every problem found in it, one line each (file, field, bad value,
    what is allowed). The first problem's parts are attributes too."""

    def __init__(self, problems: Sequence[SiteProblem]) -> None:
        self.problems = list(problems)
        first = self.problems[0]
        self.path, self.field_name, self.value, self.allowed = (
            first.path,
            first.field,
            first.value,
            first.allowed,
        )
        super().__init__("\n".join(str(problem) for problem in self.problems))


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
    return SiteConfigError([SiteProblem(path, field_name, value, allowed)])


def _texts(value: str | list[str] | None) -> tuple[str, ...]:
    """A field the schema allows as one string or a list of them, as a tuple."""
    if value is None:
        return ()
    return tuple(v.strip() for v in ([value] if isinstance(value, str) else value))


class _Checks:
    """The checks a JSON Schema cannot make, each problem kept so a file reports all of them."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[SiteProblem] = []

    def fail(self, field_name: str, value: Any, allowed: str) -> None:
        self.problems.append(SiteProblem(self.path, field_name, value, allowed))

    def regex(self, field_name: str, value: str) -> re.Pattern[str] | None:
        try:
            return re.compile(value, re.MULTILINE)
        except re.error as exc:
            self.fail(field_name, value, f"a valid Python regular expression ({exc})")
            return None

    def url(self, field_name: str, value: str, base_url: str | None) -> str:
        parts = urlsplit(value)
        if parts.scheme:
            if parts.scheme not in ("http", "https") or not parts.netloc:
                self.fail(field_name, value, "an http(s) URL or a path relative to base_url")
        elif not base_url:
            self.fail(field_name, value, "an absolute http(s) URL (no base_url is set)")
        return value.strip()

    def css(self, field_name: str, value: str) -> None:
        try:
            GenericTranslator().css_to_xpath(value)
        except Exception as exc:  # cssselect raises several types for bad selectors
            self.fail(field_name, value, f"a valid CSS selector ({exc})")


def parse_site(data: Any, path: str = "<site>") -> SiteConfig:
    """Validate one site's parsed YAML and build its :class:`SiteConfig`.

    The structure is checked against ``crawler/schemas/site.v1.json`` first; then what a schema
    cannot say. Either way every problem of the file is reported at once.
    """
    problems = schema_problems(data, path)
    if problems:
        raise SiteConfigError(problems)
    check = _Checks(path)
    name: str = data["name"]
    base_url: str | None = data.get("base_url")
    domains = _texts(data.get("domains")) or (urlsplit(base_url or "").hostname or "",)

    start_raw: dict[str, Any] = data["start"]
    lists = {
        kind: tuple(
            check.url(f"start.{kind}", url, base_url) for url in _texts(start_raw.get(kind))
        )
        for kind in ("rss", "atom", "sitemaps", "news_sitemaps")
    }
    listings: list[Listing] = []
    for i, entry in enumerate(start_raw.get("listings") or []):
        entry = {"url": entry} if isinstance(entry, str) else entry
        listings.append(
            Listing(
                url=check.url(f"start.listings[{i}].url", entry["url"], base_url),
                next=entry.get("next"),
                links=entry.get("links"),
            )
        )
    start = StartPoints(listings=tuple(listings), **lists)
    if start.count() == 0:
        check.fail("start", start_raw, "at least one feed, sitemap or listing page")

    pattern = data.get("article_url_pattern")
    article_re = check.regex("article_url_pattern", pattern) if pattern is not None else None

    language: str | None = data.get("language")
    languages = _texts(data.get("languages")) or ((language,) if language else ())

    tz = data.get("timezone", "UTC")
    try:
        # An abbreviation (WAT, SAST) becomes its zone; the site's country decides an ambiguous one.
        tz = site_zone(str(tz), url=base_url)
    except TimezoneError as exc:
        check.fail("timezone", data.get("timezone"), str(exc))

    bp_raw: dict[str, Any] = data.get("boilerplate") or {}
    selectors = _texts(bp_raw.get("selectors"))
    for selector in selectors:
        check.css("boilerplate.selectors", selector)
    patterns = [check.regex("boilerplate.patterns", p) for p in _texts(bp_raw.get("patterns"))]

    credit_patterns = [
        check.regex("credit_patterns", p) for p in _texts(data.get("credit_patterns"))
    ]
    for rx in credit_patterns:
        if rx is not None and "source" not in rx.groupindex:
            check.fail("credit_patterns", rx.pattern, "a regex with a named group (?P<source>...)")

    carries = tuple(
        CarriedPublisher(entry.strip())
        if isinstance(entry, str)
        else CarriedPublisher(entry["publisher"].strip(), _texts(entry.get("aliases")))
        for entry in data.get("carries") or ()
    )
    styles = data.get("credit_styles")
    credit_styles = frozenset(_texts(styles)) if styles is not None else None

    if check.problems:
        raise SiteConfigError(check.problems)
    politeness: dict[str, Any] = data.get("politeness") or {}
    return SiteConfig(
        name=name,
        role=data["role"],
        domains=tuple(d.lower() for d in domains),
        start=start,
        publisher=str(data.get("publisher", name)).strip(),
        aliases=_texts(data.get("aliases")),
        base_url=base_url,
        article_url_pattern=article_re,
        language=language,
        languages=languages,
        timezone=str(tz),
        render_javascript=data.get("render_javascript", False),
        boilerplate=Boilerplate(selectors=selectors, patterns=tuple(p for p in patterns if p)),
        credit_patterns=tuple(rx for rx in credit_patterns if rx),
        carries=carries,
        credit_styles=credit_styles,
        politeness=Politeness(
            concurrency=politeness.get("concurrency", 2), delay=float(politeness.get("delay", 0.5))
        ),
        request_budget=data.get("request_budget"),
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
