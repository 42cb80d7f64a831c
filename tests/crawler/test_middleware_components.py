"""The fetch middlewares one by one: settings, decisions, stats (no crawl, no network)."""

from __future__ import annotations

import asyncio
import gzip
import random
import socket
from datetime import UTC, datetime
from email.utils import format_datetime
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import HtmlResponse, Response, TextResponse, XmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.internet import error as txerror
from twisted.python.failure import Failure

from crawler.middlewares import DOWNLOADER_MIDDLEWARES
from crawler.middlewares import retry_after as retry_module
from crawler.middlewares.backoff import backoff_delay, parse_retry_after
from crawler.middlewares.budget import RequestBudgetMiddleware
from crawler.middlewares.content_type import ContentTypeMiddleware
from crawler.middlewares.errors import (
    BudgetExceeded,
    NonHtmlResponse,
    NonXmlResponse,
    RedirectLoop,
    RefusedAddress,
    TooManyRedirects,
)
from crawler.middlewares.failures import FailureStatsMiddleware, classify_failure
from crawler.middlewares.options import BudgetOptions
from crawler.middlewares.redirects import RedirectLimitMiddleware
from crawler.middlewares.retry_after import PoliteRetryMiddleware
from crawler.middlewares.sniff import Verdict, judge_html, judge_xml, media_type, sniff
from crawler.registry import parse_site

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
HTML = b"<!DOCTYPE html><html><head><title>t</title></head><body><p>words</p></body></html>"
RSS = b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel></channel></rss>'
NUL_IN_SCRIPT = (
    b'<!doctype html><html><head><script>var t = "a\x00b";</script><title>t</title></head>'
    b"<body><p>words</p></body></html>"
)


def spider_with_sites(**budgets: int) -> Any:
    sites = {
        name: parse_site(
            {
                "name": name,
                "role": "original",
                "domains": [f"{name}.example"],
                "start": {"rss": [f"https://{name}.example/rss"]},
                "request_budget": b,
            }
        )
        for name, b in budgets.items()
    }
    return SimpleNamespace(sites=sites)


# --- priorities -------------------------------------------------------------------------------


def test_priorities_sit_where_the_docs_say_against_scrapy_builtins() -> None:
    p = {k.rsplit(".", 1)[1]: v for k, v in DOWNLOADER_MIDDLEWARES.items() if v is not None}
    assert p["AddressGuardMiddleware"] < 100  # before RobotsTxtMiddleware fetches robots.txt
    assert p["AddressGuardMiddleware"] < p["RequestBudgetMiddleware"] < 100
    assert p["FailureStatsMiddleware"] < p["PoliteRetryMiddleware"] == 550
    assert p["EncodingMiddleware"] < p["ContentTypeMiddleware"] < 590  # after decompression
    assert p["RedirectLimitMiddleware"] > 600  # before RedirectMiddleware follows the 3xx
    assert DOWNLOADER_MIDDLEWARES["scrapy.downloadermiddlewares.retry.RetryMiddleware"] is None


# --- budget -----------------------------------------------------------------------------------


def test_budget_refuses_past_the_site_budget_and_counts() -> None:
    crawler = get_crawler()
    spider = spider_with_sites(wire=2, big=10)
    mw = RequestBudgetMiddleware(
        BudgetOptions(request_budget=100), stats=crawler.stats, spider_getter=lambda: spider
    )
    for i in range(2):
        mw.process_request(Request(f"https://wire.example/{i}", meta={"site": "wire"}))
    with pytest.raises(BudgetExceeded, match="site wire used its budget of 2 requests"):
        mw.process_request(Request("https://wire.example/3", meta={"site": "wire"}))
    mw.process_request(Request("https://big.example/1", meta={"site": "big"}))
    assert crawler.stats.get_value("syndicrawl/site/wire/fetch/budget_exceeded_count") == 1
    assert mw.remaining("wire") == 0 and mw.remaining("big") == 9


def test_budget_attributes_robots_requests_by_host() -> None:
    spider = spider_with_sites(wire=1)
    mw = RequestBudgetMiddleware(BudgetOptions(request_budget=100), spider_getter=lambda: spider)
    mw.process_request(Request("https://www.wire.example/robots.txt"))  # no meta: matched by domain
    with pytest.raises(BudgetExceeded):
        mw.process_request(Request("https://wire.example/a", meta={"site": "wire"}))


