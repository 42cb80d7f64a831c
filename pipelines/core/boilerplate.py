# ruff: noqa: RUF001 - typographic dashes and quotes are what credit lines and pages use
"""Paragraph-level boilerplate: generic page chrome and a site's own rules.

``chrome`` is what nearly every news site wraps around an article and no article needs: the headline
repeated as the first paragraph, a lone date line, reading time, "Advertisement", "Read more: ...",
teaser lists after "Related"/"Don't miss", share/follow/newsletter prompts, copyright notices.
``rule`` is a paragraph matching one of the site's ``boilerplate.patterns``. Recurring promos that no
rule names are learned per site (:mod:`pipelines.core.learned`).

Rules are split by where they may fire: ``ANYWHERE`` rules are specific enough to remove a paragraph
in the middle of the text; ``EDGE`` rules only fire in the first or last paragraphs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_I = re.IGNORECASE

# A standalone paragraph that is only a UI word.
_UI_WORDS = (
    r"advertisement|advertising|anzeige|werbung|publicidad|publicité|pubblicità|reklama|sponsored|"
    r"share|share this|share this article|share on facebook|share on twitter|tweet|print|email|e-mail|"
    r"comments?|\d+ comments?|tags?|topics?|skip to content|back to top|close|menu|loading\.*|"
    r"listen to this article|listen|watch|video|photo|gallery|subscribe|sign up|log in|login|"
    r"you may also like\W*|recommended|trending|more from \w[\w ]{0,30}|related|related articles|"
    r"related stories|related posts|related coverage|related content|most read|most popular|"
    r"read more|read next|see also|also read|don'?t miss|do not miss|top stories|latest news|"
    r"mehr zum thema|lesen sie auch|leia também|lea también|à lire aussi|a lire aussi|leggi anche"
)
UI_WORD = re.compile(rf"^\W*(?:{_UI_WORDS})\W*$", _I)
# The same words as a header of a teaser list: the short link-like lines after it go too.
TEASER_HEADER = re.compile(
    r"^\W*(?:you may also like|you might also like|recommended(?: for you| stories| reading)?|"
    r"related(?: articles| stories| posts| coverage| content| news| reading)?|most (?:read|popular|viewed)\b.{0,30}|"
    r"more (?:from|on|about|stories)\b.{0,40}|more|also|read (?:more|next|also)|see also|also read|"
    r"don'?t miss|do not miss|top stories|trending(?: now)?|latest(?: news| stories)?|"
    r"mehr zum thema|lesen sie auch|leia também|lea también|à lire aussi|leggi anche)\W*$",
    _I,
)
# Paragraphs that are teaser links, wherever they are.
TEASER_PREFIX = re.compile(
    r"^\W{0,2}(?:read more|read also|also read|read next|see more|see also|more|related|watch|listen|"
    r"also on [\w.]+|lesen sie auch|mehr zum thema|leia também|lea también|lire aussi|à lire aussi|"
    r"leggi anche|siehe auch|ver también|veja também|les også|læs også|läs också|lue myös|"
    r"czytaj (?:też|także|więcej)|lees ook|lees meer|weiterlesen|lire la suite|leer más|lee también)"
    r"\s*[:|»>–—-]\s*\S.{0,200}$",
    _I,
)
ANYWHERE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a UI word", UI_WORD),
    ("a teaser link", TEASER_PREFIX),
    ("a link to another site's story", re.compile(r"^also on [\w-]+\.[\w.]+\s+\S.{0,200}$", _I)),
    (
        "a reprint notice",
        re.compile(
            r"^(?:this copy is for your personal, non-commercial use|to order presentation-ready copies)",
            _I,
        ),
    ),
    (
        "reading time",
        re.compile(
            r"^(?:reading time|read time|tempo de leitura|tiempo de lectura|lesezeit|temps de lecture|tempo di lettura)\s*:?\s*\d.{0,20}$",
            _I,
        ),
    ),
    (
        "reading time",
        re.compile(
            r"^\d+\s*(?:-|\s)?(?:min(?:ute)?s?\.?)\s*(?:read|de leitura|de lectura|lesezeit|de lecture)\W*$",
            _I,
        ),
    ),
    (
        "an agency's standards notice",
        re.compile(r"^(?:our standards|the thomson reuters trust principles)\b.{0,80}$", _I),
    ),
    (
        "a newsletter pitch",
        re.compile(
            r"^\W*(?:sign up|subscribe|register)\b.{0,120}\b(?:newsletter|inbox|alerts?)\b.{0,120}$",
            _I,
        ),
    ),
    (
        "a newsletter pitch",
        re.compile(
            r"^.{0,120}\bnewsletter\b.{0,80}\b(?:inbox|sign up|subscribe|delivered)\b.{0,80}$", _I
        ),
    ),
    (
        "a newsletter pitch",
        re.compile(
            r"^(?:get|receive) (?:the|our) (?:latest|top|day['’]s|daily|best)\b.{0,60}\b(?:inbox|newsletter)\b.{0,80}$",
            _I,
        ),
    ),
    ("a share prompt", re.compile(r"^like this (?:story|article)\?.{0,80}$", _I)),
    (
        "tags or categories",
        re.compile(
            r"^(?:filed under|posted in|categories|category|tags|schlagworte|tópicos|etiquetas)\s*:.{0,300}$",
            _I,
        ),
    ),
    # a menu flattened into one line: 'Home | Video | World | U.S. | Business'
    ("a menu", re.compile(r"^\s*(?:[^|.!?]{1,30}\s\|\s){3,}[^|.!?]{1,30}$")),
    # a photo credit, not a caption sentence: 'Photo: Jo Lee/Alder Gazette'
    (
        "a photo credit",
        re.compile(r"^(?:photo|foto|image|picture|bild)s?(?: credit)?\s*:\s*[^.!?]{2,100}$", _I),
    ),
)
ANYWHERE: tuple[re.Pattern[str], ...] = tuple(rx for _, rx in ANYWHERE_RULES)
EDGE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "a follow-us prompt",
        re.compile(
            r"^(?:follow|like|join)\s+(?:us|@\w+|[\w.&'’@ ]{1,60}?)\s+on\s+(?:twitter|facebook|instagram|x\b|youtube|linkedin|tiktok|telegram|whatsapp|threads|bluesky|google news)\b.{0,200}$",
            _I,
        ),
    ),
    ("a copyright line", re.compile(r"^(?:©|\(c\)|copyright\b).{0,200}$", _I)),
    ("a copyright line", re.compile(r"^.{0,150}\ball rights reserved\b.{0,100}$", _I)),
    (
        "an address or handle",
        re.compile(r"^\S+@\S+\.\w+$|^(?:https?://|www\.|twitter\.com/|@)\S+$", _I),
    ),
    (
        "a follow-us prompt",
        re.compile(r"^follow\b.{0,150}\b(?:on|at)\s+(?:https?://|twitter|facebook|instagram)", _I),
    ),
    (
        "a contact line",
        re.compile(r"^(?:e-?mail|contact|reach)\b.{0,120}(?:\S+@\S+\.\w+|\btwitter\b)", _I),
    ),
    (
        "a support pitch",
        re.compile(
            r"^if you (?:enjoyed|liked|value|appreciate)\b.{0,80}\b(?:article|story|journalism|content)\b",
            _I,
        ),
    ),
    (
        "a tip line",
        re.compile(
            r"^(?:have a (?:news )?(?:tip|story)|got a (?:news )?(?:tip|story)|contact (?:the|our) (?:author|reporter|newsroom))\b.{0,200}$",
            _I,
        ),
    ),
    (
        "a date line",
        re.compile(
            r"^(?:updated|published|posted|last updated|first published|aktualisiert|veröffentlicht|publicado|atualizado|mis à jour|publié)\b.{0,60}$",
            _I,
        ),
    ),
    ("a byline", re.compile(r"^(?:by|von|por|par)\s+[\w.'’ -]{2,60}$", _I)),
    (
        "a more-stories pitch",
        re.compile(r"^for more (?:stories|news|articles|coverage) like this\b.{0,100}$", _I),
    ),
    (
        "a comments prompt",
        re.compile(r"^(?:join the conversation|leave a comment|\d+ comments?)\W*$", _I),
    ),
)
EDGE: tuple[re.Pattern[str], ...] = tuple(rx for _, rx in EDGE_RULES)
MAX_LINKED_EDGE_CHARS = 200
"""A paragraph that is whole a link and at most this long is a teaser at the text's edges."""
# a date, not a year alone: 'Calendar of the 2018 season' is a heading, '22 Nov 2026' a date line
_DATEISH = re.compile(
    r"\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b|\b\d{1,2}:\d{2}\b|"
    r"\b\d{1,2}\.?\s+[^\W\d_]{3,}\.?,?\s+(?:19|20)\d{2}\b|"
    r"\b[^\W\d_]{3,}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2}\b|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}\b",
    _I,
)
_SENTENCE_END = re.compile(r"[.!?…\"”»)]$")


