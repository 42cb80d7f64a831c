"""SpiderRequest: serialised for the disk queue with its callbacks' names, read back as Scrapy would."""

from __future__ import annotations

import scrapy
from scrapy.utils.request import request_from_dict

from crawler.spiders.request import SpiderRequest, _method_name


class Spider(scrapy.Spider):
    name = "s"

    def parse_article(self, response):
        return None

    def on_error(self, failure):
        return None


def other(response):
    return None


def test_callbacks_are_named_and_read_back_to_the_same_methods():
    spider = Spider()
    request = SpiderRequest(
        "https://a.example/x",
        callback=spider.parse_article,
        errback=spider.on_error,
        meta={"site": "a"},
        priority=3,
    )
    as_dict = request.to_dict(spider=spider)
    assert (as_dict["callback"], as_dict["errback"]) == ("parse_article", "on_error")
    assert as_dict == scrapy.Request(
        "https://a.example/x",
        callback=spider.parse_article,
        errback=spider.on_error,
        meta={"site": "a"},
        priority=3,
    ).to_dict(spider=spider) | {"_class": "crawler.spiders.request.SpiderRequest"}
    again = request_from_dict(as_dict, spider=spider)
    assert type(again) is SpiderRequest
    assert again.callback == spider.parse_article and again.errback == spider.on_error
    assert request.callback == spider.parse_article  # the request itself is left as it was


def test_what_is_not_the_spiders_own_method_is_left_to_scrapy():
    spider, stranger = Spider(), Spider()
    assert _method_name(spider, None) is None
    assert _method_name(spider, other) is other
    assert _method_name(spider, stranger.parse_article) == "parse_article"  # same function
    assert _method_name(None, spider.parse_article) == spider.parse_article
    assert SpiderRequest("https://a.example/y").to_dict(spider=spider)["callback"] is None
