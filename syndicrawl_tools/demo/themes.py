"""Per-site HTML templates of the demo web: each site has its own chrome, markup and date style.

:class:`Theme` assembles a page (head, header, main, footer, cookie banner); one subclass per site
overrides the parts that differ. Date forms by site:

- meridian-wire: JSON-LD ``NewsArticle`` (``datePublished``/``dateModified``) + a visible UTC stamp
- harbor-times: ``<meta property="article:published_time">`` with offset + a visible day
- el-faro: Spanish visible text only (``Publicado el domingo, 8 de marzo de 2026, 20:15 h``)
- valley-ledger: JSON-LD; the body is written by an inline script
- kestrel-fm: visible text only (``Published 9 March 2026, 10:15``, Europe/London)
- newsdeck: relative (``5 hours ago``) for some copies, JSON-LD + ``dd/mm/yyyy`` for others
- riverton-courier: ``article:published_time`` + ``Monday 9 March 2026 11:15am``
"""

from __future__ import annotations

import json
from typing import ClassVar

from syndicrawl_tools.demo import dates
from syndicrawl_tools.demo.render import ArticleView, Link, ListingView, esc

AD_NETWORK = "http://ads.demo.invalid"


def _json_ld(data: dict[str, object]) -> str:
    text = json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{text}\n</script>'


def _paragraphs(v: ArticleView) -> str:
    out = []
    for css, text in v.blocks:
        if css == "credit":
            out.append(f'<p class="credit"><em>{esc(text)}</em></p>')
        elif css:
            out.append(f'<p class="{css}">{esc(text)}</p>')
        else:
            out.append(f"<p>{esc(text)}</p>")
    return "\n".join(out)


def _first_sentence(v: ArticleView) -> str:
    first = v.page.paragraphs[0]
    return first.split(". ")[0].rstrip(".") + "."


def _ad(slot: str, size: str = "300x250", label: str = "Advertisement") -> str:
    return (
        f'<div class="ad ad-{slot}" data-slot="{slot}" data-size="{size}">'
        f'<span class="ad-label">{label}</span>'
        f'<a href="{AD_NETWORK}/click?slot={slot}" rel="nofollow sponsored">'
        f'<img src="{AD_NETWORK}/creative/{slot}.png" width="{size.split("x")[0]}" '
        f'height="{size.split("x")[1]}" alt=""></a></div>'
    )


def _related(links: tuple[Link, ...], heading: str, css: str = "related") -> str:
    items = "\n".join(
        f'<li><a href="{esc(link.url)}">{esc(link.title)}</a>'
        + (f' <span class="meta">{esc(link.meta)}</span>' if link.meta else "")
        + "</li>"
        for link in links
    )
    return f'<section class="{css}"><h2>{esc(heading)}</h2><ul>\n{items}\n</ul></section>'


def _byline(authors: tuple[str, ...], word: str = "By", joiner: str = "and") -> str:
    names = [f'<span class="author" itemprop="author">{esc(a)}</span>' for a in authors]
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {joiner} " + names[-1]
    return f'<div class="byline">{word} {joined}</div>'


