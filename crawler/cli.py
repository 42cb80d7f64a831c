"""The ``syndicrawl`` console script.

Each subcommand lives in ``crawler/commands/<name>.py`` and exposes ``register(subparsers)``,
which adds its parser and sets ``func(args) -> int`` (the exit status).

Exit status: 0 success; 1 the run finished but something failed (export, monitors); 2 bad usage or
bad configuration (nothing was crawled).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

COMMAND_MODULES = (
    "crawler.commands.demo",
    "crawler.commands.crawl",
    "crawler.commands.extract",
    "crawler.commands.eval",
    "crawler.commands.bench",
    "crawler.commands.export",
    "crawler.commands.report",
    "crawler.commands.runs",
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="syndicrawl",
        description="Crawl news sites, extract clean articles, link republications, export JSONL.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    status: int = args.func(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
