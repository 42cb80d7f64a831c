"""Settings declared once: each is a field of a component's frozen options class.

A component's ``SYNDICRAWL_*`` settings are the fields of one frozen dataclass (a subclass of
:class:`Options`), each made by :func:`setting` with the setting's name, default, one-line meaning
and the values allowed (bounds, a pattern, or the choices of a ``Literal`` type)::

    @dataclass(frozen=True, kw_only=True)
    class GcOptions(Options):
        freeze: bool = setting("SYNDICRAWL_GC_FREEZE", True, "freeze the start-up objects")
        threshold: int = setting("SYNDICRAWL_GC_THRESHOLD", 50_000, "first-generation threshold", low=0)

The component's ``from_crawler`` builds it with :func:`read_options` and passes it to ``__init__``,
so the component also works without a crawler. A setting two components read is declared by one of
them and taken by the other with :func:`same_as`. From the declarations (the list is in
``crawler/declarations.py``): ``crawler/settings.py`` takes the defaults, the environment and
``--set`` take the names and types, and docs/configuration.md's table is printed
(``python -m crawler.config --markdown``; a test keeps the two equal).

Why our own reader rather than Scrapy's getters: ``getint``/``getfloat``/``getbool`` do not name the
setting in their errors, check no bounds, truncate (``getint(2.7)`` is 2) and take other words for
booleans than the environment does. Text values (``scrapy crawl -s NAME=VALUE``) go through the
environment's parser (:func:`crawler.envsettings.parse_value`), so every way of setting a value has
one grammar and every bad value one wording::

    SYNDICRAWL_EXPORT_BATCH_SIZE: bad value 0: expected an integer >= 1

Which value wins is still Scrapy's business (its priorities: ``--set``/``-s`` over the project
module, which holds the environment over the defaults): :func:`read_options` only calls
``settings.get(name)``. ``None``, and an empty text for a text setting, mean the default.

This module imports nothing heavy: ``crawler/settings.py`` imports every declaration through it.
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import MISSING, Field, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin, get_type_hints

from crawler.envsettings import SettingValueError, parse_value

_SETTING = "syndicrawl.setting"  # a field's metadata key: its Setting
_SHARED = "syndicrawl.shared"  # ... and, on a field made by same_as, the class declaring it
TABLE_START, TABLE_END = "<!-- settings-table -->", "<!-- /settings-table -->"
TABLE_HEADER = "| setting | default | meaning |\n|---|---|---|"


@dataclass(frozen=True, slots=True)
class Setting:
    """One declared setting (see :func:`setting`)."""

    name: str
    meaning: str
    low: float | None = None
    high: float | None = None
    above: float | None = None
    pattern: str | None = None
    shown: str | None = None
    fixed_by: str | None = None


@dataclass(frozen=True, slots=True)
class Declared:
    """A setting as a field of an options class: the field, its value type and its default."""

    attr: str
    setting: Setting
    kind: type  # bool, int, float, str or tuple (of str)
    choices: tuple[str, ...]
    default: Any
    owner: type
    """The class that declares it (for a field made by :func:`same_as`, that other class)."""

    @property
    def name(self) -> str:
        return self.setting.name


class BadSetting(ValueError):
    """A setting's value is not allowed; the message names the setting, the value and what is."""

    def __init__(self, name: str, value: Any, expected: str) -> None:
        super().__init__(f"{name}: bad value {value!r}: expected {expected}")
        self.name, self.value, self.expected = name, value, expected


class Options:
    """Base of the options classes: a value outside what its setting allows raises
    :class:`BadSetting` when the object is made, by :func:`read_options` or directly."""

    __slots__ = ()

    def __post_init__(self) -> None:
        for declared in declared_settings(type(self)):
            check(declared, getattr(self, declared.attr))


OptionsT = TypeVar("OptionsT", bound=Options)


def setting(
    name: str,
    default: Any,
    meaning: str,
    *,
    low: float | None = None,
    high: float | None = None,
    above: float | None = None,
    pattern: str | None = None,
    shown: str | None = None,
    fixed_by: str | None = None,
) -> Any:
    """A dataclass field declaring setting ``name``.

    ``low``/``high``: inclusive bounds of a number, ``above``: an exclusive lower bound;
    ``pattern``: a regular expression a text value must match whole; a ``Literal[...]`` field type
    gives the choices (matched ignoring case). ``shown``: the default as the documentation shows it,
    when it is computed (``the machine's cores``). ``fixed_by``: the runner sets it for each run, and
    neither the environment nor ``--set`` may (the text says why).
    """
    spec = Setting(name, meaning, low, high, above, pattern, shown, fixed_by)
    return field(default=default, metadata={_SETTING: spec})


def same_as(owner: type[Options], attr: str) -> Any:
    """A field reading the setting that ``owner.attr`` declares (declared once, read by two)."""
    source = _field(owner, attr)
    declarer = source.metadata.get(_SHARED, owner)  # owner.attr may be a same_as itself
    return field(
        default=source.default, metadata={_SETTING: source.metadata[_SETTING], _SHARED: declarer}
    )


