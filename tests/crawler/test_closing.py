"""A closing crawl sends nothing more: Closing, ClosingDownloader and the retry waits, on Scrapy's
real engine and downloader slots inside a running asyncio loop (no network)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.core.engine import ExecutionEngine
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.fetch.closing import Closing, engine_closing
from crawler.fetch.downloader import ClosingDownloader
from crawler.middlewares.errors import ShutdownCancelled
from crawler.middlewares.retry_after import PoliteRetryMiddleware


def test_closing_sleep_runs_out_or_ends_when_the_close_begins() -> None:
    async def scenario() -> tuple[bool, bool, float, bool]:
        closing = Closing()
        ran_out = await closing.sleep(0.05)
        started = time.monotonic()
        asyncio.get_running_loop().call_later(0.05, closing.begin)
        ended = await closing.sleep(30)
        waited = time.monotonic() - started
        return ran_out, ended, waited, await closing.sleep(30)

    ran_out, ended, waited, again = asyncio.run(scenario())
    assert (ran_out, ended, again) == (False, True, True)
    assert waited < 5


def crawler_with_engine(**settings: Any) -> Any:
    crawler = get_crawler(
        Spider,
        settings_dict={
            "DOWNLOADER": "crawler.fetch.downloader.ClosingDownloader",
            "DOWNLOAD_SLOTS": {"site": {"concurrency": 2, "delay": 10.0}},
            "RETRY_TIMES": 2,
            **settings,
        },
    )
    crawler.spider = crawler._create_spider("t")
    crawler.engine = ExecutionEngine(crawler, lambda _spider: None)
    crawler.crawling = True
    return crawler


def test_queued_requests_fail_unsent_once_the_close_begins() -> None:
    async def scenario() -> tuple[list[BaseException | Response], Any]:
        crawler = crawler_with_engine()
        downloader = crawler.engine.downloader
        assert isinstance(downloader, ClosingDownloader)
        requests = [
            Request(f"http://127.0.0.1:9/{n}", meta={"download_slot": "site", "site": "site"})
            for n in range(3)
        ]
        _key, slot = downloader._get_slot(requests[0])
        slot.lastseen = time.monotonic()  # the site was just fetched: the next waits 10 s
        tasks = [asyncio.ensure_future(downloader._enqueue_request(r)) for r in requests[:2]]
        await asyncio.sleep(0.05)
        assert len(slot.queue) == 2 and not slot.transferring
        crawler.crawling = False  # what Crawler.stop_async does first on SIGINT
        assert engine_closing(crawler)
        downloader._check()
        late = asyncio.ensure_future(downloader._enqueue_request(requests[2]))
        results = await asyncio.gather(*tasks, late, return_exceptions=True)
        return results, crawler.stats

    results, stats = asyncio.run(scenario())
    assert all(isinstance(r, ShutdownCancelled) for r in results), results
    assert stats.get_value("syndicrawl/fetch/cancelled_at_shutdown_count/unsent") == 3
    assert stats.get_value("syndicrawl/site/site/fetch/cancelled_at_shutdown_count") == 3


@pytest.mark.parametrize("retry_after", ["100", None])
def test_a_retry_wait_ends_and_the_retry_is_dropped_when_the_close_begins(
    retry_after: str | None,
) -> None:
    async def scenario() -> tuple[BaseException | Request | Response, float, Any]:
        crawler = crawler_with_engine(
            SYNDICRAWL_FETCH_BACKOFF_BASE=100.0, SYNDICRAWL_FETCH_BACKOFF_MAX=100.0
        )
        retry = PoliteRetryMiddleware.from_crawler(crawler)
        request = Request("https://wire.example/a", meta={"site": "wire"})
        headers = {"Retry-After": retry_after} if retry_after else {}
        waiting = asyncio.ensure_future(
            retry.process_response(request, Response(request.url, status=503, headers=headers))
        )
        await asyncio.sleep(0.05)
        assert not waiting.done()
        started = time.monotonic()
        crawler.engine.downloader.begin_close()
        try:
            result: BaseException | Request | Response = await waiting
        except ShutdownCancelled as exc:
            result = exc
        return result, time.monotonic() - started, crawler.stats

    result, waited, stats = asyncio.run(scenario())
    assert isinstance(result, ShutdownCancelled)
    assert waited < 5
    assert stats.get_value("syndicrawl/fetch/cancelled_at_shutdown_count/retry") == 1