class Theme:
    """Page skeleton; subclasses fill in the site-specific parts."""

    css: ClassVar[str] = ""
    nav_extra: ClassVar[tuple[str, ...]] = ()
    footer_groups: ClassVar[dict[str, tuple[str, ...]]] = {}
    cookie_text: ClassVar[str] = (
        "We use cookies to improve your experience and to show relevant advertising."
    )
    cookie_buttons: ClassVar[tuple[str, str]] = ("Accept all", "Manage choices")
    lang: ClassVar[str] = "en"
    next_label: ClassVar[str] = "Next page"
    prev_label: ClassVar[str] = "Previous page"
    related_heading: ClassVar[str] = "Related stories"

    # -- whole pages ---------------------------------------------------------------------
    def article(self, v: ArticleView) -> str:
        title = f"{v.page.title} | {v.site.publisher}"
        return self._document(title, self.head_article(v), self.article_main(v), v.site.name)

    def listing(self, lv: ListingView) -> str:
        title = f"{lv.title} | {lv.site.publisher}" + (
            f" - page {lv.page_no}" if lv.page_no > 1 else ""
        )
        head = f'<meta name="robots" content="index,follow">\n<link rel="canonical" href="{esc(lv.url)}">'
        return self._document(title, head, self.listing_main(lv), lv.site.name)

    def _document(self, title: str, head: str, main: str, site: str) -> str:
        return (
            f'<!DOCTYPE html>\n<html lang="{self.lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(title)}</title>\n{head}\n<style>{self.css}</style>\n</head>\n"
            f'<body class="site-{site}">\n{self.header()}\n{main}\n{self.footer()}\n{self.cookie()}\n</body>\n</html>\n'
        )

    # -- parts ---------------------------------------------------------------------------
    def head_article(self, v: ArticleView) -> str:
        parts = [
            f'<meta name="description" content="{esc(_first_sentence(v)) if not v.broken else ""}">',
            '<meta property="og:type" content="article">',
            f'<meta property="og:title" content="{esc(v.page.title)}">',
            f'<meta property="og:site_name" content="{esc(v.site.publisher)}">',
            f'<meta property="og:url" content="{esc(v.canonical_url or v.url)}">',
        ]
        if v.canonical_url:
            parts.append(f'<link rel="canonical" href="{esc(v.canonical_url)}">')
        return "\n".join(parts)

    def nav(self) -> str:
        links = "".join(
            f'<li><a href="/section/{esc(s.lower().replace(" ", "-"))}/">{esc(s)}</a></li>'
            for s in (*self.site_sections, *self.nav_extra)
        )
        return f'<nav class="main-nav" aria-label="Sections"><ul>{links}</ul></nav>'

    site_sections: tuple[str, ...] = ()
    site_name: str = ""
    tagline: str = ""

    def header(self) -> str:
        return (
            f'<header class="site-header"><a class="logo" href="/">{esc(self.site_name)}</a>'
            f'<p class="tagline">{esc(self.tagline)}</p>{self.nav()}</header>'
        )

    def footer(self) -> str:
        groups = "".join(
            f'<div class="footer-col"><h3>{esc(name)}</h3><ul>'
            + "".join(
                f'<li><a href="/about/{esc(item.lower().replace(" ", "-"))}/">{esc(item)}</a></li>'
                for item in items
            )
            + "</ul></div>"
            for name, items in self.footer_groups.items()
        )
        return (
            f'<footer class="site-footer">{groups}<p class="copyright">&copy; {esc(self.site_name)}. '
            "All rights reserved. Fictional demo site.</p></footer>"
        )

    def cookie(self) -> str:
        yes, more = self.cookie_buttons
        return (
            f'<div class="cookie-banner" role="dialog" aria-live="polite"><p>{esc(self.cookie_text)} '
            f'<a href="/about/privacy/">Privacy</a></p><button class="accept">{esc(yes)}</button>'
            f'<button class="manage">{esc(more)}</button></div>'
        )

    def listing_card(self, link: Link) -> str:
        return (
            f'<article class="card"><h2><a href="{esc(link.url)}">{esc(link.title)}</a></h2>'
            f'<p class="meta">{esc(link.meta)}</p><p class="summary">{esc(link.summary)}</p></article>'
        )

    def pagination(self, lv: ListingView) -> str:
        parts = []
        if lv.prev_url:
            parts.append(
                f'<a class="prev" rel="prev" href="{esc(lv.prev_url)}">{esc(self.prev_label)}</a>'
            )
        parts.append(f'<span class="page-count">{lv.page_no} / {lv.pages}</span>')
        if lv.next_url:
            parts.append(
                f'<a class="next" rel="next" href="{esc(lv.next_url)}">{esc(self.next_label)}</a>'
            )
        return f'<nav class="pagination">{"".join(parts)}</nav>'

    def listing_main(self, lv: ListingView) -> str:
        cards = "\n".join(self.listing_card(link) for link in lv.items)
        return (
            f'<main class="listing"><h1>{esc(lv.title)}</h1>\n<div class="cards">\n{cards}\n</div>\n'
            f"{self.pagination(lv)}\n{_ad('listing-leaderboard', '728x90')}</main>"
        )

    def article_main(self, v: ArticleView) -> str:  # pragma: no cover - every theme overrides it
        raise NotImplementedError


