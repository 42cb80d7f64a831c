"""Time-zone abbreviations (WAT, SAST, MDT, IST, ...) resolved to IANA zones and UTC offsets.

The data comes from two libraries: the tz database through :mod:`zoneinfo` (which zones use an
abbreviation, and their offset while they do, over the years around now) and dateparser's
abbreviation table (the offsets of many more that the tz database does not use, e.g. SGT). Two small
tables add what neither has: everyday meanings the tz database dropped in 2017 as invented
(Bangladesh's BST, Arabia's AST) and the US generic names (ET, CT, MT, PT), which follow daylight
saving.

* A site file's ``timezone: WAT`` becomes ``Africa/Lagos``: every zone using WAT keeps the same
  offsets, so one represents them (the zone serving the most countries in ``zone1970.tab``, then the
  one with the most aliases). ``timezone: IST`` is refused, naming the candidates (India, Israel,
  Ireland), unless the site's country (its ``base_url``'s country-code domain) decides.
* A page's ``10:15 WAT`` is read at UTC+01:00. An abbreviation with several offsets (IST, CST, BST)
  is read in the site's own zone when that zone uses it (IST on an ``Asia/Kolkata`` site); otherwise
  the date is read in the site's zone without it and the caller counts the fallback.
"""

from __future__ import annotations

import hashlib
import re
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from datetime import timezone as fixed_offset
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

NATIVE = frozenset({"UTC", "GMT", "UT", "Z"})
"""Handled by every parser already; never rewritten."""
NOT_ZONES = frozenset({"AM", "PM"})
DROPPED_MEANINGS: dict[str, tuple[str, ...]] = {
    "BST": ("Asia/Dhaka",),  # Bangladesh Standard Time, beside British Summer Time
    "AST": ("Asia/Riyadh",),  # Arabia Standard Time, beside Atlantic Standard Time
}
GENERIC: dict[str, str] = {
    "ET": "America/New_York",
    "CT": "America/Chicago",
    "MT": "America/Denver",
    "PT": "America/Los_Angeles",
}
"""Names without standard or daylight: the zone's offset on the date."""

# An abbreviation right after a clock time: "10:15 WAT", "10.15am (SAST)", "9 p.m. ET".
_AFTER_CLOCK = re.compile(
    r"\d{1,2}(?:[:.h]\d{2}(?::\d{2})?(?:\s*(?i:[ap]\.?m\b\.?))?|\s*(?i:[ap]\.?m\b\.?))"
    r"(?P<gap>\s*)(?P<open>\(?)(?P<abbr>[A-Z]{2,5})(?P<close>\)?)(?![A-Za-z])"
)


class TimezoneError(ValueError):
    """A site file's ``timezone`` that names no zone, or an abbreviation several zones use."""


@dataclass(frozen=True, slots=True)
class Zones:
    """What the tz database says, computed once per process (about 0.2 s)."""

    using: dict[str, tuple[str, ...]]
    """Abbreviation -> canonical zones that use it (in the years around now)."""
    countries: dict[str, tuple[str, ...]]
    """Canonical zone -> the ISO 3166 countries it serves (``zone1970.tab``)."""
    aliases: dict[str, int]
    """Canonical zone -> how many other names (links) have the same data."""
    golden: dict[str, int]
    """Canonical zone -> 1 if CLDR makes it its metazone's main zone (see ``_golden_digests``)."""


def _window() -> list[datetime]:
    """Noon UTC every day from the start of last year to the end of next year."""
    year = datetime.now(UTC).year
    start = datetime(year - 1, 1, 1, 12, tzinfo=UTC)
    return [start + timedelta(days=d) for d in range(0, 3 * 365 + 1)]


def _tab(name: str) -> str | None:
    for folder in zoneinfo.TZPATH:
        path = Path(folder) / name
        if path.is_file():
            return path.read_text(encoding="utf-8")
    try:  # the tzdata package, where the system has no time-zone database
        return resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return None


def _zone_bytes(name: str) -> bytes | None:
    for folder in zoneinfo.TZPATH:
        path = Path(folder) / name
        if path.is_file():
            return path.read_bytes()
    return None