def _field(cls: type, attr: str) -> Field[Any]:
    for f in fields(cls):
        if f.name == attr:
            return f
    raise AttributeError(f"{cls.__name__} declares no field {attr!r}")


_DECLARED: dict[type, tuple[Declared, ...]] = {}


def declared_settings(cls: type[Options]) -> tuple[Declared, ...]:
    """The settings ``cls`` reads, in field order (cached: computed once per class)."""
    found = _DECLARED.get(cls)
    if found is None:
        hints = get_type_hints(cls)
        items = []
        for f in fields(cls):  # type: ignore[arg-type]  # Options subclasses are dataclasses
            spec = f.metadata.get(_SETTING)
            if not isinstance(spec, Setting):
                raise TypeError(f"{cls.__name__}.{f.name}: every field is a setting(...)")
            if f.default is MISSING:
                raise TypeError(f"{cls.__name__}.{f.name}: a setting needs a default")
            kind, choices = _kind(hints[f.name], f"{cls.__name__}.{f.name}")
            items.append(
                Declared(f.name, spec, kind, choices, f.default, f.metadata.get(_SHARED, cls))
            )
        found = _DECLARED[cls] = tuple(items)
    return found


def _kind(annotation: Any, where: str) -> tuple[type, tuple[str, ...]]:
    if annotation in (bool, int, float, str):
        return annotation, ()
    if get_origin(annotation) is Literal and all(isinstance(a, str) for a in get_args(annotation)):
        return str, get_args(annotation)
    if get_origin(annotation) is tuple and get_args(annotation) == (str, ...):
        return tuple, ()
    raise TypeError(
        f"{where}: a setting is bool, int, float, str, a Literal of str or tuple[str, ...]"
    )


def setting_name(cls: type[Options], attr: str) -> str:
    """The name of the setting ``cls.attr`` reads (for messages, and for code that sets it)."""
    spec = _field(cls, attr).metadata.get(_SETTING)
    if not isinstance(spec, Setting):
        raise AttributeError(f"{cls.__name__}.{attr} is not a setting")
    return spec.name


def read_options(cls: type[OptionsT], settings: Mapping[str, Any]) -> OptionsT:
    """``cls`` built from Scrapy settings (or any mapping of setting names to values).

    Each value is coerced to its field's type (text through the environment's parser) and checked;
    a bad one raises :class:`BadSetting`. An unset value (``None``, or ``""`` for a text setting)
    is the declared default.
    """
    values: dict[str, Any] = {}
    for declared in declared_settings(cls):
        raw = settings.get(declared.name)
        if raw is None or (declared.kind is str and isinstance(raw, str) and not raw.strip()):
            continue
        values[declared.attr] = coerce(declared, raw)
    return cls(**values)


def check_value(cls: type[Options], attr: str, value: Any) -> Any:
    """``value`` if the setting ``cls.attr`` allows it, else :class:`BadSetting` (for code that
    takes such a value as a plain argument)."""
    for declared in declared_settings(cls):
        if declared.attr == attr:
            check(declared, value)
            return value
    raise AttributeError(f"{cls.__name__}.{attr} is not a setting")


_TEXT_SAMPLES: dict[type, Any] = {bool: False, int: 0, float: 0.0, tuple: []}


def coerce(declared: Declared, raw: Any) -> Any:
    """``raw`` as a value of the declared type (not yet checked against bounds or choices)."""
    kind, name = declared.kind, declared.name
    if isinstance(raw, str) and kind is not str:
        try:  # the environment's grammar: yes/no, 1.5, a,b or ["a", "b"]
            raw = parse_value(name, raw, _TEXT_SAMPLES[kind])
        except SettingValueError:
            raise BadSetting(name, raw, describe(declared)) from None
    if kind is bool and not isinstance(raw, bool) and raw in (0, 1):
        return bool(raw)  # Scrapy's getbool takes 0 and 1 too
    if kind is int and isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if kind is float and isinstance(raw, int) and not isinstance(raw, bool):
        return float(raw)
    if kind is str and isinstance(raw, os.PathLike):
        return os.fspath(raw)
    if kind is str and declared.choices and isinstance(raw, str):
        folded = {choice.lower(): choice for choice in declared.choices}
        return folded.get(raw.strip().lower(), raw)
    if kind is tuple and isinstance(raw, list | tuple):
        return tuple(raw)
    return raw


def check(declared: Declared, value: Any) -> None:
    """Raise :class:`BadSetting` unless ``value`` has the declared type and is allowed."""
    spec, kind = declared.setting, declared.kind
    if not _has_kind(value, kind):
        raise BadSetting(spec.name, value, describe(declared))
    if kind in (int, float):
        if (
            (kind is float and not math.isfinite(value))
            or (spec.low is not None and value < spec.low)
            or (spec.high is not None and value > spec.high)
            or (spec.above is not None and value <= spec.above)
        ):
            raise BadSetting(spec.name, value, describe(declared))
    elif kind is str and not (value == "" == declared.default):  # unset, where that is the default
        if declared.choices and value not in declared.choices:
            raise BadSetting(spec.name, value, describe(declared))
        if spec.pattern is not None and not re.fullmatch(spec.pattern, value):
            raise BadSetting(spec.name, value, describe(declared))


