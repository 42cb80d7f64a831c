"""Fixtures of the distributed-mode tests: the real Redis on 127.0.0.1:6379, one key prefix per test."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest

REDIS_URL = "redis://127.0.0.1:6379/0"


def _flush(client: Any, prefix: str) -> None:
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture
def redis_client() -> Iterator[Any]:
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:  # pragma: no cover - the CI image runs Redis
        pytest.skip(f"no Redis on {REDIS_URL}: {exc}")
    yield client
    client.close()


@pytest.fixture
def prefix(redis_client: Any) -> Iterator[str]:
    """A key prefix only this test uses; its keys (and only those) are deleted afterwards."""
    value = f"syndicrawl-test-{secrets.token_hex(4)}"
    yield value
    _flush(redis_client, value)
