# ruff: noqa: RUF001, RUF002, RUF003 - typographic dashes and quotes are what credit lines and pages use
"""Credit lines: who a republished article says it came from.

Recognised forms, all removed from the body text (a dateline prefix only loses its prefix)::

    MOSCOW (Reuters) - The talks ...        dateline prefix of one of the first paragraphs
    (AP) — The talks ...  /  Paris (AFP) –  dateline prefix
    WASHINGTON, Nov 3 (Reuters) -           dateline with a date
    Source: Aljazeera                       a whole paragraph, also Quelle:/Fuente:/Fonte:
    This article first appeared on X.       also "was originally published on/by X"
    With AFP  /  With agencies              also "- With Reuters"
    - With files from The Canadian Press    also "with reporting/information from X"
    Additional reporting by Reuters         names a publisher only if it is a known one
    Reporting by A; Editing by B            a credit line without a publisher
    AP writers X and Y contributed ...      "<publisher> ... contributed to this report"
    By Reuters Staff                        a byline naming a known publisher (staff, wires, ...)
    (c) 2026 Agence France-Presse           a copyright line naming a known publisher
    ... he said. – NAN                      a known agency as the suffix of the last paragraph

plus the site's own ``credit_patterns`` (regexes with a ``(?P<source>...)`` group). The credited name
is normalised with a built-in alias table of wires and broadcasters, extended by the registry's
publishers, aliases and the publishers each site ``carries``, so that "Aljazeera", "Al Jazeera" and
"AJ" are one publisher, spelled as the registry spells it when the registry names it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

# canonical name -> other names it is credited as (case and punctuation do not matter)
BUILTIN_ALIASES: dict[str, tuple[str, ...]] = {
    "Al Jazeera": (
        "Aljazeera",
        "AJ",
        "AJE",
        "Al Jazeera English",
        "Al Jazeera News",
        "Al Jazeera and news agencies",
        "aljazeera.com",
    ),
    "Reuters": ("Thomson Reuters", "Reuters News", "reuters.com"),
    "Associated Press": ("AP", "The Associated Press", "AP News", "apnews.com"),
    "Agence France-Presse": ("AFP", "Agence France Presse", "AFP News", "AFPTV"),
    "Deutsche Presse-Agentur": ("dpa", "Deutsche Presse Agentur", "dpa-AFX"),
    "Anadolu Agency": ("Anadolu", "AA", "Anadolu Ajansı", "Anadolu Ajansi", "aa.com.tr"),
    "Agencia EFE": ("EFE",),
    "ANSA": ("Agenzia ANSA",),
    "Xinhua": ("Xinhua News Agency", "Xinhuanet"),
    "Kyodo News": ("Kyodo",),
    "Yonhap": ("Yonhap News Agency",),
    "Press Trust of India": ("PTI",),
    "IANS": ("Indo-Asian News Service",),
    "United Press International": ("UPI",),
    "TASS": ("ITAR-TASS",),
    "RIA Novosti": ("RIA",),
    "Bloomberg": ("Bloomberg News", "Bloomberg L.P."),
    "BBC": ("BBC News", "bbc.co.uk", "BBC World Service"),
    "CNN": ("CNN Wire", "cnn.com"),
    "PA Media": ("Press Association", "PA", "PA Wire"),
    "Australian Associated Press": ("AAP",),
    "The Canadian Press": ("Canadian Press", "CP"),
    "News Agency of Nigeria": ("NAN",),
    "Keystone-SDA": ("SDA", "Keystone-ATS", "ATS", "sda"),
    "Sport-Informations-Dienst": ("SID",),
    "Austria Presse Agentur": ("APA",),
    "Europa Press": (),
    "Lusa": ("Agência Lusa",),
    "Belga": (),
    "ANP": (),
    "Ritzau": (),
    "NTB": (),
    "Bernama": (),
    "Antara": ("Antara News",),
    "Deutsche Welle": ("DW",),
    "France 24": ("France24",),
    "Radio France Internationale": ("RFI",),
    "Voice of America": ("VOA",),
    "Euronews": (),
    "The Conversation": (),
    "The Guardian": ("Guardian",),
    "The New York Times": ("New York Times", "NYT", "nytimes.com"),
    "The Washington Post": ("Washington Post",),
    "NPR": ("National Public Radio",),
    "Sky News": (),
    "Fox News": ("Fox News Digital",),
}

# Names that are also ordinary words or initials: only trusted in agency-shaped places
# (dateline parentheses, "With X", a suffix " – X"), never in free text.
_SHORT = frozenset({"aj", "aa", "pa", "cp", "ap", "ria", "ats", "sda", "dw"})
_KEY_DROP = re.compile(r"[^\w]+")


@lru_cache(maxsize=4096)
def publisher_key(name: str) -> str:
    """A comparison key: case-folded, accents, punctuation, 'the' and '.com' dropped (cached: a
    crawl's names are few and each article asks for its site's again, ~10 times)."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode() or name
    text = text.casefold().strip()
    text = re.sub(r"^the\s+", "", text)
    text = re.sub(r"\.(com|org|net|co\.uk|com\.tr)$", "", text)
    return _KEY_DROP.sub("", text)