class MeridianWire(Theme):
    css = (
        "body{font-family:Georgia,serif;margin:0;color:#111}.ticker{background:#0b2545;color:#fff;font:12px sans-serif;"
        "padding:4px 12px}.site-header{border-bottom:4px solid #0b2545;padding:12px}.logo{font:700 28px/1 sans-serif;"
        "letter-spacing:.2em;color:#0b2545;text-decoration:none}.main-nav ul{display:flex;gap:14px;list-style:none;"
        "padding:0}.mw-grid{display:grid;grid-template-columns:2fr 1fr;gap:32px;max-width:1100px;margin:auto}"
        ".kicker{text-transform:uppercase;color:#8d0801;font:700 12px sans-serif}.headline{font-size:34px}"
        ".timestamp{color:#555;font:13px sans-serif}.story-body p{font-size:18px;line-height:1.6}"
        ".licensing{border:1px solid #ccc;padding:8px;font:13px sans-serif}.rail .related li{margin:8px 0}"
        ".site-footer{background:#eee;padding:24px;display:flex;flex-wrap:wrap;gap:40px}"
        ".cookie-banner{position:fixed;bottom:0;left:0;right:0;background:#222;color:#fff;padding:12px}"
    )
    nav_extra = ("Markets", "Weather", "Photos", "Video")
    footer_groups: ClassVar[dict[str, tuple[str, ...]]] = {
        "Meridian Wire": ("About us", "Editorial standards", "Corrections", "Careers", "Contact"),
        "For newsrooms": (
            "Subscribe to the wire",
            "Photo service",
            "Licensing",
            "Client login",
            "API status",
        ),
        "Legal": ("Terms of use", "Privacy", "Cookie settings", "Accessibility"),
    }

    def header(self) -> str:
        return (
            '<div class="ticker">Markets: Valley Index 1,284.5 (+0.4%) &middot; Weather: showers, 9&deg;C &middot; '
            "Tides: Port Alder high water 14:12</div>"
            + super().header()
            + '<a class="client-login" href="/about/client-login/">Client login</a>'
        )

    def head_article(self, v: ArticleView) -> str:
        data: dict[str, object] = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": v.page.title,
            "mainEntityOfPage": v.url,
            "author": [{"@type": "Person", "name": a} for a in v.page.authors],
            "publisher": {"@type": "Organization", "name": v.site.publisher},
            "articleSection": v.page.section,
            "inLanguage": v.site.language,
        }
        if not v.broken:
            data["datePublished"] = dates.iso_utc(v.published).replace("+00:00", "Z")
            data["dateModified"] = dates.iso_utc(v.updated or v.published).replace("+00:00", "Z")
        return super().head_article(v) + "\n" + _json_ld(data)

    def article_main(self, v: ArticleView) -> str:
        stamp = ""
        if not v.broken:
            stamp = f'<div class="timestamp">{esc(dates.english_short(v.published, "UTC"))}'
            if v.updated:
                stamp += f" &middot; Updated {esc(dates.english_short(v.updated, 'UTC'))}"
            stamp += "</div>"
        return (
            '<main class="mw-grid"><article class="story">'
            f'<div class="kicker">{esc(v.page.section)}</div><h1 class="headline">{esc(v.page.title)}</h1>'
            f"{_byline(v.page.authors)}{stamp}"
            f'<div class="story-body">\n{_paragraphs(v)}\n</div>'
            '<div class="story-tags">Filed under: <a href="/section/regional/">Regional</a> '
            '<a href="/section/transport/">Transport</a></div>'
            '<div class="licensing">Newsrooms: this story is available to Meridian Wire subscribers. '
            '<a href="/about/licensing/">License this story</a></div></article>'
            f'<aside class="rail">{_related(v.related, "Most read on the wire")}{_ad("rail-1")}'
            '<div class="wire-status">Wire status: all feeds operating normally.</div></aside></main>'
        )

    def listing_card(self, link: Link) -> str:
        return (
            f'<article class="story-card"><h3><a href="{esc(link.url)}">{esc(link.title)}</a></h3>'
            f'<span class="stamp">{esc(link.meta)}</span><p>{esc(link.summary)}</p></article>'
        )


