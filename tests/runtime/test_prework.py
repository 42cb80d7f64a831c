"""LearnedGuesses: the per-site guess of learned boilerplate sent with each page to the pool."""

from __future__ import annotations

from scrapy.utils.test import get_crawler

from pipelines.runtime.prework import LearnedGuesses


def test_guesses_are_per_site_bounded_and_rebuilt_only_on_change() -> None:
    guesses = LearnedGuesses(per_site=3)
    assert guesses.guess("radio") == frozenset() and guesses.guess(None) == frozenset()
    guesses.note("radio", frozenset({"a"}))
    guesses.note("radio", frozenset({"a", "b"}))
    first = guesses.guess("radio")
    assert first == {"a", "b"} and guesses.guess("gazette") == frozenset()
    guesses.note("radio", frozenset({"a"}))  # nothing new: the same object is sent
    assert guesses.guess("radio") is first
    guesses.note("radio", frozenset({"c"}))
    guesses.note("radio", frozenset({"d"}))  # over the bound: the oldest goes
    assert guesses.guess("radio") == {"b", "c", "d"}


def test_one_instance_per_crawl() -> None:
    crawler = get_crawler(settings_dict={})
    assert LearnedGuesses.for_crawler(crawler) is LearnedGuesses.for_crawler(crawler)
    assert LearnedGuesses.for_crawler(None) is not LearnedGuesses.for_crawler(None)