@cache
def zones() -> Zones:
    countries: dict[str, tuple[str, ...]] = {}
    for line in (_tab("zone1970.tab") or "").splitlines():
        if line and not line.startswith("#"):
            codes, _coords, zone, *_ = line.split("\t")
            countries[zone] = tuple(codes.split(","))
    canonical = sorted(countries) or sorted(
        z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc/")
    )
    samples = _window()[::7]
    using: dict[str, set[str]] = defaultdict(set)
    for zone in canonical:
        info = zoneinfo.ZoneInfo(zone)
        for moment in samples:
            name = info.tzname(moment)
            if name and name.isalpha():
                using[name.upper()].add(zone)
    by_data: dict[str, int] = defaultdict(int)
    digests: dict[str, str] = {}
    for name in zoneinfo.available_timezones():
        data = _zone_bytes(name)
        if data is not None:
            digests[name] = hashlib.sha256(data).hexdigest()
            by_data[digests[name]] += 1
    aliases = {z: by_data[digests[z]] - 1 for z in canonical if z in digests}
    golden_digests = _golden_digests()
    golden = {z: golden_digests[digests[z]] for z in canonical if digests.get(z) in golden_digests}
    return Zones({k: tuple(sorted(v)) for k, v in using.items()}, countries, aliases, golden)


def _golden_digests() -> dict[str, int]:
    """CLDR's main zone of each metazone that Windows names the same ("Mountain Standard Time":
    America/Denver, not Edmonton), by file digest (CLDR spells some old names: Asia/Calcutta).
    From Babel's CLDR data (Babel comes with courlan); empty without it."""
    try:
        from babel import Locale
        from babel.core import get_global
    except ImportError:
        return {}
    windows = dict(get_global("windows_zone_mapping"))
    out: dict[str, int] = {}
    for forms in Locale("en").meta_zones.values():
        zone = windows.get(str(dict(forms).get("long", {}).get("standard", "")))
        data = _zone_bytes(str(zone)) if zone else None
        if data is not None:
            out[hashlib.sha256(data).hexdigest()] = 1
    return out


@cache
def _dateparser_offsets() -> dict[str, timedelta]:
    from dateparser.timezones import timezone_info_list

    offsets: dict[str, timedelta] = {}
    for group in timezone_info_list:
        entries: list[tuple[str, int]] = list(group["timezones"])  # type: ignore[arg-type]
        for name, seconds in entries:
            offsets.setdefault(name.upper(), timedelta(seconds=seconds))
    return offsets


def known(abbreviation: str) -> bool:
    """A time-zone abbreviation some source knows (``UTC`` and ``GMT`` excluded)."""
    a = abbreviation.upper()
    return (
        a not in NATIVE
        and a not in NOT_ZONES
        and (
            a in zones().using
            or a in _dateparser_offsets()
            or a in GENERIC
            or a in DROPPED_MEANINGS
        )
    )


@lru_cache(maxsize=1024)
def _behaviour(zone: str) -> tuple[timedelta | None, ...]:
    """The zone's offsets at every sample of the window: equal tuples, equal zones for us."""
    info = zoneinfo.ZoneInfo(zone)
    return tuple(info.utcoffset(moment) for moment in _window())


def _offsets_named(zone: str, abbreviation: str) -> set[timedelta]:
    """The zone's offsets while it calls itself ``abbreviation``."""
    info = zoneinfo.ZoneInfo(zone)
    return {
        offset
        for moment in _window()[::7]
        if (info.tzname(moment) or "").upper() == abbreviation
        and (offset := info.utcoffset(moment)) is not None
    }


