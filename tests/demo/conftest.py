"""A demo web shared by the demo tests of one module (servers start in a few milliseconds)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crawler.demo.server import DemoWeb


@pytest.fixture(scope="module")
def web() -> Iterator[DemoWeb]:
    with DemoWeb() as demo:
        yield demo


@pytest.fixture
def fresh_web() -> Iterator[DemoWeb]:
    """A demo web of its own, for tests that mutate pages."""
    with DemoWeb() as demo:
        yield demo
