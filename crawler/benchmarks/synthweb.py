"""A synthetic news web for benchmarks: every page is a pure function of (seed, site, article number).

Nothing is stored: the server renders a page when asked and the bare-trafilatura baseline renders
the same page again, byte for byte. The text is pseudo-words from our own syllable lists (no copied
text). Four original publishers and two syndicators; about 30% of the articles are republications
of an original's article by a syndicator: the same paragraphs with a credit line, a station promo
at the end and a few edits (a sentence dropped, a paragraph reworded). Pages carry what real news
pages carry and our stages read: JSON-LD ``NewsArticle``, OpenGraph, a visible date line, a big
navigation menu, related links, inline scripts and a footer -- about 45-70 KB of HTML each.

Discovery is a sitemap index per site listing sitemaps of :data:`SITEMAP_SIZE` articles.
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from html import escape
from typing import Any

from crawler.demo.dates import english_long

SYLLABLES = (
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "ta",
    "vo",
    "shi",
    "den",
    "par",
    "gul",
    "ost",
    "ber",
    "fen",
    "iko",
    "zan",
    "mur",
    "tel",
    "qua",
    "rin",
    "sal",
    "dor",
    "pek",
    "wi",
    "han",
    "lus",
)
ORIGINALS = (
    ("north-gazette", "North Gazette"),
    ("harbour-post", "Harbour Post"),
    ("valley-herald", "Valley Herald"),
    ("city-ledger", "City Ledger"),
)
SYNDICATORS = (("wave-radio", "Wave Radio"), ("daily-digest", "Daily Digest"))
SECTIONS = ("politics", "business", "science", "sport", "culture", "local", "health", "weather")
SITEMAP_SIZE = 1000
COPY_SHARE = 0.3


def vocabulary(rng: random.Random, size: int, syllables: Sequence[str] = SYLLABLES) -> list[str]:
    """``size`` made-up words of 1-4 syllables, sorted (deterministic for a seeded ``rng``)."""
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(1, 4))))
    return sorted(words)


@dataclass(frozen=True, slots=True)
class Article:
    site: str
    number: int
    path: str
    title: str
    published: datetime
    paragraphs: tuple[str, ...]
    author: str
    original: tuple[str, int] | None = None  # (site, number) this one republishes


class SyntheticWeb:
    """``n_articles`` articles over six sites; article ``i`` of the web is deterministic in ``seed``.

    ``anchor``: the newest publication time (pages are dated backwards from it, one article every
    few minutes), so every date is in the past of the crawl.
    """

    def __init__(self, n_articles: int, *, seed: int = 7, anchor: datetime | None = None) -> None:
        if n_articles < 1:
            raise ValueError(f"n_articles must be >= 1, got {n_articles}")
        self.n_articles = n_articles
        self.seed = seed
        self.anchor = (anchor or datetime.now(UTC) - timedelta(hours=2)).replace(
            second=0, microsecond=0
        )
        rng = random.Random(seed)
        self.vocab = vocabulary(rng, 6000)
        self.cum_weights = list(
            itertools.accumulate(1.0 / (r + 1) ** 0.8 for r in range(len(self.vocab)))
        )
        self.sites = [name for name, _ in ORIGINALS + SYNDICATORS]
        self.publishers = dict(ORIGINALS + SYNDICATORS)
        # Global article numbers 0..n-1: copies (30%) go to syndicators, the rest round-robin to originals.
        self._by_site: dict[str, list[int]] = {name: [] for name in self.sites}
        self._where: list[tuple[str, int]] = []
        for i in range(n_articles):
            r = random.Random(seed * 1_000_003 + i)
            if i >= 10 and r.random() < COPY_SHARE:
                site = SYNDICATORS[i % len(SYNDICATORS)][0]
            else:
                site = ORIGINALS[i % len(ORIGINALS)][0]
            self._where.append((site, len(self._by_site[site])))
            self._by_site[site].append(i)

    # --- articles ---------------------------------------------------------------------------
    def articles_of(self, site: str) -> list[int]:
        return self._by_site[site]

    def _sentence(self, r: random.Random) -> str:
        words = r.choices(self.vocab, cum_weights=self.cum_weights, k=r.randint(9, 24))
        return " ".join(words).capitalize() + r.choice((".", ".", ".", "?", "!"))

    def _paragraph(self, r: random.Random) -> str:
        return " ".join(self._sentence(r) for _ in range(r.randint(2, 5)))

    def article(self, i: int) -> Article:
        site, _ = self._where[i]
        r = random.Random(self.seed * 1_000_003 + i)
        r.random()  # the draw that chose the site
        published = self.anchor - timedelta(minutes=3 * (self.n_articles - i))
        if site in dict(SYNDICATORS):
            # republish an earlier original published within the last ~2 days of it
            j = i - r.randint(1, min(i, 600))
            while self._where[j][0] not in dict(ORIGINALS):
                j -= 1
            base = self.article(j)
            edited = list(base.paragraphs)
            if len(edited) > 4:
                del edited[r.randrange(1, len(edited) - 1)]  # an edit: one paragraph cut
            k = r.randrange(len(edited))
            edited[k] = edited[k].split(". ", 1)[-1]  # an edit: first sentence dropped
            edited.append(f"Source: {self.publishers[base.site]}")
            return Article(
                site,
                i,
                self._path(site, i, published, base.title),
                base.title,
                min(
                    base.published + timedelta(minutes=r.randint(20, 600)),
                    self.anchor - timedelta(minutes=1),
                ),
                tuple(edited),
                base.author,
                (base.site, j),
            )
        title = " ".join(
            r.choices(self.vocab, cum_weights=self.cum_weights, k=r.randint(5, 9))
        ).capitalize()
        paras = tuple(self._paragraph(r) for _ in range(r.randint(8, 14)))
        author = f"{r.choice(self.vocab).capitalize()} {r.choice(self.vocab).capitalize()}"
        return Article(
            site, i, self._path(site, i, published, title), title, published, paras, author
        )

    @staticmethod
    def _path(site: str, i: int, published: datetime, title: str) -> str:
        slug = "-".join(title.lower().split()[:6])
        return f"/news/{published:%Y/%m}/{slug}-{i:06d}.html"

    def number_of(self, site: str, path: str) -> int | None:
        """The article number served at ``path`` of ``site``, or None (the number ends the path)."""
        stem = path.rsplit("-", 1)[-1]
        if not stem.endswith(".html") or not stem[:-5].isdigit():
            return None
        i = int(stem[:-5])
        if i >= self.n_articles or self._where[i][0] != site or self.article(i).path != path:
            return None
        return i

    # --- pages ------------------------------------------------------------------------------
    @cached_property
    def _chrome(self) -> dict[str, tuple[str, str]]:
        """Per site: (header + nav, related + footer + scripts) -- shared by every page of the site."""
        out = {}
        for s, site in enumerate(self.sites):
            r = random.Random(self.seed * 7919 + s)
            pub = escape(self.publishers[site])
            nav = "".join(
                f'<li class="menu-section"><a href="/{sec}/">{sec.capitalize()}</a><div class="mega"><ul>'
                + "".join(
                    f'<li class="menu-item"><a class="menu-link" href="/{sec}/{w}/"><span>{w.capitalize()}</span></a></li>'
                    for w in r.sample(self.vocab[:1500], 24)
                )
                + "</ul></div></li>"
                for sec in SECTIONS
            )
            script = (
                "var cfg={"
                + ",".join(f'"{w}":{r.randint(0, 99999)}' for w in r.sample(self.vocab, 1500))
                + "};"
            )
            style = "".join(
                f".c-{w}{{margin:{r.randint(0, 9)}px;color:#{r.randint(0, 0xFFFFFF):06x}}}"
                for w in r.sample(self.vocab, 400)
            )
            share = "".join(
                f'<li class="share-{n}"><a href="/share/{n}" aria-label="Share on {n}"><svg width="16" height="16"><path d="M0 0h16v16H0z"/></svg></a></li>'
                for n in ("mail", "print", "copy", "social-a", "social-b", "social-c")
            )
            head = (
                f'<div class="ad-slot" id="ad-top"><div class="ad-inner"></div></div>'
                f'<header class="site-header"><div class="logo"><a href="/">{pub}</a></div>'
                f'<nav class="main-nav"><ul>{nav}</ul></nav>'
                f'<div class="breadcrumbs"><a href="/">Home</a> &rsaquo; <a href="/news/">News</a></div></header>'
                f'<div class="share-bar"><ul>{share}</ul></div>'
            )
            footer_links = "".join(
                f'<div class="footer-col"><h4>{w.capitalize()}</h4><ul>'
                + "".join(
                    f'<li><a href="/about/{v}/">{v.capitalize()}</a></li>'
                    for v in r.sample(self.vocab, 12)
                )
                + "</ul></div>"
                for w in r.sample(self.vocab, 8)
            )
            tail = (
                f'<div class="newsletter"><p>Get the {pub} briefing every morning in your inbox.</p>'
                f'<form><input type="email" name="email"><button>Sign up</button></form></div>'
                f'<footer class="site-footer">{footer_links}<p>&copy; {pub}. All rights reserved.</p></footer>'
                f"<script>{script}</script><script>window.dataLayer=window.dataLayer||[];</script>"
            )
            out[site] = (f"<style>{style}</style>", head + "\0" + tail)
        return out

    def render(self, i: int) -> bytes:
        a = self.article(i)
        r = random.Random(self.seed * 31 + i)
        style, chrome = self._chrome[a.site]
        head, tail = chrome.split("\0")
        pub = escape(self.publishers[a.site])
        title = escape(a.title)
        jsonld = json.dumps(
            {
                "@context": "https://schema.org",
                "@type": "NewsArticle",
                "headline": a.title,
                "datePublished": a.published.isoformat(timespec="seconds"),
                "author": {"@type": "Person", "name": a.author},
                "publisher": {"@type": "Organization", "name": self.publishers[a.site]},
            }
        )
        dateline = english_long(a.published, "UTC")
        body = "".join(f"<p>{escape(p)}</p>" for p in a.paragraphs)
        if a.original is not None:
            body += (
                f"<p>Listen to {pub} live every weekday from six, and catch up on every bulletin "
                f"on the {pub} app.</p>"
            )
        words = r.choices(self.vocab, cum_weights=self.cum_weights, k=600)
        related = "".join(
            f'<div class="card"><a href="/news/{self.anchor:%Y/%m}/{words[k]}-{words[k + 1]}-{r.randrange(10**6):06d}.html">'
            f'<figure><img src="/img/{words[k + 2]}.jpg" alt="" loading="lazy"></figure>'
            f"<h3>{' '.join(words[k + 3 : k + 10]).capitalize()}</h3></a>"
            f'<p class="teaser">{" ".join(words[k + 10 : k + 22]).capitalize()}.</p>'
            f'<span class="time">{r.randint(1, 59)} min ago</span></div>'
            for k in range(0, 24 * 24, 24)
        )
        comments = "".join(
            f'<li class="comment"><div class="comment-meta"><span class="who">{words[k].capitalize()}</span>'
            f'<span class="when">{r.randint(1, 23)} hours ago</span></div>'
            f'<div class="comment-body"><p>{" ".join(words[k + 1 : k + 16]).capitalize()}.</p></div>'
            f'<div class="votes"><button>Up</button><button>Down</button></div></li>'
            for k in range(0, 12 * 40, 40)
        )
        html = (
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | {pub}</title>'
            f'<meta property="og:title" content="{title}"><meta property="og:type" content="article">'
            f'<meta property="og:site_name" content="{pub}">'
            f'<meta property="article:published_time" content="{a.published.isoformat(timespec="seconds")}">'
            f'<meta name="author" content="{escape(a.author)}">'
            f'<link rel="canonical" href="{a.path}"><script type="application/ld+json">{jsonld}</script>'
            f'{style}</head><body>{head}<main><article class="story"><h1>{title}</h1>'
            f'<p class="byline">By {escape(a.author)}</p><p class="dateline">Published {dateline}</p>'
            f'<div class="story-body">{body}</div></article>'
            f'<section class="comments"><h2>Comments</h2><ol>{comments}</ol></section>'
            f'<aside class="related"><h2>More stories</h2><div class="cards">{related}</div></aside>'
            f'<div class="ad-slot" id="ad-bottom"><div class="ad-inner"></div></div></main>{tail}</body></html>'
        )
        return html.encode("utf-8")

    # --- discovery documents ----------------------------------------------------------------
    def sitemap_index(self, site: str, base_url: str) -> bytes:
        n = len(self._by_site[site])
        entries = "".join(
            f"<sitemap><loc>{base_url}sitemaps/sitemap-{k}.xml</loc></sitemap>"
            for k in range((n + SITEMAP_SIZE - 1) // SITEMAP_SIZE)
        )
        return (
            f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{entries}</sitemapindex>"
        ).encode()

    def sitemap(self, site: str, base_url: str, k: int) -> bytes | None:
        numbers = self._by_site[site][k * SITEMAP_SIZE : (k + 1) * SITEMAP_SIZE]
        if not numbers and k:
            return None
        rows = []
        for i in numbers:
            a = self.article(i)
            rows.append(
                f"<url><loc>{base_url}{a.path.lstrip('/')}</loc>"
                f"<lastmod>{a.published.isoformat(timespec='seconds')}</lastmod></url>"
            )
        return (
            f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{''.join(rows)}</urlset>"
        ).encode()

    def site_config(
        self, site: str, base_url: str, *, concurrency: int = 16, budget: int | None = None
    ) -> dict[str, Any]:
        """The site's registry entry (``crawler.registry.parse_site`` input)."""
        host = base_url.split("//", 1)[1].split("/", 1)[0].split(":")[0]
        return {
            "name": site,
            "publisher": self.publishers[site],
            "role": "original" if site in dict(ORIGINALS) else "syndicator",
            "base_url": base_url,
            "domains": [host],
            "start": {"sitemaps": ["/sitemap_index.xml"]},
            "article_url_pattern": r"/news/\d{4}/\d{2}/[a-z-]+-\d{6}\.html$",
            "language": "en",
            "timezone": "UTC",
            "boilerplate": {"selectors": [".newsletter", ".breadcrumbs"]},
            "credit_patterns": [r"^Source:\s*(?P<source>.+)$"],
            "politeness": {"concurrency": concurrency, "delay": 0},
            "request_budget": budget or (len(self._by_site[site]) + 1000),
        }