class HarborTimes(Theme):
    css = (
        "body{font-family:'Times New Roman',serif;background:#fdfaf3;margin:0}.site-header{text-align:center;"
        "padding:18px;border-bottom:double 6px #333}.logo{font:italic 700 44px serif;color:#222;text-decoration:none}"
        ".tagline{font-style:italic}.main-nav ul{list-style:none;display:flex;justify-content:center;gap:20px}"
        ".ht-wrap{max-width:960px;margin:auto;display:flex;gap:30px}.ht-article h1{font-size:38px}"
        ".dateline{font-variant:small-caps;color:#666}.article-text p{font-size:19px;line-height:1.7}"
        ".subscribe-box{background:#1d3557;color:#fff;padding:16px}.weather{border:1px solid #aaa;padding:8px}"
        ".site-footer{border-top:double 6px #333;padding:20px;display:flex;gap:30px}"
        ".cookie-banner{position:fixed;top:0;width:100%;background:#ffd;border-bottom:1px solid #cc9}"
    )
    nav_extra = ("Notices", "Puzzles", "E-paper")
    footer_groups: ClassVar[dict[str, tuple[str, ...]]] = {
        "The paper": (
            "About the Harbor Times",
            "Contact the newsroom",
            "Letters to the editor",
            "Archive",
        ),
        "Subscribe": ("Home delivery", "Digital edition", "Gift subscriptions", "Manage account"),
        "Advertise": ("Display advertising", "Classifieds", "Family notices"),
    }
    cookie_buttons = ("OK", "Cookie settings")

    def head_article(self, v: ArticleView) -> str:
        parts = [
            super().head_article(v),
            *(f'<meta name="author" content="{esc(a)}">' for a in v.page.authors),
        ]
        if not v.broken:
            parts.append(
                f'<meta property="article:published_time" content="{dates.iso(v.published, v.site.timezone)}">'
            )
            if v.updated:
                parts.append(
                    f'<meta property="article:modified_time" content="{dates.iso(v.updated, v.site.timezone)}">'
                )
        parts.append(f'<meta property="article:section" content="{esc(v.page.section)}">')
        return "\n".join(parts)

    def article_main(self, v: ArticleView) -> str:
        day = ""
        if not v.broken:
            d = dates.local(v.published, v.site.timezone)
            day = f'<p class="dateline">{dates.EN_DAYS[d.weekday()]} {d.day} {dates.EN_MONTHS[d.month - 1]} {d.year}</p>'
        return (
            '<div class="ht-wrap"><main class="ht-article"><nav class="breadcrumbs"><a href="/">Home</a> &rsaquo; '
            f'<a href="/news/">News</a> &rsaquo; {esc(v.page.section)}</nav>'
            f"<h1>{esc(v.page.title)}</h1>{_byline(v.page.authors)}{day}"
            f'<div class="article-text">\n{_paragraphs(v)}\n</div>'
            '<div class="subscribe-box"><strong>Support local journalism.</strong> Subscribe to the Harbor Times '
            'from 3 crowns a week. <a href="/about/digital-edition/">Subscribe</a></div>'
            f'<div class="comments-closed">Comments are closed on this story.</div></main>'
            f'<aside class="sidebar"><div class="weather">Port Alder: fresh westerly, 10&deg;C. High tide 14:12.</div>'
            f"{_related(v.related, 'More from the Harbor Times')}{_ad('sidebar-mpu')}</aside></div>"
        )


