"""Date text as the demo sites print it: English, Spanish, relative, HTTP and feed forms."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime
from zoneinfo import ZoneInfo

EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
EN_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ES_MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
ES_DAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")


def local(dt: datetime, tz: str) -> datetime:
    return dt.astimezone(ZoneInfo(tz))


def iso(dt: datetime, tz: str = "UTC") -> str:
    """ISO 8601 with the site's offset, seconds included (``2026-03-10T07:00:00+00:00``)."""
    return local(dt, tz).isoformat(timespec="seconds")


def iso_utc(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def english_long(dt: datetime, tz: str) -> str:
    """``14 March 2026, 09:30`` in the site's zone (no offset printed, like most news sites)."""
    d = local(dt, tz)
    return f"{d.day} {EN_MONTHS[d.month - 1]} {d.year}, {d:%H:%M}"


def english_weekday_12h(dt: datetime, tz: str) -> str:
    """``Monday 9 March 2026 11:15am``."""
    d = local(dt, tz)
    hour = d.hour % 12 or 12
    return f"{EN_DAYS[d.weekday()]} {d.day} {EN_MONTHS[d.month - 1]} {d.year} {hour}:{d:%M}{'am' if d.hour < 12 else 'pm'}"


def english_short(dt: datetime, tz: str) -> str:
    """``Mar 9, 2026 · 08:15 UTC``."""
    d = local(dt, tz)
    return f"{EN_MONTHS[d.month - 1][:3]} {d.day}, {d.year} · {d:%H:%M} {d.tzname()}"


def numeric_dmy(dt: datetime, tz: str) -> str:
    """``11/03/2026 07:25`` (day first)."""
    return f"{local(dt, tz):%d/%m/%Y %H:%M}"


def spanish_long(dt: datetime, tz: str) -> str:
    """``domingo, 8 de marzo de 2026, 20:15 h``."""
    d = local(dt, tz)
    return f"{ES_DAYS[d.weekday()]}, {d.day} de {ES_MONTHS[d.month - 1]} de {d.year}, {d:%H:%M} h"


def relative(then: datetime, now: datetime) -> str:
    """``5 hours ago``, ``1 day ago``, ``12 minutes ago``: floor of the elapsed time."""
    seconds = max(0, int((now - then).total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'' if n == 1 else 's'} ago"
    return "just now"


def http_date(dt: datetime) -> str:
    return format_datetime(dt.astimezone(UTC).replace(microsecond=0), usegmt=True)


def rfc822(dt: datetime) -> str:
    """RSS ``pubDate``."""
    return http_date(dt)
