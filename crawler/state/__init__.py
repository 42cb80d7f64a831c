"""Persistent crawl state kept between runs (what was seen, when, with which validators)."""