def _format(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def describe(zone: str) -> str:
    """``Asia/Kolkata (UTC+05:30)``, ``Europe/Dublin (UTC+00:00, +01:00 in summer)``."""
    offsets = sorted({o for o in _behaviour(zone) if o is not None})
    if not offsets:
        return zone
    text = f"UTC{_format(offsets[0])}"
    if len(offsets) > 1:
        text += ", " + "/".join(_format(o) for o in offsets[1:]) + " with daylight saving"
    return f"{zone} ({text})"


def _representative(group: list[str]) -> str:
    z = zones()
    return min(
        group,
        key=lambda n: (
            -z.golden.get(n, 0),
            -len(z.countries.get(n, ())),
            -z.aliases.get(n, 0),
            n,
        ),
    )


def _candidates(abbreviation: str) -> list[str]:
    z = zones()
    found = {*z.using.get(abbreviation, ()), *DROPPED_MEANINGS.get(abbreviation, ())}
    if abbreviation in GENERIC:
        found = {GENERIC[abbreviation]}
    return sorted(found)


def _groups(candidates: list[str]) -> list[list[str]]:
    groups: dict[tuple[timedelta | None, ...], list[str]] = defaultdict(list)
    for zone in candidates:
        groups[_behaviour(zone)].append(zone)
    return sorted(groups.values(), key=lambda g: _representative(g))


def site_zone(value: str, *, country: str | None = None, url: str | None = None) -> str:
    """The IANA zone of a site file's ``timezone``: an IANA name as it is, an abbreviation resolved.

    ``country``: the site's ISO 3166 country, else the one of ``url``'s country-code domain (it can
    decide an ambiguous abbreviation).
    Raises :class:`TimezoneError` with the candidates when several zones behave differently.
    """
    text = value.strip()
    if not text.isalpha() or not text.isupper() or text.upper() in NATIVE:
        try:
            zoneinfo.ZoneInfo(text)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            if text.isalpha() and known(text):
                return site_zone(text.upper(), country=country, url=url)
            raise TimezoneError(
                "an IANA time zone such as 'Europe/London' or an abbreviation such as 'WAT'"
            ) from exc
        return text
    abbreviation = text.upper()
    country = country or country_of(url)
    candidates = _candidates(abbreviation)
    offset = _dateparser_offsets().get(abbreviation)
    in_database = abbreviation in zones().using or abbreviation in GENERIC
    if not candidates and offset is not None:
        # Known only as an offset: any zone keeping that offset all year fits; the country decides.
        fixed = (offset,) * len(_window())
        candidates = [n for n in zones().countries if _behaviour(n) == fixed]
    if not candidates:
        if _loads(text):  # an upper-case IANA alias such as 'GB' or 'PRC'
            return text
        raise TimezoneError(
            "an IANA time zone such as 'Europe/London' or an abbreviation such as 'WAT'"
        )
    local = [n for n in candidates if country and country in zones().countries.get(n, ())]
    groups = _groups(local or candidates)
    if len(groups) == 1 and (in_database or local):
        return _representative(groups[0])
    if len(groups) == 1:
        examples = sorted(groups[0], key=lambda n: _representative([n]))
        raise TimezoneError(
            f"'{abbreviation}' is UTC{_format(offset or timedelta(0))} in dateparser's list, but "
            "no zone of the tz database uses it; write the site's IANA zone, for example "
            + ", ".join(examples[:4])
        )
    shown = ", ".join(describe(_representative(g)) for g in groups[:6])
    more = f" and {len(groups) - 6} more" if len(groups) > 6 else ""
    raise TimezoneError(
        f"'{abbreviation}' is ambiguous: {shown}{more}; write the IANA zone you mean"
    )


def _loads(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


@lru_cache(maxsize=4096)
def page_zone(abbreviation: str, site_zone_name: str) -> tzinfo | None:
    """The zone a page's ``abbreviation`` stands for on a site in ``site_zone_name``; None when it
    has several offsets and the site's zone does not use it (the caller falls back and counts)."""
    a = abbreviation.upper()
    if a in GENERIC:
        return zoneinfo.ZoneInfo(GENERIC[a])
    own = _offsets_named(site_zone_name, a) if site_zone_name not in NATIVE else set()
    if len(own) == 1:
        return fixed_offset(own.pop())
    offsets: set[timedelta] = set()
    for zone in _candidates(a):
        offsets |= _offsets_named(zone, a) or {o for o in _behaviour(zone)[:1] if o is not None}
    if a in _dateparser_offsets():
        offsets.add(_dateparser_offsets()[a])
    return fixed_offset(offsets.pop()) if len(offsets) == 1 else None


@dataclass(frozen=True, slots=True)
class Abbreviation:
    """An abbreviation found after a clock time in a date string."""

    name: str
    without: str
    """The string with the abbreviation (and its brackets) cut out."""


def find_abbreviation(text: str) -> Abbreviation | None:
    for match in _AFTER_CLOCK.finditer(text):
        if known(match["abbr"]):
            if bool(match["open"]) != bool(match["close"]):
                continue
            start = match.start("gap")
            cut = (text[:start] + text[match.end("close") :]).strip()
            return Abbreviation(match["abbr"], re.sub(r"\s{2,}", " ", cut))
    return None


def country_of(url: str | None) -> str | None:
    """The ISO 3166 country of a URL's country-code domain (``.za`` -> ZA, ``.uk`` -> GB), else None."""
    from urllib.parse import urlsplit

    host = (urlsplit(url or "").hostname or "").rstrip(".")
    code = host.rsplit(".", 1)[-1].upper() if "." in host else ""
    code = "GB" if code == "UK" else code
    served = {c for codes in zones().countries.values() for c in codes}
    return code if len(code) == 2 and code.isalpha() and code in served else None
