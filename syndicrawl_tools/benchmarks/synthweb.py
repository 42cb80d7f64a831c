"""A synthetic news web for benchmarks: every page is a pure function of (seed, site, article number).

Nothing is stored: the server renders a page when asked and the bare-trafilatura baseline renders
the same page again, byte for byte. The text is pseudo-words from our own syllable lists (no copied
text). Four original publishers and two syndicators; about 30% of the articles are republications
of an original's article by a syndicator: the same paragraphs with a credit line, a station promo
at the end and a few edits (a sentence dropped, a paragraph reworded). Pages carry what our stages
read (JSON-LD ``NewsArticle``, OpenGraph, a visible date line) inside the chrome real news pages
carry, sized like real pages.

Discovery is a sitemap index per site listing sitemaps of :data:`SITEMAP_SIZE` articles.

Calibration (KB = 1,000 bytes; real pages from the shared corpora in ``../shared/corpus``,
sizes of the decompressed HTML; nothing of them is copied here). Measured on the 2-core bench machine,
trafilatura 2.3.1 ``extract`` with its defaults, CPU per page (best of 3; runs differ by ~10%):

* real sizes: article-extraction-benchmark (181 pages) p25 68, median 115, p75 201 KB;
  newspaper4k (30) p25 56, median 107, p75 253 KB; fundus (258) p25 139, median 254, p75 419 KB.
* real composition, article-extraction-benchmark pages of 80-200 KB (47): ~830 elements (a 169,
  div 155, li 119, span 59, script 42, meta 33, link 27); attributes 40% of the bytes, inline
  scripts 28%, inline CSS 7%, visible text 7%.
* real cost, its first 120 pages (median 119 KB): median 10.0 ms, mean 10.9 ms; 6.3 ms per 100
  KB. Without trafilatura's escalation cascade (html2txt, a recall retry, jusText; it runs when
  the body found is under 3,000 characters, on 55 of the 120): median 8.1 ms, mean 8.9 ms.
* this web, 300 pages of a 1,500-article web (seed 7): min 53, p5 58, p25 82, median 116, p75
  181, p95 294, max 330 KB; at 80-200 KB ~1,000 elements, attributes 47%, scripts 20%, CSS 7%,
  text 12% (the article bodies are longer than most real ones); median 7.4 ms, mean 8.5 ms, 6.2
  ms per 100 KB: the real pages' cost without the cascade, which its bodies (3,800+ characters
  extracted) never trigger. Real bodies are shorter (ground truth of that corpus: p10 1,011,
  median 3,158, p90 9,101 characters), but bodies drawn that short here made the cascade cost
  ~16 ms a triggered page against ~4 ms on real ones (pseudo-words are no language jusText
  knows), which would flatter every ratio to bare trafilatura: so the bodies stay long. ``render`` ~0.3 ms per page (the article text is most of it).

How: each site has a template weight (:data:`SITE_WEIGHTS`, lean to heavy, as publishers
differ) that sizes its chrome and its median page (``SIZE_MEDIAN * weight``); each article draws
its page size from a log-normal around that median (:data:`SIZE_SIGMA`, truncated to
:data:`SIZE_RANGE`). The chrome is built once per site (:class:`ChromeBuilder`): head metas and
preloads, inline CSS, inline and vendor scripts, an SVG sprite, a masthead with a mega-menu
(and a mobile drawer on heavier sites), ad slots with their scripts, a sidebar, a footer; class
names BEM-like, hashed (CSS-in-JS) or utility lists, by site. Around the article's own paragraphs
(unchanged): article tools, a lead picture, inline ad slots, a "read more" box, a tag list. What
the page's size leaves after the fixed chrome and the article goes to related-story cards, a
comment thread and the page's JSON state, sliced from per-site pools: a page costs its article
text, a few slices and one join.
"""

from __future__ import annotations

import bisect
import itertools
import json
import math
import random
import zlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

from syndicrawl_tools.demo.dates import english_long

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
ARTICLE_CACHE = 1024  # articles kept: the server checks a path, then renders

# Page sizes: per site a template weight (lean to heavy, as publishers differ); per article a
# log-normal around the site's median (SIZE_MEDIAN * weight), truncated to SIZE_RANGE.
SITE_WEIGHTS = (0.55, 0.8, 1.2, 1.8, 0.7, 1.4)  # ORIGINALS then SYNDICATORS
SIZE_MEDIAN = 115_000
SIZE_SIGMA = 0.5
SIZE_RANGE = (45_000, 330_000)
MAX_CARDS = 24
MAX_COMMENTS = 20
CARDS_SHARE = 0.5  # of the room left after the fixed chrome and the article
COMMENTS_SHARE = 0.2  # the rest is the page's JSON state (heavy pages are heavy with script)


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


# --- page chrome ------------------------------------------------------------------------------
# Everything around the article body. Built once per site (:class:`SiteChrome`): pools of related
# cards, comments and JSON-state entries that pages take slices of, plus the fixed head, header,
# sidebar and footer. A page costs a few slices and one join.