class ElFaro(Theme):
    lang = "es"
    css = (
        "body{font-family:Helvetica,Arial,sans-serif;margin:0}.site-header{background:#c1121f;color:#fff;padding:10px 20px}"
        ".logo{color:#fff;font:800 30px sans-serif;text-decoration:none}.main-nav ul{display:flex;gap:16px;"
        "list-style:none}.main-nav a{color:#fff}.ef-cuerpo{max-width:780px;margin:auto}.antetitulo{color:#c1121f;"
        "font-weight:700}.firma{font-weight:700}.fecha{color:#777;font-size:14px}.texto p{font-size:18px;"
        "line-height:1.65}.publicidad{background:#f4f4f4;text-align:center}.site-footer{background:#222;color:#ccc;"
        "padding:30px;display:flex;gap:40px}.cookie-banner{position:fixed;bottom:0;background:#fff;border-top:2px solid #c1121f}"
    )
    nav_extra = ("Opinión", "Hemeroteca", "Esquelas")
    footer_groups: ClassVar[dict[str, tuple[str, ...]]] = {
        "El Faro": ("Quiénes somos", "Contacto", "Publicidad", "Trabaja con nosotros"),
        "Suscripción": ("Edición impresa", "Edición digital", "Boletines"),
        "Legal": ("Aviso legal", "Política de privacidad", "Política de cookies"),
    }
    cookie_text = "Utilizamos cookies propias y de terceros para mejorar nuestros servicios y mostrarle publicidad."
    cookie_buttons = ("Aceptar", "Configurar")
    next_label = "Siguiente"
    prev_label = "Anterior"

    def article_main(self, v: ArticleView) -> str:
        fecha = ""
        if not v.broken:
            fecha = f'<p class="fecha">Publicado el {esc(dates.spanish_long(v.published, v.site.timezone))}'
            if v.updated:
                fecha += f"<br>Actualizado el {esc(dates.spanish_long(v.updated, v.site.timezone))}"
            fecha += "</p>"
        return (
            f'<main class="ef-cuerpo"><p class="antetitulo">{esc(v.page.section)}</p><h1>{esc(v.page.title)}</h1>'
            f"{_byline(v.page.authors, 'Por', 'y').replace('byline', 'byline firma')}{fecha}"
            '<div class="compartir">Compartir: <a href="/compartir/whatsapp">WhatsApp</a> '
            '<a href="/compartir/correo">Correo</a></div>'
            f'<div class="texto">\n{_paragraphs(v)}\n</div>'
            f'<div class="publicidad">{_ad("roba-1", label="Publicidad")}</div>'
            '<div class="boletin">Reciba cada mañana las noticias de Puerto Almena en su correo. '
            '<a href="/boletines/">Apúntese gratis</a></div>'
            f"{_related(v.related, 'Lo más leído', 'lo-mas-leido')}</main>"
        )

    def listing_card(self, link: Link) -> str:
        return (
            f'<article class="noticia"><h2 class="titular"><a href="{esc(link.url)}">{esc(link.title)}</a></h2>'
            f'<p class="entradilla">{esc(link.summary)}</p></article>'
        )


