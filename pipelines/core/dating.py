"""Publication and update dates: parse the candidates, reject impossible ones, pick by source trust.

Candidates come from the extraction core (JSON-LD, meta tags, microdata, htmldate on the page, the
URL), from the discovery hints (news sitemap / feed date, sitemap ``lastmod``) and from date lines
the clean stage cut from the text. They are tried tier by tier::

    0  JSON-LD datePublished of the page's own article object
    1  article:published_time, itemprop=datePublished, parsely-pub-date
    2  the news sitemap / feed date of this URL
    3  other publication meta (sailthru.date, pubdate, ...), JSON-LD of a WebPage or a 2nd article
    4  visible text: htmldate(original_date=True), a date line under the headline
    5  <meta name="date">/dc.date: on print sites the issue date, so trusted last but one
    6  a date in the URL (a day, no time)

Modification dates are never taken for publication. A date-only winner takes the time of a later
tier's candidate on the same local day. Strings without an offset are read in the site's time zone;
a time-zone abbreviation after the time ("10:15 WAT") is resolved by :mod:`pipelines.core.timezones`.
Dates in the future (beyond ``future_skew``) or before ``min_year`` are rejected with a reason;
nothing is guessed: no date is a valid answer.
"""

from __future__ import annotations

import dataclasses
import email.utils
import logging
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from datetime import timezone as dt_timezone
from typing import Any, Literal
from zoneinfo import ZoneInfo

from dateparser.date import DateDataParser

from pipelines.core.metadata import DateCandidate
from pipelines.core.timezones import find_abbreviation, page_zone

logger = logging.getLogger(__name__)

Rejection = Literal["future", "too_old", "unparseable"]


class NeedsDateparser(Exception):
    """Raised by a ``fast_only`` parse that would have to call dateparser (free-text dates)."""


@dataclass(frozen=True, slots=True)
class DateOptions:
    """``future_skew``: how far past ``fetched_at`` a date may lie (clock skew, a local time
    labelled UTC; 14 h is the largest UTC offset), ``SYNDICRAWL_DATES_FUTURE_SKEW_HOURS``;
    ``min_year``: earlier dates are rejected (``SYNDICRAWL_DATES_MIN_YEAR``)."""

    future_skew: timedelta = timedelta(hours=14)
    min_year: int = 1990
    default_languages: tuple[str, ...] = ()
    """For dateparser when the site names none (empty: dateparser detects the language)."""

    def __post_init__(self) -> None:
        if self.future_skew < timedelta(0):
            raise ValueError(f"future_skew must be >= 0, got {self.future_skew}")
        if not 1900 <= self.min_year <= 2100:
            raise ValueError(f"min_year must be within 1900..2100, got {self.min_year}")


@dataclass(frozen=True, slots=True)
class ParsedDate:
    value: datetime
    """Aware, UTC."""
    local: datetime
    """The wall-clock time as written (naive), for comparing with naive truths."""
    has_time: bool
    zone_fallback: str | None = None
    """A time-zone abbreviation of several offsets that the site's zone does not use: the date
    was read in the site's zone instead (counted by the dates stage)."""


@dataclass(slots=True)
class DateResult:
    published_at: datetime | None = None
    published_raw: str | None = None
    published_source: str | None = None
    published_local: datetime | None = None
    published_has_time: bool = False
    updated_at: datetime | None = None
    updated_raw: str | None = None
    updated_source: str | None = None
    rejected: list[Rejection] = field(default_factory=list)
    """One reason per rejected candidate that would otherwise have been chosen."""
    zone_fallbacks: list[str] = field(default_factory=list)
    """Ambiguous abbreviations of the chosen dates, read in the site's zone instead."""

    @staticmethod
    def iso(value: datetime | None) -> str | None:
        """UTC ISO 8601 with ``+00:00``, seconds precision."""
        return value.astimezone(UTC).isoformat(timespec="seconds") if value else None


