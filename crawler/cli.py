"""The ``syndicrawl`` console script.

Each product subcommand lives in ``crawler/commands/<name>.py`` and exposes
``register(subparsers)``, which adds its parser and sets ``func(args) -> int`` (the exit status).
Commands of other installed packages (the demo, benchmarks and evaluation in ``syndicrawl_tools``)
come from the ``syndicrawl.commands`` entry-point group, each naming a module with the same
``register``; the product never imports them.

Exit status: 0 success; 1 the run finished but something failed (export, monitors); 2 bad usage or
bad configuration (nothing was crawled).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points

COMMAND_MODULES = (
    "crawler.commands.crawl",
    "crawler.commands.extract",
    "crawler.commands.export",
    "crawler.commands.report",
    "crawler.commands.runs",
)
PLUGIN_GROUP = "syndicrawl.commands"

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="syndicrawl",
        description="Crawl news sites, extract clean articles, link republications, export JSONL.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in command_modules():
        importlib.import_module(module_name).register(subparsers)
    return parser


def command_modules() -> list[str]:
    """The product's command modules, then the installed tools' (sorted by command name)."""
    plugins = sorted(entry_points(group=PLUGIN_GROUP), key=lambda entry: entry.name)
    return [*COMMAND_MODULES, *(entry.value for entry in plugins)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    status: int = args.func(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
