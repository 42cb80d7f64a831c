"""Run one crawl: build the settings from the site registry, run the spider, collect the outcome.

One crawl per process: Twisted's reactor cannot be restarted, so tests run crawls in subprocesses.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.config import BadSetting as BadSetting  # re-exported for the commands
from crawler.config import read_options, setting_name
from crawler.declarations import check_all
from crawler.distributed.options import DistributedOptions
from crawler.monitoring.finalize import finalize_run
from crawler.options import RunOptions, user_agent
from crawler.registry import SiteConfig
from crawler.site_settings import ChromiumMissing as ChromiumMissing  # re-exported for the commands
from crawler.site_settings import apply_site_settings
from crawler.spiders.news import NewsSpider
from pipelines.core.storage.layout import new_run_id as new_run_id  # re-exported

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class RunResult:
    run_id: str
    exit_status: int
    started_at: str
    finished_at: str
    stats: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    stats_path: str | None = None
    log_path: str | None = None


def project_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """The project's settings (``crawler/settings.py``: defaults and the environment) with
    ``overrides`` (``--set``) over them, at Scrapy's priorities."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def build_settings(
    sites: dict[str, SiteConfig],
    *,
    output_uri: str,
    state_dir: str,
    run_id: str,
    overrides: dict[str, Any] | None = None,
) -> Settings:
    """The crawl's settings; a bad ``SYNDICRAWL_*`` value raises BadSetting before anything runs."""
    settings = project_settings(overrides)
    for attr, value in (("output_uri", output_uri), ("state_dir", state_dir), ("run_id", run_id)):
        if setting_name(RunOptions, attr) not in (overrides or {}):
            settings.set(setting_name(RunOptions, attr), value, priority="cmdline")
    # At the project's priority: the sites' slots and browser are project configuration, which
    # --set (cmdline) still overrides; and they see the --set values (SYNDICRAWL_CHROMIUM_PATH).
    apply_site_settings(settings, sites, priority="project")
    follow_overrides(settings, overrides or {})
    if read_options(DistributedOptions, settings).enabled:
        from crawler.distributed.setup import apply_distributed

        apply_distributed(settings)
    check_all(settings)
    return settings


def follow_overrides(settings: Settings, overrides: dict[str, Any]) -> None:
    """Settings made from others in crawler/settings.py, made again from their ``--set`` values."""
    if setting_name(RunOptions, "contact_url") in overrides and "USER_AGENT" not in overrides:
        contact = read_options(RunOptions, settings).contact_url
        settings.set("USER_AGENT", user_agent(contact), priority="cmdline")
    # Chromium's navigation has its own timeout; without this a page dribbling its body to a
    # rendered site was waited on for PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT, not DOWNLOAD_TIMEOUT.
    if "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT" not in overrides:
        timeout_ms = settings.getfloat("DOWNLOAD_TIMEOUT") * 1000
        if timeout_ms > 0:
            settings.set("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT", timeout_ms, priority="cmdline")


def warn_unknown_environment() -> None:
    """One warning per SYNDICRAWL_* environment variable that names no setting (a typo)."""
    from crawler import settings as project

    for problem in project.unknown_environment:
        logger.warning("Settings: %(problem)s; ignored", {"problem": problem})


def run_crawl(
    sites: dict[str, SiteConfig],
    *,
    output_uri: str,
    state_dir: str,
    run_id: str | None = None,
    overrides: dict[str, Any] | None = None,
    log_file: str | Path | None = None,
    terminal_level: str | None = None,
) -> RunResult:
    """Crawl ``sites`` through the whole pipeline; returns the run's outcome and stats.

    ``log_file``: Scrapy's log goes there instead of stderr; ``terminal_level``: records at this
    level and above go to stderr as well (the console commands show warnings only).
    """
    run_id = run_id or new_run_id()
    started = datetime.now(UTC).replace(microsecond=0).isoformat()
    settings = build_settings(
        sites, output_uri=output_uri, state_dir=state_dir, run_id=run_id, overrides=overrides
    )
    if log_file is not None:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        settings.set("LOG_FILE", str(log_file), priority="cmdline")
    process = CrawlerProcess(settings)
    # Scrapy filters LOG_LEVEL at its handler, so every debug call below it still builds a record;
    # set on the loggers, the call returns at once. Scrapy's logging config pins the "scrapy" logger
    # at DEBUG (its two records per page), so it is set too.
    level = level_number(settings.get("LOG_LEVEL") or "DEBUG")
    terminal = _terminal_handler(settings, terminal_level) if terminal_level else None
    if terminal is not None:
        level = min(level, terminal.level)
    logging.getLogger().setLevel(level)
    logging.getLogger("scrapy").setLevel(level)
    warn_unknown_environment()
    try:  # the terminal handler stays until the monitors have spoken
        crawler = process.create_crawler(NewsSpider)
        process.crawl(crawler, sites=sites)
        process.start()
        stats: dict[str, Any] = {
            k: (v.isoformat() if isinstance(v, datetime) else v)
            for k, v in crawler.stats.get_stats().items()
        }
        problems = run_problems(stats)
        finished = datetime.now(UTC).replace(microsecond=0).isoformat()
        health = finalize_run(
            stats,
            sites=list(sites),
            run_id=run_id,
            started_at=started,
            finished_at=finished,
            exit_status=1 if problems else 0,
            state_dir=state_dir,
            output_uri=output_uri,
            settings=settings,
            problems=problems,
        )
        problems += [result.message for result in health.failed_monitors]
        return RunResult(
            run_id=run_id,
            exit_status=health.exit_status,
            started_at=started,
            finished_at=finished,
            stats=stats,
            problems=problems,
            stats_path=str(health.document_path),
            log_path=str(log_file) if log_file is not None else None,
        )
    finally:
        if terminal is not None:
            logging.getLogger().removeHandler(terminal)


def level_number(value: Any) -> int:
    """A log level given as a number or a name (``"warning"``), as a number (INFO if unknown)."""
    if isinstance(value, int):
        return value
    number = logging.getLevelName(str(value).upper())
    return number if isinstance(number, int) else logging.INFO


def _terminal_handler(settings: Settings, level: str) -> logging.Handler:
    """Records at ``level`` and above on stderr too, formatted like Scrapy's own log."""
    from crawler.progress import TerminalLogHandler

    handler = TerminalLogHandler(sys.stderr)
    handler.setLevel(level_number(level))
    handler.setFormatter(
        logging.Formatter(fmt=settings.get("LOG_FORMAT"), datefmt=settings.get("LOG_DATEFORMAT"))
    )
    logging.getLogger().addHandler(handler)
    return handler


def run_problems(stats: dict[str, Any]) -> list[str]:
    """What makes this run a failure (non-zero exit status), in plain words."""
    problems = []
    reason = stats.get("finish_reason")
    if reason not in ("finished", None):
        problems.append(f"crawl ended early: finish_reason={reason}")
    if stats.get("syndicrawl/export/run_failed"):
        problems.append(
            str(
                stats.get("syndicrawl/export/failure_message")
                or "export to the store failed; the spool is kept"
            )
        )
    if stats.get("log_count/CRITICAL"):
        problems.append(f"{stats['log_count/CRITICAL']} critical errors in the log")
    return problems