class ValleyLedger(Theme):
    css = (
        "body{font-family:Verdana,sans-serif;background:#f6f7f2;margin:0}.site-header{padding:14px 24px;"
        "background:#2d6a4f;color:#fff}.logo{color:#fff;font:700 26px Verdana;text-decoration:none}"
        ".main-nav ul{list-style:none;display:flex;gap:12px}.main-nav a{color:#d8f3dc}.vl-main{max-width:820px;"
        "margin:auto;background:#fff;padding:24px}.story-body p{line-height:1.7}.loading{color:#999}"
        ".site-footer{padding:24px;display:flex;gap:24px}.cookie-banner{background:#081c15;color:#fff;padding:10px}"
    )
    nav_extra = ("What's on", "Notices")
    footer_groups: ClassVar[dict[str, tuple[str, ...]]] = {
        "The Ledger": ("About", "Contact", "Advertise", "Deliveries"),
        "Help": ("Privacy", "Cookies", "Accessibility"),
    }

    def head_article(self, v: ArticleView) -> str:
        data: dict[str, object] = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": v.page.title,
            "author": [{"@type": "Person", "name": a} for a in v.page.authors],
            "publisher": {"@type": "Organization", "name": v.site.publisher},
        }
        if not v.broken:
            data["datePublished"] = dates.iso(v.published, v.site.timezone)
            if v.updated:
                data["dateModified"] = dates.iso(v.updated, v.site.timezone)
        return super().head_article(v) + "\n" + _json_ld(data)

    def article_main(self, v: ArticleView) -> str:
        paragraphs = [text for _, text in v.blocks]
        story = json.dumps({"paragraphs": paragraphs}, ensure_ascii=False).replace("</", "<\\/")
        return (
            f'<main class="vl-main"><article><h1>{esc(v.page.title)}</h1>{_byline(v.page.authors)}'
            '<div id="story-body" class="story-body"><p class="loading">Loading story&hellip;</p></div>'
            f"<script>\nwindow.__LEDGER_STORY__ = {story};\n"
            "(function () {\n  var box = document.getElementById('story-body');\n  box.innerHTML = '';\n"
            "  window.__LEDGER_STORY__.paragraphs.forEach(function (text) {\n"
            "    var p = document.createElement('p');\n    p.textContent = text;\n    box.appendChild(p);\n  });\n"
            "})();\n</script></article>"
            f"{_related(v.related, 'More from the Ledger')}{_ad('ledger-footer', '728x90')}</main>"
        )


class KestrelFM(Theme):
    css = (
        "body{font-family:'Trebuchet MS',sans-serif;background:#14213d;color:#eee;margin:0}.player{background:#fca311;"
        "color:#000;padding:8px 16px;position:sticky;top:0}.site-header{padding:12px 20px}.logo{color:#fca311;"
        "font:900 32px sans-serif;text-decoration:none}.main-nav ul{list-style:none;display:flex;gap:18px}"
        ".main-nav a{color:#e5e5e5}.kfm-news{max-width:860px;margin:auto;background:#fff;color:#111;padding:20px}"
        ".published{color:#666}.entry-content p{line-height:1.6}.on-air{border-left:4px solid #fca311;padding:8px}"
        ".site-footer{padding:20px;display:flex;gap:30px}.cookie-banner{background:#000;color:#fff;padding:12px}"
    )
    nav_extra = ("Listen live", "Schedule", "Competitions")
    footer_groups: ClassVar[dict[str, tuple[str, ...]]] = {
        "Kestrel FM": ("About the station", "Presenters", "Advertise on air", "Contact the studio"),
        "Listen": ("Web player", "Smart speakers", "Podcasts", "Apps"),
        "Small print": ("Privacy", "Cookies", "Competition rules"),
    }

    def header(self) -> str:
        return (
            '<div class="player"><button class="play">&#9654; Listen live</button> Now playing: '
            '<span class="track">The Breakfast Flock with Jo and Ray</span></div>'
            + super().header()
        )

    def article_main(self, v: ArticleView) -> str:
        stamp = ""
        if not v.broken:
            stamp = f'<p class="published">Published {esc(dates.english_long(v.published, v.site.timezone))}'
            if v.updated:
                stamp += f" &middot; Updated {esc(dates.english_long(v.updated, v.site.timezone))}"
            stamp += "</p>"
        return (
            f'<main class="kfm-news"><article class="news-item"><h1 class="entry-title">{esc(v.page.title)}</h1>'
            f"{_byline(v.page.authors)}{stamp}"
            f'<div class="entry-content">\n{_paragraphs(v)}\n</div></article>'
            '<div class="on-air">On air next: <strong>Valley Drive</strong> with Mina, 4pm to 7pm. '
            '<a href="/section/schedule/">Full schedule</a></div>'
            f"{_related(v.related, 'Latest news')}{_ad('kfm-mpu')}"
            '<div class="app-promo">Get the Kestrel FM app <a href="/about/apps/">Download</a></div></main>'
        )


