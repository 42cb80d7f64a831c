"""Process pool for the CPU-bound stage cores (extract, dates), off the Scrapy reactor.

One pool per crawl, shared by the stages (:meth:`StagePool.for_crawler`), started when the spider
opens (:meth:`StagePool.start`). Workers are forked from multiprocessing's forkserver: a fresh,
single-threaded process (the crawl process runs threads and SQLite connections, which a plain
``fork`` would copy half-made) that imports :mod:`pipelines.runtime.preload` once, which warms up the
cores' libraries (trafilatura, the language identifier's model, dateparser: ~1.3 s of CPU). So a
worker starts in milliseconds, warm, sharing those pages with its siblings; where there is no
forkserver, workers are spawned and warm up themselves. Each worker builds its cores once
(:meth:`WorkerState.warm_up`), never per page.

Tasks go to the least busy worker through its own pipes, read and written in the reactor's event
loop (:mod:`pipelines.runtime.worker_process`: no helper threads, unlike ``ProcessPoolExecutor``). A task is
a module-level function ``fn(state, *args)`` run in a worker with that worker's
:class:`WorkerState`; it returns ``(value, error, cpu_seconds)`` so the CPU spent in workers is
counted in the crawl's stats (``syndicrawl/<stage>/worker_cpu_seconds``, and in
``syndicrawl/<stage>/cpu_seconds`` with the stage's CPU in the crawl process).

Back-pressure: at most ``max_pending`` tasks are submitted at once; further pages wait (awaited,
not blocking the reactor), and Scrapy's scraper slot limit (``SCRAPER_SLOT_MAX_ACTIVE_SIZE``)
then stops new downloads, so the queue of unprocessed pages stays bounded.

A worker that dies (segfault in a C extension, out-of-memory kill): every task in flight on it
raises :class:`~pipelines.errors.WorkerCrashed` (a counted drop with its reason), the other
workers go on, and the next task starts a new worker, which the (still warm) forkserver forks at
once. Workers that die before returning a single result (a broken install, a worker that cannot
start) are not forked for ever: after ``SYNDICRAWL_POOL_MAX_FAILED_STARTS`` in a row the pool is
broken, every later task is a counted drop, and the crawl is closed with ``finish_reason``
``pool_broken`` (the run fails) instead of dropping every article one by one.
``processes=0`` runs the tasks in the crawl process.

Settings (:class:`~pipelines.runtime.options.PoolOptions`, which has their defaults):

``SYNDICRAWL_POOL_PROCESSES``
    Worker processes; 0 runs the cores in the crawl process.
``SYNDICRAWL_POOL_MAX_PENDING``
    Pages submitted to the pool and not yet done, at most (0: 4 per process).
``SYNDICRAWL_POOL_RESET_EVERY``
    Pages after which a worker clears trafilatura's caches (memory stays flat).
``SYNDICRAWL_POOL_MAX_FAILED_STARTS``
    Workers in a row that die before their first result, after which the pool gives up.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import pickle
import signal
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from crawler.config import BadSetting, check_value, read_options, setting_name
from pipelines.core.cleaning import Cleaner
from pipelines.core.dating import DateFinder, DateOptions
from pipelines.core.extraction import ArticleExtractor, ExtractOptions
from pipelines.errors import WorkerCrashed
from pipelines.runtime.options import PoolOptions
from pipelines.runtime.worker_process import WorkerDied, WorkerProcess

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from scrapy.crawler import Crawler

    from crawler.registry import SiteConfig

logger = logging.getLogger(__name__)

CRAWLER_ATTR = "_syndicrawl_pool"
PRELOAD_MODULE = "pipelines.runtime.preload"
_DEFAULTS = PoolOptions()
DEFAULT_RESET_EVERY = _DEFAULTS.reset_every
DEFAULT_MAX_FAILED_STARTS = _DEFAULTS.max_failed_starts
_PICKLE = pickle.HIGHEST_PROTOCOL
WARM_UP_PAGE = (
    "<html lang='en'><head><title>Ferry pier plan</title>"
    "<meta property='article:published_time' content='2026-03-03T10:15:00Z'></head>"
    "<body><article><h1>Ferry pier plan</h1>"
    + "".join(
        f"<p>The harbour council met on Tuesday evening to discuss part {n} of the plan for the "
        "new ferry pier, and residents asked about parking, noise and the cost.</p>"
        for n in range(1, 9)
    )
    + "</article></body></html>"
)


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    """Everything a worker builds its cores from (pickled once per worker)."""

    extract: ExtractOptions = field(default_factory=ExtractOptions)
    dates: DateOptions = field(default_factory=DateOptions)
    sites: dict[str, SiteConfig] = field(default_factory=dict)
    reset_every: int = DEFAULT_RESET_EVERY


class WorkerState:
    """The cores of one worker (or of the crawl process when ``processes=0``)."""

    def __init__(self, config: WorkerConfig) -> None:
        self.config = config
        self.sites = config.sites
        self.extractor = ArticleExtractor(config.extract)
        self.dates = DateFinder(config.dates)
        self.pages = 0
        self.warmed = False
        self._cleaner: Cleaner | None = None

    @property
    def cleaner(self) -> Cleaner:
        """The clean stage's cleaner without its learned store (that stays in the crawl process)."""
        if self._cleaner is None:
            self._cleaner = Cleaner.for_sites(self.sites)
        return self._cleaner

    def warm_up(self) -> None:
        """Load what the cores load lazily (trafilatura's and the language identifier's models,
        dateparser's language data: ~1 s of CPU) on a small page of our own, so it is done while
        the crawl discovers its first articles, not while they wait. Never fatal: a real page
        raises the real error."""
        try:
            self.extractor.extract(WARM_UP_PAGE, "https://warm-up.invalid/news/1")
            self.dates.parser.parse(
                "Tuesday 3 March 2026, 10:15",
                tz=UTC,
                tz_name="UTC",
                languages=("en",),
                relative_base=datetime.now(UTC),
            )
            self.warmed = True
        except Exception as exc:  # a warm-up must not stop a worker
            logger.warning(
                "pool: worker warm-up failed (%(exc)r); the first page loads instead", {"exc": exc}
            )

    def site(self, name: str | None) -> SiteConfig | None:
        return self.sites.get(name) if name else None

    def tick(self) -> None:
        """Count a page; every ``reset_every`` pages, drop trafilatura's module-level caches."""
        self.pages += 1
        if self.config.reset_every and self.pages % self.config.reset_every == 0:
            reset_caches()


