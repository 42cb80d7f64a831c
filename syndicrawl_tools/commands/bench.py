"""``syndicrawl bench [WHAT]``: speed figures (commands that print them, never timed tests).

``syndicrawl bench`` alone is ``syndicrawl bench pipeline``: the whole crawl of a synthetic news web
(:mod:`syndicrawl_tools.benchmarks.pipeline`); ``syndicrawl bench syndication`` times the syndication index.
"""

from __future__ import annotations

from typing import Any

from syndicrawl_tools.commands.modules import add_module_subcommands

DEFAULT = "pipeline"
BENCHMARKS = {
    "pipeline": (
        "syndicrawl_tools.benchmarks.pipeline",
        "the whole crawl of a synthetic web: articles/s, CPU per stage, peak memory",
    ),
    "syndication": (
        "syndicrawl_tools.benchmarks.syndication",
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
    default = add_module_subcommands(kinds, BENCHMARKS)[DEFAULT]
    default.add_arguments(parser)  # bare `syndicrawl bench` takes the default benchmark's options
    parser.set_defaults(func=default.run)