class NewsDeck(Theme):
    css = (
        "body{font-family:system-ui,sans-serif;background:#f0f2f5;margin:0}.site-header{background:#fff;padding:10px 20px;"
        "box-shadow:0 1px 3px #0002}.logo{font:800 24px system-ui;color:#3a0ca3;text-decoration:none}.main-nav ul{"
        "list-style:none;display:flex;gap:14px}.nd-layout{display:grid;grid-template-columns:1fr 320px;gap:24px;"
        "max-width:1180px;margin:20px auto}.nd-card{background:#fff;border-radius:8px;padding:24px}.via{color:#3a0ca3;"
        "font-weight:600}.share-bar a{margin-right:8px}.comment-count{color:#666}.newsletter{background:#3a0ca3;"
        "color:#fff;padding:16px;border-radius:8px}.site-footer{padding:24px;display:flex;gap:24px}"
        ".cookie-banner{position:fixed;bottom:12px;right:12px;background:#fff;border-radius:8px;padding:12px}"
    )
    nav_extra = ("For you", "Saved")
    footer_groups: ClassVar[dict[str, tuple[str, ...]]] = {
        "NewsDeck": ("About NewsDeck", "How we choose stories", "Publishers", "Jobs"),
        "Support": ("Help centre", "Report a problem", "Privacy", "Terms"),
    }
    cookie_buttons = ("Got it", "Preferences")

    def _date_text(self, v: ArticleView) -> str:
        if v.page.relative:
            return dates.relative(v.published, v.now)
        return dates.numeric_dmy(v.published, v.site.timezone)

    def head_article(self, v: ArticleView) -> str:
        data: dict[str, object] = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": v.page.title,
            "author": [{"@type": "Person", "name": a} for a in v.page.authors],
        }
        if not v.broken and not v.page.relative:
            data["datePublished"] = dates.iso_utc(v.published)
        meta = "".join(f'\n<meta name="author" content="{esc(a)}">' for a in v.page.authors)
        return super().head_article(v) + meta + "\n" + _json_ld(data)

    def _share(self, v: ArticleView) -> str:
        return (
            '<div class="share-bar"><span>Share</span> <a href="/share/facebook">Facebook</a> '
            '<a href="/share/x">X</a> <a href="/share/whatsapp">WhatsApp</a> <a href="/share/email">Email</a> '
            f'<button class="copy-link">Copy link</button> <span class="comment-count">{v.comments} comments</span></div>'
        )

    def article_main(self, v: ArticleView) -> str:
        when = "" if v.broken else f'<span class="time-ago">{esc(self._date_text(v))}</span>'
        original = (
            f'<a class="read-original" href="{esc(v.original_url)}">Read at the source</a>'
            if v.original_url
            else ""
        )
        return (
            f'<div class="nd-layout"><main class="nd-card"><h1>{esc(v.page.title)}</h1>'
            f'<div class="meta-row">{_byline(v.page.authors)} {when} {original}</div>{self._share(v)}'
            f'<div class="article-body">\n{_paragraphs(v)}\n</div>{self._share(v)}'
            f'<section class="comments"><h2>Comments ({v.comments})</h2>'
            "<p>Sign in to join the conversation.</p></section></main>"
            f'<aside class="nd-side">{_related(v.related, "Related stories")}'
            '<div class="newsletter"><h2>The morning deck</h2><p>The ten stories you need, every weekday at 7am.</p>'
            '<form action="/newsletter/" method="post"><input type="email" name="email" placeholder="you@example.org">'
            "<button>Sign up</button></form></div>"
            f'{_ad("nd-side", "300x600")}<div class="trending"><h2>Trending</h2><ol><li>#ValleyFloods</li>'
            "<li>#FerryVote</li><li>#SemanaDelMar</li></ol></div></aside></div>"
        )

    def listing_card(self, link: Link) -> str:
        return (
            f'<div class="deck-item"><a class="deck-link" href="{esc(link.url)}">{esc(link.title)}</a>'
            f'<span class="deck-meta">{esc(link.meta)}</span><p>{esc(link.summary)}</p></div>'
        )


