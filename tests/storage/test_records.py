"""RecordValidator: the compiled check gives jsonschema's verdict on the record schema, and the
problems read as before (jsonschema's messages)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from crawler.items import load_schema, to_record
from pipelines.core.storage.records import RecordValidator, compile_check
from tests.storage.factories import make_item

SCHEMA = load_schema()
REFERENCE = Draft202012Validator(SCHEMA)
CHECK = compile_check(SCHEMA)
VALIDATOR = RecordValidator(SCHEMA)


def reference_problems(record: Any, limit: int = 3) -> list[str]:
    """The problems as jsonschema alone gives them (the validator before the compiled check)."""
    errors = sorted(REFERENCE.iter_errors(record), key=lambda e: [str(p) for p in e.absolute_path])
    return [
        f"{'.'.join(str(p) for p in e.absolute_path) or '(record)'}: {e.message}"
        for e in errors[:limit]
    ]


def valid_record() -> dict[str, Any]:
    record = to_record(make_item(1))
    record["run_id"] = "run-1"
    record["content_sha256"] = "ab" * 32
    record["syndication"] = {
        "status": "republication",
        "original_url": "https://x.example/a.html",
        "original_site": "x",
        "cluster_id": "c-0123456789abcdef",
        "similarity": 0.93,
        "evidence": ["credit:X"],
        "copies": [],
    }
    return record


def test_the_record_schema_is_compiled() -> None:
    assert CHECK is not None and CHECK(valid_record())


# Values chosen around the schema's edges: types jsonschema tells apart (bool is not a number),
# strings that a pattern's ^...$ (re.search) takes or not, numbers at and past the bounds.
EDGE_VALUES = [
    None,
    True,
    False,
    0,
    1,
    -1,
    0.5,
    1.0,
    1.5,
    -0.0,
    math.nan,
    math.inf,
    "",
    "en",
    "EN",
    "en\n",
    "eng",
    "1.0",
    "1.12",
    "2.0",
    "1.0\n",
    "c-0123456789abcdef",
    "c-0123456789ABCDEF",
    "2026-11-27T08:30:00+00:00",
    "2026-11-27T08:30:00.123+00:00",
    "2026-11-27T08:30:00Z",
    "2026-13-45T99:99:99+00:00",
    "ab" * 32,
    "jsonld",
    "http",
    "original",
    "unique",
    "republication",
    "x",
    [],
    ["a"],
    [1],
    [None],
    {},
    {"status": "unique"},
    {"status": "original", "copies": ["a", 2]},
    {"status": "nope"},
    {"evidence": []},
    {"status": "unique", "extra": 1},
]
FIELDS = [*SCHEMA["properties"], "unknown_field"]
SYNDICATION_FIELDS = [*SCHEMA["properties"]["syndication"]["properties"], "unknown_field"]


@st.composite
def changed_records(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 30)) == 0:
        return draw(st.sampled_from([None, [], "record", 1, [valid_record()]]))
    record = valid_record()
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(["record", "syndication", "drop"]))
        value = draw(st.sampled_from(EDGE_VALUES))
        if where == "record":
            record[draw(st.sampled_from(FIELDS))] = value
        elif where == "drop":
            record.pop(draw(st.sampled_from(FIELDS)), None)
        elif isinstance(record.get("syndication"), dict):
            record["syndication"][draw(st.sampled_from(SYNDICATION_FIELDS))] = value
    return record


@settings(max_examples=1000, deadline=None)
@given(changed_records())
def test_the_compiled_check_agrees_with_jsonschema(record: Any) -> None:
    assert CHECK is not None
    assert CHECK(record) == REFERENCE.is_valid(record)
    assert VALIDATOR.problems(record) == reference_problems(record)


@pytest.mark.parametrize(
    ("field", "value", "valid"),
    [
        ("language", "en\n", True),  # jsonschema's pattern is re.search: $ takes a final newline
        ("language", "EN", False),
        ("published_at", "2026-11-27T08:30:00Z", False),
        ("published_at", "2026-13-45T99:99:99+00:00", True),  # format is not asserted
        ("url", "", False),
        ("authors", ["Ana", 3], False),
        ("published_at_source", "jsonld", True),
        ("published_at_source", "JSONLD", False),
    ],
)
def test_record_fields_at_the_edges(field: str, value: Any, valid: bool) -> None:
    record = valid_record()
    record[field] = value
    problems = RecordValidator().problems(record)
    assert (problems == []) is valid
    assert problems == reference_problems(record)


@pytest.mark.parametrize(
    ("value", "valid"),
    [(True, False), (1, True), (1.0, True), (1.5, False), (-0.0, True), (math.nan, True)],
)
def test_similarity_is_a_number_from_0_to_1_as_jsonschema_counts(value: Any, valid: bool) -> None:
    record = valid_record()
    record["syndication"]["similarity"] = value
    assert (RecordValidator().problems(record) == []) is valid


def test_messages_name_the_path_as_before() -> None:
    record = valid_record()
    record["language"] = "english"
    record["syndication"]["status"] = "copied"
    record.pop("url")
    assert RecordValidator().problems(record) == [
        "(record): 'url' is a required property",
        "language: 'english' does not match '^[a-z]{2}$'",
        "syndication.status: 'copied' is not one of ['original', 'republication', 'unique']",
    ]


@pytest.mark.parametrize(
    ("schema", "valid", "invalid"),
    [
        ({"$ref": "#/$defs/x", "$defs": {"x": {"type": "string"}}}, "a", 1),
        ({"type": "object", "properties": {"a": {"const": 1}}}, {"a": 1}, {"a": 2}),
        ({"type": "array", "prefixItems": [{"type": "string"}]}, ["a", 1], [1]),
        ({"enum": [1, "a"]}, 1, True),
        (
            {"type": "object", "patternProperties": {"^x": {"type": "string"}}},
            {"xa": "s"},
            {"xa": 1},
        ),
    ],
)
def test_other_keywords_are_left_to_jsonschema(
    schema: dict[str, Any], valid: Any, invalid: Any
) -> None:
    assert compile_check(schema) is None
    validator = RecordValidator(schema)
    assert validator.problems(valid) == []
    assert validator.problems(invalid) == reference_problems_for(schema, invalid) != []


def reference_problems_for(schema: dict[str, Any], instance: Any) -> list[str]:
    errors = Draft202012Validator(schema).iter_errors(instance)
    return [
        f"{'.'.join(str(p) for p in e.absolute_path) or '(record)'}: {e.message}" for e in errors
    ]
