"""The stage pool: tasks in workers, expected errors returned, back-pressure, crashes become drops."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
import time

import pytest
from scrapy import signals
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from pipelines.errors import BodyTooShort, WorkerCrashed
from pipelines.extract import ExtractPipeline
from pipelines.runtime.pool import StagePool, WorkerConfig, WorkerState
from pipelines.runtime.worker_process import WorkerProcess
from syndicrawl_tools.benchmarks.synthweb import SyntheticWeb


class Refused(Exception):
    pass


def pid_of(state: WorkerState) -> int:
    return os.getpid()


def refuse(state: WorkerState, value: int) -> int:
    if value < 0:
        raise Refused(f"negative: {value}")
    return value * 2


def crash(state: WorkerState) -> None:
    os._exit(3)  # what a segfault or an OOM kill looks like to the pool


def crash_after(state: WorkerState, seconds: float) -> None:
    time.sleep(seconds)
    os._exit(3)


def parent_of(state: WorkerState) -> int:
    return os.getppid()


def warmed_of(state: WorkerState) -> tuple[bool, int]:
    return state.warmed, state.pages


def nap(state: WorkerState, seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def echo(state: WorkerState, value: str) -> str:
    return value


class Unpicklable(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.lock = threading.Lock()  # a lock does not pickle


def raise_unpicklable(state: WorkerState) -> None:
    raise Unpicklable("cannot travel")


@pytest.fixture(scope="module")
def pool():
    pool = StagePool(1, max_pending=2, config=WorkerConfig())
    yield pool
    pool.close()


def test_in_process_runs_here_and_counts_cpu():
    pool = StagePool(0, config=WorkerConfig())
    value, error, cpu = asyncio.run(pool.run(pid_of))
    assert value == os.getpid() and error is None and cpu >= 0
    value, error, _ = pool.run_local(refuse, -1, expected=(Refused,))
    assert value is None and isinstance(error, Refused)


def test_worker_runs_tasks_in_another_process_and_returns_expected_errors(pool):
    async def go():
        return (
            await pool.run(pid_of),
            await pool.run(refuse, 21, expected=(Refused,)),
            await pool.run(refuse, -1, expected=(Refused,)),
        )

    (pid, _, _), (doubled, none, _), (value, error, _) = asyncio.run(go())
    assert pid != os.getpid()
    assert doubled == 42 and none is None
    assert value is None and isinstance(error, Refused) and "negative: -1" in str(error)


def test_unexpected_errors_propagate(pool):
    with pytest.raises(Refused):
        asyncio.run(pool.run(refuse, -1))


def test_back_pressure_bounds_tasks_in_flight(pool, monkeypatch):
    peak = [0]
    submit = WorkerProcess.submit

    def counting_submit(self, data, loop):
        future = submit(self, data, loop)
        peak[0] = max(peak[0], sum(len(w.in_flight) for w in pool.workers))
        return future

    monkeypatch.setattr(WorkerProcess, "submit", counting_submit)

    async def go():
        return await asyncio.gather(*(pool.run(nap, 0.05) for _ in range(8)))

    results = asyncio.run(go())
    assert len(results) == 8
    assert 1 <= peak[0] <= pool.max_pending == 2


def test_big_tasks_and_replies_cross_the_pipes_whole(pool):
    """Pages far over the pipe's buffer are written in parts as the worker reads them."""
    page = "".join(f"<p>paragraph {n} of a very long page</p>" for n in range(200_000))
    assert len(page) > 4 * 1024 * 1024

    async def go():
        return await asyncio.gather(*(pool.run(echo, page + str(n)) for n in range(3)))

    replies = asyncio.run(go())
    assert [value for value, _, _ in replies] == [page + str(n) for n in range(3)]


def test_an_unexpected_error_carries_the_worker_traceback(pool):
    with pytest.raises(Refused) as raised:
        asyncio.run(pool.run(refuse, -2))
    assert any("in pool worker pid" in note and "refuse" in note for note in raised.value.__notes__)


def test_an_error_that_does_not_pickle_still_arrives_with_its_message(pool):
    with pytest.raises(RuntimeError, match="Unpicklable: cannot travel"):
        asyncio.run(pool.run(raise_unpicklable))


def test_worker_crash_is_a_drop_and_the_pool_recovers(pool):
    with pytest.raises(WorkerCrashed, match="died while running crash"):
        asyncio.run(pool.run(crash))
    assert pool.crashes == 1
    value, _, _ = asyncio.run(pool.run(refuse, 5))
    assert value == 10
    assert len(pool.workers) == 1