_ISO = re.compile(
    r"^\s*(?P<y>\d{4})-?(?P<m>\d{2})-?(?P<d>\d{2})"
    r"(?:[T\s]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?\s*"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2}|[+-]\d{2}|UTC|GMT)?)?\s*$",
    re.IGNORECASE,
)
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:/|$|[-_])")
_SEGMENTS = re.compile(
    r"\s*(?:[·|•]|\b(?:updated|actualizado|aktualisiert|mis à jour|atualizado|aggiornato)\b)\s*",
    re.IGNORECASE,
)
_MAYBE_ABBREVIATION = re.compile(r"\d[\s.:apmAPM]*\(?[A-Z]{2,5}\b")  # cheap test first
_HAS_CLOCK = re.compile(r"\d{1,2}[:h.]\d{2}|\b\d{1,2}\s*(?:am|pm|a\.m\.|p\.m\.)", re.IGNORECASE)


def _tier(c: DateCandidate) -> int:
    if c.source == "jsonld":
        return 0 if c.rank <= 1 else 3
    if c.source == "meta":
        return 1 if c.rank <= 1 else 3 if c.rank <= 3 else 5
    if c.source in ("sitemap", "feed"):
        return 2
    if c.source in ("text", "http"):
        return 4
    return 6  # url


def _offset(text: str) -> tzinfo | None:
    text = text.upper()
    if text in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 14 or minutes > 59:
        raise ValueError(f"bad UTC offset {text}")
    return dt_timezone(sign * timedelta(hours=hours, minutes=minutes))


def url_date(url: str | None) -> str | None:
    """``/2026/11/27/`` in a URL as ``2026-11-27``, else None."""
    m = _URL_DATE.search(url or "")
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups())
    try:
        return date(y, mo, d).isoformat()
    except ValueError:
        return None


def supported_language(code: str) -> bool:
    """dateparser knows this ISO 639-1 code (an unknown one makes DateDataParser raise)."""
    from dateparser.languages.loader import LocaleDataLoader

    return code in _known_languages(LocaleDataLoader)


_KNOWN: set[str] = set()


def _known_languages(loader: Any) -> set[str]:
    if not _KNOWN:
        from dateparser.data import language_order

        _KNOWN.update(language_order)
    return _KNOWN