def words_key(text: str) -> str:
    """Lower-cased word sequence, for comparing a paragraph with the title."""
    return " ".join(re.findall(r"\w+", text.casefold()))


def is_title_repeat(paragraph: str, titles: Iterable[str | None]) -> bool:
    """The paragraph is one of the page's headline forms (a '<title>' may add ' | Site')."""
    p = words_key(paragraph)
    if not p:
        return False
    for title in titles:
        t = words_key(title or "")
        if t and (
            p == t
            or (
                len(p) >= 20 and (t.startswith(p) or p.startswith(t)) and abs(len(p) - len(t)) <= 40
            )
        ):
            return True
    return False


def is_kicker(paragraph: str) -> bool:
    """A section label or kicker: a few words, no sentence ('Local', 'Breaking news')."""
    return (
        len(paragraph) <= 40 and len(paragraph.split()) <= 4 and not _SENTENCE_END.search(paragraph)
    )


def is_date_line(paragraph: str) -> bool:
    """A short line holding a date or time and no sentence: '22 Nov 2026, 10:15' or 'Updated 3 p.m.'."""
    return (
        len(paragraph) <= 90
        and len(paragraph.split()) <= 12
        and not _SENTENCE_END.search(paragraph)
        and bool(_DATEISH.search(paragraph))
    )


