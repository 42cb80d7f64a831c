"""The demo web's ground truth: what a perfect crawl of it must produce.

``crawler/demo/data/truth.json`` is generated from the content files by this module and committed;
a test checks the committed file equals a fresh build. Regenerate it after editing the content::

    python -m crawler.demo.truth --write     # rewrite truth.json
    python -m crawler.demo.truth --check     # exit 1 if truth.json is stale

Relative dates ("5 hours ago") cannot be fixed in a file: such articles carry
``relative_age_seconds`` and ``published_at: null``, and :func:`load_truth` resolves them against
the demo server's start time.
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

from crawler.demo.content import DemoContent, Page, data_dir, load_content
from crawler.demo.site import JS_SITES, LAYOUTS

TRUTH_FILE = "truth.json"
TRUTH_VERSION = 1


@dataclass(frozen=True, slots=True)
class TruthArticle:
    """One article the crawl must export, with its expected fields."""

    site: str
    path: str
    title: str
    authors: tuple[str, ...]
    published_at: (
        str | None
    )  # UTC ISO 8601 with +00:00; None only before relative dates are resolved
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
    relative_age_seconds: int | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.site, self.path)

    def url(self, base_urls: Mapping[str, str]) -> str:
        return urljoin(base_urls[self.site], self.path)

    def published_datetime(self) -> datetime | None:
        return datetime.fromisoformat(self.published_at) if self.published_at else None


@dataclass(frozen=True, slots=True)
class DemoTruth:
    articles: tuple[TruthArticle, ...]
    sites: dict[str, dict[str, Any]]  # name -> publisher, language, role, js_rendered
    disallowed: dict[str, tuple[str, ...]]  # linked pages behind robots.txt: must never be fetched
    robots_disallow: dict[str, tuple[str, ...]]  # the Disallow prefixes of each robots.txt
    js_rendered: frozenset[str]
    start_time: datetime | None = None

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


def _iso(dt: datetime | None) -> str | None:
    return dt.astimezone(UTC).isoformat(timespec="seconds") if dt else None


def _precision(page: Page) -> str:
    if page.relative_age is None:
        return "minute"
    return "hour" if page.relative_age < timedelta(days=1) else "day"


def build_articles(
    pages: Iterable[Page],
    start_time: datetime | None = None,
    updated: Mapping[tuple[str, str], datetime] | None = None,
) -> tuple[TruthArticle, ...]:
    """Truth records of ``pages``. Without ``start_time`` relative dates stay unresolved (None)."""
    pages = list(pages)
    copied = {p.original for p in pages if p.original}
    out = []
    for p in pages:
        status = (
            "republication" if p.kind == "copy" else ("original" if p.key in copied else "unique")
        )
        when = (
            p.published
            if p.relative_age is None or start_time is None
            else p.published_at(start_time)
        )
        out.append(
            TruthArticle(
                site=p.site,
                path=p.path,
                title=p.title,
                authors=p.authors,
                published_at=_iso(when),
                updated_at=_iso((updated or {}).get(p.key) or p.updated),
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
                relative_age_seconds=int(p.relative_age.total_seconds())
                if p.relative_age
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
    disallowed: dict[str, list[str]] = {}
    for d in content.drafts:
        disallowed.setdefault(d.site, []).append(d.path)
    return {
        "version": TRUTH_VERSION,
        "generated_by": "python -m crawler.demo.truth --write (do not edit by hand)",
        "sites": _sites(content),
        "js_rendered": sorted(JS_SITES),
        "disallowed": {k: sorted(v) for k, v in sorted(disallowed.items())},
        "robots_disallow": {k: list(v.disallow) for k, v in sorted(LAYOUTS.items())},
        "articles": articles,
    }


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def truth_path() -> Path:
    return data_dir() / TRUTH_FILE


def _ref(value: Any) -> tuple[str, str] | None:
    return (value["site"], value["path"]) if value else None


def load_truth(start_time: datetime | None = None, path: Path | None = None) -> DemoTruth:
    """The committed truth; relative dates are resolved against ``start_time`` (default: now, UTC)."""
    doc = json.loads((path or truth_path()).read_text(encoding="utf-8"))
    if doc.get("version") != TRUTH_VERSION:
        raise ValueError(
            f"{path or truth_path()}: truth version {doc.get('version')!r}, expected {TRUTH_VERSION}"
        )
    base = start_time or datetime.now(UTC)
    articles = []
    for r in doc["articles"]:
        age = r.get("relative_age_seconds")
        published = r["published_at"]
        if published is None and age is not None:
            published = _iso(base - timedelta(seconds=age))
        articles.append(
            TruthArticle(
                site=r["site"],
                path=r["path"],
                title=r["title"],
                authors=tuple(r["authors"]),
                published_at=published,
                updated_at=r["updated_at"],
                date_precision=r["date_precision"],
                language=r["language"],
                text=r["text"],
                status=r["status"],
                original=_ref(r["original"]),
                credited_source=r["credited_source"],
                copy_kind=r["copy_kind"],
                story=r["story"],
                event=r["event"],
                kind=r["kind"],
                canonical=_ref(r["canonical"]),
                relative_age_seconds=age,
            )
        )
    return DemoTruth(
        articles=tuple(articles),
        sites=doc["sites"],
        disallowed={k: tuple(v) for k, v in doc["disallowed"].items()},
        robots_disallow={k: tuple(v) for k, v in doc["robots_disallow"].items()},
        js_rendered=frozenset(doc["js_rendered"]),
        start_time=start_time,
    )


def truth_from_content(
    content: DemoContent,
    start_time: datetime,
    updated: Mapping[tuple[str, str], datetime] | None = None,
    pages: Iterable[Page] | None = None,
) -> DemoTruth:
    """A :class:`DemoTruth` built live (used by the server to include mutations)."""
    doc = build_truth(content)
    articles = build_articles(pages if pages is not None else content.pages, start_time, updated)
    return DemoTruth(
        articles=articles,
        sites=doc["sites"],
        disallowed={k: tuple(v) for k, v in doc["disallowed"].items()},
        robots_disallow={k: tuple(v) for k, v in doc["robots_disallow"].items()},
        js_rendered=frozenset(doc["js_rendered"]),
        start_time=start_time,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m crawler.demo.truth", description=__doc__.split("\n")[0]
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
        print(f"{target} is stale: run python -m crawler.demo.truth --write", file=sys.stderr)
        return 1
    print(f"{target} is up to date")
    return 0


__all__ = ["DemoTruth", "TruthArticle", "build_truth", "load_truth", "truth_from_content"]

if __name__ == "__main__":
    raise SystemExit(main())