def test_budget_setting_applies_without_site_config_and_is_validated() -> None:
    mw = RequestBudgetMiddleware.from_crawler(
        get_crawler(settings_dict={"SYNDICRAWL_FETCH_REQUEST_BUDGET": 1})
    )
    mw.process_request(Request("https://x.example/", meta={"site": "x"}))
    with pytest.raises(BudgetExceeded):
        mw.process_request(Request("https://x.example/2", meta={"site": "x"}))
    assert RequestBudgetMiddleware.from_crawler(get_crawler()).default_budget == 5000
    with pytest.raises(ValueError, match="SYNDICRAWL_FETCH_REQUEST_BUDGET: bad value 0"):
        RequestBudgetMiddleware.from_crawler(
            get_crawler(settings_dict={"SYNDICRAWL_FETCH_REQUEST_BUDGET": 0})
        )


def test_budget_ignores_requests_of_no_site() -> None:
    mw = RequestBudgetMiddleware(BudgetOptions(request_budget=1))
    for _ in range(3):
        mw.process_request(Request("https://elsewhere.example/"))


# --- content type -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0JFIF", "image/jpeg"),
        (b"GIF89a....", "image/gif"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"PK\x03\x04rest", "application/zip"),
        (gzip.compress(b"x"), "application/gzip"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"\x00\x00\x00\x18ftypmp42", "video/mp4"),
        (b"abc\x00def", "application/octet-stream"),
        (HTML, "text/html"),
        (b"  \n<html lang=fr>", "text/html"),
        (b"\xef\xbb\xbf<!doctype html>", "text/html"),
        (b"<!-- generated --><p>hi</p>", "text/html"),
        (RSS, "application/xml"),
        (b"<!-- feed --><rss version='2.0'>", "application/xml"),
        (b"<?xml version='1.0'?><x/>", "application/xml"),
        (b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml">', "text/html"),
        (b"just some words", None),
        (b"", None),
        # Structure first: a NUL or other control byte after leading markup is a stray byte.
        (NUL_IN_SCRIPT, "text/html"),
        (b"\n\t<HTML>\x00\x01<body>", "text/html"),
        (b"<?xml version='1.0'?><rss version='2.0'><title>a\x00b</title>", "application/xml"),
        # Without leading markup: a preamble and a stray byte, or a binary with "<html" in it.
        (b"Warning: x\x00 in line 3\n<html><head>", "text/html"),
        (b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f<html>", "application/octet-stream"),
        (b"\x00\x00\x00\x0c" + b"\x10" * 40 + b"<html>", "application/octet-stream"),
        (b"<\x00h\x00t\x00m\x00l\x00>\x00", "application/octet-stream"),  # UTF-16 without BOM
    ],
    ids=lambda v: repr(v)[:20] if isinstance(v, bytes) else str(v),
)
def test_sniff(body: bytes, expected: str | None) -> None:
    assert sniff(body) == expected


def test_a_page_with_a_nul_in_a_script_is_html_and_binaries_are_still_refused() -> None:
    assert judge_html("text/html", NUL_IN_SCRIPT) == Verdict(True, body_type="text/html")
    assert judge_html(None, NUL_IN_SCRIPT).accept
    assert judge_html("application/octet-stream", NUL_IN_SCRIPT).outcome == "content_type_mismatch"
    png = judge_html("text/html", PNG + b"<html><body>" + bytes(range(32)))
    assert (png.accept, png.detail) == (False, "image/png")
    assert judge_html("text/html", b" \r\n").detail == "empty"


@pytest.mark.parametrize(
    ("declared", "body", "accept", "outcome", "detail"),
    [
        ("text/html", HTML, True, None, None),
        ("application/xhtml+xml", HTML, True, None, None),
        ("text/html", PNG, False, "skipped_non_html", "image/png"),
        ("application/pdf", b"%PDF-1.4", False, "skipped_non_html", "application/pdf"),
        ("text/plain", HTML, True, "content_type_mismatch", "text/plain"),
        (
            "application/octet-stream",
            HTML,
            True,
            "content_type_mismatch",
            "application/octet-stream",
        ),
        (None, HTML, True, "content_type_missing", "text/html"),
        ("text/plain", b"plain words only", False, "skipped_non_html", "text/plain"),
        ("application/json", b'{"a": 1}', False, "skipped_non_html", "application/json"),
        (None, b"", False, "skipped_non_html", "unknown"),
    ],
)
def test_judge_html(
    declared: str | None, body: bytes, accept: bool, outcome: str | None, detail: str | None
) -> None:
    verdict = judge_html(declared, body)
    assert (verdict.accept, verdict.outcome, verdict.detail) == (accept, outcome, detail)


