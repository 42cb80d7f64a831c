"""robots.txt fails closed: a 5xx or unreachable robots.txt stops the crawl of that host."""

from __future__ import annotations

import asyncio

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from crawler.middlewares.robots import StrictRobotsTxtMiddleware


def make(download) -> StrictRobotsTxtMiddleware:  # type: ignore[no-untyped-def]
    crawler = get_crawler(settings_dict={"ROBOTSTXT_OBEY": True})
    crawler._apply_settings()
    crawler.engine = type("Engine", (), {"download_async": staticmethod(download)})()
    crawler.spider = None
    return StrictRobotsTxtMiddleware(crawler)


def robots_response(status: int, body: bytes) -> object:
    async def download(request: Request) -> TextResponse:
        return TextResponse(
            request.url, status=status, body=body, encoding="utf-8", request=request
        )

    return download


@pytest.mark.parametrize(
    ("download", "allowed"),
    [
        (robots_response(200, b"User-agent: *\nDisallow: /drafts/\n"), True),
        (robots_response(404, b"<html>not found</html>"), True),
        (robots_response(503, b"<html>busy</html>"), False),
        (robots_response(429, b""), False),
    ],
    ids=["rules", "404-no-rules", "503-closed", "429-closed"],
)
def test_robots_status_policy(download, allowed: bool) -> None:  # type: ignore[no-untyped-def]
    mw = make(download)
    request = Request("http://site.example/news/1.html")
    if allowed:
        assert asyncio.run(mw.process_request(request)) is None
    else:
        with pytest.raises(IgnoreRequest):
            asyncio.run(mw.process_request(request))


def test_unreachable_robots_txt_fails_closed() -> None:
    async def download(request: Request) -> TextResponse:
        raise TimeoutError("robots.txt timed out")

    mw = make(download)
    with pytest.raises(IgnoreRequest):
        asyncio.run(mw.process_request(Request("http://site.example/news/1.html")))
    assert mw.crawler.stats.get_value("syndicrawl/fetch/robots_unavailable_count") == 1