class PublisherNames:
    """Alias table: normalises credited names; extended with the registry's publishers and aliases."""

    def __init__(self, extra: Iterable[tuple[str, Iterable[str]]] = ()) -> None:
        self._canonical: dict[str, str] = {}
        for canonical, builtin in BUILTIN_ALIASES.items():
            self.add(canonical, builtin)
        self._builtin = frozenset(BUILTIN_ALIASES)
        for name, aliases in extra:
            self.add(name, aliases)

    def add(self, canonical: str, aliases: Iterable[str] = ()) -> None:
        """Names of one publisher. A registry entry sharing a name with a built-in group takes the
        whole group over: "Source: AJ" then credits the registry's "Al Jazeera English"."""
        names = (canonical, *aliases)
        taken = {
            self._canonical[k]
            for k in (publisher_key(n) for n in names)
            if k in self._canonical and self._canonical[k] in getattr(self, "_builtin", ())
        }
        if taken:
            for key, value in list(self._canonical.items()):
                if value in taken:
                    self._canonical[key] = canonical
        for name in names:
            key = publisher_key(name)
            if key:
                # a registry entry overrides a built-in one with the same key
                self._canonical[key] = canonical

    def lookup(self, name: str) -> str | None:
        """The canonical name of a known publisher, else None."""
        return self._canonical.get(publisher_key(name))

    def normalise(self, name: str) -> str:
        """The canonical name if known, else the name trimmed of punctuation and spacing."""
        cleaned = re.sub(r"\s+", " ", name).strip(" \t.,;:-–—()[]\"'")
        return self.lookup(cleaned) or cleaned

    def is_known(self, name: str) -> bool:
        return publisher_key(name) in self._canonical


@dataclass(frozen=True, slots=True)
class Credit:
    """One credit line found in the text."""

    line: str
    """The credit as it appeared (a whole paragraph, or the dateline prefix)."""
    source: str | None
    """Normalised publisher name, or None when the line credits people, not a publisher."""
    kind: str
    """``dateline``, ``source``, ``first-appeared``, ``with``, ``reporting``, ``contributed``, ``suffix``, ``site``."""
    remainder: str = ""
    """What is left of the paragraph after removing the credit (non-empty for datelines and suffixes)."""


