"""What a crawl shows on the terminal (``crawl`` and ``demo``): a progress line, warnings, the summary.

Scrapy's own log (every INFO record and its stats dump) goes to a log file in the state dir,
``STATE_DIR/logs/run=RUNID.log``; ``--verbose`` shows it on the terminal too, ``--log-level`` sets
its level.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.config import setting_name
from crawler.options import ProgressOptions

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOGS_FOLDER = "logs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--log-level",
        type=str.upper,
        choices=LOG_LEVELS,
        default=None,
        help="level of the run's log (default INFO, or the LOG_LEVEL setting)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="show the whole log on the terminal, not only warnings and the progress line",
    )


@dataclass(frozen=True, slots=True)
class Console:
    log_file: Path
    terminal_level: str

    def run_arguments(self) -> dict[str, Any]:
        """Keyword arguments of :func:`crawler.runner.run_crawl`."""
        return {"log_file": self.log_file, "terminal_level": self.terminal_level}


def console_for(
    args: argparse.Namespace, state_dir: str | Path, run_id: str, overrides: dict[str, Any]
) -> Console:
    """The run's console; sets ``LOG_LEVEL`` and ``SYNDICRAWL_PROGRESS`` in ``overrides`` unless
    given there (``--set``)."""
    if args.log_level:
        overrides["LOG_LEVEL"] = args.log_level
    level = str(overrides.get("LOG_LEVEL") or _default_level())
    # The whole log scrolling past leaves no place for a bar: plain progress lines then.
    overrides.setdefault(setting_name(ProgressOptions, "mode"), "lines" if args.verbose else "auto")
    return Console(
        log_file=Path(state_dir) / LOGS_FOLDER / f"run={run_id}.log",
        terminal_level=level if args.verbose else "WARNING",
    )


def _default_level() -> str:
    from crawler import settings

    return str(settings.LOG_LEVEL)
