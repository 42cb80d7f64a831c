"""Run one tiny real crawl with the fetch middlewares and write what happened as JSON.

Used by tests/crawler/test_middleware_crawl.py in a subprocess (the Twisted reactor cannot restart
inside one pytest process)::

    python tests/crawler/middleware_crawl_helper.py CONFIG.json

CONFIG holds ``start`` (url, site, kind), ``sites`` (name -> domains, request_budget), ``settings``
and ``out``, the path the result is written to: ``stats``, ``pages`` (what reached a callback) and
``failures`` (url and :func:`classify_failure` of what reached the errback).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import TextResponse

from crawler.middlewares import DOWNLOADER_MIDDLEWARES
from crawler.middlewares.failures import classify_failure
from crawler.registry import Listing, SiteConfig, StartPoints


class ProbeSpider(scrapy.Spider):
    name = "probe"

    def __init__(self, config: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.config = config
        self.sites = {
            name: SiteConfig(
                name=name,
                role="original",
                domains=tuple(site["domains"]),
                start=StartPoints(listings=(Listing(url="http://127.0.0.1/"),)),
                request_budget=site.get("request_budget", 5000),
            )
            for name, site in config["sites"].items()
        }
        self.pages: list[dict[str, Any]] = []
        self.failures: list[dict[str, Any]] = []

    async def start(self):  # type: ignore[override]
        for entry in self.config["start"]:
            yield scrapy.Request(
                entry["url"],
                meta={"site": entry["site"], "kind": entry["kind"]},
                callback=self.parse,
                errback=self.failed,
                dont_filter=True,
            )

    def parse(self, response):  # type: ignore[override]
        text = response.text if isinstance(response, TextResponse) else None
        self.pages.append(
            {
                "url": response.url,
                "status": response.status,
                "class": type(response).__name__,
                "encoding": getattr(response, "encoding", None),
                "text": text,
            }
        )
        if response.meta["kind"] != "listing":
            return
        for link in response.css("a"):
            meta = {"site": response.meta["site"], "kind": link.attrib.get("data-kind", "article")}
            if "data-timeout" in link.attrib:  # one slow page times out; the rest keep the default
                meta["download_timeout"] = float(link.attrib["data-timeout"])
            yield response.follow(
                link.attrib["href"], meta=meta, callback=self.parse, errback=self.failed
            )

    def failed(self, failure):  # type: ignore[no-untyped-def]
        self.failures.append({"url": failure.request.url, "why": classify_failure(failure)})

    def closed(self, reason: str) -> None:
        result = {
            "reason": reason,
            "stats": self.crawler.stats.get_stats(),
            "pages": self.pages,
            "failures": self.failures,
        }
        Path(self.config["out"]).write_text(
            json.dumps(result, default=str, ensure_ascii=False), encoding="utf-8"
        )


def main(config_path: str) -> int:
    config = json.loads(Path(config_path).read_text(encoding="utf-8"))
    settings = {
        "DOWNLOADER_MIDDLEWARES": DOWNLOADER_MIDDLEWARES,
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "ROBOTSTXT_OBEY": True,
        "TELNETCONSOLE_ENABLED": False,
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS": 32,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
        "LOG_LEVEL": "INFO",
        **config.get("settings", {}),
    }
    process = CrawlerProcess(settings)
    process.crawl(ProbeSpider, config=config)
    process.start()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