def _has_kind(value: Any, kind: type) -> bool:
    if kind is bool:
        return isinstance(value, bool)
    if kind in (int, float):
        return (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and (kind is float or isinstance(value, int))
        )
    if kind is tuple:
        return isinstance(value, tuple) and all(isinstance(item, str) for item in value)
    return isinstance(value, kind)


def describe(declared: Declared) -> str:
    """What the setting allows, in words (``an integer >= 1 and <= 9``)."""
    spec, kind = declared.setting, declared.kind
    if kind is bool:
        return "a boolean (1/0, true/false, yes/no, on/off)"
    if kind is tuple:
        return "a list of strings (comma-separated, or a JSON list)"
    if kind is str:
        if declared.choices:
            return f"one of {', '.join(declared.choices)}"
        return f"text matching {spec.pattern}" if spec.pattern else "text"
    bounds = [
        f">= {_number(spec.low)}" if spec.low is not None else "",
        f"> {_number(spec.above)}" if spec.above is not None else "",
        f"<= {_number(spec.high)}" if spec.high is not None else "",
    ]
    words = "an integer" if kind is int else "a number"
    return " ".join([words, " and ".join(b for b in bounds if b)]).strip()


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# --- everything declared ---------------------------------------------------------------------


def declarations(classes: Iterable[type[Options]]) -> list[Declared]:
    """Each setting once, where it is declared (fields made by :func:`same_as` are skipped)."""
    return [d for cls in classes for d in declared_settings(cls) if d.owner is cls]


def defaults(classes: Iterable[type[Options]]) -> dict[str, Any]:
    """Setting name -> default, for ``crawler/settings.py`` (a list setting's default as a list,
    like Scrapy's own list settings)."""
    return {
        d.name: list(d.default) if d.kind is tuple else d.default for d in declarations(classes)
    }


def fixed_settings(classes: Iterable[type[Options]]) -> dict[str, str]:
    """The settings the runner sets for each run -> why neither the environment nor --set may."""
    return {d.name: d.setting.fixed_by for d in declarations(classes) if d.setting.fixed_by}


def check_settings(classes: Iterable[type[Options]], settings: Mapping[str, Any]) -> None:
    """Build every options class from ``settings``: the first bad value raises BadSetting."""
    for cls in classes:
        read_options(cls, settings)


# --- the documentation's table ------------------------------------------------------------------


def shown_default(declared: Declared) -> str:
    if declared.setting.shown is not None:
        return declared.setting.shown
    value = declared.default
    if value == "":
        return "unset"
    if isinstance(value, tuple):
        return f"`{list(value)!r}`"
    return f"`{value}`"


def markdown_table(classes: Iterable[type[Options]]) -> str:
    """docs/configuration.md's settings table (between its ``settings-table`` markers)."""
    rows = [
        f"| `{d.name}` | {shown_default(d)} | {d.setting.meaning} |" for d in declarations(classes)
    ]
    return "\n".join([TABLE_HEADER, *rows])


def table_in(text: str) -> str:
    """The table between the markers of a document's text."""
    if TABLE_START not in text or TABLE_END not in text:
        raise ValueError(f"no {TABLE_START} ... {TABLE_END} markers")
    return text.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0].strip()


def with_table(text: str, table: str) -> str:
    """``text`` with the table between its markers replaced by ``table``."""
    table_in(text)  # the markers are there
    head, rest = text.split(TABLE_START, 1)
    return f"{head}{TABLE_START}\n{table}\n{TABLE_END}{rest.split(TABLE_END, 1)[1]}"


def main(argv: Sequence[str] | None = None) -> int:
    import argparse  # here: crawler/settings.py imports this module, the command line rarely

    parser = argparse.ArgumentParser(
        prog="python -m crawler.config",
        description="The settings declared by syndicrawl's components.",
    )
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument(
        "--markdown", action="store_true", help="print docs/configuration.md's settings table"
    )
    group.add_argument(
        "--update", metavar="FILE", type=Path, help="rewrite the table between FILE's markers"
    )
    args = parser.parse_args(argv)
    from crawler.declarations import OPTIONS  # here: the declarations import this module

    table = markdown_table(OPTIONS)
    if args.markdown:
        print(table)
        return 0
    try:
        text = args.update.read_text(encoding="utf-8")
        args.update.write_text(with_table(text, table), encoding="utf-8")
    except (OSError, ValueError) as exc:
        print(f"python -m crawler.config: {args.update}: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    # Through the imported module: the declarations subclass its Options, not this __main__'s.
    from crawler.config import main as _main

    raise SystemExit(_main())
