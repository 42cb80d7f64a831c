"""The demo web's ground truth: what a perfect crawl of it must produce.

``syndicrawl_tools/demo/data/truth.json`` is generated from the content files by this module and committed;
a test checks the committed file equals a fresh build. Regenerate it after editing the content::

    python -m syndicrawl_tools.demo.truth --write     # rewrite truth.json
    python -m syndicrawl_tools.demo.truth --check     # exit 1 if truth.json is stale

The file keeps the content's nominal dates (March 2026). The server shifts every date it serves by
``start_time floored to the minute - NOMINAL_NOW`` (:mod:`syndicrawl_tools.demo.timeline`; the file records
``nominal_now``), and :func:`load_truth` applies the same shift to ``published_at`` and
``updated_at``, and moves the date segment of dated paths (``/news/2026/03/09/slug/``) to the
served publication day. Pages that print only an age ("5 hours ago") carry ``relative_age_seconds``: their
age at ``nominal_now`` in the file, at the start time once loaded.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from syndicrawl_tools.demo.content import DemoContent, Page, data_dir, load_content
from syndicrawl_tools.demo.site import JS_SITES, LAYOUTS
from syndicrawl_tools.demo.timeline import NOMINAL_NOW, Timeline

TRUTH_FILE = "truth.json"
TRUTH_VERSION = 3  # 3: nominal dates and paths, nominal_now, dated drafts
TIMELINE_NOTE = (
    "Dates and paths are nominal. Served dates (and load_truth(start_time)) are nominal + shift, "
    "shift = start_time floored to the minute - nominal_now; a /YYYY/MM[/DD]/ path segment becomes "
    "the served local publication date. relative_age_seconds: age at nominal_now."
)


@dataclass(frozen=True, slots=True)
class TruthArticle:
    """One article the crawl must export, with its expected fields."""

    site: str
    path: str
    title: str
    authors: tuple[str, ...]
    published_at: str  # UTC ISO 8601 with +00:00, shifted onto the server's clock once loaded
    updated_at: str | None
    date_precision: str  # minute | hour | day
    language: str
    text: str  # clean body: paragraphs joined by a blank line
    status: str  # original | republication | unique
    original: tuple[str, str] | None  # (site, path) of the original, for a republication
    credited_source: str | None
    copy_kind: (
        str | None
    )  # verbatim | promo_credit | chrome | trimmed | edited | headline_rewritten
    story: str  # copies share their original's key
    event: str  # the news event; independent reports share it but not the story
    kind: str  # original | copy | independent | unique (how the text came about)
    canonical: (
        tuple[str, str] | None
    )  # (site, path) the page's rel=canonical points at, when not itself
    relative_age_seconds: int | None = None  # pages that print only an age: the age at start_time

    @property
    def key(self) -> tuple[str, str]:
        return (self.site, self.path)

    def url(self, base_urls: Mapping[str, str]) -> str:
        return urljoin(base_urls[self.site], self.path)

    def published_datetime(self) -> datetime:
        return datetime.fromisoformat(self.published_at)


@dataclass(frozen=True, slots=True)
class DemoTruth:
    articles: tuple[TruthArticle, ...]
    sites: dict[str, dict[str, Any]]  # name -> publisher, language, role, js_rendered
    disallowed: dict[str, tuple[str, ...]]  # linked pages behind robots.txt: must never be fetched
    robots_disallow: dict[str, tuple[str, ...]]  # the Disallow prefixes of each robots.txt
    js_rendered: frozenset[str]
    start_time: datetime | None = None
    shift: timedelta = timedelta(0)  # served date - nominal date

    def article(self, site: str, path: str) -> TruthArticle:
        for a in self.articles:
            if a.site == site and a.path == path:
                return a
        raise KeyError(f"no truth article {site} {path}")

    def for_site(self, site: str) -> list[TruthArticle]:
        return [a for a in self.articles if a.site == site]

    def copies_of(self, site: str, path: str) -> list[TruthArticle]:
        return [a for a in self.articles if a.original == (site, path)]

    def with_status(self, status: str) -> list[TruthArticle]:
        return [a for a in self.articles if a.status == status]


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def _precision(page: Page) -> str:
    """What the page's date text can tell: the minute, or the floored hour/day of its age."""
    if not page.relative:
        return "minute"
    return "hour" if NOMINAL_NOW - page.published < timedelta(days=1) else "day"


