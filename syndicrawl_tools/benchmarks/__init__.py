"""Benchmarks that print speed figures (``syndicrawl bench``): the whole crawl of a generated news
web (:mod:`.pipeline`, served by :mod:`.server`, built by :mod:`.synthweb`) and the syndication
index (:mod:`.syndication`)."""
