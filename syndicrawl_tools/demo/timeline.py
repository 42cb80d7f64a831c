"""The demo web's one clock: nominal content dates shifted so the timeline ends at the server's start.

The YAML files date everything in March 2026 ("nominal" dates). A served page must never mix those
with ages counted from the real clock ("4 hours ago"), or a copy would look months younger than
its original. So every served date is ``nominal + shift`` with::

    shift = start_time floored to the minute - NOMINAL_NOW

:data:`NOMINAL_NOW` sits one hour after the newest nominal date (a test keeps it there), so no
served date is in the future and a relative-date page's age is ``start_time - (nominal + shift)``.
The shift is a whole number of minutes: visible ``09:30`` times stay exact. Dates in URL paths
(``/news/2026/03/09/slug/``) are publication dates too: :meth:`Timeline.path` moves them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

NOMINAL_NOW = datetime(2026, 3, 25, 9, 0, tzinfo=UTC)
"""Where the nominal timeline ends: one hour after the newest date in ``syndicrawl_tools/demo/data``."""

EARLIEST_START = datetime(1991, 1, 1, tzinfo=UTC)
"""Content spans less than a year (tested), so later start times serve no date before 1990."""


PATH_DATE = re.compile(r"/(?P<y>(?:19|20)\d{2})/(?P<m>\d{2})(?:/(?P<d>\d{2}))?(?=/)")
"""A ``/YYYY/MM/`` or ``/YYYY/MM/DD/`` segment of an article path: its local publication date."""


def path_date_mismatch(path: str, published: datetime, tz: str) -> str | None:
    """The path's date segment when it is not the local date of ``published``, else None."""
    m = PATH_DATE.search(path)
    if m is None:
        return None
    if m.group(0) != _segment(published.astimezone(ZoneInfo(tz)), with_day=bool(m["d"])):
        return m.group(0)
    return None


def _segment(local: datetime, with_day: bool) -> str:
    return f"/{local:%Y}/{local:%m}" + (f"/{local:%d}" if with_day else "")


@dataclass(frozen=True, slots=True)
class Timeline:
    """Maps nominal content dates onto the server's clock."""

    start_time: datetime  # aware; the server's start

    def __post_init__(self) -> None:
        if self.start_time.tzinfo is None or self.start_time.utcoffset() is None:
            raise ValueError(f"demo start time {self.start_time.isoformat()} has no UTC offset")
        if self.start_time < EARLIEST_START:
            raise ValueError(
                f"demo start time {self.start_time.isoformat()} is before "
                f"{EARLIEST_START.date()}: the demo would serve dates before 1990"
            )

    @classmethod
    def nominal(cls) -> Timeline:
        """The identity timeline: served dates equal the YAML's (what truth.json stores)."""
        return cls(NOMINAL_NOW)

    @property
    def shift(self) -> timedelta:
        anchor = self.start_time.astimezone(UTC).replace(second=0, microsecond=0)
        return anchor - NOMINAL_NOW

    def at(self, nominal: datetime) -> datetime:
        """The served (UTC) time of a nominal date."""
        return (nominal + self.shift).astimezone(UTC)

    def path(self, path: str, published: datetime, tz: str) -> str:
        """``path`` as served: its date segment is the local date of the served publication."""
        m = PATH_DATE.search(path)
        if m is None:
            return path
        local = self.at(published).astimezone(ZoneInfo(tz))
        return path[: m.start()] + _segment(local, with_day=bool(m["d"])) + path[m.end() :]

    def age(self, nominal: datetime) -> timedelta:
        """How old a nominally dated page is at the start time."""
        return self.start_time - self.at(nominal)