CLASS_STYLES = ("bem", "hashed", "utility")  # how the site's templates name their classes
UTILITY_CLASSES = (  # utility-first CSS: spacing steps, type scales, breakpoint variants
    *(
        f"{side}-{step}"
        for side in ("p", "px", "py", "mt", "mb", "gap")
        for step in (0, 1, 2, 4, 6)
    ),
    *(f"text-{size}" for size in ("xs", "sm", "base", "lg", "2xl", "neutral-700", "brand-600")),
    *(f"font-{weight}" for weight in ("normal", "medium", "semibold", "bold")),
    *(f"{bp}:{name}" for bp in ("sm", "md", "lg") for name in ("flex", "hidden", "grid-cols-3")),
    *(f"{name}-{v}" for name in ("rounded", "shadow", "border", "leading") for v in ("sm", "lg")),
    *(f"{name}-full" for name in ("w", "h", "max-w")),
    *(f"line-clamp-{n}" for n in (2, 3, 4)),
)
CSS_PROPERTIES = (
    ("display", ("flex", "grid", "block", "none", "inline-block", "contents")),
    ("align-items", ("center", "flex-start", "baseline", "stretch")),
    ("justify-content", ("space-between", "center", "flex-end")),
    ("gap", ("4px", "8px", "12px", "1rem", "1.5rem")),
    ("padding", ("0", "4px 8px", "8px 16px", "1rem", "0 1.25rem")),
    ("margin", ("0", "0 auto", "1rem 0", "0 0 .5rem")),
    ("font-size", (".75rem", ".875rem", "1rem", "1.125rem", "1.5rem", "2rem")),
    ("font-weight", ("400", "500", "600", "700")),
    ("line-height", ("1.2", "1.35", "1.5", "1.6")),
    ("color", ("var(--ink)", "var(--ink-soft)", "var(--brand)", "#fff", "inherit")),
    ("background", ("var(--paper)", "var(--brand)", "transparent", "var(--tint)")),
    ("border-bottom", ("1px solid var(--rule)", "2px solid var(--brand)", "0")),
    ("position", ("relative", "absolute", "sticky", "static")),
    ("overflow", ("hidden", "visible", "auto")),
    ("transition", ("color .15s ease", "opacity .2s linear", "transform .3s ease-out")),
    ("grid-template-columns", ("repeat(2,minmax(0,1fr))", "repeat(4,minmax(0,1fr))", "1fr 320px")),
    ("max-width", ("100%", "1280px", "72ch", "320px")),
    ("text-transform", ("uppercase", "none")),
    ("letter-spacing", (".02em", "0", "-.01em")),
)
SOCIAL = ("mail", "print", "copy-link", "social-a", "social-b", "social-c", "messenger")
ICONS = ("menu", "close", "search", "account", "chevron", "camera", "comment", "clock", *SOCIAL)


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, d = divmod(n, 36)
        out = digits[d] + out
        if not n:
            return out


class Naming:
    """The class attribute a site's templates give each component ``role`` (stable per site)."""

    def __init__(self, site: str, style: str) -> None:
        self.site, self.style = site, style
        self.prefix = "".join(part[0] for part in site.split("-"))
        self._cache: dict[str, str] = {}

    def __call__(self, role: str) -> str:
        name = self._cache.get(role)
        if name is None:
            h = zlib.crc32(f"{self.site}:{role}".encode())
            if self.style == "bem":
                name = f"{self.prefix}-{role}"
            elif self.style == "hashed":  # CSS-in-JS: a hash and a component label
                name = f"css-{_base36(h)[:6]} e{_base36(h >> 7)[:4]}{h % 10}"
            else:
                r = random.Random(h)
                name = " ".join(r.sample(UTILITY_CLASSES, r.randint(4, 9)))
            self._cache[role] = name
        return name


class Pool:
    """Snippets a page takes ``n`` consecutive of, from any start (wrapping around)."""

    __slots__ = ("items", "mean_chars", "size")

    def __init__(self, items: Sequence[str]) -> None:
        self.size = len(items)
        self.items = (*items, *items)  # doubled: every slice is one tuple slice
        self.mean_chars = sum(map(len, items)) / self.size

    def take(self, r: random.Random, n: int) -> tuple[str, ...]:
        start = r.randrange(self.size)
        return self.items[start : start + min(n, self.size)]

    def count_for(self, chars: float) -> int:
        """How many snippets make about ``chars`` characters."""
        return round(chars / self.mean_chars)


@dataclass(frozen=True, slots=True)
class SiteChrome:
    """One site's page chrome: the fixed parts, the per-article variants and the pools."""

    weight: float  # the site's SITE_WEIGHTS entry
    naming: Naming
    head: str  # site metas, preloads, inline CSS and scripts
    top: str  # sprite, top ad, masthead with the menus, share bar
    aside: str  # sidebar: most read, ads
    foot: str  # newsletter box, footer
    scripts: str  # end-of-body scripts
    tools: str  # article tools (above the lead picture)
    figures: tuple[str, ...]  # lead pictures, one per page by article number
    inline_ads: tuple[str, ...]  # between paragraphs
    inline_related: tuple[str, ...]  # a "read more" box after the sixth paragraph
    tags: tuple[str, ...]  # topic links closing the article
    rail_titles: tuple[str, ...]
    rail_size: int  # cards per related-stories rail
    state_config: str  # JSON, the config part of every page's state
    cards: Pool
    comments: Pool
    feed: Pool  # entries of the page's JSON state

    @property
    def fixed_chars(self) -> int:
        return len(self.head) + len(self.top) + len(self.aside) + len(self.foot) + len(self.scripts)


