"""Spiders. One generic spider crawls every configured site from its registry entry."""
