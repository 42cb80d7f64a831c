"""Setting values given as text: from the environment or ``--set NAME=VALUE`` (pure: no os.environ).

Every ``SYNDICRAWL_*`` setting can be set by an environment variable of the same name. The text is
parsed to the type of the setting's default (declared beside its component, :mod:`crawler.config`):

* bool: ``1 true yes on`` / ``0 false no off`` (any case);
* int, float: a number (an int setting takes integers only);
* list: comma-separated items (``127.0.0.1,10.0.0.0/8``) or a JSON list;
* str: as given.

A value that does not parse raises :class:`SettingValueError` naming the variable, the value and
what it expects. ``crawler/settings.py`` applies the environment over its defaults (Scrapy's
``project`` priority) and the runner applies ``--set`` at ``cmdline`` priority, so the order is
``--set`` > environment > default. :func:`crawler.config.read_options` parses text values that
reach a component some other way (``scrapy crawl -s NAME=VALUE``) with the same :func:`parse_value`.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from typing import Any

PREFIX = "SYNDICRAWL_"
# Environment variables that are no setting of their own but read on purpose, so never warned
# about: Scrapy's LOG_LEVEL (whose bare name is too common to take from the environment), and the
# virtual environment deploy/setup.sh installs into (exported by .ci/run for every test crawl).
LOG_LEVEL_ALIAS = "SYNDICRAWL_LOG_LEVEL"
SETUP_VENV = "SYNDICRAWL_VENV"
ALIASES = frozenset({LOG_LEVEL_ALIAS, SETUP_VENV})

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class SettingValueError(ValueError):
    """A setting's text value does not parse to the setting's type (the message names it)."""


def parse_value(name: str, raw: str, default: Any, *, source: str = "environment") -> Any:
    """``raw`` as a value of ``default``'s type; ``source`` words the error (``environment``,
    ``--set``)."""

    def fail(expected: str) -> SettingValueError:
        return SettingValueError(f"{source} {name}={raw!r}: expected {expected}")

    text = raw.strip()
    if isinstance(default, bool):
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise fail("a boolean (1/0, true/false, yes/no, on/off)")
    if isinstance(default, int):
        try:
            return int(text)
        except ValueError:
            raise fail("an integer") from None
    if isinstance(default, float):
        try:
            value = float(text)
        except ValueError:
            raise fail("a number") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise fail("a finite number")
        return value
    if isinstance(default, list | tuple):
        if text.startswith("["):
            try:
                items = json.loads(text)
            except ValueError:
                raise fail("a comma-separated list or a JSON list") from None
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                raise fail("a JSON list of strings")
            return items
        return [item.strip() for item in text.split(",") if item.strip()]
    return raw


def check_settable(
    name: str, known: Iterable[str], *, source: str, fixed: Mapping[str, str]
) -> None:
    """Raise SettingValueError unless ``name`` is a setting that may be set from ``source``;
    ``fixed``: the settings the runner sets itself, each with why."""
    if name in fixed:
        raise SettingValueError(f"{source} {name}: not settable, {fixed[name]}")
    names = set(known)
    if name not in names:
        close = difflib.get_close_matches(name, sorted(names), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise SettingValueError(f"{source} {name}: no such setting{hint}")


def environment_overrides(
    defaults: Mapping[str, Any], environ: Mapping[str, str], *, fixed: Mapping[str, str]
) -> tuple[dict[str, Any], list[str]]:
    """The ``SYNDICRAWL_*`` settings the environment sets, parsed; and the ``SYNDICRAWL_*``
    variables that name no setting, or one in ``fixed`` (a typo the caller should warn about),
    each with a hint."""
    known = {name for name in defaults if name.startswith(PREFIX)}
    values: dict[str, Any] = {}
    unknown: list[str] = []
    for name, raw in environ.items():
        if not name.startswith(PREFIX) or name in ALIASES:
            continue
        if name in known and name not in fixed:
            values[name] = parse_value(name, raw, defaults[name])
            continue
        try:
            check_settable(name, known - fixed.keys(), source="environment", fixed=fixed)
        except SettingValueError as exc:
            unknown.append(str(exc))
    return values, sorted(unknown)