class ChromeBuilder:
    """Builds one site's :class:`SiteChrome` from a seeded ``rng`` and the web's vocabulary."""

    def __init__(
        self, site: str, publisher: str, style: str, rng: random.Random, vocab: Sequence[str]
    ) -> None:
        self.site, self.pub, self.r, self.vocab = site, escape(publisher), rng, vocab
        self.c = Naming(site, style)
        self.cdn = f"https://cdn.{site}.example"
        self.handle = site.replace("-", "")

    # --- small pieces ---
    def words(self, lo: int, hi: int) -> str:
        return " ".join(self.r.choices(self.vocab[:3000], k=self.r.randint(lo, hi)))

    def headline(self) -> str:
        return self.words(6, 12).capitalize()

    def slug(self) -> str:
        return "-".join(self.r.choices(self.vocab[:3000], k=self.r.randint(4, 7)))

    def story_path(self) -> str:
        r = self.r
        return f"/news/{r.randint(2019, 2026)}/{r.randint(1, 12):02d}/{self.slug()}-{r.randrange(10**6):06d}.html"

    def path_data(self, commands: int) -> str:
        r = self.r
        out = [f"M{r.uniform(0, 24):.2f} {r.uniform(0, 24):.2f}"]
        for _ in range(commands):
            op = r.choice("cclsqhv")
            arity = {"c": 6, "s": 4, "q": 4, "l": 2, "h": 1, "v": 1}[op]
            out.append(op + " ".join(f"{r.uniform(-9, 9):.3f}" for _ in range(arity)))
        return "".join(out) + "z"

    def icon(self, name: str, size: int = 20) -> str:
        return (
            f'<svg class="{self.c("icon")}" width="{size}" height="{size}" aria-hidden="true" '
            f'focusable="false"><use href="#i-{name}"></use></svg>'
        )

    def glyph(self, name: str) -> str:
        """An icon-font icon (cheaper markup than an SVG, as many sites do it)."""
        return f'<i class="{self.c("glyph")} glyph-{name}" aria-hidden="true"></i>'

    def picture(self, alt: str, width: int = 640) -> str:
        r = self.r
        key = f"{r.getrandbits(64):016x}"
        srcset = ", ".join(
            f"{self.cdn}/images/{key[:2]}/{key}/{w}x{w * 9 // 16}.webp?q=75&amp;fit=crop {w}w"
            for w in (320, 480, 640, 960, 1280)
        )
        return (
            f'<picture class="{self.c("media")}"><source type="image/webp" srcset="{srcset}" '
            f'sizes="(max-width: 767px) 100vw, (max-width: 1279px) 50vw, {width // 2}px">'
            f'<img src="{self.cdn}/images/{key[:2]}/{key}/{width}x{width * 9 // 16}.jpg" alt="{alt}" '
            f'width="{width}" height="{width * 9 // 16}" loading="lazy" decoding="async"></picture>'
        )

    def ad_slot(self, name: str) -> str:
        r = self.r
        unit = f"/{r.randint(1000, 99999)}/{self.handle}/article/{name}"
        return (
            f'<div class="{self.c("ad-slot")} ad-slot" id="ad-{name}" data-ad-unit="{unit}" '
            f'data-sizes="[[300,250],[728,90],[970,250]]" data-lazy="true" data-refresh="{r.choice((0, 30, 60))}">'
            f'<div class="{self.c("ad-inner")}"><span class="{self.c("ad-label")}">Advertisement</span></div></div>'
            f'<script>(window.adq=window.adq||[]).push(function(){{adq.slot("{unit}",[[300,250],[728,90]],"ad-{name}")'
            f'.target("pos","{name}").target("site","{self.handle}").lazy({{margin:{r.randint(100, 800)},'
            f"mobile:{r.randint(100, 800)}}}).done()}});</script>"
        )

    # --- code-like text for inline scripts and styles ---
    def script_code(self, statements: int) -> str:
        r, v = self.r, self.vocab
        ident = [
            f"{r.choice('abcdefghjkmnpqrstuvwxyz')}{r.choice(('', '_', '$'))}{r.randint(0, 99)}"
            for _ in range(40)
        ]
        parts = []
        for _ in range(statements):
            a, b, c = r.sample(ident, 3)
            w1, w2, w3 = r.sample(v[:2000], 3)
            n = r.randint(0, 99999)
            parts.append(
                r.choice(
                    (
                        f"var {a}=function({b},{c}){{return {b}&&{b}.{w1}?{b}.{w1}({c}):void 0}};",
                        f"{a}.prototype.{w1}=function({b}){{this.{w2}=({b}||[]).filter(function({c}){{return {c}.{w3}!=null}});return this}};",
                        f'window.{w1}Q=window.{w1}Q||[];{w1}Q.push(["{w2}",{n}]);',
                        f'if(typeof {a}==="function"){{{a}("{w1}-{w2}",{{timeout:{n},retry:{n % 5}}})}}',
                        f'try{{document.documentElement.classList.add("{w1}-ready")}}catch({b}){{console.warn("{w2}",{b})}}',
                        f'{a}.{w1}=Object.assign({{}},{a}.{w1},{{"{w2}":{n},"{w3}":"{w1}.{w2}"}});',
                        f"for(var {b}=0;{b}<{a}.length;{b}++){{{a}[{b}].{w1}&&{c}({a}[{b}],{n % 97})}}",
                    )
                )
            )
        return "(function(){" + "".join(parts) + "})();"

    def json_config(self, keys: int) -> dict[str, Any]:
        r, v = self.r, self.vocab
        out: dict[str, Any] = {}
        for w in r.sample(v, keys):
            kind = r.random()
            if kind < 0.4:
                out[w] = r.randint(0, 99999)
            elif kind < 0.6:
                out[w] = r.random() < 0.5
            elif kind < 0.8:
                out[w] = f"{self.cdn}/{r.choice(v)}/{r.choice(v)}.js?v={r.getrandbits(32):08x}"
            else:
                out[w] = {x: r.randint(0, 999) for x in r.sample(v, r.randint(2, 6))}
        return out

    def css(self, rules: int) -> str:
        r = self.r
        roles = [f"x{k}" for k in range(rules)]
        palette = ";".join(f"--{w}:#{r.getrandbits(24):06x}" for w in r.sample(self.vocab, 24))
        out = [
            f":root{{--ink:#1a1a1a;--ink-soft:#555;--brand:#{r.getrandbits(24):06x};--paper:#fff;"
            f"--tint:#f4f4f2;--rule:#e2e2e2;{palette}}}",
            *(
                f'@font-face{{font-family:"{self.handle} {w}";src:url({self.cdn}/fonts/{w}-{r.getrandbits(32):08x}.woff2) '
                f'format("woff2");font-weight:{wt};font-display:swap}}'
                for w, wt in zip(("serif", "sans", "sans"), (400, 400, 700), strict=True)
            ),
        ]
        for k, role in enumerate(roles):
            sel = "." + self.c(role).split()[0]
            decls = ";".join(
                f"{p}:{r.choice(vals)}" for p, vals in r.sample(CSS_PROPERTIES, r.randint(2, 6))
            )
            rule = f"{sel}{{{decls}}}"
            if k % 7 == 0:
                rule = f"@media (min-width:{r.choice((640, 768, 1024, 1280))}px){{{rule}}}"
            elif k % 5 == 0:
                rule = f"{sel}:hover,{sel}:focus-visible{{{decls}}}"
            out.append(rule)
        return "".join(out)

    # --- the parts of a page ---
    def head(self, style_rules: int, script_statements: int, vendors: int) -> str:
        r, cdn = self.r, self.cdn
        build = f"{r.getrandbits(32):08x}"
        metas = (
            '<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">'
            '<meta name="robots" content="index, follow, max-image-preview:large, max-snippet:-1">'
            f'<meta name="theme-color" content="#{r.getrandbits(24):06x}">'
            '<meta name="twitter:card" content="summary_large_image">'
            f'<meta name="twitter:site" content="@{self.handle}">'
            f'<meta property="fb:app_id" content="{r.randrange(10**15)}">'
            f'<meta name="apple-itunes-app" content="app-id={r.randrange(10**9)}">'
            f'<meta name="msapplication-TileColor" content="#{r.getrandbits(24):06x}">'
            '<meta name="referrer" content="strict-origin-when-cross-origin">'
            '<meta name="format-detection" content="telephone=no">'
            '<meta property="og:locale" content="en_GB">'
            f'<meta property="og:image" content="{cdn}/images/default-share-{r.getrandbits(32):08x}.jpg">'
            '<meta property="og:image:width" content="1200"><meta property="og:image:height" content="675">'
            f'<meta name="twitter:image" content="{cdn}/images/default-share-{r.getrandbits(32):08x}.jpg">'
            f'<meta name="site-verification" content="{r.getrandbits(128):032x}">'
            f'<meta property="fb:pages" content="{r.randrange(10**15)}">'
        )
        links = (
            "".join(
                f'<link rel="preconnect" href="https://{h}.{self.site}.example" crossorigin>'
                for h in ("cdn", "img", "api", "ads", "metrics")
            )
            + "".join(
                f'<link rel="preload" href="{cdn}/fonts/{w}-{r.getrandbits(32):08x}.woff2" as="font" type="font/woff2" crossorigin>'
                for w in ("serif", "sans", "sans-bold")
            )
            + (
                f'<link rel="icon" href="{cdn}/favicon-32.png" sizes="32x32">'
                f'<link rel="icon" href="{cdn}/favicon.svg" type="image/svg+xml">'
                f'<link rel="apple-touch-icon" href="{cdn}/apple-touch-icon-180.png">'
                f'<link rel="manifest" href="/site.webmanifest">'
                f'<link rel="stylesheet" href="{cdn}/assets/main.{build}.css">'
                f'<link rel="stylesheet" href="{cdn}/assets/article.{build}.css" media="print" onload="this.media=\'all\'">'
            )
        )
        config = json.dumps(self.json_config(40), separators=(",", ":"))
        vendor_tags = "".join(
            f'<script async src="https://{w}.{r.choice(("ads", "metrics", "cdn"))}.example/{v}.js?id={r.getrandbits(40):010x}"></script>'
            for w, v in zip(
                r.sample(self.vocab, vendors), r.sample(self.vocab, vendors), strict=True
            )
        )
        return (
            f"{metas}{links}<style>{self.css(style_rules)}</style>"
            f"<script>{self.script_code(script_statements)}</script>"
            f"<script>window.__SITE_CONFIG__={config};</script>{vendor_tags}"
        )

    def sprite(self, weight: float) -> str:
        longest = max(6, round(16 * weight))
        symbols = "".join(
            f'<symbol id="i-{name}" viewBox="0 0 24 24"><path d="{self.path_data(self.r.randint(4, longest))}"></path></symbol>'
            for name in ICONS
        )
        return f'<svg xmlns="http://www.w3.org/2000/svg" style="display:none" aria-hidden="true">{symbols}</svg>'

    def mega_menu(self, columns: int, links: int) -> str:
        c, r = self.c, self.r
        sections = []
        for sec in SECTIONS:
            cols = "".join(
                f'<div class="{c("mega__col")}"><p class="{c("mega__heading")}">{w.capitalize()}</p><ul class="{c("mega__list")}">'
                + "".join(
                    f'<li class="{c("mega__item")}"><a class="{c("mega__link")}" href="/{sec}/{w}/{v}/" '
                    f'data-track="nav|{sec}|{v}">{v.capitalize()}</a></li>'
                    for v in r.sample(self.vocab[:2500], links)
                )
                + "</ul></div>"
                for w in r.sample(self.vocab[:800], columns)
            )
            featured = (
                f'<div class="{c("mega__featured")}"><a href="{self.story_path()}" class="{c("mega__card")}">'
                f'<img src="{self.cdn}/images/menu/{sec}.jpg" alt="" width="160" height="90" loading="lazy"><span class="{c("mega__card-title")}">{self.headline()}</span></a></div>'
            )
            sections.append(
                f'<li class="{c("nav__section")}"><a class="{c("nav__link")}" href="/{sec}/" data-track="nav|{sec}">'
                f'{sec.capitalize()}</a><button class="{c("nav__toggle")}" aria-expanded="false" '
                f'aria-controls="mega-{sec}" aria-label="Open {sec}">{self.glyph("chevron")}</button>'
                f'<div class="{c("mega")}" id="mega-{sec}" hidden><div class="{c("mega__inner")}">{cols}{featured}</div></div></li>'
            )
        return f'<ul class="{c("nav__list")}">{"".join(sections)}</ul>'

    def top(self, columns: int, links: int, *, drawer: bool, weight: float) -> str:
        c, r, pub = self.c, self.r, self.pub
        logo = (
            f'<svg class="{c("logo__mark")}" viewBox="0 0 240 32" role="img" aria-label="{pub}">'
            + "".join(f'<path d="{self.path_data(r.randint(20, 40))}"></path>' for _ in range(2))
            + "</svg>"
        )
        drawer_html = ""
        if drawer:  # the mobile menu: the same sections again, flat
            drawer_html = (
                f'<div class="{c("drawer")}" id="drawer" aria-hidden="true"><div class="{c("drawer__inner")}">'
                + "".join(
                    f'<details class="{c("drawer__group")}"><summary>{sec.capitalize()}</summary><ul>'
                    + "".join(
                        f'<li><a href="/{sec}/{v}/" data-track="drawer|{v}">{v.capitalize()}</a></li>'
                        for v in r.sample(self.vocab[:2500], links)
                    )
                    + "</ul></details>"
                    for sec in SECTIONS
                )
                + "</div></div>"
            )
        return (
            f'<a class="{c("skip")}" href="#main">Skip to content</a>'
            f'<div id="consent-root" data-consent-version="{r.randint(2, 9)}.{r.randint(0, 20)}" data-region="auto"></div>'
            f"{self.sprite(weight)}{self.ad_slot('top')}"
            f'<header class="{c("masthead")}" data-component="masthead"><div class="{c("masthead__bar")}">'
            f'<button class="{c("masthead__menu")}" aria-controls="drawer" aria-label="Menu">{self.icon("menu")}</button>'
            f'<div class="{c("logo")}"><a href="/" aria-label="{pub} home">{logo}<span class="{c("logo__text")}">{pub}</span></a></div>'
            f'<form class="{c("search")}" action="/search" role="search"><label for="q" class="{c("sr-only")}">Search</label>'
            f'<input id="q" name="q" type="search" placeholder="Search {pub}" autocomplete="off">'
            f'<button type="submit" aria-label="Search">{self.icon("search")}</button></form>'
            f'<a class="{c("masthead__account")}" href="/account/" data-track="account">{self.icon("account")}<span>Sign in</span></a>'
            f'<a class="{c("masthead__subscribe")}" href="/subscribe/?ref=masthead" data-track="subscribe">Subscribe</a></div>'
            f'<nav class="{c("nav")}" aria-label="Sections">{self.mega_menu(columns, links)}</nav>{drawer_html}'
            f'<div class="breadcrumbs"><a href="/">Home</a> &rsaquo; <a href="/news/">News</a></div></header>'
            f'<div class="{c("share")}" data-component="share"><ul class="{c("share__list")}">'
            + "".join(
                f'<li class="{c("share__item")}"><a href="/share/{n}" aria-label="Share on {n}" '
                f'data-track="share|{n}" rel="nofollow">{self.icon(n, 16)}</a></li>'
                for n in SOCIAL
            )
            + "</ul></div>"
        )

    def tools(self) -> str:
        c = self.c
        return (
            f'<div class="{c("tools")}" data-component="article-tools"><ul class="{c("tools__list")}">'
            + "".join(
                f'<li class="{c("tools__item")}"><button class="{c("tools__button")}" data-action="{n}" '
                f'aria-label="{n}">{self.glyph(n)}</button></li>'
                for n in ("bookmark", "comment", *SOCIAL[:4])
            )
            + "</ul></div>"
        )

    def figure(self) -> str:
        c = self.c
        return (
            f'<figure class="{c("lead")}" data-component="lead-image"><div class="{c("lead__frame")}">'
            f"{self.picture(self.words(4, 9).capitalize(), 1280)}</div>"
            f'<button class="{c("lead__zoom")}" aria-label="Enlarge">{self.glyph("camera")}</button></figure>'
        )

    def tag_list(self) -> str:
        c = self.c
        return (
            f'<div class="{c("tags")} tags"><ul class="{c("tags__list")}">'
            + "".join(
                f'<li class="{c("tags__item")}"><a href="/topic/{w}/" rel="tag">{w.capitalize()}</a></li>'
                for w in self.r.sample(self.vocab[:1500], self.r.randint(3, 7))
            )
            + "</ul></div>"
        )

    def inline_related(self) -> str:
        c = self.c
        return (
            f'<aside class="{c("inline-related")} related-inline"><p class="{c("inline-related__title")}">Read more</p><ul>'
            + "".join(
                f'<li><a href="{self.story_path()}" data-track="inline-related">{self.headline()}</a></li>'
                for _ in range(3)
            )
            + "</ul></aside>"
        )

    def inline_ad(self, k: int) -> str:
        r = self.r
        return (
            f'<div class="{self.c("ad-slot")} ad-slot" id="ad-inline-{k}" data-ad-unit="/{r.randint(1000, 99999)}/'
            f'{self.handle}/article/inline-{k}" data-sizes="[[300,250],[336,280]]" data-lazy="true">'
            f'<div class="{self.c("ad-inner")}"></div></div>'
        )

    def card(self) -> str:
        c, r = self.c, self.r
        return (
            f'<div class="{c("card")}" data-component="story-card" data-id="{r.getrandbits(40):010x}">'
            f'<a class="{c("card__link")}" href="{self.story_path()}" data-track="rail|card">'
            f'<div class="{c("card__media")}">{self.picture("")}</div>'
            f'<div class="{c("card__body")}"><span class="{c("card__kicker")}">{r.choice(SECTIONS).capitalize()}</span>'
            f'<h3 class="{c("card__title")}">{self.headline()}</h3></div></a>'
            f'<p class="{c("card__teaser")}">{self.words(12, 22).capitalize()}.</p>'
            f'<div class="{c("card__meta")}">{self.glyph("clock")}<span class="{c("card__time")}">{r.randint(1, 59)} min ago</span>'
            f'<a class="{c("card__comments")}" href="#comments">{self.glyph("comment")}{r.randint(0, 400)}</a></div></div>'
        )

    def comment(self) -> str:
        c, r = self.c, self.r
        who = self.words(1, 2).title()
        replies = r.randint(0, 6)
        return (
            f'<li class="{c("comment")}" id="c{r.getrandbits(32):08x}"><div class="{c("comment__head")}">'
            f'<img class="{c("avatar")}" src="{self.cdn}/avatars/{r.getrandbits(48):012x}.png" alt="" width="32" height="32" loading="lazy">'
            f'<span class="{c("comment__who")}">{who}</span><span class="{c("comment__when")}">{r.randint(1, 23)} hours ago</span></div>'
            f'<div class="{c("comment__body")}"><p>{self.words(8, 40).capitalize()}.</p></div>'
            f'<div class="{c("comment__actions")}"><button data-vote="up" aria-label="Like">{r.randint(0, 90)}</button>'
            f'<button data-vote="down" aria-label="Dislike">{r.randint(0, 20)}</button>'
            f'<button class="{c("comment__reply")}">Reply</button>'
            + (
                f'<a href="#replies" class="{c("comment__more")}">{replies} replies</a>'
                if replies
                else ""
            )
            + "</div></li>"
        )

    def feed_entry(self) -> str:
        r = self.r
        return json.dumps(
            {
                "id": f"{r.getrandbits(40):010x}",
                "type": r.choice(("story", "story", "story", "video", "gallery")),
                "headline": self.headline(),
                "url": self.story_path(),
                "section": r.choice(SECTIONS),
                "image": {
                    "src": f"{self.cdn}/images/{r.getrandbits(64):016x}/1200x675.jpg",
                    "width": 1200,
                    "height": 675,
                    "credit": self.words(1, 2).title(),
                },
                "authors": [{"name": self.words(2, 2).title(), "id": r.getrandbits(24)}],
                "summary": self.words(20, 40).capitalize() + ".",
                "tags": r.sample(self.vocab[:3000], r.randint(2, 6)),
                "related": [f"{r.getrandbits(40):010x}" for _ in range(r.randint(2, 6))],
                "premium": r.random() < 0.2,
                "commentCount": r.randint(0, 500),
                "ts": r.randint(1_700_000_000, 1_780_000_000),
            },
            separators=(",", ":"),
        )

    def aside(self, most_read: int) -> str:
        c = self.c
        items = "".join(
            f'<li class="{c("ranked__item")}"><span class="{c("ranked__rank")}">{k}</span>'
            f'<a href="{self.story_path()}" data-track="most-read|{k}">{self.headline()}</a></li>'
            for k in range(1, most_read + 1)
        )
        return (
            f'<aside class="{c("sidebar")}" data-component="sidebar">{self.ad_slot("side")}'
            f'<section class="{c("ranked")}"><h2 class="{c("ranked__title")}">Most read</h2>'
            f'<ol class="{c("ranked__list")}">{items}</ol></section>{self.ad_slot("side-2")}</aside>'
        )

    def foot(self, columns: int, links: int) -> str:
        c, r, pub = self.c, self.r, self.pub
        cols = "".join(
            f'<div class="{c("footer__col")}"><h4 class="{c("footer__heading")}">{w.capitalize()}</h4><ul>'
            + "".join(
                f'<li><a class="{c("footer__link")}" href="/about/{v}/">{v.capitalize()}</a></li>'
                for v in r.sample(self.vocab, links)
            )
            + "</ul></div>"
            for w in r.sample(self.vocab, columns)
        )
        social = "".join(
            f'<a class="{c("footer__social")}" href="https://{n}.example/{self.handle}" aria-label="{pub} on {n}">{self.icon(n)}</a>'
            for n in SOCIAL[3:]
        )
        return (
            f'<div class="newsletter"><p>Get the {pub} briefing every morning in your inbox.</p>'
            f'<form><input type="email" name="email"><button>Sign up</button></form></div>'
            f'<footer class="{c("footer")}" data-component="footer"><div class="{c("footer__grid")}">{cols}</div>'
            f'<div class="{c("footer__social-row")}">{social}</div>'
            f'<p class="{c("footer__legal")}">{self.words(20, 40).capitalize()}.</p>'
            f"<p>&copy; {pub}. All rights reserved.</p></footer>"
        )

    def scripts(self, statements: int) -> str:
        r = self.r
        return (
            f"<script>{self.script_code(statements)}</script>"
            "<script>window.dataLayer=window.dataLayer||[];</script>"
            f'<script src="{self.cdn}/assets/runtime.{r.getrandbits(32):08x}.js" defer></script>'
            f'<script src="{self.cdn}/assets/vendor.{r.getrandbits(32):08x}.js" defer></script>'
            f'<script src="{self.cdn}/assets/article.{r.getrandbits(32):08x}.js" defer></script>'
        )

    def build(self, weight: float) -> SiteChrome:
        """The chrome of a site whose template is ``weight`` times the median one's."""
        r = self.r
        return SiteChrome(
            weight=weight,
            naming=self.c,
            head=self.head(round(70 * weight), round(25 * weight), round(16 * weight)),
            top=self.top(
                1 if weight < 0.75 else 2 if weight < 1.3 else 3,
                max(2, round(4 * weight)),
                drawer=weight >= 1.1,
                weight=weight,
            ),
            aside=self.aside(5 if weight < 1 else 10),
            foot=self.foot(round(4 * weight) + 1, 6),
            scripts=self.scripts(round(30 * weight)),
            tools=self.tools(),
            figures=tuple(self.figure() for _ in range(16)),
            inline_ads=tuple(self.inline_ad(k) for k in range(3)),
            inline_related=tuple(self.inline_related() for _ in range(16)),
            tags=tuple(self.tag_list() for _ in range(16)),
            rail_titles=(
                *(f"More {w}" for w in r.sample(self.vocab[:500], 12)),
                "More stories",
                "Most popular",
                "Editor's picks",
            ),
            rail_size=r.choice((4, 6, 8)),
            state_config=json.dumps(self.json_config(40), separators=(",", ":")),
            cards=Pool([self.card() for _ in range(96)]),
            comments=Pool([self.comment() for _ in range(64)]),
            feed=Pool([self.feed_entry() for _ in range(200)]),
        )


