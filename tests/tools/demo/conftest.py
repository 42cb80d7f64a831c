"""A demo web shared by the demo tests of one module (servers start in a few milliseconds)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from syndicrawl_tools.demo.server import DemoWeb

# 247 days after NOMINAL_NOW (2026-03-25 09:00 UTC), plus seconds the shift must ignore.
FIXED_START = datetime(2026, 11, 27, 9, 0, 45, tzinfo=UTC)


@pytest.fixture(scope="module")
def web() -> Iterator[DemoWeb]:
    with DemoWeb() as demo:
        yield demo


@pytest.fixture
def fresh_web() -> Iterator[DemoWeb]:
    """A demo web of its own, for tests that mutate pages."""
    with DemoWeb() as demo:
        yield demo


@pytest.fixture(scope="module")
def fixed_web() -> Iterator[DemoWeb]:
    """A demo web whose clock starts at :data:`FIXED_START`: served dates are known by hand."""
    with DemoWeb(start_time=FIXED_START) as demo:
        yield demo