@pytest.mark.parametrize(
    ("declared", "body", "accept", "outcome"),
    [
        ("application/rss+xml", RSS, True, None),
        ("text/html", RSS, True, "content_type_mismatch"),
        (None, RSS, True, "content_type_missing"),
        ("application/octet-stream", gzip.compress(RSS), True, None),
        ("text/plain", b"https://a.example/1\nhttps://a.example/2\n", True, None),
        ("text/html", HTML, False, "skipped_non_xml"),
        ("image/png", PNG, False, "skipped_non_xml"),
        ("application/json", b"{}", False, "skipped_non_xml"),
    ],
)
def test_judge_xml(declared: str | None, body: bytes, accept: bool, outcome: str | None) -> None:
    verdict = judge_xml(declared, body)
    assert (verdict.accept, verdict.outcome) == (accept, outcome)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text/HTML; charset=UTF-8", "text/html"),
        (b"application/xml", "application/xml"),
        ("", None),
        (None, None),
        ("garbage", None),
    ],
)
def test_media_type(value: str | bytes | None, expected: str | None) -> None:
    assert media_type(value) == expected


def test_content_type_middleware_refuses_recasts_and_counts() -> None:
    crawler = get_crawler()
    mw = ContentTypeMiddleware(stats=crawler.stats)
    article = Request("https://wire.example/a.html", meta={"site": "wire", "kind": "article"})
    with pytest.raises(NonHtmlResponse, match="image/png"):
        mw.process_response(
            article, Response(article.url, body=PNG, headers={"Content-Type": "text/html"})
        )
    plain = TextResponse(article.url, body=HTML, headers={"Content-Type": "text/plain"})
    assert isinstance(mw.process_response(article, plain), HtmlResponse)
    feed = Request("https://wire.example/rss", meta={"site": "wire", "kind": "feed"})
    assert isinstance(
        mw.process_response(
            feed, HtmlResponse(feed.url, body=RSS, headers={"Content-Type": "text/html"})
        ),
        XmlResponse,
    )
    with pytest.raises(NonXmlResponse):
        mw.process_response(
            feed, HtmlResponse(feed.url, body=HTML, headers={"Content-Type": "text/html"})
        )
    stats = crawler.stats.get_stats()
    assert stats["syndicrawl/site/wire/fetch/skipped_non_html_count"] == 1
    assert stats["syndicrawl/fetch/skipped_non_html_count/image_png"] == 1
    assert stats["syndicrawl/site/wire/fetch/content_type_mismatch_count"] == 2
    assert stats["syndicrawl/site/wire/fetch/skipped_non_xml_count"] == 1


def test_content_type_middleware_ignores_errors_robots_and_unknown_kinds() -> None:
    mw = ContentTypeMiddleware()
    png = Response("https://wire.example/x", body=PNG, headers={"Content-Type": "image/png"})
    assert mw.process_response(Request(png.url, meta={"kind": "robots"}), png) is png
    assert mw.process_response(Request(png.url), png) is png
    error = Response(png.url, status=404, body=PNG)
    assert mw.process_response(Request(png.url, meta={"kind": "article"}), error) is error


