"""``syndicrawl eval extraction|syndication``: quality figures on real pages with ground truth."""

from __future__ import annotations

import argparse
import importlib
from typing import Any

EVALUATIONS = {
    "extraction": (
        "crawler.evaluation.extraction",
        "body text F1 and date accuracy on the shared corpora",
    ),
    "syndication": (
        "crawler.evaluation.syndication",
        "copy detection precision/recall per copy kind",
    ),
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("eval", help="evaluate extraction or syndication quality")
    kinds = parser.add_subparsers(dest="evaluation", metavar="WHAT", required=True)
    for name, (module_name, help_text) in EVALUATIONS.items():
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


def _runner(module_name: str) -> Any:
    def run(args: argparse.Namespace) -> int:
        status: int = importlib.import_module(module_name).run(args)
        return status

    return run
