"""Pure stage cores: take str/bytes and typed options, return typed results. No Scrapy here."""
