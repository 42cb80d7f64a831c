"""Cleaner core and CleanPipeline: credits, rules, chrome, learned promos within the first crawl."""

from __future__ import annotations

import asyncio
import hashlib

import pytest
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from crawler.registry import parse_site
from pipelines.clean import CleanPipeline
from pipelines.core.cleaning import Cleaner
from pipelines.core.credits import PublisherNames
from pipelines.core.learned import LearnedStore, LearnOptions
from pipelines.errors import BodyTooShort, EmptyExtraction

PROMO_TITLE = "Valley Sounds"
PROMO = "Alder Radio is the valley's own internet station, playing local music and news around the clock."
# names nothing and pitches nothing: only learning from the site's articles can find it
HOUSE_NOTE = "Every story here is read by two editors before it goes out, whatever the hour."
TOPICS = ["ferry", "library", "bridge", "market", "festival", "school"]


def story(topic: str) -> list[str]:
    return [
        f"The council met on Tuesday to discuss the future of the {topic}, which has divided the town for a year.",
        f"Supporters of the {topic} plan said it would bring visitors; opponents said the cost was too high.",
        f"A final decision on the {topic} is expected before the summer, the council leader said.",
    ]


def site(name: str = "alder-radio", **extra):
    data = {
        "name": name,
        "role": "syndicator",
        "domains": [f"{name}.example"],
        "publisher": "Alder Radio",
        "start": {"rss": [f"https://{name}.example/rss"]},
        "language": "en",
        **extra,
    }
    return parse_site(data, "test")


@pytest.fixture
def names() -> PublisherNames:
    return PublisherNames([("Meridian Wire", ["Meridian"]), ("Alder Radio", [])])


def test_seed_shape_credit_and_title_removed(names):
    paras = [
        "Ferry fares to rise",
        "Ferry fares to rise",
        *story("ferry"),
        "Source: Meridian",
        PROMO_TITLE,
        PROMO,
    ]
    result = Cleaner(names).clean(paras, title="Ferry fares to rise", site=site())
    assert result.credited_source == "Meridian Wire" and result.credit_line == "Source: Meridian"
    assert result.paragraphs[:3] == story("ferry")
    assert "Source: Meridian" not in result.text
    # no store, one page: the promo names the site, its heading sits above it; both go
    assert result.paragraphs == story("ferry")
    assert result.stripped.count("chrome") == 2 and "credit" in result.stripped
    assert [r.text for r in result.removed if r.reason == "promo"] == [PROMO, PROMO_TITLE]


def test_dateline_removed_rest_kept(names):
    paras = ["PORT ALDER (Meridian) - " + story("ferry")[0], *story("ferry")[1:]]
    result = Cleaner(names).clean(paras, site=site())
    assert result.paragraphs[0] == story("ferry")[0]
    assert (
        result.credited_source == "Meridian Wire"
        and result.credit_line == "PORT ALDER (Meridian) -"
    )


def test_self_credit_is_not_a_credited_source(names):
    result = Cleaner(names).clean([*story("ferry"), "Source: Alder Radio"], site=site())
    assert result.credited_source is None
    assert result.credit_line == "Source: Alder Radio"
    assert "Source" not in result.text


def test_site_rules_and_credit_patterns(names):
    s = site(
        boilerplate={"patterns": [r"^Listen live on"]},
        credit_patterns=[r"^Courtesy of (?P<source>.+?)\.?$"],
    )
    paras = [
        *story("ferry")[:2],
        "Listen live on 101.5 FM tonight.",
        story("ferry")[2],
        "Courtesy of Meridian.",
    ]
    result = Cleaner(names).clean(paras, site=s)
    assert result.paragraphs == story("ferry")
    assert result.credited_source == "Meridian Wire"
    assert sorted(result.stripped) == ["credit", "rule"]


def test_teaser_list_after_header_removed(names):
    paras = [
        *story("ferry"),
        "Related stories",
        "Bridge repairs finish early",
        "Market moves to the square",
    ]
    assert Cleaner(names).clean(paras).paragraphs == story("ferry")