class DateParser:
    """Parses date strings: ISO 8601 and RFC 2822 fast, anything else with dateparser.

    One :class:`DateDataParser` per (languages, time zone), built on first use and reused.
    """

    def __init__(self, options: DateOptions | None = None) -> None:
        self.options = options or DateOptions()
        self._parsers: dict[tuple[tuple[str, ...], str], DateDataParser] = {}
        self._lock = threading.Lock()

    def dateparser_for(self, languages: Sequence[str], timezone: str) -> DateDataParser:
        langs = tuple(languages) or self.options.default_languages
        if langs and "en" not in langs:
            # structured fields are often in English on any site ("Fri Apr 28 19:20:36 CEST 2023")
            langs = (*langs, "en")
        key = (langs, timezone)
        with self._lock:
            parser = self._parsers.get(key)
            if parser is None:
                settings: dict[str, Any] = {
                    "RETURN_AS_TIMEZONE_AWARE": True,
                    "TIMEZONE": timezone,
                    "TO_TIMEZONE": "UTC",
                    "PREFER_DATES_FROM": "past",
                    "PREFER_DAY_OF_MONTH": "first",
                }
                parser = DateDataParser(languages=list(langs) or None, settings=settings)
                self._parsers[key] = parser
        return parser

    def parse(
        self,
        raw: str,
        *,
        tz: tzinfo,
        tz_name: str,
        languages: Sequence[str],
        relative_base: datetime,
        fast_only: bool = False,
    ) -> ParsedDate | None:
        """``fast_only``: raise :class:`NeedsDateparser` instead of calling dateparser.

        A time-zone abbreviation after the time ("10:15 WAT") is resolved here, never left to the
        parsers (dateparser reads IST as Israel's, the e-mail parser drops WAT): the wall time is
        read as written and put in the abbreviation's zone (:mod:`pipelines.core.timezones`).
        """
        text = raw.strip()
        if not text:
            return None
        found = find_abbreviation(text) if _MAYBE_ABBREVIATION.search(text) else None
        if found is None:
            return self._parse(text, tz, tz_name, languages, relative_base, fast_only)
        zone = page_zone(found.name, tz_name)
        if zone is None:  # several meanings and not the site's own: the site's zone, counted
            parsed = self._parse(found.without, tz, tz_name, languages, relative_base, fast_only)
            return dataclasses.replace(parsed, zone_fallback=found.name) if parsed else None
        parsed = self._parse(found.without, UTC, "UTC", languages, relative_base, fast_only)
        if parsed is None:
            return None
        value = parsed.local.replace(tzinfo=zone).astimezone(UTC)
        return ParsedDate(value, parsed.local, parsed.has_time)

    def _parse(
        self,
        text: str,
        tz: tzinfo,
        tz_name: str,
        languages: Sequence[str],
        relative_base: datetime,
        fast_only: bool,
    ) -> ParsedDate | None:
        m = _ISO.match(text)
        if m:
            try:
                day = date(int(m["y"]), int(m["m"]), int(m["d"]))
                if m["H"] is None:
                    local = datetime.combine(day, time())
                    return ParsedDate(
                        local.replace(tzinfo=tz).astimezone(UTC), local, has_time=False
                    )
                local = datetime.combine(day, time(int(m["H"]), int(m["M"]), int(m["S"] or 0)))
                zone = _offset(m["tz"]) if m["tz"] else tz
                return ParsedDate(local.replace(tzinfo=zone).astimezone(UTC), local, has_time=True)
            except ValueError:
                return None
        if re.match(r"^[A-Za-z]{3},\s+\d", text):
            try:
                dt = email.utils.parsedate_to_datetime(text)
            except (TypeError, ValueError):
                dt = None
            if dt is not None:
                aware = dt if dt.tzinfo else dt.replace(tzinfo=tz)
                return ParsedDate(aware.astimezone(UTC), dt.replace(tzinfo=None), has_time=True)
        if fast_only:
            raise NeedsDateparser(text)
        parsed = self._dateparser(text, tz_name, languages, relative_base)
        if parsed is None:
            # "Published 9 March 2026, 10:15 · Updated ...": the first segment, from its first digit
            first = _SEGMENTS.split(text, maxsplit=1)[0]
            digit = re.search(r"\d", first)
            if digit and (trimmed := first[digit.start() :].strip()) != text:
                parsed = self._dateparser(trimmed, tz_name, languages, relative_base)
        return parsed

    def _dateparser(
        self, text: str, tz_name: str, languages: Sequence[str], base: datetime
    ) -> ParsedDate | None:
        if len(text) > 120:
            return None
        parser = self.dateparser_for(languages, tz_name)
        with self._lock:
            # RELATIVE_BASE differs per page ("2 hours ago" counts from fetched_at); the rest of the
            # parser (languages, compiled locales) is built once per site
            saved = parser._settings
            parser._settings = saved.replace(
                RELATIVE_BASE=base.astimezone(ZoneInfo(tz_name)).replace(tzinfo=None)
            )
            try:
                data = parser.get_date_data(text)
            except (ValueError, OverflowError, TypeError) as exc:
                logger.debug(
                    "dates: dateparser failed on %(raw)r: %(exc)s", {"raw": text, "exc": exc}
                )
                return None
            finally:
                parser._settings = saved
        dt = data.date_obj
        if dt is None:
            return None
        aware = dt if dt.tzinfo else dt.replace(tzinfo=UTC)
        local = aware.astimezone(ZoneInfo(tz_name)).replace(tzinfo=None)
        has_time = data.period == "time" or bool(_HAS_CLOCK.search(text))
        return ParsedDate(aware.astimezone(UTC), local, has_time=has_time)


_Row = tuple[int, int, DateCandidate]


