"""``syndicrawl bench syndication``: speed figures (a command that prints them, never a timed test)."""

from __future__ import annotations

import argparse
import importlib
from typing import Any

BENCHMARKS = {
    "syndication": ("crawler.benchmarks.syndication", "signature + lookup throughput and bytes per article"),
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("bench", help="benchmarks that print speed figures")
    kinds = parser.add_subparsers(dest="benchmark", metavar="WHAT", required=True)
    for name, (module_name, help_text) in BENCHMARKS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if not exc.name or not module_name.startswith(exc.name):  # a real import error inside it
                raise
            continue
        sub = kinds.add_parser(name, help=help_text)
        module.add_arguments(sub)
        sub.set_defaults(func=_runner(module_name))


def _runner(module_name: str) -> Any:
    def run(args: argparse.Namespace) -> int:
        status: int = importlib.import_module(module_name).run(args)
        return status

    return run
