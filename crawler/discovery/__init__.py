"""Discovery: turn start points (feeds, sitemaps, listing pages) into article requests.

Helpers the spider (``crawler.spiders.news``) calls, no Scrapy classes here:

- :mod:`.feeds`, :mod:`.sitemaps` (with :mod:`.xmlsafe`): parse the documents;
- :mod:`.listings`: article links and the next page of a listing page;
- :mod:`.hints`: what a feed or sitemap entry says about an article before it is fetched;
- :mod:`.urls`: the normalised URL key of an article;
- :mod:`.ledger`: each article requested once per run, only when new or changed.
"""