def test_promo_learned_after_n_articles_and_quote_kept(names):
    store = LearnedStore(None, LearnOptions(min_articles=3))
    cleaner = Cleaner(names, store)
    quote = "“We will not give up,” the council leader said."
    results = [cleaner.clean([*story(t), PROMO_TITLE, HOUSE_NOTE], site=site()) for t in TOPICS[:3]]
    assert HOUSE_NOTE in results[0].text  # article 1 came before the count reached 3
    assert results[2].paragraphs == story(TOPICS[2]) and results[2].stripped.count("learned") == 2
    # the same quote in two articles is not enough; in the middle it is never stripped
    a = cleaner.clean([*story("school"), quote], site=site())
    b = cleaner.clean([story("market")[0], quote, *story("market")[1:]], site=site())
    c = cleaner.clean([*story("festival")[:1], quote, *story("festival")[1:]], site=site())
    assert quote in a.text and quote in b.text and quote in c.text


def test_a_guessed_pass_is_taken_only_when_the_store_confirms_the_guess(names):
    """The pool worker's second pass (made with a guess of the learned hashes) gives the record
    the crawl process would have made, whether the guess is right, too wide or wrong."""
    store = LearnedStore(None, LearnOptions(min_articles=3))
    cleaner = Cleaner(names, store)
    for topic in TOPICS[:3]:  # the promo and its title are learned
        cleaner.clean([*story(topic), PROMO_TITLE, HOUSE_NOTE], site=site())
    learned = cleaner.clean([*story("market"), PROMO_TITLE, HOUSE_NOTE], site=site()).learned
    assert len(learned) == 2
    other = Cleaner(names)  # a worker's cleaner: no store
    paragraphs = [*story("school"), PROMO_TITLE, HOUSE_NOTE]
    first = other.first_pass(paragraphs, site=site())
    expected = Cleaner(names, store).clean(paragraphs, site=site(), learn=False)
    assert expected.paragraphs == story("school") and expected.learned == learned

    right = other.guessed_pass(first, learned | {"0" * 20})  # a hash of no paragraph: ignored
    assert right is not None and right.present == learned
    assert right.kept == story("school")
    unrelated = "1" * 20  # a guess none of the paragraphs has: nothing to do ahead
    assert other.guessed_pass(first, frozenset({unrelated})) is None

    def cleaned(guessed):
        return cleaner.clean(paragraphs, site=site(), learn=False, first=first, guessed=guessed)

    taken = cleaned(right)
    assert taken.paragraphs == expected.paragraphs and taken.stripped == expected.stripped
    # a guess the store does not confirm (too narrow) is redone here, with the same result
    narrow = other.guessed_pass(first, frozenset(sorted(learned)[:1]))
    assert narrow is not None and narrow.kept != expected.paragraphs
    assert cleaned(narrow).paragraphs == expected.paragraphs
    # and a guess on a site that learned nothing keeps the first pass
    quiet = Cleaner(names, LearnedStore(None, LearnOptions(min_articles=3)))
    plain = quiet.clean(paragraphs, site=site(), learn=False, first=first, guessed=right)
    assert plain.paragraphs == [p for p in first.kept if p.strip()] and HOUSE_NOTE in plain.text
    assert plain.learned == frozenset()


def test_sha256_of_final_text(names):
    result = Cleaner(names).clean(story("ferry"))
    assert result.sha256 == hashlib.sha256("\n\n".join(story("ferry")).encode()).hexdigest()


# --- adapter ---------------------------------------------------------------------------------------


class FakeSpider:
    def __init__(self, sites):
        self.sites = sites


def make_pipeline(tmp_path, **settings):
    crawler = get_crawler(settings_dict={"SYNDICRAWL_STATE_DIR": str(tmp_path), **settings})
    crawler.spider = FakeSpider({"alder-radio": site(), "gazette": site("gazette")})
    crawler.stats.open_spider()
    return CleanPipeline.from_crawler(crawler), crawler


