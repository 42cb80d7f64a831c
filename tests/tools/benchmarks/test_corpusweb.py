"""The real-pages web: a corpus folder served as one site per sub-corpus, and its bench crawl.

The corpus is made here (:mod:`tests.tools.benchmarks.corpus_fixture`), in the shared corpora's
formats: the suite does not need ``../shared/corpus``.
"""

from __future__ import annotations

import gzip
import http.client
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.registry import parse_site
from syndicrawl_tools.benchmarks import pipeline
from syndicrawl_tools.benchmarks.corpusweb import (
    ARTICLE_URL_PATTERN,
    SITEMAP_PATH,
    CorpusWeb,
    found_corpora,
)
from syndicrawl_tools.benchmarks.server import NOT_FOUND, CorpusServing
from syndicrawl_tools.evaluation.extraction import BODY_CORPORA
from tests.tools.benchmarks.corpus_fixture import write_corpus

ANCHOR = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus"))


def test_each_sub_corpus_is_a_site_its_pages_at_the_article_pattern(corpus):
    web = CorpusWeb(corpus, anchor=ANCHOR)
    assert web.sites == list(BODY_CORPORA) and web.n_pages == 12
    serving = CorpusServing(web)
    for site in web.sites:
        base = "http://127.0.0.1:1/"
        config = parse_site(web.site_config(site, base), f"<{site}>")
        assert config.language is None  # multilingual corpora: each page's own language
        responder = serving.responder(site, base)
        sitemap = responder.respond(SITEMAP_PATH).split(b"\r\n\r\n", 1)[1].decode()
        locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
        assert len(locs) == len(web.pages[site]) == sitemap.count("<lastmod>") == 4
        assert all(config.is_article_url(loc) for loc in locs)
        assert all(re.search(ARTICLE_URL_PATTERN, page.path) for page in web.pages[site])
        assert all(page.lastmod < ANCHOR for page in web.pages[site])
        head, body = responder.respond(web.pages[site][0].path + "?x=1").split(b"\r\n\r\n", 1)
        assert b"Content-Type: text/html; charset=utf-8" in head
        assert body == web.pages[site][0].body
        assert b"Sitemap: http://127.0.0.1:1/sitemap.xml" in responder.respond("/robots.txt")
        assert responder.respond("/articles/9999-none.html") is NOT_FOUND
    # the loaders' text, served as UTF-8 whatever the file was
    fundus_page = web.pages["fundus"][0]
    raw = gzip.decompress((corpus / "fundus" / fundus_page.source).read_bytes())
    assert fundus_page.body == raw and "für Zürich".encode() in fundus_page.body


def test_a_missing_or_empty_corpus_says_why(tmp_path):
    nowhere = tmp_path / "nowhere"
    assert found_corpora(nowhere) == ([], f"no corpus folder at {nowhere}")
    (tmp_path / "empty" / "fundus").mkdir(parents=True)  # no INDEX.csv: not a sub-corpus
    names, problem = found_corpora(tmp_path / "empty")
    assert names == [] and problem is not None and str(tmp_path / "empty") in problem
    assert "article-extraction-benchmark, fundus, newspaper4k" in problem
    skipped = pipeline.crawl_real_pages(nowhere, 1, ANCHOR, tmp_path)
    assert skipped == {"skipped": f"no corpus folder at {nowhere}"}


def test_the_served_corpus_answers_over_http(corpus, tmp_path):
    with pipeline.served_corpus(corpus, ANCHOR, tmp_path) as server:
        assert sorted(server.urls) == sorted(BODY_CORPORA)
        host, port = server.urls["newspaper4k"].removeprefix("http://").rstrip("/").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request("GET", SITEMAP_PATH)
        paths = re.findall(rb"<loc>http://[^/]+(/articles/[^<]+)</loc>", conn.getresponse().read())
        conn.request("GET", paths[0].decode())  # same connection
        response = conn.getresponse()
        assert response.status == 200
        assert response.getheader("Content-Type") == "text/html; charset=utf-8"
        assert "café" in response.read().decode("utf-8")
        conn.close()


def test_the_real_pages_crawl_times_bare_trafilatura_on_every_page(corpus, tmp_path):
    anchor = (datetime.now(UTC) - timedelta(hours=2)).replace(second=0, microsecond=0)
    real = pipeline.crawl_real_pages(corpus, 1, anchor, tmp_path)
    assert real["exit_status"] == 0 and real["corpus"] == str(corpus)
    assert real["pages_served"] == 12 and real["articles"] > 0
    assert real["pages_processed"] == real["articles"] + real["dropped"] == 12
    bare = real["bare_trafilatura_in_crawl"]
    assert bare["pages"] == real["pages_processed"] and bare["cpu_ms_per_page"] > 0
    ratio = real["full_cpu_per_article_vs_bare_trafilatura_in_crawl"]
    assert isinstance(ratio, float) and ratio > 0
    assert ratio == round(real["cpu_ms_per_page"] / bare["cpu_ms_per_page"], 3)
    assert sum(real["drops"].values()) >= 0 and all("/dropped_count/" in k for k in real["drops"])
    for site in BODY_CORPORA:
        figures = real["by_corpus"][site]
        assert figures["pages_served"] == figures["pages_processed"] == 4
        assert figures["bare_trafilatura_in_crawl"]["pages"] == 4
        assert figures["bare_trafilatura_in_crawl"]["cpu_ms_per_page"] > 0
    assert sum(f["articles"] for f in real["by_corpus"].values()) == real["articles"]
    # the start-up crawl: the same crawl on the first pages of each sub-corpus
    startup = real["startup_crawl"]
    assert startup["pages_processed"] == 2 * len(BODY_CORPORA) and startup["cpu_seconds"] > 0
    assert (tmp_path / "real_pages_startup" / "out").is_dir()
    past = real["cpu_ms_per_page_past_startup"]
    assert isinstance(past, float)  # a difference of two small crawls' CPU: any sign here
    assert real["full_cpu_per_article_vs_bare_trafilatura_in_crawl_past_startup"] == round(
        past / bare["cpu_ms_per_page"], 3
    )
