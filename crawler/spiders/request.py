"""Requests that serialise to the disk queue without searching the spider for their callbacks.

With ``JOBDIR`` (and in scrapy-redis's queues) Scrapy serialises every request with
``Request.to_dict``, which finds the name of each callback and errback by listing the spider's
members (``inspect.getmembers``): about 0.1 ms a request, twice. The spider's callbacks are its own
bound methods, so their ``__name__`` is the name, checked with one ``getattr``.
"""

from __future__ import annotations

from typing import Any

import scrapy


def _method_name(spider: Any, func: Any) -> Any:
    """``func``'s attribute name on ``spider`` if it is one of its bound methods, else ``func``."""
    name = getattr(func, "__name__", None)
    own = getattr(func, "__func__", None)
    if spider is None or name is None or own is None:
        return func
    found = getattr(spider, name, None)
    return name if getattr(found, "__func__", None) is own else func


class SpiderRequest(scrapy.Request):
    """A :class:`scrapy.Request` whose ``to_dict`` names the spider's callbacks directly."""

    def to_dict(self, *, spider: scrapy.Spider | None = None) -> dict[str, Any]:
        callback, errback = self.callback, self.errback
        # Scrapy keeps a callback that is already a name as it is
        self.callback = _method_name(spider, callback)
        self.errback = _method_name(spider, errback)
        try:
            return super().to_dict(spider=spider)
        finally:
            self.callback, self.errback = callback, errback