class DateFinder:
    """Chooses ``published_at`` and ``updated_at`` from candidates (see the module docstring)."""

    def __init__(self, options: DateOptions | None = None) -> None:
        self.options = options or DateOptions()
        self.parser = DateParser(self.options)

    def _check(self, parsed: ParsedDate, fetched_at: datetime) -> Rejection | None:
        if parsed.value.year < self.options.min_year:
            return "too_old"
        limit = fetched_at + self.options.future_skew
        if parsed.has_time and parsed.value > limit:
            return "future"
        if not parsed.has_time and parsed.local.date() > limit.date():
            return "future"
        return None

    def find(
        self,
        candidates: Iterable[DateCandidate],
        *,
        fetched_at: datetime,
        timezone: str = "UTC",
        languages: Sequence[str] = (),
        fast_only: bool = False,
    ) -> DateResult:
        """Pick the dates. ``fetched_at`` must be aware; it bounds the future and anchors "2 hours ago".

        ``fast_only``: raise :class:`NeedsDateparser` when the choice needs a dateparser parse (the
        candidates are parsed lazily, so a result returned is the same as without the flag).
        """
        if fetched_at.tzinfo is None:
            raise ValueError("fetched_at must be timezone-aware")
        tz = ZoneInfo(timezone)
        result = DateResult()
        published: list[_Row] = []
        modified: list[_Row] = []
        seen: set[tuple[str, str, str]] = set()
        for order, cand in enumerate(candidates):
            key = (cand.raw, cand.source, cand.kind)
            if key in seen:
                continue
            seen.add(key)
            target = published if cand.kind == "published" else modified
            target.append((_tier(cand), order, cand))

        def parse(cand: DateCandidate) -> ParsedDate | None:
            # parsed lazily, best-trusted first: dateparser runs only when no better candidate is valid
            return self.parser.parse(
                cand.raw,
                tz=tz,
                tz_name=timezone,
                languages=languages,
                relative_base=fetched_at,
                fast_only=fast_only,
            )

        best = self._choose(published, fetched_at, result, parse)
        if best is not None:
            cand, parsed = best
            if parsed.zone_fallback:
                result.zone_fallbacks.append(parsed.zone_fallback)
            result.published_at, result.published_raw = parsed.value, cand.raw
            result.published_source = cand.source
            result.published_local, result.published_has_time = parsed.local, parsed.has_time
        upd = self._choose(modified, fetched_at, None, parse)
        if upd is not None:
            cand, parsed = upd
            # an update before the publication is a wrong field, not an update
            if result.published_at is None or parsed.value >= result.published_at:
                if parsed.zone_fallback:
                    result.zone_fallbacks.append(parsed.zone_fallback)
                result.updated_at, result.updated_raw, result.updated_source = (
                    parsed.value,
                    cand.raw,
                    cand.source,
                )
        return result

    def _choose(
        self,
        rows: list[_Row],
        fetched_at: datetime,
        result: DateResult | None,
        parse: Callable[[DateCandidate], ParsedDate | None],
    ) -> tuple[DateCandidate, ParsedDate] | None:
        rows.sort(key=lambda r: (r[0], r[2].rank, r[1]))
        first_reason: Rejection | None = None
        best: tuple[DateCandidate, ParsedDate] | None = None
        rest = iter(rows)
        for _tier, _order, cand in rest:
            parsed = parse(cand)
            reason: Rejection | None = (
                "unparseable" if parsed is None else self._check(parsed, fetched_at)
            )
            if reason is None and parsed is not None:
                best = (cand, parsed)
                break
            if first_reason is None:
                first_reason = reason
        if result is not None and first_reason is not None:
            # counted once per page: the best-trusted candidate was impossible
            result.rejected.append(first_reason)
        if best is None:
            return None
        cand, parsed = best
        if not parsed.has_time:
            # a date-only winner (URL, print-issue meta, JSON-LD day) borrows a time from the same day
            for _tier, _order, other_cand in rest:
                other = parse(other_cand)
                if other is None or self._check(other, fetched_at) is not None:
                    continue
                if other.has_time and other.local.date() == parsed.local.date():
                    return other_cand, other
        return cand, parsed


def hint_candidates(hints: dict[str, Any]) -> list[DateCandidate]:
    """Date candidates from the spider's discovery hints."""
    out: list[DateCandidate] = []
    raw = hints.get("published_raw")
    source = hints.get("published_source")
    if isinstance(raw, str) and raw.strip() and source in ("sitemap", "feed"):
        out.append(DateCandidate(raw.strip(), source, "published", 0, f"{source} hint"))
    lastmod = hints.get("lastmod")
    if isinstance(lastmod, str) and lastmod.strip():
        out.append(DateCandidate(lastmod.strip(), "sitemap", "modified", 5, "sitemap lastmod"))
    for line in hints.get("text_dates") or ():
        if isinstance(line, str):
            out.append(DateCandidate(line, "text", "published", 1, "date line"))
    return out