class RivertonCourier(Theme):
    css = (
        "body{font-family:Georgia,serif;margin:0;background:#fff}.topbar{background:#6a040f;color:#fff;font:12px "
        "sans-serif;padding:4px 12px}.site-header{padding:12px 20px;border-bottom:1px solid #ddd}.logo{font:700 34px "
        "Georgia;color:#6a040f;text-decoration:none}.main-nav ul{list-style:none;display:flex;gap:14px}.rc-page{"
        "max-width:1000px;margin:auto;display:flex;gap:28px}.rc-story h1{font-size:32px}.pubdate{color:#555}"
        ".rc-body p{font-size:17px;line-height:1.65}.credit{color:#666}.announcements{background:#fff3f3;padding:10px}"
        ".site-footer{background:#6a040f;color:#fff;padding:24px;display:flex;gap:24px}.cookie-banner{padding:10px;"
        "background:#eee}"
    )
    nav_extra = ("Weather", "Jobs", "Family notices")
    footer_groups: ClassVar[dict[str, tuple[str, ...]]] = {
        "Riverton Courier": ("About us", "Send us your news", "Contact", "Complaints"),
        "Services": ("Subscribe", "Advertise", "Family notices", "Photo sales"),
        "Legal": ("Privacy notice", "Cookie policy", "Terms and conditions"),
    }

    def header(self) -> str:
        return (
            '<div class="topbar">Riverton 8&deg;C, light rain &middot; Bridge closure updates</div>'
            + super().header()
        )

    def head_article(self, v: ArticleView) -> str:
        parts = [super().head_article(v)]
        if not v.broken:
            parts.append(
                f'<meta property="article:published_time" content="{dates.iso(v.published, v.site.timezone)}">'
            )
            if v.updated:
                parts.append(
                    f'<meta property="article:modified_time" content="{dates.iso(v.updated, v.site.timezone)}">'
                )
        return "\n".join(parts)

    def article_main(self, v: ArticleView) -> str:
        stamp = ""
        if not v.broken:
            stamp = (
                f'<p class="pubdate"><time datetime="{dates.iso(v.published, v.site.timezone)}">'
                f"{esc(dates.english_weekday_12h(v.published, v.site.timezone))}</time></p>"
            )
        return (
            f'<div class="rc-page"><main class="rc-story"><h1>{esc(v.page.title)}</h1>{_byline(v.page.authors)}{stamp}'
            f'<div class="rc-body">\n{_paragraphs(v)}\n</div>'
            '<div class="tip-off">Got a story? Email newsdesk@riverton-courier.demo.invalid or call the newsroom.</div>'
            f"</main><aside>{_related(v.related, 'Also in the Courier')}"
            '<div class="announcements"><h2>Announcements</h2><p>Births, marriages and deaths: '
            '<a href="/section/family-notices/">view all</a></p></div>'
            f"{_ad('rc-mpu')}</aside></div>"
        )


THEMES: dict[str, type[Theme]] = {
    "meridian-wire": MeridianWire,
    "harbor-times": HarborTimes,
    "el-faro": ElFaro,
    "valley-ledger": ValleyLedger,
    "kestrel-fm": KestrelFM,
    "newsdeck": NewsDeck,
    "riverton-courier": RivertonCourier,
}


def theme_for(site_name: str, publisher: str, tagline: str, sections: tuple[str, ...]) -> Theme:
    """The template of ``site_name`` (a :class:`KeyError` names the site if it has none)."""
    theme = THEMES[site_name]()
    theme.site_name, theme.tagline, theme.site_sections = publisher, tagline, sections
    return theme