_PAREN_SOURCE = r"\((?P<source>[A-Za-z][\w.&'’/ -]{0,40}?)\)"
DATELINE = re.compile(
    r"^(?P<place>(?:[A-ZÀ-Þ][\w.'’À-ÿ-]*[ ,/]*){0,6}?(?:\s*,?\s*\w{3,9}\.? \d{1,2}\s*)?)\s*"
    + _PAREN_SOURCE
    + r"\s*(?:[-–—:|]+\s*|(?=[A-Z“\"]))"
)
BY_AGENCY = re.compile(
    r"^(?:By|Von|Por|Par)\s+(?:the\s+)?(?P<source>[\w.&'’ -]{2,40}?)"
    r"(?:\s+(?:staff(?:\s+(?:writers?|reporters?))?|wires?|news\s*desk|newsroom|team|reporters?|correspondents?))?\.?$",
    re.IGNORECASE,
)
COPYRIGHT = re.compile(
    r"^\W{0,2}(?:©|\(c\)|copyright\b)\s*(?:©\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*,?\s*)?"
    r"(?:by\s+)?(?P<source>[A-Za-z][\w.&'’ -]{1,60}?)(?:,?\s+\d{4})?"
    r"(?:[.,;]\s*(?:all rights reserved|this material may not).*|\.)?$",
    re.IGNORECASE,
)
WITH_FILES = re.compile(
    r"^[-–—(\s]*(?:with|includes?)\s+(?:files|reporting|information|additional reporting|material|contributions?)\s+"
    r"(?:from|by)\s+(?:the\s+)?(?P<source>[^.;)]{2,80}?)\s*\)?\.?$",
    re.IGNORECASE,
)
SOURCE_LINE = re.compile(
    r"^\W{0,3}(?:Sources?|Quelle|Quellen|Fuente|Fonte|Kaynak|Źródło|Zdroj|Bron|Kilde|Källa)\s*[:：]\s*(?P<source>.{2,80}?)\.?$",
    re.IGNORECASE,
)
FIRST_APPEARED = re.compile(
    r"^(?:This|The) (?:article|story|piece|post|report|column) (?:was |has been )?"
    r"(?:first|originally)? ?(?:appeared|published|posted|ran|republished)\s+"
    r"(?:(?:first|originally)\s+)?(?:on|in|at|by|from|with permission from)\s+(?P<source>[^.,;:]{2,80}).*$",
    re.IGNORECASE,
)
WITH_AGENCY = re.compile(
    r"^[-–—(\s]*(?:With|Mit|Avec|Con|Com)\s+(?P<source>(?:[\w.&' -]{2,30})(?:\s*(?:,|and|&|/)\s*[\w.&' -]{2,30}){0,3})\s*\)?\.?$",
    re.IGNORECASE,
)
ADDITIONAL = re.compile(
    r"^\(?\s*(?:Additional|Additonal) reporting by\s+(?P<source>[^.;)]{2,120})", re.IGNORECASE
)
REPORTING = re.compile(
    r"^\(?\s*(?:Reporting|Writing|Editing|Compiled|Research|Additional reporting|Translated|Produced) by\b.{0,400}$",
    re.IGNORECASE,
)
CONTRIBUTED = re.compile(
    r"^(?P<who>.{2,200}?)\s+(?:contributed|also contributed|helped contribute)\s+(?:to\s+)?(?:this|the)?\s*(?:report|reporting|story|article)\b.{0,120}$"
    r"|^(?P<who2>.{2,200}?)\s+contributed reporting\b.{0,120}$",
    re.IGNORECASE,
)
SUFFIX = re.compile(
    r"(?P<keep>.*?[.!?\"”’)])\s*(?:[-–—]+\s*|\()(?P<source>[A-Za-z][\w.&'/ -]{1,40}?)\)?\s*\.?$"
)

WITH_FILES_SUFFIX = re.compile(
    r"(?P<keep>.*?[.!?\"”’)])\s*[-–—(]+\s*with\s+(?:files|reporting|information)\s+from\s+"
    r"(?:the\s+)?(?P<source>[^.;)]{2,80}?)\s*\)?\.?$",
    re.IGNORECASE,
)

HEAD_WINDOW = 3
TAIL_WINDOW = 8
MAX_CREDIT_CHARS = 400