def build_articles(
    pages: Iterable[Page],
    timeline: Timeline | None = None,
    updated: Mapping[tuple[str, str], datetime] | None = None,
) -> tuple[TruthArticle, ...]:
    """Truth records of ``pages`` with dates on ``timeline`` (default: nominal, as in truth.json).

    ``updated`` holds mutation times, already real (not shifted).
    """
    timeline = timeline or Timeline.nominal()
    pages = list(pages)
    copied = {p.original for p in pages if p.original}
    out = []
    for p in pages:
        status = (
            "republication" if p.kind == "copy" else ("original" if p.key in copied else "unique")
        )
        mutated = (updated or {}).get(p.key)
        when_updated = mutated or (timeline.at(p.updated) if p.updated else None)
        out.append(
            TruthArticle(
                site=p.site,
                path=p.path,
                title=p.title,
                authors=p.authors,
                published_at=_iso(timeline.at(p.published)),
                updated_at=_iso(when_updated) if when_updated else None,
                date_precision=_precision(p),
                language=p.language,
                text=p.text,
                status=status,
                original=p.original,
                credited_source=p.credited_source,
                copy_kind=p.copy_kind,
                story=p.story,
                event=p.event,
                kind=p.kind,
                canonical=p.canonical,
                relative_age_seconds=int(timeline.age(p.published).total_seconds())
                if p.relative
                else None,
            )
        )
    return tuple(out)


def _sites(content: DemoContent) -> dict[str, dict[str, Any]]:
    syndicators = {p.site for p in content.pages if p.kind == "copy"}
    return {
        name: {
            "publisher": info.publisher,
            "language": info.language,
            "timezone": info.timezone,
            "role": "syndicator" if name in syndicators else "original",
            "js_rendered": name in JS_SITES,
        }
        for name, info in sorted(content.sites.items())
    }


def build_truth(content: DemoContent | None = None) -> dict[str, Any]:
    """The JSON document of truth.json (deterministic: no clock, sorted keys)."""
    content = content or load_content()
    articles = []
    for a in build_articles(content.pages):
        record = {
            "site": a.site,
            "path": a.path,
            "title": a.title,
            "authors": list(a.authors),
            "published_at": a.published_at,
            "relative_age_seconds": a.relative_age_seconds,
            "updated_at": a.updated_at,
            "date_precision": a.date_precision,
            "language": a.language,
            "text": a.text,
            "status": a.status,
            "original": {"site": a.original[0], "path": a.original[1]} if a.original else None,
            "credited_source": a.credited_source,
            "copy_kind": a.copy_kind,
            "story": a.story,
            "event": a.event,
            "kind": a.kind,
            "canonical": {"site": a.canonical[0], "path": a.canonical[1]} if a.canonical else None,
        }
        articles.append(record)
    disallowed: dict[str, list[dict[str, str]]] = {}
    for d in sorted(content.drafts, key=lambda d: d.key):
        disallowed.setdefault(d.site, []).append(
            {"path": d.path, "published_at": _iso(d.published)}
        )
    return {
        "version": TRUTH_VERSION,
        "generated_by": "python -m syndicrawl_tools.demo.truth --write (do not edit by hand)",
        "nominal_now": _iso(NOMINAL_NOW),
        "timeline": TIMELINE_NOTE,
        "sites": _sites(content),
        "js_rendered": sorted(JS_SITES),
        "disallowed": dict(sorted(disallowed.items())),
        "robots_disallow": {k: list(v.disallow) for k, v in sorted(LAYOUTS.items())},
        "articles": articles,
    }


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def truth_path() -> Path:
    return data_dir() / TRUTH_FILE


def _shifted(value: str | None, timeline: Timeline) -> str | None:
    return _iso(timeline.at(datetime.fromisoformat(value))) if value else None


