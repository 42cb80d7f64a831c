"""Object keys: partitions, part and manifest keys, allowed names."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pipelines.core.storage import InvalidKeyPart, new_run_id
from pipelines.core.storage.layout import (
    PART_KEY_RE,
    Partition,
    check_run_id,
    manifest_key,
    part_key,
    partition_of,
)

TODAY = "2026-12-01"


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (
            {"site": "alpha", "published_at": "2026-11-27T08:30:00+00:00"},
            Partition("2026-11-27", "alpha"),
        ),
        (
            {"site": "alpha", "published_at": "2026-11-27T23:30:00-05:00"},
            Partition("2026-11-28", "alpha"),
        ),
        (
            {"site": "alpha", "published_at": "2026-11-27T23:30:00"},
            Partition("2026-11-27", "alpha"),
        ),
        (
            {"site": "alpha", "published_at": None, "fetched_at": "2026-11-29T01:00:00+00:00"},
            Partition("2026-11-29", "alpha"),
        ),
        ({"site": "alpha", "published_at": None, "fetched_at": None}, Partition(TODAY, "alpha")),
        (
            {"site": None, "published_at": "2026-11-27T08:30:00+00:00"},
            Partition("2026-11-27", "unknown"),
        ),
    ],
    ids=[
        "utc",
        "offset-crosses-midnight",
        "naive-is-utc",
        "fetched-at-fallback",
        "today-fallback",
        "no-site",
    ],
)
def test_partition_of(record: dict[str, Any], expected: Partition) -> None:
    assert partition_of(record, today=TODAY) == expected


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"site": "Bad Site", "published_at": None}, "site name 'Bad Site'"),
        ({"site": "../etc", "published_at": None}, "site name '../etc'"),
        ({"site": "alpha", "published_at": "last tuesday"}, "published_at='last tuesday'"),
    ],
    ids=["space-and-caps", "path-escape", "unparsable-date"],
)
def test_partition_of_rejects_values_that_cannot_go_into_a_key(
    record: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidKeyPart, match=re.escape(message)):
        partition_of(record, today=TODAY)


def test_part_and_manifest_keys() -> None:
    partition = Partition("2026-11-27", "meridian-wire")
    key = part_key(partition, "20261127T083000Z-a1b2c3", 7, "gzip")
    assert (
        key
        == "articles/dt=2026-11-27/site=meridian-wire/part-20261127T083000Z-a1b2c3-00007.jsonl.gz"
    )
    assert PART_KEY_RE.match(key)
    assert part_key(partition, "r1", 0, "none").endswith("/part-r1-00000.jsonl")
    assert manifest_key("r1") == "manifests/run=r1.json"


@pytest.mark.parametrize("run_id", ["", "-lead", "a/b", "a.b", "a b", "x" * 81], ids=repr)
def test_bad_run_ids_are_rejected(run_id: str) -> None:
    with pytest.raises(InvalidKeyPart):
        check_run_id(run_id)


def test_new_run_id_is_a_valid_key_part() -> None:
    run_id = new_run_id()
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{6}", run_id)
    assert check_run_id(run_id) == run_id
