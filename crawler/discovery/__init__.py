"""Discovery: turn start points (feeds, sitemaps, listing pages) into article URLs with hints.

Pure parsing helpers, no Scrapy: the spider (``crawler.spiders.news``) calls them.
"""
