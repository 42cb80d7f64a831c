"""One exported record as a JSONL line, and its validation against the record schema.

Validation has two steps. A check compiled once from the schema into small Python functions says
whether a record is valid (some 15 times faster than walking the schema for every record, and
the crawl validates every record); only for an invalid record does ``jsonschema`` (Draft 2020-12)
find the readable problems. The compiled check knows the keywords the record schema uses (``type``,
``enum``, ``properties``, ``required``, ``additionalProperties``, ``items``, ``pattern``,
``minLength``/``maxLength``, ``minimum``/``maximum``) with ``jsonschema``'s meaning of each, and
treats ``format`` as an annotation as ``jsonschema`` does without a format checker. A schema with
any other keyword is checked by ``jsonschema`` alone. ``jsonschema`` has the last word: a record
the compiled check rejects but ``jsonschema`` accepts is valid.
"""

from __future__ import annotations

import json
import numbers
import re
from collections.abc import Callable
from typing import Any

from jsonschema import Draft202012Validator

Check = Callable[[Any], bool]


def encode_record(record: dict[str, Any]) -> bytes:
    """One JSON object on one line, UTF-8, non-ASCII kept as is."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


class RecordValidator:
    """Checks records against the exported JSON Schema (``crawler/schemas/article.v1.json``)."""

    def __init__(self, schema: dict[str, Any] | None = None) -> None:
        if schema is None:
            from crawler.items import load_schema

            schema = load_schema()
        Draft202012Validator.check_schema(schema)
        self._validator = Draft202012Validator(schema)
        self._is_valid = compile_check(schema)

    def problems(self, record: Any, *, limit: int = 3) -> list[str]:
        """Up to ``limit`` readable problems (``path: message``); empty when the record is valid."""
        if self._is_valid is not None and self._is_valid(record):
            return []
        found = []
        for error in sorted(
            self._validator.iter_errors(record), key=lambda e: [str(p) for p in e.absolute_path]
        ):
            path = ".".join(str(p) for p in error.absolute_path) or "(record)"
            found.append(f"{path}: {error.message}")
            if len(found) >= limit:
                break
        return found


# --- the compiled check ---------------------------------------------------------------------------

# Keywords that never make a record invalid (``format``: jsonschema asserts it only when given a
# format checker, and the validator above has none).
_ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$comment",
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "format",
    }
)
_COMPILED = frozenset(
    {
        "type",
        "enum",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
    }
)
# JSON types that one isinstance answers, as jsonschema's type checker has them
_PLAIN_TYPES: dict[str, type] = {
    "string": str,
    "object": dict,
    "array": list,
    "boolean": bool,
    "null": type(None),
}


class _Unsupported(Exception):
    """The schema uses something the compiled check does not know."""


def compile_check(schema: Any) -> Check | None:
    """A function telling whether an instance is valid against ``schema``; None when the schema
    uses a keyword (or a form of one) that is not compiled."""
    try:
        return _compile(schema)
    except _Unsupported:
        return None


def _always(_: Any) -> bool:
    return True


def _never(_: Any) -> bool:
    return False


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


def _compile(schema: Any) -> Check:
    if schema is True:
        return _always
    if schema is False:
        return _never
    if not isinstance(schema, dict):
        raise _Unsupported(schema)
    unknown = schema.keys() - _COMPILED - _ANNOTATIONS
    if unknown:
        raise _Unsupported(sorted(unknown))
    checks: list[Check] = []
    if "type" in schema:
        checks.append(_type_check(schema["type"]))
    if "enum" in schema:
        checks.append(_enum_check(schema["enum"]))
    checks += _string_checks(schema)
    checks += _number_checks(schema)
    if schema.keys() & {"properties", "required", "additionalProperties"}:
        checks.append(_object_check(schema))
    if "items" in schema:
        item = _compile(schema["items"])
        checks.append(lambda x: not isinstance(x, list) or all(item(v) for v in x))
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    every = tuple(checks)

    def check_all(value: Any) -> bool:
        # a plain loop: all() over a generator made the whole record check ~40% slower
        for check in every:  # noqa: SIM110
            if not check(value):
                return False
        return True

    return check_all


def _type_check(names: Any) -> Check:
    names = [names] if isinstance(names, str) else names
    if not isinstance(names, list) or not names:
        raise _Unsupported(names)
    plain: list[type] = []
    number = integer = False
    for name in names:
        if name in _PLAIN_TYPES:
            plain.append(_PLAIN_TYPES[name])
        elif name == "number":
            number = True
        elif name == "integer":
            integer = True
        else:
            raise _Unsupported(name)
    plain_types = tuple(plain)

    def check_type(value: Any) -> bool:
        if isinstance(value, plain_types):
            return True
        if number and _is_number(value):
            return True
        # jsonschema's integer: an int that is not a bool, or a float with no fraction
        return integer and (
            (isinstance(value, int) and not isinstance(value, bool))
            or (isinstance(value, float) and value.is_integer())
        )

    return check_type


def _enum_check(members: Any) -> Check:
    # jsonschema compares strings with ==; None only equals None. Other members (numbers, where
    # True is not 1, lists, objects) are left to jsonschema.
    if not isinstance(members, list) or not all(m is None or isinstance(m, str) for m in members):
        raise _Unsupported(members)
    strings = frozenset(m for m in members if m is not None)
    none_allowed = None in members
    return lambda x: (x is None and none_allowed) or (isinstance(x, str) and x in strings)


def _string_checks(schema: dict[str, Any]) -> list[Check]:
    checks: list[Check] = []
    if "pattern" in schema:
        search = re.compile(schema["pattern"]).search  # jsonschema: re.search, not fullmatch
        checks.append(lambda x: not isinstance(x, str) or search(x) is not None)
    if "minLength" in schema:
        shortest = _count(schema["minLength"])
        checks.append(lambda x: not isinstance(x, str) or len(x) >= shortest)
    if "maxLength" in schema:
        longest = _count(schema["maxLength"])
        checks.append(lambda x: not isinstance(x, str) or len(x) <= longest)
    return checks


def _number_checks(schema: dict[str, Any]) -> list[Check]:
    checks: list[Check] = []
    # written as jsonschema writes them (not x < low), so NaN passes both as it does there
    if "minimum" in schema:
        low = _bound(schema["minimum"])
        checks.append(lambda x: not _is_number(x) or not x < low)
    if "maximum" in schema:
        high = _bound(schema["maximum"])
        checks.append(lambda x: not _is_number(x) or not x > high)
    return checks


def _count(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Unsupported(value)
    return value


def _bound(value: Any) -> int | float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise _Unsupported(value)
    return value


def _object_check(schema: dict[str, Any]) -> Check:
    properties = schema.get("properties", {})
    required = schema.get("required", [])
    if not isinstance(properties, dict) or not isinstance(required, list):
        raise _Unsupported(schema)
    named = {name: _compile(sub) for name, sub in properties.items()}
    needed = tuple(required)
    extra = _compile(schema.get("additionalProperties", True))

    def check_object(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for name in needed:
            if name not in value:
                return False
        for name, item in value.items():
            check = named.get(name, extra)
            if not check(item):
                return False
        return True

    return check_object