def reset_caches() -> None:
    try:
        from trafilatura.meta import reset_caches as _reset
    except ImportError:  # pragma: no cover - older trafilatura
        return
    # htmldate logs an ERROR when charset_normalizer's helpers have no cache to clear (its
    # compiled wheels): nothing is wrong, and an ERROR every thousand pages would page ops.
    htmldate_log = logging.getLogger("htmldate.meta")
    was_disabled, htmldate_log.disabled = htmldate_log.disabled, True
    try:
        _reset()
    finally:
        htmldate_log.disabled = was_disabled


_STATE: WorkerState | None = None
Task = Callable[..., Any]
Outcome = tuple[Any, BaseException | None, float]


def worker_context() -> multiprocessing.context.BaseContext:
    """The forkserver where the platform has one (its preload warms the libraries once), else spawn."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # takes effect when the forkserver starts (once per crawl process)
        context.set_forkserver_preload([PRELOAD_MODULE])
        return context
    return multiprocessing.get_context("spawn")


def _init_worker(config: WorkerConfig) -> WorkerState:
    global _STATE
    # Ctrl-C goes to the whole process group: the crawl process shuts the pool down itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _STATE = WorkerState(config)
    # ~20 ms when forked from the preloaded forkserver (the libraries are warm); ~1.3 s if spawned
    _STATE.warm_up()
    return _STATE


def serve(config: WorkerConfig, tasks: Connection, results: Connection) -> None:
    """A worker's life (:class:`~pipelines.runtime.worker_process.WorkerProcess`): warm up, then run each
    task sent until the crawl process closes the task pipe. A reply is ``("done", outcome)`` or,
    for an error the task did not expect, ``("raised", error)``."""
    state = _init_worker(config)
    while True:
        try:
            data = tasks.recv_bytes()
        except EOFError:
            return
        try:
            fn, args, expected = pickle.loads(data)
            reply = pickle.dumps(("done", run_task(state, fn, args, expected)), _PICKLE)
        except Exception as exc:  # raised in the crawl process, as ProcessPoolExecutor would
            reply = _raised(exc)
        try:
            results.send_bytes(reply)
        except OSError:  # the crawl process is gone
            return


def _raised(exc: Exception) -> bytes:
    exc.add_note(f"(in pool worker pid {os.getpid()})\n{traceback.format_exc()}")
    try:
        return pickle.dumps(("raised", exc), _PICKLE)
    except Exception:  # an error that does not pickle: its type and message still travel
        return pickle.dumps(("raised", RuntimeError(f"{type(exc).__name__}: {exc}")), _PICKLE)


def run_task(
    state: WorkerState, fn: Task, args: tuple[Any, ...], expected: tuple[type[BaseException], ...]
) -> Outcome:
    """Run ``fn(state, *args)``; expected errors are returned (picklable, counted by the caller)."""
    started = time.process_time()
    try:
        value, error = fn(state, *args), None
    except expected as exc:
        value, error = None, exc
    finally:
        state.tick()
    return value, error, time.process_time() - started


class StagePool:
    """A bounded process pool for stage cores; see the module docstring."""

    def __init__(
        self,
        processes: int,
        *,
        max_pending: int | None = None,
        config: WorkerConfig | Callable[[], WorkerConfig] = WorkerConfig,
        max_failed_starts: int = DEFAULT_MAX_FAILED_STARTS,
        on_broken: Callable[[str], None] | None = None,
    ) -> None:
        check_value(PoolOptions, "processes", processes)
        check_value(PoolOptions, "max_failed_starts", max_failed_starts)
        pending = max_pending if max_pending is not None else max(4 * processes, 4)
        if pending < 1:  # the setting's 0 ("4 per process") arrives here as None
            raise BadSetting(setting_name(PoolOptions, "max_pending"), pending, "an integer >= 1")
        self.processes = processes
        self.max_pending = pending
        self._config = config
        self._workers: list[WorkerProcess] = []
        self._started = 0  # workers started so far (they are named by it)
        self._local: WorkerState | None = None
        self._slots: asyncio.Semaphore | None = None
        self._slots_loop: asyncio.AbstractEventLoop | None = None
        self.crashes = 0
        self.max_failed_starts = max_failed_starts
        self._failed_starts = 0  # workers in a row that died before their first result
        self.broken: str | None = None
        """Why the pool gave up starting workers (None while it has not)."""
        self._on_broken = on_broken
        self.closed = False

    @property
    def in_process(self) -> bool:
        return self.processes == 0

    @classmethod
    def for_crawler(cls, crawler: Crawler) -> StagePool:
        """The crawl's one pool, made on first call; shut down when the engine stops."""
        pool: StagePool | None = getattr(crawler, CRAWLER_ATTR, None)
        if pool is not None:
            return pool
        from scrapy import signals

        s = crawler.settings
        options = read_options(PoolOptions, s)

        def config() -> WorkerConfig:
            # The cores' options come from their stages, which read their own settings.
            from pipelines.dates import date_options
            from pipelines.extract import extract_options

            spider = getattr(crawler, "spider", None)
            return WorkerConfig(
                extract=extract_options(s),
                dates=date_options(s),
                sites=dict(getattr(spider, "sites", None) or {}),
                reset_every=options.reset_every,
            )

        closing: list[asyncio.Future[None]] = []  # held: a bare task may be collected early

        def close_crawl(_why: str) -> None:  # the pool has logged why
            if crawler.engine is not None:
                closing.append(
                    asyncio.ensure_future(crawler.engine.close_spider_async(reason="pool_broken"))
                )

        pool = cls(
            options.processes,
            max_pending=options.max_pending or None,
            config=config,
            max_failed_starts=options.max_failed_starts,
            on_broken=close_crawl,
        )
        setattr(crawler, CRAWLER_ATTR, pool)
        crawler.signals.connect(pool.start, signal=signals.spider_opened)
        crawler.signals.connect(pool.close, signal=signals.engine_stopped)
        return pool

    def _worker_config(self) -> WorkerConfig:
        return self._config() if callable(self._config) else self._config

    def local(self) -> WorkerState:
        """The in-process cores (``processes=0``)."""
        if self._local is None:
            self._local = WorkerState(self._worker_config())
        return self._local

    @property
    def workers(self) -> list[WorkerProcess]:
        """The live workers."""
        return [w for w in self._workers if not w.dead]

    def _fill(self) -> list[WorkerProcess]:
        """Start workers until ``processes`` are alive (at start, and after a crash)."""
        if self.closed:
            raise RuntimeError("the stage pool is shut down")
        for worker in [w for w in self._workers if w.dead]:
            self._crashed(worker)  # died while idle (no task to report it): counted here
        if self.broken is not None:
            raise WorkerCrashed(f"the stage pool is broken: {self.broken}")
        alive = list(self._workers)
        if len(alive) < self.processes:
            config, context = self._worker_config(), worker_context()
            while len(alive) < self.processes:
                self._started += 1
                alive.append(
                    WorkerProcess(
                        context, serve, (config,), name=f"syndicrawl-pool-{self._started}"
                    )
                )
            logger.info(
                "pool: %(n)s worker processes running (%(started)s started)",
                {"n": len(alive), "started": self._started},
            )
        self._workers = alive
        return alive

    def start(self) -> None:
        """Start every worker now (connected to ``spider_opened``): they warm up while the crawl
        discovers its first articles. Otherwise workers start on the first pages, which wait."""
        if not self.in_process and not self.closed:
            self._fill()

    def run_local(
        self, fn: Task, *args: Any, expected: tuple[type[BaseException], ...] = ()
    ) -> Outcome:
        return run_task(self.local(), fn, args, expected)

    def _slots_for(self, loop: asyncio.AbstractEventLoop) -> asyncio.Semaphore:
        if self._slots is None or self._slots_loop is not loop:
            self._slots, self._slots_loop = asyncio.Semaphore(self.max_pending), loop
        return self._slots

    async def run(
        self, fn: Task, *args: Any, expected: tuple[type[BaseException], ...] = ()
    ) -> Outcome:
        """``fn(state, *args)`` in a worker: ``(value, expected error or None, cpu_seconds)``.

        Raises :class:`WorkerCrashed` when the worker died; other errors in ``fn`` propagate.
        """
        if self.in_process:
            return self.run_local(fn, *args, expected=expected)
        loop = asyncio.get_running_loop()
        data = pickle.dumps((fn, args, expected), _PICKLE)
        async with self._slots_for(loop):
            # the least busy worker: a worker stuck on a slow page gets no more until it is not
            worker = min(self._fill(), key=lambda w: len(w.in_flight))
            try:
                reply = await worker.submit(data, loop)
            except WorkerDied as exc:
                self._crashed(worker)
                raise WorkerCrashed(
                    f"a pool worker died while running {getattr(fn, '__name__', fn)}: {exc}"
                ) from exc
        kind, body = pickle.loads(reply)
        if kind == "raised":
            raise body
        outcome: Outcome = body
        return outcome

    def _crashed(self, worker: WorkerProcess) -> None:
        """Count a dead worker once (every task in flight on it reports the same death)."""
        if worker not in self._workers:
            return
        self._workers.remove(worker)
        self.crashes += 1
        code = worker.process.exitcode
        self._failed_starts = 0 if worker.replies else self._failed_starts + 1
        if self._failed_starts >= self.max_failed_starts:
            self.broken = (
                f"{self._failed_starts} worker processes in a row died before returning a result"
                f" (the last: pid {worker.pid}, exit code {code}); see the errors above"
            )
            logger.critical("pool: %(why)s; starting no more workers", {"why": self.broken})
            if self._on_broken is not None:
                self._on_broken(self.broken)
            return
        logger.error(
            "pool: a worker process died (pid %(pid)s, exit code %(code)s); %(n)s crash(es) so far;"
            " starting another",
            {"pid": worker.pid, "code": code, "n": self.crashes},
        )

    def close(self) -> None:
        """Stop the workers (each finishes the task it runs; idempotent)."""
        self.closed = True
        workers, self._workers = self._workers, []
        for worker in workers:
            worker.close()
        if workers:
            logger.info("pool: workers stopped")