def _union(patterns: tuple[re.Pattern[str], ...]) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    """One alternation of the ``^``-anchored rules, tried at position 0 only, and one of the rest.

    A paragraph is then scanned once or twice instead of once per rule; this stage runs on every
    paragraph of every article.
    """
    anchored = [
        rx.pattern for rx in patterns if rx.pattern.startswith("^") and "|^" not in rx.pattern
    ]
    other = [rx.pattern for rx in patterns if rx.pattern not in anchored]
    head = re.compile("|".join(f"(?:{p[1:]})" for p in anchored), _I)
    rest = re.compile("|".join(f"(?:{p})" for p in other), _I) if other else None
    return head, rest


_ANYWHERE_ONE = _union(ANYWHERE)
_EDGE_ONE = _union(EDGE)


def _hit(rules: tuple[re.Pattern[str], re.Pattern[str] | None], paragraph: str) -> bool:
    head, rest = rules
    return head.match(paragraph) is not None or (
        rest is not None and rest.search(paragraph) is not None
    )


def _which(rules: tuple[tuple[str, re.Pattern[str]], ...], paragraph: str) -> str:
    """The name of the rule that fired (looked up only on a hit: the union said one did)."""
    return next((name for name, rx in rules if rx.search(paragraph)), "chrome")


def chrome_anywhere(paragraph: str) -> str | None:
    """The chrome rule this paragraph matches anywhere in the text, or None."""
    if len(paragraph) <= 400 and _hit(_ANYWHERE_ONE, paragraph):
        return _which(ANYWHERE_RULES, paragraph)
    return None


def chrome_edge(paragraph: str) -> str | None:
    """The chrome rule this paragraph matches at an edge of the text, or None."""
    if len(paragraph) <= 400 and _hit(_EDGE_ONE, paragraph):
        return _which(EDGE_RULES, paragraph)
    return None


def is_teaser_header(paragraph: str) -> bool:
    return len(paragraph) <= 60 and bool(TEASER_HEADER.match(paragraph))


def is_teaser_item(paragraph: str) -> bool:
    """A line of a teaser list: a bulleted item, or a short headline-like line without a full stop."""
    if paragraph.startswith(("- ", "• ", "* ")):
        return len(paragraph) <= 200
    return len(paragraph) <= 150 and not _SENTENCE_END.search(paragraph)


def site_rule(paragraph: str, patterns: Iterable[re.Pattern[str]]) -> str | None:
    """The site's ``boilerplate.patterns`` entry this paragraph matches (``search``, so anchor
    them), or None."""
    return next((rx.pattern for rx in patterns if rx.search(paragraph)), None)