# --- retry ------------------------------------------------------------------------------------

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (b"0", 0.0),
        ("  7 ", 7.0),
        (format_datetime(datetime(2026, 3, 1, 12, 0, 30, tzinfo=UTC), usegmt=True), 30.0),
        ("Sun, 01 Mar 2026 11:00:00 GMT", 0.0),  # in the past
        ("Sunday, 01-Mar-26 12:01:00 GMT", 60.0),  # RFC 850 form
        ("soon", None),
        ("-5", None),
        ("", None),
        (None, None),
        ("1.5", None),
    ],
)
def test_parse_retry_after(value: str | bytes | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected


def test_backoff_grows_is_capped_and_jittered() -> None:
    rng = random.Random(7)
    delays = [backoff_delay(n, 1.0, 8.0, rng) for n in range(6)]
    for n, d in enumerate(delays):
        ceiling = min(8.0, 2.0**n)
        assert ceiling / 2 <= d <= ceiling
    assert len({round(backoff_delay(2, 1.0, 8.0, rng), 6) for _ in range(5)}) > 1
    assert backoff_delay(3, 0.0, 8.0) == 0.0


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def retry(monkeypatch: pytest.MonkeyPatch) -> tuple[PoliteRetryMiddleware, Sleeps]:
    crawler = get_crawler(
        Spider,
        settings_dict={
            "RETRY_TIMES": 2,
            "SYNDICRAWL_FETCH_MAX_RETRY_AFTER": 60,
            "SYNDICRAWL_FETCH_BACKOFF_BASE": 2.0,
        },
    )
    crawler.spider = crawler._create_spider("t")
    sleeps = Sleeps()
    monkeypatch.setattr(retry_module, "sleep", sleeps)
    return PoliteRetryMiddleware.from_crawler(crawler), sleeps


def respond(
    mw: PoliteRetryMiddleware,
    status: int,
    headers: dict[str, str] | None = None,
    meta: dict[str, Any] | None = None,
) -> Request | Response:
    request = Request("https://wire.example/a", meta={"site": "wire", **(meta or {})})
    return asyncio.run(
        mw.process_response(request, Response(request.url, status=status, headers=headers or {}))
    )


def test_retry_after_seconds_is_waited(retry: tuple[PoliteRetryMiddleware, Sleeps]) -> None:
    mw, sleeps = retry
    result = respond(mw, 503, {"Retry-After": "12"})
    assert isinstance(result, Request) and result.meta["retry_times"] == 1
    assert sleeps.calls == [12.0]
    assert mw.crawler.stats.get_value("syndicrawl/site/wire/fetch/retried_count") == 1
    assert mw.crawler.stats.get_value("syndicrawl/fetch/retried_count/503") == 1


def test_retry_after_above_cap_gives_up_without_waiting(
    retry: tuple[PoliteRetryMiddleware, Sleeps],
) -> None:
    mw, sleeps = retry
    result = respond(mw, 429, {"Retry-After": "3600"})
    assert isinstance(result, Response) and result.status == 429
    assert sleeps.calls == []
    assert mw.crawler.stats.get_value("syndicrawl/fetch/gave_up_count/429") == 1
    assert mw.crawler.stats.get_value("syndicrawl/site/wire/fetch/retry_after_over_cap_count") == 1


def test_5xx_without_retry_after_backs_off(retry: tuple[PoliteRetryMiddleware, Sleeps]) -> None:
    mw, sleeps = retry
    respond(mw, 502)
    respond(mw, 502, meta={"retry_times": 1})
    first, second = sleeps.calls
    assert 1.0 <= first <= 2.0 and 2.0 <= second <= 4.0


def test_unreadable_retry_after_falls_back_to_backoff(
    retry: tuple[PoliteRetryMiddleware, Sleeps],
) -> None:
    mw, sleeps = retry
    assert isinstance(respond(mw, 503, {"Retry-After": "whenever"}), Request)
    assert 1.0 <= sleeps.calls[0] <= 2.0


def test_retries_run_out_and_are_counted(retry: tuple[PoliteRetryMiddleware, Sleeps]) -> None:
    mw, sleeps = retry
    result = respond(mw, 500, meta={"retry_times": 2})
    assert isinstance(result, Response) and sleeps.calls == []
    assert mw.crawler.stats.get_value("syndicrawl/site/wire/fetch/gave_up_count") == 1
    assert mw.crawler.stats.get_value("syndicrawl/fetch/gave_up_count/500") == 1


def test_non_retry_statuses_and_dont_retry_pass(
    retry: tuple[PoliteRetryMiddleware, Sleeps],
) -> None:
    mw, _ = retry
    assert isinstance(respond(mw, 404), Response)
    assert isinstance(respond(mw, 503, {"Retry-After": "1"}, meta={"dont_retry": True}), Response)


def test_download_errors_are_retried_with_backoff_and_counted(
    retry: tuple[PoliteRetryMiddleware, Sleeps],
) -> None:
    mw, sleeps = retry
    request = Request("https://wire.example/a", meta={"site": "wire"})
    result = asyncio.run(mw.process_exception(request, DownloadTimeoutError("slow")))
    assert isinstance(result, Request) and len(sleeps.calls) == 1
    assert mw.crawler.stats.get_value("syndicrawl/fetch/retried_count/timeout") == 1
    assert asyncio.run(mw.process_exception(request, ValueError("not a network error"))) is None


def test_retry_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="SYNDICRAWL_FETCH_MAX_RETRY_AFTER: bad value -1"):
        PoliteRetryMiddleware.from_crawler(
            get_crawler(settings_dict={"SYNDICRAWL_FETCH_MAX_RETRY_AFTER": -1})
        )
    mw = PoliteRetryMiddleware.from_crawler(get_crawler())
    assert (mw.max_retry_after, mw.backoff_base, mw.backoff_max) == (120.0, 1.0, 30.0)