def load_truth(start_time: datetime | None = None, path: Path | None = None) -> DemoTruth:
    """The committed truth with every date shifted as a server started at ``start_time`` serves it.

    ``start_time`` defaults to now (UTC); it must carry a UTC offset.
    """
    where = path or truth_path()
    doc = json.loads(where.read_text(encoding="utf-8"))
    if doc.get("version") != TRUTH_VERSION:
        raise ValueError(f"{where}: truth version {doc.get('version')!r}, expected {TRUTH_VERSION}")
    if doc.get("nominal_now") != _iso(NOMINAL_NOW):
        raise ValueError(
            f"{where}: nominal_now {doc.get('nominal_now')!r} is not {_iso(NOMINAL_NOW)}: "
            "run python -m syndicrawl_tools.demo.truth --write"
        )
    timeline = Timeline(start_time or datetime.now(UTC))

    def moved(site: str, path: str, published: str) -> str:
        tz = doc["sites"][site]["timezone"]
        return timeline.path(path, datetime.fromisoformat(published), tz)

    paths = {
        (r["site"], r["path"]): moved(r["site"], r["path"], r["published_at"])
        for r in doc["articles"]
    }

    def ref(value: Any) -> tuple[str, str] | None:
        return (value["site"], paths[(value["site"], value["path"])]) if value else None

    articles = []
    for r in doc["articles"]:
        published = _shifted(r["published_at"], timeline)
        assert published is not None
        age = (
            int((timeline.start_time - datetime.fromisoformat(published)).total_seconds())
            if r.get("relative_age_seconds") is not None
            else None
        )
        articles.append(
            TruthArticle(
                site=r["site"],
                path=paths[(r["site"], r["path"])],
                title=r["title"],
                authors=tuple(r["authors"]),
                published_at=published,
                updated_at=_shifted(r["updated_at"], timeline),
                date_precision=r["date_precision"],
                language=r["language"],
                text=r["text"],
                status=r["status"],
                original=ref(r["original"]),
                credited_source=r["credited_source"],
                copy_kind=r["copy_kind"],
                story=r["story"],
                event=r["event"],
                kind=r["kind"],
                canonical=ref(r["canonical"]),
                relative_age_seconds=age,
            )
        )
    return DemoTruth(
        articles=tuple(articles),
        sites=doc["sites"],
        disallowed={
            site: tuple(moved(site, d["path"], d["published_at"]) for d in drafts)
            for site, drafts in doc["disallowed"].items()
        },
        robots_disallow={k: tuple(v) for k, v in doc["robots_disallow"].items()},
        js_rendered=frozenset(doc["js_rendered"]),
        start_time=timeline.start_time,
        shift=timeline.shift,
    )


def truth_from_content(
    content: DemoContent,
    start_time: datetime,
    updated: Mapping[tuple[str, str], datetime] | None = None,
    pages: Iterable[Page] | None = None,
) -> DemoTruth:
    """A :class:`DemoTruth` built live (used by the server to include mutations).

    ``pages`` are pages as served (paths moved, see :meth:`DemoContent.served`), default: all;
    ``updated`` maps their keys to real mutation times.
    """
    doc = build_truth(content)
    timeline = Timeline(start_time)
    served = content.served(timeline)
    articles = build_articles(pages if pages is not None else served.pages, timeline, updated)
    disallowed: dict[str, list[str]] = {}
    for d in served.drafts:
        disallowed.setdefault(d.site, []).append(d.path)
    return DemoTruth(
        articles=articles,
        sites=doc["sites"],
        disallowed={k: tuple(sorted(v)) for k, v in sorted(disallowed.items())},
        robots_disallow={k: tuple(v) for k, v in doc["robots_disallow"].items()},
        js_rendered=frozenset(doc["js_rendered"]),
        start_time=start_time,
        shift=timeline.shift,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m syndicrawl_tools.demo.truth", description=__doc__.split("\n")[0]
    )
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", action="store_true", help=f"rewrite {TRUTH_FILE}")
    group.add_argument("--check", action="store_true", help=f"exit 1 if {TRUTH_FILE} is stale")
    args = parser.parse_args(argv)
    fresh = dumps(build_truth())
    target = truth_path()
    if args.write:
        target.write_text(fresh, encoding="utf-8")
        print(f"wrote {target}")
        return 0
    current = target.read_text(encoding="utf-8") if target.exists() else ""
    if current != fresh:
        print(
            f"{target} is stale: run python -m syndicrawl_tools.demo.truth --write", file=sys.stderr
        )
        return 1
    print(f"{target} is up to date")
    return 0


__all__ = ["DemoTruth", "TruthArticle", "build_truth", "load_truth", "truth_from_content"]

if __name__ == "__main__":
    raise SystemExit(main())
