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


def test_the_first_pass_made_ahead_is_taken_only_for_the_same_site_identity_and_links() -> None:
    from pipelines.core.cleaning import Cleaner
    from pipelines.core.promo import SiteIdentity
    from pipelines.runtime.prework import prework

    story = [
        "The valley's night buses will run on Fridays and Saturdays from next month, the bus company said.",
        "Buses will leave Riverton square every hour from eleven until three in the morning.",
    ]
    promo = "Osprey FM is the moorland's own internet radio station, on air around the clock."
    paragraphs = [*story, "Osprey FM", promo]
    titles = ("Night buses for the valley",)
    who = SiteIdentity.of(None, "https://ospreyfm.example/news/buses", ["Osprey FM"])
    linked = frozenset({"Osprey FM"})
    work = prework(Cleaner(), paragraphs, titles, None, identity=who, linked=linked)
    assert work.text == "\n\n".join(story)
    first = work.first_pass_for(paragraphs, titles, None, who, linked)
    assert first is work.first_pass
    # what the crawl process would make itself gives the same record
    here = Cleaner().clean(paragraphs, title=titles[0], identity=who, linked=linked)
    assert Cleaner().clean(paragraphs, first=first).paragraphs == here.paragraphs == story
    # another identity or other links: the stage makes the pass itself
    other = SiteIdentity.of(None, "https://gazette.example/x", [])
    assert work.first_pass_for(paragraphs, titles, None, other, linked) is None
    assert work.first_pass_for(paragraphs, titles, None, who, frozenset()) is None