# --- failures ---------------------------------------------------------------------------------

CLASSIFY = [
    (
        DownloadCancelledError(
            "Received 9 bytes which is larger than download max size (8) in request <GET x>."
        ),
        "too_large",
    ),
    (DownloadCancelledError("cancelled"), "cancelled"),
    (DownloadTimeoutError("took longer"), "timeout"),
    (txerror.TimeoutError(), "timeout"),
    (txerror.TCPTimedOutError(), "timeout"),
    (CannotResolveHostError("nope"), "dns"),
    (txerror.DNSLookupError(), "dns"),
    (socket.gaierror(-2, "Name or service not known"), "dns"),
    (DownloadConnectionRefusedError(), "connection"),
    (txerror.ConnectionRefusedError(), "connection"),
    (ConnectionResetError(104, "reset"), "connection"),
    (txerror.ConnectionLost(), "connection"),
    (DownloadFailedError("lost"), "connection"),
    (ResponseDataLossError(), "data_loss"),
    (RefusedAddress("x"), "refused_address"),
    (BudgetExceeded("x"), "budget_exceeded"),
    (NonHtmlResponse("x"), "skipped_non_html"),
    (RedirectLoop("x"), "redirect_loop"),
    (IgnoreRequest("Forbidden by robots.txt"), "robots_forbidden"),
    (IgnoreRequest("max redirections reached"), "too_many_redirects"),
    (IgnoreRequest("something"), "ignored"),
    (HttpError(Response("https://a.example/", status=404), "Ignoring"), "http_404"),
    (ValueError("?"), "other"),
]


@pytest.mark.parametrize(
    ("exc", "expected"), CLASSIFY, ids=[f"{type(e).__name__}-{x}" for e, x in CLASSIFY]
)
def test_classify_failure(exc: BaseException, expected: str) -> None:
    assert classify_failure(exc) == expected
    assert classify_failure(Failure(exc)) == expected


def test_failure_stats_count_final_failures_but_not_refusals() -> None:
    crawler = get_crawler()
    mw = FailureStatsMiddleware(stats=crawler.stats)
    request = Request("https://wire.example/a", meta={"site": "wire"})
    assert mw.process_exception(request, DownloadTimeoutError("slow")) is None
    mw.process_exception(request, RefusedAddress("already counted"))
    stats = crawler.stats.get_stats()
    assert stats["syndicrawl/site/wire/fetch/timeout_count"] == 1
    assert stats["syndicrawl/fetch/timeout_count/downloadtimeouterror"] == 1
    assert not any("refused" in key for key in stats)


# --- redirects --------------------------------------------------------------------------------


def redirect(mw: RedirectLimitMiddleware, url: str, location: str, **meta: Any) -> Response:
    request = Request(url, meta={"site": "wire", **meta})
    return mw.process_response(request, Response(url, status=302, headers={"Location": location}))


def test_redirect_loop_is_refused_and_counted() -> None:
    crawler = get_crawler()
    mw = RedirectLimitMiddleware(5, stats=crawler.stats)
    with pytest.raises(RedirectLoop):
        redirect(
            mw,
            "https://wire.example/b",
            "/a#top",
            redirect_urls=["https://wire.example/a"],
            redirect_times=1,
        )
    with pytest.raises(RedirectLoop):
        redirect(mw, "https://wire.example/a", "https://wire.example/a")
    assert crawler.stats.get_value("syndicrawl/site/wire/fetch/redirect_loop_count") == 2


def test_redirect_chain_past_the_limit_is_refused_and_counted() -> None:
    crawler = get_crawler()
    mw = RedirectLimitMiddleware(2, stats=crawler.stats)
    assert redirect(mw, "https://wire.example/1", "/2", redirect_times=1).status == 302
    with pytest.raises(TooManyRedirects, match="REDIRECT_MAX_TIMES=2"):
        redirect(mw, "https://wire.example/2", "/3", redirect_times=2)
    assert crawler.stats.get_value("syndicrawl/fetch/too_many_redirects_count") == 1


def test_redirects_the_request_handles_itself_pass() -> None:
    mw = RedirectLimitMiddleware(0)
    assert redirect(mw, "https://wire.example/a", "/a", dont_redirect=True).status == 302
    assert redirect(mw, "https://wire.example/a", "/a", handle_httpstatus_list=[302]).status == 302