class CreditFinder:
    """Finds credit lines with the built-in forms, a site's own patterns and an alias table."""

    def __init__(self, names: PublisherNames | None = None) -> None:
        self.names = names or PublisherNames()

    def _agency(self, name: str, *, every: bool = False) -> str | None:
        """A known publisher in an agency-shaped place; 'AFP/NAN' or 'dpa, AFP' credit the first.

        With ``every``, all the parts must be known ('Allentown, PA' is a place, not a credit)."""
        found = [
            self.names.lookup(part)
            for part in re.split(r"\s*(?:/|,|&|\band\b)\s*", name.strip())
            if part
        ]
        if every and not all(found):
            return None
        return next((f for f in found if f), None)

    def _free(self, name: str) -> str | None:
        """A credited name from a 'Source:'-like line: known, starting with a known name
        ('Meridian Wire Service' -> Meridian Wire), or kept as given."""
        if _is_agencies(name):
            return None
        return self._agency(name) or self._leading_publisher(name) or self.names.normalise(name)

    def dateline(self, paragraph: str) -> Credit | None:
        match = DATELINE.match(paragraph)
        if not match:
            return None
        source = self._agency(match.group("source"))
        place = match.group("place").strip()
        # an unknown name in parentheses is only a dateline after an all-caps place ("KYIV (Ukrinform) -")
        if source is None and not (
            place and place.upper() == place and re.search(r"[A-Z]{3}", place)
        ):
            return None
        name = source or self.names.normalise(match.group("source"))
        rest = paragraph[match.end() :].strip()
        if not rest and not re.search(r"[-–—:|]\s*$", paragraph):
            return None  # 'Riverside Arena (Allentown)' alone is a place, not a dateline
        # a dateline alone on its line ('WASHINGTON (Reuters) -') has no remainder: all of it goes
        return Credit(
            line=paragraph[: match.end()].strip(), source=name, kind="dateline", remainder=rest
        )

    def whole_line(self, paragraph: str) -> Credit | None:
        """A paragraph that is only a credit line."""
        if len(paragraph) > MAX_CREDIT_CHARS:
            return None
        if m := SOURCE_LINE.match(paragraph):
            return Credit(paragraph, self._free(m.group("source")), "source")
        if m := FIRST_APPEARED.match(paragraph):
            return Credit(paragraph, self._free(m.group("source")), "first-appeared")
        if m := WITH_FILES.match(paragraph):
            return Credit(paragraph, self._agency(m.group("source")), "with")
        if (m := ADDITIONAL.match(paragraph)) or (m := REPORTING.match(paragraph)):
            named = m.groupdict().get("source")
            return Credit(paragraph, self._agency(named) if named else None, "reporting")
        if m := WITH_AGENCY.match(paragraph):
            agency = self._agency(m.group("source"))
            if agency or _is_agencies(m.group("source")):
                return Credit(paragraph, agency, "with")
        if m := CONTRIBUTED.match(paragraph):
            who = m.group("who") or m.group("who2") or ""
            return Credit(paragraph, self._leading_publisher(who), "contributed")
        if (m := BY_AGENCY.match(paragraph)) and (by := self._agency(m.group("source"))):
            return Credit(paragraph, by, "byline")
        if (m := COPYRIGHT.match(paragraph)) and (owner := self._agency(m.group("source"))):
            return Credit(paragraph, owner, "copyright")
        bare = paragraph.strip(" ()[]-–—.")
        if bare and len(bare) <= 40 and (alone := self._agency(bare, every=True)):
            return Credit(paragraph, alone, "agency")
        return None

    def _leading_publisher(self, who: str) -> str | None:
        """'Associated Press writers A and B' -> Associated Press; 'Fox News’ Jane Doe' -> Fox News."""
        words = re.split(r"\s+", who.replace("’s", "").replace("'s", "").replace("’", "").strip())
        for n in range(min(5, len(words)), 0, -1):
            found = self.names.lookup(" ".join(words[:n]))
            if found and publisher_key(" ".join(words[:n])) not in _SHORT:
                return found
        return None

    def suffix(self, paragraph: str) -> Credit | None:
        """A known agency appended to the last paragraph: '... he said. – NAN', or '... he said.
        - With files from The Canadian Press'."""
        if (m := WITH_FILES_SUFFIX.match(paragraph)) is not None:
            return Credit(
                paragraph[len(m.group("keep")) :].strip(),
                self._agency(m.group("source")) or self.names.normalise(m.group("source")),
                "with",
                remainder=m.group("keep").strip(),
            )
        m = SUFFIX.match(paragraph)
        if not m:
            return None
        src = self._agency(m.group("source"))
        if src is None:
            return None
        return Credit(
            paragraph[len(m.group("keep")) :].strip(),
            src,
            "suffix",
            remainder=m.group("keep").strip(),
        )

    def site_pattern(self, paragraph: str, patterns: Iterable[re.Pattern[str]]) -> Credit | None:
        for rx in patterns:
            m = rx.search(paragraph)
            if m:
                rest = (paragraph[: m.start()] + paragraph[m.end() :]).strip(" \t-–—|")
                return Credit(
                    m.group(0).strip(), self._free(m.group("source")), "site", remainder=rest
                )
        return None


def _is_agencies(name: str) -> bool:
    return name.strip().lower() in {
        "agencies",
        "news agencies",
        "wires",
        "agency",
        "wire services",
        "afp and reuters",
    }
