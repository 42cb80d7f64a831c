"""The crawl's stats collector: Scrapy's in-memory one, without its per-access wrapper.

Scrapy 2.13+ routes every attribute access of a stats collector through ``__getattribute__`` to
warn about a deprecated ``spider`` argument; ``inc_value`` then costs about 3 µs instead of 0.2
(measured here), and a crawl with the pipeline counts some 60 values per article. Nothing in
this project passes ``spider``; the methods still accept it, as Scrapy's do.
"""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector


class StatsCollector(MemoryStatsCollector):
    """:class:`~scrapy.statscollectors.MemoryStatsCollector`, attribute access left plain."""

    __getattribute__ = object.__getattribute__