class SyntheticWeb:
    """``n_articles`` articles over six sites; article ``i`` of the web is deterministic in ``seed``.

    ``anchor``: the newest publication time (pages are dated backwards from it, one article every
    few minutes), so every date is in the past of the crawl.
    """

    def __init__(
        self,
        n_articles: int,
        *,
        seed: int = 7,
        anchor: datetime | None = None,
        page_scale: float = 1.0,
    ) -> None:
        if n_articles < 1:
            raise ValueError(f"n_articles must be >= 1, got {n_articles}")
        if not 0.5 <= page_scale <= 4:
            raise ValueError(f"page_scale must be within 0.5..4, got {page_scale}")
        self.n_articles = n_articles
        # Page sizes times this (the chrome stays; cards, comments and page state fill the rest):
        # 1.8 gives about the fundus corpus's median (~250 KB) instead of article-extraction-benchmark's.
        self.page_scale = page_scale
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
        self._chromes: dict[str, SiteChrome] = {}
        # the server looks an article up (path check) and then renders it; copies read their base
        self._recent: OrderedDict[int, Article] = OrderedDict()

    # --- articles ---------------------------------------------------------------------------
    def articles_of(self, site: str) -> list[int]:
        return self._by_site[site]

    def _sentence(self, r: random.Random) -> str:
        # r.choices(vocab, cum_weights=..., k=n) spelled out (same draws, same words), without
        # its per-call checks: sentences are most of the cost of rendering a page
        n, rand, vocab, cum = r.randint(9, 24), r.random, self.vocab, self.cum_weights
        total, hi = cum[-1] + 0.0, len(cum) - 1
        words = [vocab[bisect.bisect(cum, rand() * total, 0, hi)] for _ in range(n)]
        return " ".join(words).capitalize() + r.choice((".", ".", ".", "?", "!"))

    def _paragraph(self, r: random.Random) -> str:
        return " ".join(self._sentence(r) for _ in range(r.randint(2, 5)))

    def article(self, i: int) -> Article:
        """Article ``i`` (the last :data:`ARTICLE_CACHE` are kept)."""
        found = self._recent.get(i)
        if found is None:
            found = self._recent[i] = self._make_article(i)
            if len(self._recent) > ARTICLE_CACHE:
                self._recent.popitem(last=False)
        return found

    def _make_article(self, i: int) -> Article:
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
    def chrome(self, site: str) -> SiteChrome:
        """The site's chrome, built on first use (the same for every page of the site)."""
        built = self._chromes.get(site)
        if built is None:
            s = self.sites.index(site)
            builder = ChromeBuilder(
                site,
                self.publishers[site],
                CLASS_STYLES[s % len(CLASS_STYLES)],
                random.Random(self.seed * 7919 + s),
                self.vocab,
            )
            built = self._chromes[site] = builder.build(SITE_WEIGHTS[s])
        return built

    def target_size(self, r: random.Random, weight: float) -> int:
        """A page size drawn from the site's log-normal (truncated to the real pages' spread)."""
        lo, hi = (round(bound * self.page_scale) for bound in SIZE_RANGE)
        while True:
            size = int(
                r.lognormvariate(math.log(SIZE_MEDIAN * weight * self.page_scale), SIZE_SIGMA)
            )
            if lo <= size <= hi:
                return size

    def render(self, i: int) -> bytes:
        a = self.article(i)
        r = random.Random(self.seed * 31 + i)
        c = self.chrome(a.site)
        n = c.naming
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
        # the paragraphs as they always were; ad slots and a "read more" box between them
        body = "".join(
            f"<p>{escape(p)}</p>"
            + (c.inline_ads[k // 4] if k % 4 == 3 and k < 12 else "")
            + (c.inline_related[i % len(c.inline_related)] if k == 5 else "")
            for k, p in enumerate(a.paragraphs)
        )
        if a.original is not None:
            body += (
                f"<p>Listen to {pub} live every weekday from six, and catch up on every bulletin "
                f"on the {pub} app.</p>"
            )
        head = (
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | {pub}</title>'
            f'<meta property="og:title" content="{title}"><meta property="og:type" content="article">'
            f'<meta property="og:site_name" content="{pub}">'
            f'<meta property="article:published_time" content="{a.published.isoformat(timespec="seconds")}">'
            f'<meta name="author" content="{escape(a.author)}">'
            f'<link rel="canonical" href="{a.path}"><script type="application/ld+json">{jsonld}</script>'
        )
        story = (
            f'<main id="main"><article class="story"><h1>{title}</h1>'
            f'<p class="byline">By {escape(a.author)}</p><p class="dateline">Published {dateline}</p>'
            f"{c.tools}{c.figures[i % len(c.figures)]}"
            f'<div class="story-body">{body}</div>{c.tags[i % len(c.tags)]}</article>'
        )
        # the room the page's size leaves after the fixed parts (and ~2 KB of wrappers around the
        # pooled parts): cards, comments, then the JSON state
        room = self.target_size(r, c.weight) - len(head) - len(story) - c.fixed_chars - 2000
        room = max(room, 0)
        max_cards, max_comments = (round(m * self.page_scale) for m in (MAX_CARDS, MAX_COMMENTS))
        cards = c.cards.take(r, min(max_cards, max(2, c.cards.count_for(room * CARDS_SHARE))))
        comments = c.comments.take(
            r, min(max_comments, c.comments.count_for(room * COMMENTS_SHARE))
        )
        used = sum(map(len, cards)) + sum(map(len, comments))
        feed = c.feed.take(r, max(1, c.feed.count_for(room - used)))
        rails = "".join(
            f'<section class="{n("rail")}" data-rail="{j}"><h2 class="{n("rail__title")}">'
            f"{c.rail_titles[(i + j) % len(c.rail_titles)]}</h2>"
            f'<div class="{n("rail__grid")}">{"".join(cards[j : j + c.rail_size])}</div></section>'
            for j in range(0, len(cards), c.rail_size)
        )
        state = (
            f'{{"page":{{"id":"{i:06d}","site":"{a.site}","type":"article",'
            f'"section":"{SECTIONS[i % len(SECTIONS)]}","headline":{json.dumps(a.title)},'
            f'"path":"{a.path}"}},"feed":[{",".join(feed)}],"config":{c.state_config}}}'
        ).replace("</", "<\\/")  # nothing in a script may close it
        return "".join(
            (
                head,
                c.head,
                "</head><body>",
                c.top,
                story,
                c.aside,
                '<section class="comments" id="comments"><h2>Comments</h2>',
                f'<ol class="{n("comments__list")}">{"".join(comments)}</ol></section>',
                rails,
                '<div class="ad-slot" id="ad-bottom"><div class="ad-inner"></div></div></main>',
                c.foot,
                f'<script id="__STATE__" type="application/json">{state}</script>',
                c.scripts,
                "</body></html>",
            )
        ).encode("utf-8")

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
