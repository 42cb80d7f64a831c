"""One exported record as a JSONL line, and its validation against the record schema."""

from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft202012Validator


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

    def problems(self, record: Any, *, limit: int = 3) -> list[str]:
        """Up to ``limit`` readable problems (``path: message``); empty when the record is valid."""
        found = []
        for error in sorted(
            self._validator.iter_errors(record), key=lambda e: [str(p) for p in e.absolute_path]
        ):
            path = ".".join(str(p) for p in error.absolute_path) or "(record)"
            found.append(f"{path}: {error.message}")
            if len(found) >= limit:
                break
        return found
