"""``syndicrawl bench``: bare ``bench`` is the pipeline benchmark; a tiny run end to end (no timing asserted)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

from syndicrawl_tools.benchmarks import pipeline
from syndicrawl_tools.commands import bench


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="syndicrawl")
    bench.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(["bench", *argv])


def test_bare_bench_is_the_pipeline_benchmark_with_its_options():
    args = parse("--articles", "500", "--json")
    assert args.benchmark is None and args.articles == 500 and args.json
    assert parse("--extract-only").extract_only and not args.extract_only
    assert args.func.__qualname__ == parse("pipeline").func.__qualname__
    assert parse("pipeline", "--memory-check").memory_check
    assert parse("syndication", "--small", "10").small == 10
    assert args.corpus == "../shared/corpus" and not args.no_real_pages
    assert parse("--corpus", "/c", "--no-real-pages").no_real_pages


def test_bad_sizes_exit_2_before_anything_runs(capsys):
    assert pipeline.run(parse("--articles", "0")) == 2
    assert "--articles must be >= 1, got 0" in capsys.readouterr().err


def test_a_tiny_crawl_reports_every_figure(tmp_path):
    anchor = (datetime.now(UTC) - timedelta(hours=2)).replace(second=0, microsecond=0)
    runs = pipeline.crawl_web(
        40, 3, anchor, tmp_path, [("full", True, 1, 5), ("scrapy_only", False, 0)]
    )
    full, alone = runs["full"], runs["scrapy_only"]
    assert full["exit_status"] == 0 and alone["exit_status"] == 0
    assert full["articles"] == alone["articles"] == 40
    stages = full["cpu_ms_per_article_by_stage"]
    assert set(stages) == {*pipeline.STAGES, "fetch_parse", "pool_overhead"}
    assert stages["extract"] > 0 and stages["syndication"] > 0 and stages["pool_overhead"] > 0
    assert full["peak_rss_mb"] > alone["peak_rss_mb"] > 0
    assert full["steady_articles_per_second"] > 0 and alone["steady_articles_per_second"] > 0
    assert list((tmp_path / "full" / "out").rglob("part-*.jsonl*"))
    # every 5th page was also given to bare trafilatura in the crawl's pool, counted apart
    bare = full["bare_trafilatura_in_crawl"]
    assert bare["pages"] == bare["extracted"] == 8 and bare["cpu_ms_per_page"] > 0
    assert alone["bare_trafilatura_in_crawl"]["pages"] == 0
    # the test server's CPU is read apart (in clock ticks of 10 ms: 40 pages may take less);
    # the workers' share is within the crawl's
    assert full["server_cpu_ms_per_article"] >= 0 and alone["server_cpu_ms_per_article"] >= 0
    assert 0 < full["pool_workers_cpu_ms_per_article"] < full["cpu_ms_per_article"]


def test_the_whole_bench_on_a_tiny_web_reports_every_ratio(tmp_path, capsys):
    # seed 11: every site of both webs (seeds 11, 12) has 3 articles or more, so no site's first
    # articles wait out the clean stage's learning hold; the two webs have the same size, so their
    # servers must not mix up their port files
    nowhere = tmp_path / "no-corpus"
    report = pipeline.run_bench(
        40,
        40,
        2,
        seed=11,
        sample=5,
        workdir=tmp_path,
        rounds=1,
        bare_every=5,
        extract_only=True,
        corpus=nowhere,
    )
    assert report["command"].endswith(f" --extract-only --corpus {nowhere}")
    # no corpus there: the bench still runs, and says why the real pages were not crawled
    reason = f"no corpus folder at {nowhere}"
    assert report["real_pages"] == {"skipped": reason}
    assert f"real pages skipped: {reason}" in capsys.readouterr().err
    assert report["ratios"]["real_pages_cpu_per_article_vs_bare_trafilatura_in_crawl"] is None
    compare = report["pool_compare"]
    assert {"pool_0", "scrapy_only_compare", "pool_1", "pool_2"} <= set(compare)
    assert compare["scrapy_only_compare"]["articles"] == compare["pool_2"]["articles"] == 40
    # the extract stage alone: every article extracted in the pool, nothing after it ran
    only = compare["extract_only_pool_2"]
    assert only["articles"] == 40 and only["cpu_ms_per_article_by_stage"]["extract"] > 0
    assert only["cpu_ms_per_article_by_stage"]["syndication"] == 0
    assert not list((tmp_path / "extract_only_pool_2" / "out").rglob("part-*"))
    assert list((tmp_path / "pool_2" / "out").rglob("part-*"))
    ratios = report["ratios"]
    for name in (
        "full_cpu_per_article_vs_bare_trafilatura_in_crawl",
        "pool_2_vs_pool_1_articles_per_second",
        "pool_2_vs_pool_1_cpu_bound",
        "pool_2_vs_pool_1_ceiling",
        "pool_2_vs_pool_1_ceiling_shared_cores",
        "pool_2_vs_pool_1_extract_only",
        "pool_2_vs_pool_1_extract_only_steady",
    ):
        assert isinstance(ratios[name], float) and ratios[name] > 0, name
    share = ratios["pool_2_vs_pool_1_share_of_cpu_bound"]
    assert share == round(
        ratios["pool_2_vs_pool_1_articles_per_second"] / ratios["pool_2_vs_pool_1_cpu_bound"], 3
    )
    assert set(report["targets"]) == {
        "pool_2_vs_pool_1>=0.95x_cpu_bound",
        "cpu_per_article<=1.0x_bare_trafilatura_in_crawl",
        "real_pages_cpu_per_page<=1.0x_bare_trafilatura_in_crawl_past_startup",
    }
    # no real pages: that target cannot be met, and says so
    assert not report["targets"][
        "real_pages_cpu_per_page<=1.0x_bare_trafilatura_in_crawl_past_startup"
    ]


def test_the_memory_check_compares_both_peaks(tmp_path):
    report = pipeline.run_memory_check(40, 60, 2, seed=11, workdir=tmp_path)
    small, large = report["full_40"], report["full_60"]
    assert small["articles"] == 40 and large["articles"] == 60
    # PSS splits the pages the workers share with the forkserver: below the RSS sum
    assert 0 < small["peak_pss_mb"] < small["peak_rss_mb"]
    ratios = report["ratios"]
    assert ratios["peak_rss_60_vs_40"] == round(large["peak_rss_mb"] / small["peak_rss_mb"], 3)
    assert ratios["peak_pss_60_vs_40"] > 0
    assert set(report["targets"]) == {"peak_rss_60<=1.5x_40", "peak_pss_60<=1.5x_40"}


def test_pooled_rate_weighs_each_crawl_by_its_wall_time():
    runs = [
        {
            "articles": 100,
            "wall_seconds": 10.0,
            "steady_articles_per_second": 12.0,
            "articles_per_second": 10.0,
            "pool_workers_cpu_ms_per_article": 20.0,
            "cpu_ms_per_article": 30.0,
            "server_cpu_ms_per_article": 1.0,
        },
        {
            "articles": 100,
            "wall_seconds": 30.0,
            "steady_articles_per_second": 4.0,
            "articles_per_second": 3.33,
            "pool_workers_cpu_ms_per_article": 22.0,
            "cpu_ms_per_article": 34.0,
            "server_cpu_ms_per_article": 1.0,
        },
    ]
    pooled = pipeline._pooled(runs)
    assert pooled["articles_per_second"] == 5.0  # 200 articles in 40 s, not the mean of rates
    assert pooled["steady_articles_per_second"] == 8.0
    assert pooled["crawls"] == 2 and pooled["articles_per_second_by_round"] == [10.0, 3.33]
    assert pooled["pool_workers_cpu_ms_per_article"] == 21.0
    assert pooled["machine_cpu_ms_per_article"] == 33.0


def test_cpu_bound_ratio_is_cores_times_worker_cpu_over_machine_cpu():
    one = {"pool_workers_cpu_ms_per_article": 20.0}
    many = {"machine_cpu_ms_per_article": 25.0}
    assert pipeline.cpu_bound_ratio(one, many, 2) == 1.6
    assert pipeline.cpu_bound_ratio({"pool_workers_cpu_ms_per_article": 0.0}, many, 2) is None


def test_ceiling_ratio_moves_everything_but_scrapy_into_the_workers():
    in_process = {"cpu_ms_per_article": 18.0, "server_cpu_ms_per_article": 2.0}
    # one worker could take 18 - 3 = 15 ms an article, the machine 18 + 2 = 20: 2 x 15 / 20
    assert pipeline.ceiling_ratio(in_process, {"cpu_ms_per_article": 3.0}, 2) == 1.5
    assert pipeline.ceiling_ratio(in_process, {"cpu_ms_per_article": 18.0}, 2) is None


def test_shared_cores_ceiling_charges_the_workers_slowdown_to_every_moved_stage():
    in_process = {"cpu_ms_per_article": 18.0, "server_cpu_ms_per_article": 2.0}
    scrapy = {"cpu_ms_per_article": 3.0}
    one = {"pool_workers_cpu_ms_per_article": 10.0}
    # workers 10% slower with both cores busy: the machine takes 15 x 1.1 + 3 + 2 = 21.5 ms
    slower = {"pool_workers_cpu_ms_per_article": 11.0}
    assert pipeline.shared_cores_ceiling_ratio(in_process, scrapy, one, slower, 2) == round(
        30 / 21.5, 3
    )
    # no slowdown: the plain ceiling
    same = pipeline.shared_cores_ceiling_ratio(in_process, scrapy, one, one, 2)
    assert same == pipeline.ceiling_ratio(in_process, scrapy, 2) == 1.5
    assert (
        pipeline.shared_cores_ceiling_ratio(
            in_process, scrapy, one, {"pool_workers_cpu_ms_per_article": 0.0}, 2
        )
        is None
    )


def test_bad_rounds_exit_2(capsys):
    assert pipeline.run(parse("--rounds", "0")) == 2
    assert "--rounds must be >= 1, got 0" in capsys.readouterr().err
