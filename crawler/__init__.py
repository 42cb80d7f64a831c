"""syndicrawl's Scrapy project: site registry, spiders, discovery, fetching, CLI."""
