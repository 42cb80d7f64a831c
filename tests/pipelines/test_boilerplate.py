"""Generic chrome rules and the learned per-site boilerplate store."""

from __future__ import annotations

import pytest

from pipelines.core import boilerplate as bp
from pipelines.core.learned import LearnedStore, LearnOptions, paragraph_hash

PROMO = "Alder Radio is the valley's own internet station, playing local music and news around the clock."


@pytest.mark.parametrize(
    "paragraph",
    [
        "Advertisement",
        "ADVERTISEMENT",
        "Read more: Ferry fares to rise in spring",
        "RELATED: Harbour wall vote delayed",
        "Sign up for our morning newsletter",
        "Reading time: 3 minutes",
        "4 min read",
        "Share this article",
        "Tags: harbour, council",
        "Also on rt.example Ferry strike ends",
        "This copy is for your personal, non-commercial use only.",
    ],
)
def test_chrome_anywhere(paragraph):
    assert bp.chrome_anywhere(paragraph)


@pytest.mark.parametrize(
    "paragraph",
    [
        "Follow us on Twitter and Facebook for the latest news.",
        "© 2026 Alder Gazette. All rights reserved.",
        "newsdesk@gazette.example",
        "By Mira Holt",
        "Updated 14:05 GMT",
    ],
)
def test_chrome_at_edges_only(paragraph):
    assert bp.chrome_edge(paragraph)
    assert not bp.chrome_anywhere(paragraph)


@pytest.mark.parametrize(
    "paragraph",
    [
        "The council said more than 200 households had signed the petition to keep the library open.",
        "Read the full report, the minister said, before judging the plan.",
        "Ferry crews will share the cost of new life jackets this spring.",
    ],
)
def test_article_sentences_are_not_chrome(paragraph):
    assert not bp.chrome_anywhere(paragraph)
    assert not bp.chrome_edge(paragraph)


def test_title_repeat_and_date_line():
    assert bp.is_title_repeat(
        "Harbour wall to be rebuilt", ["Harbour Wall To Be Rebuilt | Alder Gazette"]
    )
    assert not bp.is_title_repeat(
        "The harbour wall was built in 1887.", ["Harbour wall to be rebuilt"]
    )
    assert bp.is_date_line("Monday 2 March 2026, 08:15")
    assert not bp.is_date_line("The wall was built in 1887 and repaired in 1950.")


# --- learned store -----------------------------------------------------------------------------------


TOPICS = [
    "ferry",
    "library",
    "bridge",
    "market",
    "festival",
    "school",
    "harbour",
    "orchard",
    "museum",
    "tram",
    "canal",
    "stadium",
]


def article(i: int, tail: list[str]) -> list[str]:
    # words, not digits, tell stories apart: the store masks digits
    topic = TOPICS[i]
    return [
        f"The {topic} story opens with its own first sentence about the {topic}.",
        f"It continues with details about the {topic} that belong to it alone.",
        *tail,
    ]


@pytest.fixture
def store() -> LearnedStore:
    return LearnedStore(None, LearnOptions(min_articles=3))


def test_promo_is_learned_after_n_articles(store):
    for i in range(2):
        store.observe("radio", article(i, [PROMO]))
    assert store.boilerplate("radio", [PROMO]) == set()
    store.observe("radio", article(2, [PROMO]))
    assert store.boilerplate("radio", [PROMO]) == {paragraph_hash(PROMO)}
    assert store.learned("radio")[0][:2] == (PROMO, 3)


def test_same_article_twice_counts_once(store):
    for _ in range(5):
        store.observe("radio", article(1, [PROMO]))
    assert store.boilerplate("radio", [PROMO]) == set()
    assert store.site_articles("radio") == 1


def test_learning_is_per_site(store):
    for i in range(3):
        store.observe("radio", article(i, [PROMO]))
    assert store.boilerplate("gazette", [PROMO]) == set()


def test_shared_quote_on_another_site_vetoes(store):
    quote = "“We will rebuild the wall stone by stone,” the harbour master said."
    for i in range(3):
        store.observe("radio", article(i, [quote]))
    store.observe("gazette", article(10, [quote]))  # the same story's copy carries it as content
    assert store.boilerplate("radio", [quote]) == set()


def test_digits_masked_so_yearly_footer_matches(store):
    for i, year in enumerate((2024, 2025, 2026)):
        store.observe("radio", article(i, [f"© {year} Alder Radio"]))
    assert store.boilerplate("radio", ["© 2027 Alder Radio"])


def test_store_persists(tmp_path):
    path = tmp_path / "learned.sqlite3"
    first = LearnedStore(path)
    for i in range(3):
        first.observe("radio", article(i, [PROMO]))
    first.close()
    again = LearnedStore(path)
    assert again.boilerplate("radio", [PROMO])
    again.close()


def test_learn_options_validated():
    with pytest.raises(ValueError, match="min_articles"):
        LearnOptions(min_articles=1)
