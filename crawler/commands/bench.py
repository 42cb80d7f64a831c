"""``syndicrawl bench [WHAT]``: speed figures (commands that print them, never timed tests).

``syndicrawl bench`` alone is ``syndicrawl bench pipeline``: the whole crawl of a synthetic news web
(:mod:`crawler.benchmarks.pipeline`); ``syndicrawl bench syndication`` times the syndication index.
"""

from __future__ import annotations

import argparse
import importlib
from typing import Any

DEFAULT = "pipeline"
BENCHMARKS = {
    "pipeline": (
        "crawler.benchmarks.pipeline",
        "the whole crawl of a synthetic web: articles/s, CPU per stage, peak memory",
    ),
    "syndication": (
        "crawler.benchmarks.syndication",
        "signature + lookup throughput and bytes per article",
    ),
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "bench",
        help="benchmarks that print speed figures",
        description="Benchmarks that print speed figures; without WHAT, the full-pipeline benchmark.",
    )
    kinds = parser.add_subparsers(dest="benchmark", metavar="WHAT", required=False)
    for name, (module_name, help_text) in BENCHMARKS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if not exc.name or not module_name.startswith(
                exc.name
            ):  # a real import error inside it
                raise
            continue
        sub = kinds.add_parser(name, help=help_text)
        module.add_arguments(sub)
        sub.set_defaults(func=_runner(module_name))
        if name == DEFAULT:  # bare `syndicrawl bench` takes the default benchmark's options
            module.add_arguments(parser)
            parser.set_defaults(func=_runner(module_name))


def _runner(module_name: str) -> Any:
    def run(args: argparse.Namespace) -> int:
        status: int = importlib.import_module(module_name).run(args)
        return status

    return run
