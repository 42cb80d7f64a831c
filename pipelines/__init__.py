"""syndicrawl's item pipelines, one module per stage (extract, clean, dates, syndication, export).

Each stage has a pure core under ``pipelines.core`` (no Scrapy imports) and a thin Scrapy adapter
in ``pipelines/<stage>.py``.
"""