def item(topic: str, site_name: str = "alder-radio", tail=(PROMO_TITLE, HOUSE_NOTE)) -> ArticleItem:
    return ArticleItem(
        url=f"https://{site_name}.example/{topic}",
        site=site_name,
        html="<html></html>",
        text="\n\n".join([*story(topic), "Source: Meridian Wire", *tail]),
    )


def test_from_crawler_maps_settings(tmp_path):
    pipe, _ = make_pipeline(
        tmp_path,
        SYNDICRAWL_CLEAN_LEARN_MIN_ARTICLES=4,
        SYNDICRAWL_CLEAN_LEARN_MAX_CHARS=300,
        SYNDICRAWL_CLEAN_LEARN_WAIT_SECONDS=2.5,
        SYNDICRAWL_EXTRACT_MIN_CHARS=50,
    )
    assert pipe.store.options.min_articles == 4 and pipe.store.options.max_chars == 300
    assert pipe.learn_wait == 2.5 and pipe.min_chars == 50
    assert (tmp_path / "learned.sqlite3").exists()
    pipe.close()


def test_learning_disabled_has_no_store(tmp_path):
    pipe, _ = make_pipeline(tmp_path, SYNDICRAWL_CLEAN_LEARN_ENABLED=False)
    assert pipe.store is None


def test_own_name_alone_on_a_line_is_removed(names):
    result = Cleaner(names).clean([*story("ferry"), "Alder Radio"], site=site())
    assert result.paragraphs == story("ferry") and result.credited_source is None


def test_first_articles_of_first_crawl_come_out_clean(tmp_path):
    pipe, crawler = make_pipeline(tmp_path, SYNDICRAWL_CLEAN_LEARN_WAIT_SECONDS=5)

    async def crawl():
        return await asyncio.gather(*(pipe.process_item(item(t)) for t in TOPICS[:4]))

    out = asyncio.run(crawl())
    for it, topic in zip(out, TOPICS, strict=False):
        assert it.text == "\n\n".join(story(topic)), it.text
        assert it.credited_source == "Meridian Wire"
        assert it.html is None and it.content_sha256
        assert "learned" in it.stripped
    stats = crawler.stats
    assert stats.get_value("syndicrawl/clean/stripped_count/learned") == 8
    assert stats.get_value("syndicrawl/clean/stripped_count/credit") == 4
    assert stats.get_value("syndicrawl/clean/held_count") == 2
    pipe.close()


def test_hold_times_out_for_a_small_site(tmp_path):
    pipe, crawler = make_pipeline(tmp_path, SYNDICRAWL_CLEAN_LEARN_WAIT_SECONDS=0.2)
    out = asyncio.run(pipe.process_item(item("ferry")))
    assert HOUSE_NOTE in out.text  # nothing to learn from one article: kept, never lost
    assert crawler.stats.get_value("syndicrawl/clean/hold_timeout_count") == 1
    pipe.close()


def test_drops_when_nothing_or_too_little_left(tmp_path):
    pipe, crawler = make_pipeline(tmp_path, SYNDICRAWL_CLEAN_LEARN_WAIT_SECONDS=0)
    empty = ArticleItem(
        url="https://gazette.example/x", site="gazette", text="Advertisement\n\nShare this article"
    )
    with pytest.raises(EmptyExtraction):
        asyncio.run(pipe.process_item(empty))
    short = ArticleItem(
        url="https://gazette.example/y", site="gazette", text="A short note.\n\nAdvertisement"
    )
    with pytest.raises(BodyTooShort, match="SYNDICRAWL_EXTRACT_MIN_CHARS=200"):
        asyncio.run(pipe.process_item(short))
    assert crawler.stats.get_value("syndicrawl/clean/dropped_count/bodytooshort") == 1
    pipe.close()


# --- a site whose articles share most of their template ------------------------------------------

