"""The shared corpora's real pages as a servable web: one site per sub-corpus.

A corpus folder (default ``../shared/corpus``) holds up to three sub-corpora
(:data:`~syndicrawl_tools.evaluation.extraction.BODY_CORPORA`); each one found becomes a site named
after it, its pages read by the evaluation's own loaders
(:data:`~syndicrawl_tools.evaluation.extraction.BODY_LOADERS`), served at
``/articles/<nnnn>-<slug>.html`` (the site's ``article_url_pattern``), listed by ``/sitemap.xml``
with a lastmod each (minutes apart, backwards from ``anchor``: every page in the crawl's past), and
``/robots.txt``. Page bytes are the loaded HTML encoded as UTF-8 and served with
``charset=utf-8``: the loaders decode each file once, so the bytes must say which encoding they
are in now, whatever the page's own ``<meta charset>`` said.

Served by :mod:`syndicrawl_tools.benchmarks.server` (``--corpus PATH``); the bench crawls it once
(``report["real_pages"]`` of :func:`syndicrawl_tools.benchmarks.pipeline.run_bench`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

from syndicrawl_tools.evaluation.extraction import BODY_CORPORA, BODY_FILES, BODY_LOADERS

ARTICLE_URL_PATTERN = r"/articles/\d{4}-[a-z0-9-]*\.html$"
SITEMAP_PATH = "/sitemap.xml"
HTML_TYPE = "text/html; charset=utf-8"
XML_TYPE = "application/xml; charset=utf-8"
_SLUG = re.compile(r"[^a-z0-9]+")


def found_corpora(folder: Path) -> tuple[list[str], str | None]:
    """The sub-corpora present in ``folder`` (their loader's index file there), or why none is."""
    if not folder.is_dir():
        return [], f"no corpus folder at {folder}"
    found = [name for name in BODY_CORPORA if (folder / name / BODY_FILES[name]).exists()]
    if not found:
        return [], f"none of {', '.join(BODY_CORPORA)} in {folder}"
    return found, None


@dataclass(frozen=True, slots=True)
class CorpusPage:
    path: str
    """Where the site serves it (matches :data:`ARTICLE_URL_PATTERN`)."""
    source: str
    """The page's id in its corpus (the loader's ``BodyPage.id``)."""
    lastmod: datetime
    body: bytes
    """The page's HTML, UTF-8."""


def page_path(k: int, page_id: str) -> str:
    slug = _SLUG.sub("-", page_id.lower().removesuffix(".html.gz")).strip("-")[:60]
    return f"/articles/{k:04d}-{slug}.html"


class CorpusWeb:
    """The sub-corpora of ``folder`` as sites (every page loaded once, kept as bytes)."""

    def __init__(
        self, folder: Path, *, anchor: datetime | None = None, per_site: int | None = None
    ) -> None:
        """``per_site``: only each sub-corpus's first pages (the bench's start-up crawl)."""
        self.folder = folder
        self.anchor = (anchor or datetime.now(UTC) - timedelta(hours=2)).replace(
            second=0, microsecond=0
        )
        names, problem = found_corpora(folder)
        if problem:
            raise FileNotFoundError(problem)
        self.pages: dict[str, list[CorpusPage]] = {}
        for name in names:
            loaded = BODY_LOADERS[name](folder / name)[:per_site]
            self.pages[name] = [
                CorpusPage(
                    page_path(k, page.id),
                    page.id,
                    self.anchor - timedelta(minutes=len(loaded) - k),
                    page.html.encode("utf-8"),
                )
                for k, page in enumerate(loaded)
            ]
        self.sites = [name for name in names if self.pages[name]]
        if not self.sites:
            raise FileNotFoundError(f"no page in {', '.join(names)} of {folder}")

    @property
    def n_pages(self) -> int:
        return sum(len(self.pages[site]) for site in self.sites)

    def documents(self, site: str, base_url: str) -> dict[str, tuple[bytes, str]]:
        """Every document of ``site`` at ``base_url``: {path: (body, content type)}."""
        docs = {page.path: (page.body, HTML_TYPE) for page in self.pages[site]}
        docs["/robots.txt"] = (
            f"User-agent: *\nAllow: /\nSitemap: {base_url}{SITEMAP_PATH.lstrip('/')}\n".encode(),
            "text/plain; charset=utf-8",
        )
        docs[SITEMAP_PATH] = (self.sitemap(site, base_url), XML_TYPE)
        return docs

    def sitemap(self, site: str, base_url: str) -> bytes:
        rows = "".join(
            f"<url><loc>{escape(base_url + page.path.lstrip('/'))}</loc>"
            f"<lastmod>{page.lastmod.isoformat(timespec='seconds')}</lastmod></url>"
            for page in self.pages[site]
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>'
        ).encode()

    def site_config(
        self, site: str, base_url: str, *, concurrency: int = 16, budget: int | None = None
    ) -> dict[str, Any]:
        """The site's registry entry (``crawler.registry.parse_site`` input). No ``language``:
        the sub-corpora are multilingual, so the pipeline reads each page's own."""
        host = base_url.split("//", 1)[1].split("/", 1)[0].split(":")[0]
        return {
            "name": site,
            "publisher": site,
            "role": "original",
            "base_url": base_url,
            "domains": [host],
            "start": {"sitemaps": [SITEMAP_PATH]},
            "article_url_pattern": ARTICLE_URL_PATTERN,
            "timezone": "UTC",
            "politeness": {"concurrency": concurrency, "delay": 0},
            "request_budget": budget or (len(self.pages[site]) + 100),
        }
