from __future__ import annotations

import pytest
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from crawler.monitoring.document import build_run
from crawler.monitoring.extension import MonitorStats
from pipelines.errors import EmptyExtraction


def test_counts_per_site_what_the_monitors_need() -> None:
    crawler = get_crawler(
        settings_dict={"EXTENSIONS": {"crawler.monitoring.extension.MonitorStats": 500}}
    )
    crawler.stats.open_spider()
    MonitorStats.from_crawler(crawler)
    send = crawler.signals.send_catch_log
    dated = ArticleItem(
        url="https://a.example/1",
        site="site-a",
        published_at="2026-03-02T06:00:00+00:00",
        text="Body.",
    )
    undated = ArticleItem(url="https://a.example/2", site="site-a", text="  ")
    send(signals.item_scraped, item=dated, response=None, spider=None)
    send(signals.item_scraped, item=undated, response=None, spider=None)
    send(
        signals.item_dropped,
        item=ArticleItem(url="https://a.example/3", site="site-a"),
        response=None,
        exception=EmptyExtraction("no body"),
        spider=None,
    )
    request = Request("https://a.example/1", meta={"site": "site-a"})
    send(
        signals.response_received,
        response=HtmlResponse(request.url, body=b"x" * 1234),
        request=request,
        spider=None,
    )
    stats = crawler.stats.get_stats()
    assert stats["syndicrawl/site/site-a/monitor/scraped_count"] == 2
    assert stats["syndicrawl/site/site-a/monitor/undated_count"] == 1
    assert stats["syndicrawl/site/site-a/monitor/no_text_count"] == 1
    assert stats["syndicrawl/site/site-a/monitor/response_bytes"] == 1234
    figures = build_run(
        {**stats, "item_dropped_reasons_count/EmptyExtraction": 1}, ["site-a"], "r1", None, None, 0
    ).sites["site-a"]
    assert (figures.missing_date, figures.missing_text, figures.bytes) == (1, 1, 1234)
    assert figures.dropped_by_reason == {"EmptyExtraction": 1}


def test_disabled_by_setting() -> None:
    with pytest.raises(NotConfigured, match="SYNDICRAWL_MONITOR_ENABLED"):
        MonitorStats.from_crawler(get_crawler(settings_dict={"SYNDICRAWL_MONITOR_ENABLED": False}))