TEMPLATE_HEAD = [
    "Here is the Alder Valley morning bulletin, compiled by the newsdesk from the overnight reports.",
    "Roads: the valley road is open in both directions and the Greyfield bypass has no roadworks today.",
]
TEMPLATE_TAIL = [
    "Ferries: crossings from Port Alder run to the normal timetable unless the harbour board says otherwise.",
    "Weather: the forecast for the valley is on the weather page, updated every three hours.",
    "The bulletin is published every weekday morning at seven and updated through the day.",
]


def bulletin(topic: str) -> list[str]:
    return [
        *TEMPLATE_HEAD,
        f"Top story: the council meets tonight to decide the future of the {topic}, which has divided the town for a year.",
        *TEMPLATE_TAIL,
    ]


def test_learned_pass_is_undone_when_it_would_take_most_of_the_article(names):
    store = LearnedStore(None, LearnOptions(min_articles=3))
    cleaner = Cleaner(names, store)
    results = [cleaner.clean(bulletin(t), site=site("bulletin")) for t in TOPICS]
    for topic, result in zip(TOPICS, results, strict=True):
        assert result.paragraphs == bulletin(topic), "every article keeps its whole body"
        assert "learned" not in result.stripped
    # the template is learned by the third article, and undone from then on
    assert [r.learned_undone for r in results] == [False, False, True, True, True, True]


def test_learned_pass_still_strips_a_promo_that_is_a_small_part(names):
    store = LearnedStore(None, LearnOptions(min_articles=3))
    cleaner = Cleaner(names, store)
    results = [cleaner.clean([*story(t), PROMO_TITLE, HOUSE_NOTE], site=site()) for t in TOPICS[:4]]
    assert results[3].paragraphs == story(TOPICS[3]) and not results[3].learned_undone


def test_every_templated_article_is_exported_whole_and_counted(tmp_path):
    pipe, crawler = make_pipeline(tmp_path, SYNDICRAWL_CLEAN_LEARN_WAIT_SECONDS=5)

    def templated(topic: str) -> ArticleItem:
        return ArticleItem(
            url=f"https://gazette.example/bulletin/{topic}",
            site="gazette",
            html="<html></html>",
            text="\n\n".join(bulletin(topic)),
        )

    async def crawl():
        return await asyncio.gather(*(pipe.process_item(templated(t)) for t in TOPICS))

    out = asyncio.run(crawl())
    assert [it.text for it in out] == ["\n\n".join(bulletin(t)) for t in TOPICS]
    stats = crawler.stats
    # the hold releases all six once three are in: every one would have lost most of its text
    assert stats.get_value("syndicrawl/clean/learned_undone_count") == len(TOPICS)
    assert stats.get_value("syndicrawl/site/gazette/clean/learned_undone_count") == len(TOPICS)
    assert stats.get_value("syndicrawl/clean/dropped_count/emptyextraction") is None
    pipe.close()


def test_keep_share_setting_is_checked(tmp_path):
    pipe, _ = make_pipeline(tmp_path, SYNDICRAWL_CLEAN_LEARNED_KEEP_SHARE=0.3)
    assert pipe.cleaner.learned_keep_share == 0.3
    pipe.close()
    with pytest.raises(ValueError, match="learned_keep_share"):
        Cleaner(learned_keep_share=1.5)


def test_a_run_of_teaser_links_goes_a_single_linked_sentence_stays(names):
    teasers = ["Bridge repairs finish two weeks early", "Market moves to the old station yard"]
    linked_heading = "Where the new ferry will stop"
    paragraphs = [story("ferry")[0], linked_heading, *story("ferry")[1:], *teasers]
    result = Cleaner(names).clean(paragraphs, linked={*teasers, linked_heading})
    assert result.paragraphs == [story("ferry")[0], linked_heading, *story("ferry")[1:]]
    assert [r.text for r in result.removed] == teasers
    assert {r.why for r in result.removed} == {"a link to another page, in a list or run of links"}
