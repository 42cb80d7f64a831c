"""The demo web's content: load the YAML files in ``syndicrawl_tools/demo/data/`` and derive every page.

Each data file holds one site: ``site`` (chrome facts: publisher, timezone, promo, credit template),
``articles`` (text written for that site: originals, independent reports, uniques), ``copies``
(rules that derive a republication from another site's article: delay, keep, swaps, drop, title,
credit, promo, date_display) and ``drafts`` (pages behind a robots.txt Disallow, never part of the
truth).

Dates here are nominal (March 2026); :mod:`syndicrawl_tools.demo.timeline` shifts them onto the server's
clock. Every date must be before :data:`~syndicrawl_tools.demo.timeline.NOMINAL_NOW` and within a year of it.

Pure code, no I/O beyond reading the data files: :func:`load_content` returns the same
:class:`DemoContent` every time, so the truth and the served pages are functions of these files.

Errors are :class:`ContentError` naming the file, the entry and what is wrong.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import yaml

from syndicrawl_tools.demo.timeline import NOMINAL_NOW, Timeline, path_date_mismatch

PageKind = Literal["original", "independent", "unique", "copy"]
CopyKind = Literal["verbatim", "promo_credit", "chrome", "trimmed", "edited", "headline_rewritten"]
CreditPosition = Literal["dateline", "start", "end"]
ARTICLE_KINDS = ("original", "independent", "unique")
COPY_KINDS = ("verbatim", "promo_credit", "chrome", "trimmed", "edited", "headline_rewritten")
CREDIT_POSITIONS = ("dateline", "start", "end")
KEEP_RANGE = (0.4, 0.8)  # share of the original's paragraphs a trimmed copy keeps
DATE_DISPLAYS = ("absolute", "relative")
MAX_SPAN = timedelta(days=365)  # oldest date to NOMINAL_NOW: keeps shifted dates after 1990
DURATION_RE = re.compile(r"^(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?$")


class ContentError(ValueError):
    """A demo data file is not valid: file, entry and what is wrong."""


@dataclass(frozen=True, slots=True)
class SiteInfo:
    name: str
    publisher: str
    language: str
    timezone: str
    tagline: str
    sections: tuple[str, ...]
    promo: str | None = None
    credit: str | None = None  # template such as "Source: {publisher}"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class Page:
    """One article page as published. ``paragraphs`` is the clean body (what the truth expects)."""

    site: str
    path: str
    kind: PageKind
    event: str
    story: str
    section: str
    title: str
    authors: tuple[str, ...]
    published: datetime  # nominal, aware UTC (see syndicrawl_tools.demo.timeline)
    relative: bool  # the page shows only its age ("5 hours ago"), never the date
    updated: datetime | None
    language: str
    paragraphs: tuple[str, ...]
    credit_text: str | None = None
    credit_position: CreditPosition | None = None
    credited_source: str | None = None
    promo: str | None = None
    original: tuple[str, str] | None = None
    copy_kind: CopyKind | None = None
    canonical: tuple[str, str] | None = None  # (site, path); None: the page itself

    @property
    def key(self) -> tuple[str, str]:
        return (self.site, self.path)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True, slots=True)
class DemoContent:
    sites: dict[str, SiteInfo]
    pages: tuple[Page, ...]  # truth articles, in site then path order
    drafts: tuple[Page, ...]  # disallowed pages

    def page(self, site: str, path: str) -> Page:
        for p in self.pages:
            if p.site == site and p.path == path:
                return p
        raise KeyError(f"no demo article {site} {path}")

    def site_pages(self, site: str) -> list[Page]:
        return [p for p in self.pages if p.site == site]

    def served(self, timeline: Timeline) -> DemoContent:
        """The pages as served under ``timeline``: dated paths (and links to them) moved.

        Dates stay nominal: the views shift them with the same timeline.
        """

        def path(p: Page) -> str:
            return timeline.path(p.path, p.published, self.sites[p.site].timezone)

        keys = {p.key: (p.site, path(p)) for p in self.pages}
        pages = [
            dataclasses.replace(
                p,
                path=keys[p.key][1],
                original=keys[p.original] if p.original else None,
                canonical=keys[p.canonical] if p.canonical else None,
            )
            for p in self.pages
        ]
        drafts = tuple(dataclasses.replace(d, path=path(d)) for d in self.drafts)
        return DemoContent(
            sites=self.sites, pages=tuple(sorted(pages, key=lambda p: p.key)), drafts=drafts
        )

    def nominal_dates(self) -> list[datetime]:
        """Every published and updated date of the pages and drafts, nominal."""
        pages = (*self.pages, *self.drafts)
        return [p.published for p in pages] + [p.updated for p in pages if p.updated]


def data_dir() -> Path:
    return Path(str(resources.files("syndicrawl_tools").joinpath("demo/data")))


def parse_duration(value: Any, where: str) -> timedelta:
    """``"1d2h30m"`` style durations."""
    m = DURATION_RE.match(str(value).strip()) if value is not None else None
    if not m or not any(m.groupdict().values()):
        raise ContentError(
            f"{where}: bad duration {value!r}: use forms like '45m', '2h', '1h30m', '1d3h'"
        )
    return timedelta(days=int(m["d"] or 0), hours=int(m["h"] or 0), minutes=int(m["m"] or 0))


def _local_time(value: Any, tz: ZoneInfo, where: str) -> datetime:
    try:
        naive = datetime.strptime(str(value), "%Y-%m-%d %H:%M")
    except ValueError as exc:
        raise ContentError(
            f"{where}: bad time {value!r}: use 'YYYY-MM-DD HH:MM' (site-local)"
        ) from exc
    return naive.replace(tzinfo=tz).astimezone(UTC)


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, str) and v.strip() for v in value)
    ):
        raise ContentError(f"{where}: expected a non-empty list of strings, got {value!r}")
    return tuple(" ".join(v.split()) for v in value)


def _site_info(raw: Any, where: str) -> SiteInfo:
    if not isinstance(raw, dict):
        raise ContentError(f"{where}: 'site' must be a mapping")
    try:
        info = SiteInfo(
            name=raw["name"],
            publisher=raw["publisher"],
            language=raw["language"],
            timezone=raw["timezone"],
            tagline=raw["tagline"],
            sections=tuple(raw["sections"]),
            promo=" ".join(raw["promo"].split()) if raw.get("promo") else None,
            credit=raw.get("credit"),
        )
    except KeyError as exc:
        raise ContentError(f"{where}: site is missing {exc}") from exc
    info.tz  # noqa: B018 - validates the zone name early
    return info


def _authored(site: SiteInfo, raw: dict[str, Any], where: str, kind: PageKind) -> Page:
    try:
        path, title = raw["path"], raw["title"]
    except KeyError as exc:
        raise ContentError(f"{where}: missing {exc}") from exc
    event = raw.get("event") or path
    story = event if kind in ("original", "unique") else f"{event}--{site.name}"
    updated = raw.get("updated")
    return Page(
        site=site.name,
        path=path,
        kind=kind,
        event=event,
        story=story,
        section=raw.get("section") or site.sections[0],
        title=" ".join(title.split()),
        authors=_strings(raw.get("authors"), f"{where}.authors"),
        published=_local_time(raw.get("published"), site.tz, f"{where}.published"),
        relative=False,
        updated=_local_time(updated, site.tz, f"{where}.updated") if updated else None,
        language=site.language,
        paragraphs=_strings(raw.get("paragraphs"), f"{where}.paragraphs"),
        promo=site.promo,
    )


def _apply_swaps(paragraphs: list[str], swaps: Any, where: str) -> None:
    for i, pair in enumerate(swaps or []):
        if not (isinstance(pair, list) and len(pair) == 2):
            raise ContentError(f"{where}.swaps[{i}]: expected [old, new], got {pair!r}")
        old, new = pair
        for j, para in enumerate(paragraphs):
            if old in para:
                paragraphs[j] = para.replace(old, new, 1)
                break
        else:
            raise ContentError(f"{where}.swaps[{i}]: {old!r} is not in the kept paragraphs")


def _apply_drop(paragraphs: list[str], sentence: Any, where: str) -> None:
    if sentence is None:
        return
    for j, para in enumerate(paragraphs):
        if sentence in para:
            rest = " ".join(para.replace(sentence, "", 1).split())
            if rest:
                paragraphs[j] = rest
            else:
                del paragraphs[j]
            return
    raise ContentError(f"{where}.drop: sentence {sentence!r} is not in the kept paragraphs")


def _derived(
    site: SiteInfo,
    raw: dict[str, Any],
    where: str,
    originals: dict[tuple[str, str], Page],
    sites: dict[str, SiteInfo],
) -> Page:
    src = str(raw.get("from", "")).split()
    if len(src) != 2 or tuple(src) not in originals:
        raise ContentError(
            f"{where}.from: {raw.get('from')!r} is not '<site> <path>' of an authored article"
        )
    orig = originals[(src[0], src[1])]
    copy_kind = raw.get("copy_kind")
    if copy_kind not in COPY_KINDS:
        raise ContentError(f"{where}.copy_kind: {copy_kind!r} is not one of {COPY_KINDS}")

    paragraphs = list(orig.paragraphs)
    keep = raw.get("keep")
    if keep is not None:
        share = keep / len(paragraphs)
        if not KEEP_RANGE[0] <= share <= KEEP_RANGE[1]:
            raise ContentError(
                f"{where}.keep: {keep} of {len(paragraphs)} paragraphs is outside {KEEP_RANGE}"
            )
        paragraphs = paragraphs[:keep]
    _apply_swaps(paragraphs, raw.get("swaps"), where)
    _apply_drop(paragraphs, raw.get("drop"), where)

    publisher = sites[orig.site].publisher
    credit = raw.get("credit")
    if credit is None and site.credit:
        position: Any = "start" if site.credit.startswith("Via") else "end"
        credit = {"text": site.credit.format(publisher=publisher), "position": position}
    if credit is not None and credit.get("position") not in CREDIT_POSITIONS:
        raise ContentError(
            f"{where}.credit.position: {credit.get('position')!r} is not one of {CREDIT_POSITIONS}"
        )

    if "relative_age" in raw:
        raise ContentError(
            f"{where}.relative_age: no longer supported: give a 'delay' and 'date_display: relative'"
        )
    display = raw.get("date_display", "absolute")
    if display not in DATE_DISPLAYS:
        raise ContentError(f"{where}.date_display: {display!r} is not one of {DATE_DISPLAYS}")
    # Relative-date copies are dated like the others; only the page shows an age instead.
    published = orig.published + parse_duration(raw.get("delay"), f"{where}.delay")
    canonical = raw.get("canonical", "self")
    if canonical not in ("self", "original"):
        raise ContentError(f"{where}.canonical: {canonical!r} is not 'self' or 'original'")

    return Page(
        site=site.name,
        path=raw["path"],
        kind="copy",
        event=orig.event,
        story=orig.story,
        section=raw.get("section")
        or (orig.section if orig.section in site.sections else site.sections[0]),
        title=" ".join(raw.get("title", orig.title).split()),
        authors=tuple(raw["authors"]) if raw.get("authors") else orig.authors,
        published=published,
        relative=display == "relative",
        updated=None,
        language=orig.language,
        paragraphs=tuple(paragraphs),
        credit_text=credit["text"] if credit else None,
        credit_position=credit["position"] if credit else None,
        credited_source=publisher if credit else None,
        promo=site.promo,
        original=orig.key,
        copy_kind=copy_kind,
        canonical=orig.key if canonical == "original" else None,
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"{path}: not a readable YAML file ({exc})") from exc
    if not isinstance(data, dict) or "site" not in data:
        raise ContentError(f"{path}: expected a mapping with 'site' and 'articles'/'copies'")
    return data


@cache
def load_content(directory: Path | None = None) -> DemoContent:
    """Every site, article, copy and draft of the demo web (cached: the files are package data)."""
    folder = directory or data_dir()
    files = {p: _read(p) for p in sorted(folder.glob("*.yaml"))}
    sites: dict[str, SiteInfo] = {}
    for path, data in files.items():
        info = _site_info(data["site"], f"{path.name}: site")
        sites[info.name] = info

    authored: dict[tuple[str, str], Page] = {}
    drafts: list[Page] = []
    for path, data in files.items():
        site = sites[data["site"]["name"]]
        for i, raw in enumerate(data.get("articles") or []):
            where = f"{path.name}: articles[{i}]"
            kind = raw.get("kind")
            if kind not in ARTICLE_KINDS:
                raise ContentError(f"{where}.kind: {kind!r} is not one of {ARTICLE_KINDS}")
            page = _authored(site, raw, where, kind)
            if page.key in authored:
                raise ContentError(f"{where}.path: {page.path!r} is used twice on {site.name}")
            authored[page.key] = page
        for i, raw in enumerate(data.get("drafts") or []):
            drafts.append(
                _authored(site, {**raw, "event": "draft"}, f"{path.name}: drafts[{i}]", "unique")
            )

    copies: list[Page] = []
    for path, data in files.items():
        site = sites[data["site"]["name"]]
        for i, raw in enumerate(data.get("copies") or []):
            copies.append(_derived(site, raw, f"{path.name}: copies[{i}]", authored, sites))

    pages = sorted([*authored.values(), *copies], key=lambda p: p.key)
    keys = [p.key for p in pages]
    if len(set(keys)) != len(keys):
        raise ContentError(f"{folder}: two pages share a site and path")
    content = DemoContent(sites=sites, pages=tuple(pages), drafts=tuple(drafts))
    _check_timeline(content, folder)
    return content


def _check_timeline(content: DemoContent, folder: Path) -> None:
    """Served dates are ``nominal + shift``: a date after NOMINAL_NOW would be served in the future."""
    for page in (*content.pages, *content.drafts):
        segment = path_date_mismatch(page.path, page.published, content.sites[page.site].timezone)
        if segment is not None:
            raise ContentError(
                f"{folder}: {page.site} {page.path}: the path date {segment} is not the local "
                f"publication date {page.published.isoformat()}"
            )
        for field, when in (("published", page.published), ("updated", page.updated)):
            if when is None:
                continue
            if when >= NOMINAL_NOW:
                raise ContentError(
                    f"{folder}: {page.site} {page.path}: {field} {when.isoformat()} is not before "
                    f"NOMINAL_NOW {NOMINAL_NOW.isoformat()}: move NOMINAL_NOW in syndicrawl_tools/demo/timeline.py"
                )
            if NOMINAL_NOW - when > MAX_SPAN:
                raise ContentError(
                    f"{folder}: {page.site} {page.path}: {field} {when.isoformat()} is more than "
                    f"{MAX_SPAN.days} days before NOMINAL_NOW {NOMINAL_NOW.isoformat()}"
                )