def test_a_crash_fails_only_the_tasks_of_the_dead_worker():
    pool = StagePool(2, max_pending=4, config=WorkerConfig())

    async def go():
        # least busy first: the crash goes to one worker, the long nap to the other, the short
        # nap behind the crash (both workers busy with one task: the first in order)
        crashing = asyncio.ensure_future(pool.run(crash_after, 0.2))
        long_nap = asyncio.ensure_future(pool.run(nap, 0.4))
        queued = asyncio.ensure_future(pool.run(nap, 0.01))
        return await asyncio.gather(crashing, long_nap, queued, return_exceptions=True)

    try:
        pool.start()
        crashed, long_nap, queued = asyncio.run(go())
        assert isinstance(crashed, WorkerCrashed) and isinstance(queued, WorkerCrashed)
        assert long_nap == (0.4, None, long_nap[2])
        assert pool.crashes == 1
        pids = {value for value, _, _ in asyncio.run(_spread(pool, 6))}
        assert len(pids) == 2  # a new worker replaced the dead one
    finally:
        pool.close()


async def _spread(pool: StagePool, n: int):
    return await asyncio.gather(*(pool.run(pid_after_nap, 0.05) for _ in range(n)))


def pid_after_nap(state: WorkerState, seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


class ExitOnArrival:
    """Unpickled in the worker, it ends the worker before its loop starts (a broken start)."""

    def __reduce__(self):
        return (os._exit, (7,))


def test_workers_that_die_before_any_result_break_the_pool_after_a_few_in_a_row():
    reasons: list[str] = []
    config = WorkerConfig(sites={"doomed": ExitOnArrival()})  # type: ignore[dict-item]
    pool = StagePool(1, config=config, max_failed_starts=3, on_broken=reasons.append)
    try:
        for _ in range(3):
            with pytest.raises(WorkerCrashed, match="died while running refuse"):
                asyncio.run(pool.run(refuse, 1))
        assert pool.broken and "3 worker processes in a row" in pool.broken
        assert "exit code 7" in pool.broken
        assert reasons == [pool.broken]
        with pytest.raises(WorkerCrashed, match="the stage pool is broken"):
            asyncio.run(pool.run(refuse, 1))
        assert pool._started == 3  # no fourth worker forked
    finally:
        pool.close()


def test_a_worker_that_returned_results_before_dying_is_not_a_failed_start(pool):
    before = pool.crashes
    for _ in range(3):  # each replacement worker returns a result before the next crash
        assert asyncio.run(pool.run(refuse, 2))[0] == 4
        with pytest.raises(WorkerCrashed):
            asyncio.run(pool.run(crash))
    assert pool.crashes == before + 3 and pool.broken is None


def test_a_worker_that_dies_while_idle_is_counted_and_replaced(caplog):
    pool = StagePool(1, config=WorkerConfig())

    async def go() -> int:
        first, _, _ = await pool.run(pid_of)
        os.kill(first, signal.SIGKILL)  # an out-of-memory kill between two pages
        for _ in range(100):  # the loop reads the end of file on its result pipe
            if pool._workers[0].dead:
                break
            await asyncio.sleep(0.02)
        second, _, _ = await pool.run(pid_of)
        assert second != first
        return first

    try:
        with caplog.at_level(logging.ERROR, logger="pipelines.runtime.pool"):
            killed = asyncio.run(go())
        assert pool.crashes == 1
        assert f"a worker process died (pid {killed}, exit code -9)" in caplog.text
    finally:
        pool.close()


def test_closed_pool_refuses_and_close_is_idempotent():
    pool = StagePool(1, config=WorkerConfig())
    pool.close()
    pool.close()
    with pytest.raises(RuntimeError, match="shut down"):
        asyncio.run(pool.run(refuse, 1))


def test_start_spawns_every_worker_warmed_up_before_any_page():
    pool = StagePool(2, config=WorkerConfig())
    try:
        pool.start()
        assert len(pool.workers) == 2 and all(w.process.is_alive() for w in pool.workers)
        (warmed, pages), error, _ = asyncio.run(pool.run(warmed_of))
        assert error is None and warmed is True
        assert pages == 0  # starting a worker is not a page (reset_every counts pages)
    finally:
        pool.close()
    pool.start()  # a closed pool starts nothing
    assert pool.workers == []


def test_workers_are_forked_from_the_warmed_up_forkserver(pool):
    from multiprocessing import forkserver

    from pipelines.runtime.pool import worker_context

    assert worker_context().get_start_method() == "forkserver"  # Linux
    parent, _, _ = asyncio.run(pool.run(parent_of))
    assert parent == forkserver._forkserver._forkserver_pid != os.getpid()
    # the forkserver imported the preload module, which warmed the libraries up there
    with open(f"/proc/{parent}/cmdline", "rb") as fh:
        assert b"pipelines.runtime.preload" in fh.read()


def test_workers_start_when_the_spider_opens_not_on_the_first_page():
    crawler = get_crawler(settings_dict={"SYNDICRAWL_POOL_PROCESSES": 1})
    pool = StagePool.for_crawler(crawler)
    try:
        assert pool.workers == []
        crawler.signals.send_catch_log(signals.spider_opened, spider=None)
        assert len(pool.workers) == 1
    finally:
        pool.close()
    in_process = StagePool(0, config=WorkerConfig())
    in_process.start()
    assert in_process.workers == []


def test_warm_up_loads_the_cores_and_a_failed_one_is_logged_not_fatal(monkeypatch, caplog):
    state = WorkerState(WorkerConfig())
    state.warm_up()
    assert state.warmed

    def boom(*args, **kwargs):
        raise RuntimeError("no model")

    broken = WorkerState(WorkerConfig())
    monkeypatch.setattr(broken.extractor, "extract", boom)
    with caplog.at_level(logging.WARNING, logger="pipelines.runtime.pool"):
        broken.warm_up()
    assert not broken.warmed
    assert "warm-up failed" in caplog.text and "no model" in caplog.text


def test_bad_settings_are_refused():
    with pytest.raises(
        ValueError, match="SYNDICRAWL_POOL_PROCESSES: bad value -1: expected an integer >= 0"
    ):
        StagePool(-1)
    with pytest.raises(
        ValueError, match="SYNDICRAWL_POOL_MAX_PENDING: bad value 0: expected an integer >= 1"
    ):
        StagePool(1, max_pending=0)
    with pytest.raises(
        ValueError, match="SYNDICRAWL_POOL_MAX_FAILED_STARTS: bad value 0: expected an integer >= 1"
    ):
        StagePool(1, max_failed_starts=0)


def test_worker_resets_trafilatura_caches_periodically(monkeypatch):
    calls = []
    monkeypatch.setattr("pipelines.runtime.pool.reset_caches", lambda: calls.append(1))
    state = WorkerState(WorkerConfig(reset_every=3))
    for _ in range(7):
        state.tick()
    assert len(calls) == 2


def test_extract_stage_through_the_pool_fills_the_item_and_counts():
    crawler = get_crawler(settings_dict={"SYNDICRAWL_POOL_PROCESSES": 1})
    pipe = ExtractPipeline.from_crawler(crawler)
    crawler.stats.open_spider()
    html = SyntheticWeb(20, seed=3).render(0).decode()
    pool = StagePool.for_crawler(crawler)
    assert pipe.pool is pool and StagePool.for_crawler(crawler) is pool  # one pool per crawl
    try:
        result = pipe.process_item(
            ArticleItem(url="https://gazette.example/news/a", site="gazette", html=html)
        )
        assert asyncio.iscoroutine(result)
        item = asyncio.run(result)
        assert item.text and len(item.text) > 500 and item.title
        assert crawler.stats.get_value("syndicrawl/extract/extracted_count") == 1
        assert crawler.stats.get_value("syndicrawl/extract/cpu_seconds") > 0
        short = "<html><body><article><p>Too short.</p></article></body></html>"
        with pytest.raises(BodyTooShort):
            asyncio.run(
                pipe.process_item(
                    ArticleItem(url="https://gazette.example/x", site="gazette", html=short)
                )
            )
        assert crawler.stats.get_value("syndicrawl/extract/dropped_count/bodytooshort") == 1
    finally:
        pool.close()


class _DeadPool:
    in_process = False

    async def run(self, *args, **kwargs):
        raise WorkerCrashed("a pool worker died while running extract_task: boom")


def test_a_crashed_worker_is_a_counted_drop_in_the_stage():
    crawler = get_crawler(settings_dict={})
    pipe = ExtractPipeline(crawler=crawler, pool=_DeadPool())  # type: ignore[arg-type]
    crawler.stats.open_spider()
    with pytest.raises(WorkerCrashed):
        asyncio.run(
            pipe.process_item(
                ArticleItem(url="https://gazette.example/a", site="gazette", html="<p>x</p>")
            )
        )
    assert crawler.stats.get_value("syndicrawl/extract/dropped_count/workercrashed") == 1
    assert (
        crawler.stats.get_value("syndicrawl/site/gazette/extract/dropped_count/workercrashed") == 1
    )


def test_in_process_extract_stage_also_resets_trafilatura_caches(monkeypatch):
    calls = []
    monkeypatch.setattr("pipelines.runtime.pool.reset_caches", lambda: calls.append(1))
    crawler = get_crawler(settings_dict={})
    pipe = ExtractPipeline(crawler=crawler, reset_every=2)
    crawler.stats.open_spider()
    html = SyntheticWeb(20, seed=3).render(1).decode()
    for n in range(5):
        pipe.process_item(
            ArticleItem(url=f"https://gazette.example/news/{n}", site="gazette", html=html)
        )
    assert len(calls) == 2


def test_cache_reset_logs_no_error(caplog: pytest.LogCaptureFixture) -> None:
    import trafilatura

    from pipelines.runtime.pool import reset_caches

    trafilatura.extract(
        "<html><body><article><p>" + "Words of a page. " * 40 + "</p></article></body></html>"
    )
    with caplog.at_level(logging.DEBUG):
        reset_caches()
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert not logging.getLogger("htmldate.meta").disabled


def test_dates_stage_parses_iso_here_and_sends_free_text_to_a_worker(pool):
    from pipelines.core.metadata import DateCandidate
    from pipelines.dates import DatesPipeline
    from pipelines.extract import HINT_DATES

    crawler = get_crawler(settings_dict={})
    crawler.stats.open_spider()
    pipe = DatesPipeline(crawler=crawler, pool=pool)

    def item(raw: str, source: str) -> ArticleItem:
        found = ArticleItem(
            url="https://gazette.example/a", site=None, fetched_at="2026-11-27T12:00:00+00:00"
        )
        found.hints[HINT_DATES] = [DateCandidate(raw, source, "published")]  # type: ignore[arg-type]
        return found

    iso = pipe.process_item(item("2026-11-26T08:30:00+01:00", "jsonld"))
    assert isinstance(iso, ArticleItem), "an ISO date needs no worker"
    assert iso.published_at == "2026-11-26T07:30:00+00:00"
    assert crawler.stats.get_value("syndicrawl/dates/pooled_count") is None

    pending = pipe.process_item(item("26 November 2026, 08:30", "text"))
    assert asyncio.iscoroutine(pending), "a free-text date goes to the pool"
    text = asyncio.run(pending)
    assert text.published_at == "2026-11-26T08:30:00+00:00"
    assert crawler.stats.get_value("syndicrawl/dates/pooled_count") == 1
    assert crawler.stats.get_value("syndicrawl/dates/worker_cpu_seconds") > 0
    # the same answer as the stage without a pool
    alone = DatesPipeline(crawler=crawler).process_item(item("26 November 2026, 08:30", "text"))
    assert isinstance(alone, ArticleItem) and alone.published_at == text.published_at


def _extracted(
    web: SyntheticWeb, n: int, extract: ExtractPipeline, stage_pool: StagePool, tail: str = ""
):
    """Article ``n`` of ``web`` through the extract stage (in the pool or here); ``tail``: a
    paragraph added after the story, before a copy's station promo."""
    a = web.article(n)
    html = web.render(n).decode()
    if tail:
        html = html.replace("<p>Listen to ", f"<p>{tail}</p><p>Listen to ", 1)
    item = ArticleItem(
        url=f"https://{a.site}.example{a.path}",
        site=a.site,
        html=html,
        fetched_at="2026-11-27T12:00:00+00:00",
    )
    item.hints["title"] = a.title
    got = extract.process_item(item)
    if asyncio.iscoroutine(got):
        got = asyncio.run(got)
    return got


def test_work_done_ahead_in_the_worker_gives_the_same_records(pool, tmp_path):
    """extract -> clean -> syndication through the pool (first pass and sketch made in the worker)
    and in the crawl process give the same text, credits and links."""
    from crawler.registry import parse_site
    from pipelines.clean import CleanPipeline
    from pipelines.core.dedupe.sqlite_index import SqliteIndex
    from pipelines.syndication import SyndicationPipeline

    web = SyntheticWeb(60, seed=5)
    copy = next(i for i in range(60) if web.article(i).original is not None)
    original = web.article(copy).original
    assert original is not None
    sites = {s: parse_site(web.site_config(s, f"https://{s}.example/"), s) for s in web.sites}
    worker_pool = StagePool(1, max_pending=2, config=WorkerConfig(sites=sites))

    def run(stage_pool, name):
        crawler = get_crawler(settings_dict={})
        crawler.stats.open_spider()
        crawler.spider = type("Spider", (), {"sites": sites})()
        extract = ExtractPipeline(crawler=crawler, pool=stage_pool)
        clean = CleanPipeline(crawler=crawler, learn_wait=0)
        syndication = SyndicationPipeline(
            index=SqliteIndex(tmp_path / f"{name}.sqlite3"), crawler=crawler
        )
        out = []
        for n in (original[1], copy):
            got = asyncio.run(clean.process_item(_extracted(web, n, extract, stage_pool)))
            got = syndication.process_item(got)
            out.append(
                (
                    got.text,
                    got.credited_source,
                    got.syndication.status,
                    got.syndication.original_url,
                )
            )
        syndication.close_spider()
        return out, crawler.stats

    try:
        pooled, stats = run(worker_pool, "pooled")
    finally:
        worker_pool.close()
    assert stats.get_value("syndicrawl/clean/first_pass_count/worker") == 2
    assert stats.get_value("syndicrawl/syndication/sketch_count/worker") == 2
    here, stats_here = run(StagePool(0, config=WorkerConfig(sites=sites)), "here")
    assert stats_here.get_value("syndicrawl/clean/first_pass_count/here") == 2
    assert pooled == here
    assert pooled[1][2] == "republication" and pooled[1][1] == web.publishers[original[0]]


def test_learned_boilerplate_guessed_in_the_worker_gives_the_same_records(tmp_path):
    """A syndicator's recurring note, once learned, is guessed for its next pages: the worker
    makes the second pass ahead, the clean stage takes it when the store confirms it, and every
    record is the one the crawl process makes alone. (The web's station promo names the station,
    so it goes on the first page without learning; the note names nothing: only learning finds it.)"""
    note = "Every story here is read by two editors before it goes out, whatever the hour."
    from collections import Counter

    from crawler.registry import parse_site
    from pipelines.clean import CleanPipeline
    from pipelines.core.learned import LearnedStore

    web = SyntheticWeb(200, seed=5)
    copies = [i for i in range(200) if web.article(i).original is not None]
    site_name = Counter(web.article(i).site for i in copies).most_common(1)[0][0]
    pages = [i for i in copies if web.article(i).site == site_name][:10]
    assert len(pages) == 10
    sites = {s: parse_site(web.site_config(s, f"https://{s}.example/"), s) for s in web.sites}

    def run(stage_pool, name):
        crawler = get_crawler(settings_dict={})
        crawler.stats.open_spider()
        crawler.spider = type("Spider", (), {"sites": sites})()
        extract = ExtractPipeline(crawler=crawler, pool=stage_pool)
        clean = CleanPipeline(
            crawler=crawler, learn_wait=0, store=LearnedStore(tmp_path / f"{name}.sqlite3")
        )
        texts = []
        for n in pages:
            item = _extracted(web, n, extract, stage_pool, tail=note)
            got = asyncio.run(clean.process_item(item))
            texts.append((got.text, got.credited_source, tuple(got.stripped)))
        clean.close()
        return texts, crawler.stats

    worker_pool = StagePool(1, max_pending=2, config=WorkerConfig(sites=sites))
    try:
        pooled, stats = run(worker_pool, "pooled")
    finally:
        worker_pool.close()
    here, stats_here = run(StagePool(0, config=WorkerConfig(sites=sites)), "here")
    assert pooled == here
    learned = sum(1 for _, _, stripped in here if "learned" in stripped)
    assert learned >= 5  # the note is learned after the first pages
    assert all("promo" in stripped for _, _, stripped in here)  # the station promo, every page
    # the first page with learned boilerplate had no guess yet; the later ones were made ahead
    assert stats.get_value("syndicrawl/clean/learned_pass_count/worker", 0) >= learned - 2
    assert stats_here.get_value("syndicrawl/clean/learned_pass_count/worker", 0) == 0


def test_the_default_pool_is_one_worker_per_core_and_none_on_one_core() -> None:
    from pipelines.runtime.options import default_processes

    assert [default_processes(cores) for cores in (1, 2, 8)] == [0, 2, 8]
