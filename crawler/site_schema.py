"""Site files against their JSON Schema (``crawler/schemas/site.v1.json``): every error at once.

jsonschema finds every structural error of a document (types, enums, patterns, ranges, unknown or
missing fields); each becomes a :class:`SiteProblem` worded as the site format's one-line errors
are: the file, the field (``start.listings[0].url``), the bad value and what is allowed (the
schema's ``x-allowed`` phrase of that field). The registry adds the checks a schema cannot make
(regular expressions compile, CSS selectors parse, time zones exist) in the same form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

SCHEMA_RESOURCE = "schemas/site.v1.json"
MAX_SHOWN = 80  # characters of a bad value shown in a message


@dataclass(frozen=True, slots=True)
class SiteProblem:
    """One thing wrong with a site file."""

    path: str
    field: str
    value: Any
    allowed: str

    def __str__(self) -> str:
        shown = repr(self.value)
        if len(shown) > MAX_SHOWN:
            shown = shown[: MAX_SHOWN - 3] + "..."
        return f"{self.path}: field '{self.field}': bad value {shown}: {self.allowed}"


@cache
def site_schema() -> dict[str, Any]:
    text = resources.files("crawler").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = site_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def schema_problems(data: Any, path: str) -> list[SiteProblem]:
    """Every structural problem of one parsed site document, in document order."""
    problems: list[SiteProblem] = []
    errors = sorted(_validator().iter_errors(data), key=lambda e: [str(p) for p in e.path])
    for error in errors:
        problems.extend(_problems_of(error, data, path))
    unique: dict[tuple[str, str], SiteProblem] = {}
    for problem in problems:  # anyOf branches can report one field twice
        unique.setdefault((problem.field, problem.allowed), problem)
    return list(unique.values())


def field_name(location: tuple[Any, ...] | list[Any]) -> str:
    """``("start", "listings", 0, "url")`` -> ``start.listings[0].url``."""
    name = ""
    for part in location:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "<document>"


def _problems_of(error: jsonschema.ValidationError, data: Any, path: str) -> list[SiteProblem]:
    location = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = sorted(error.schema.get("properties", {}))
        return [
            SiteProblem(
                path,
                field_name((*location, key)),
                error.instance[key],
                f"one of the known fields {known}",
            )
            for key in sorted(set(error.instance) - set(known))
        ]
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [key for key in error.validator_value if key not in error.instance]
        return [
            SiteProblem(path, field_name((*location, key)), None, _allowed((*location, key)))
            for key in missing
        ]
    if error.validator == "anyOf" and not location and error.schema is site_schema():
        return [
            SiteProblem(path, "domains", None, "a non-empty list of host names (or a base_url)")
        ]
    return [SiteProblem(path, field_name(location), error.instance, _allowed(location, error))]


def _allowed(location: tuple[Any, ...], error: jsonschema.ValidationError | None = None) -> str:
    """The ``x-allowed`` phrase of the field at ``location``: the field's own, else that of the
    definition it refers to, else jsonschema's message."""
    node: dict[str, Any] | None = site_schema()
    for part in location:
        node = _child(node, part)
        if node is None:
            break
    if node is not None:
        phrase = node.get("x-allowed") or _resolve(node).get("x-allowed")
        if phrase:
            return str(phrase)
    return error.message if error is not None else "a value"


def _child(node: dict[str, Any] | None, part: Any) -> dict[str, Any] | None:
    if node is None:
        return None
    node = _resolve(node)
    if isinstance(part, int):
        items = node.get("items")
        if items is None:
            for branch in node.get("anyOf", ()):
                items = _resolve(branch).get("items")
                if items is not None:
                    break
        return items
    properties = node.get("properties")
    if properties is None:
        for branch in node.get("anyOf", ()):
            properties = _resolve(branch).get("properties")
            if properties is not None:
                break
    child: dict[str, Any] | None = (properties or {}).get(part)
    return child


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    reference = node.get("$ref")
    if not isinstance(reference, str) or not reference.startswith("#/$defs/"):
        return node
    target: dict[str, Any] = site_schema()["$defs"][reference.removeprefix("#/$defs/")]
    return target
