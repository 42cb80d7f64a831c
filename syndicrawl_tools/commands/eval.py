"""``syndicrawl eval extraction|syndication``: quality figures on real pages with ground truth."""

from __future__ import annotations

from typing import Any

from syndicrawl_tools.commands.modules import add_module_subcommands

EVALUATIONS = {
    "extraction": (
        "syndicrawl_tools.evaluation.extraction",
        "body text F1 and date accuracy on the shared corpora",
    ),
    "syndication": (
        "syndicrawl_tools.evaluation.syndication",
        "copy detection precision/recall per copy kind",
    ),
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("eval", help="evaluate extraction or syndication quality")
    kinds = parser.add_subparsers(dest="evaluation", metavar="WHAT", required=True)
    add_module_subcommands(kinds, EVALUATIONS)
