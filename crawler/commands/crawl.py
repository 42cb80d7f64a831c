"""``syndicrawl crawl``: the production job for real sites."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from crawler.commands import console
from crawler.config import defaults, fixed_settings, read_options, setting_name
from crawler.declarations import OPTIONS, check_all
from crawler.envsettings import PREFIX, check_settable, parse_value
from crawler.options import RunOptions
from crawler.registry import SiteConfigError, load_sites
from crawler.runner import BadSetting, ChromiumMissing, new_run_id, project_settings, run_crawl
from crawler.summary import print_summary, summarize

OUTPUT_URI = setting_name(RunOptions, "output_uri")
STATE_DIR = setting_name(RunOptions, "state_dir")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "crawl",
        help="crawl configured sites and export their articles",
        description="Crawl every site configured in --sites through the whole pipeline and export "
        "the records to --output.",
    )
    parser.add_argument("--sites", required=True, help="folder of site YAML files")
    parser.add_argument(
        "--output",
        default=None,
        help=f"local folder or s3://bucket/prefix (default: {OUTPUT_URI}, "
        f"{RunOptions().output_uri})",
    )
    parser.add_argument(
        "--state-dir",
        default=None,
        help=f"crawl state (seen-store, spool); default {STATE_DIR} if set, else "
        "OUTPUT/.state for a local output, ./syndicrawl-state for S3",
    )
    parser.add_argument(
        "--site", action="append", default=[], help="crawl only this site (repeatable)"
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SETTING=VALUE",
        help="override a Scrapy/syndicrawl setting",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the summary as one JSON object on the last line"
    )
    console.add_arguments(parser)
    from crawler.distributed.command import add_arguments

    add_arguments(parser)
    parser.set_defaults(func=run)


def parse_overrides(pairs: list[str]) -> dict[str, Any]:
    """``--set NAME=VALUE`` pairs; ``SYNDICRAWL_*`` values parsed to their setting's type (a name
    that is no setting, or a bad value, raises ValueError). Scrapy's settings pass as text, which
    Scrapy's getters parse."""
    declared, fixed = defaults(OPTIONS), fixed_settings(OPTIONS)
    overrides: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.isupper():
            raise ValueError(
                f"--set {pair!r}: expected SETTING=VALUE with an upper-case setting name"
            )
        if name.startswith(PREFIX):
            check_settable(name, declared, source="--set", fixed=fixed)
            overrides[name] = parse_value(name, value, declared[name], source="--set")
        else:
            overrides[name] = value
    return overrides


def default_state_dir(output: str) -> str:
    return "./syndicrawl-state" if output.startswith("s3://") else f"{output.rstrip('/')}/.state"


def output_and_state_dir(output: str | None, state_dir: str | None) -> tuple[str, str]:
    """The flags, else the environment (SYNDICRAWL_OUTPUT_URI, SYNDICRAWL_STATE_DIR), else the
    defaults (the state dir beside a local output)."""
    from crawler import settings as project

    run = read_options(RunOptions, vars(project))  # the defaults with the environment over them
    output = output or run.output_uri
    if state_dir is None and STATE_DIR in project.from_environment:
        state_dir = run.state_dir
    return output, state_dir or default_state_dir(output)


def run(args: argparse.Namespace) -> int:
    try:
        sites = load_sites(args.sites)
        overrides = parse_overrides(args.set)  # also reads the environment (crawler/settings.py)
        check_all(project_settings(overrides))  # every value, before anything runs or connects
        args.output, state_dir = output_and_state_dir(args.output, args.state_dir)
    except (SiteConfigError, ValueError) as exc:
        print(f"syndicrawl: {exc}", file=sys.stderr)
        return 2
    if args.site:
        unknown = sorted(set(args.site) - set(sites))
        if unknown:
            print(
                f"syndicrawl: --site {unknown[0]!r}: not in {args.sites} (known: {sorted(sites)})",
                file=sys.stderr,
            )
            return 2
        sites = {name: sites[name] for name in args.site}
    from crawler.distributed import command as distributed

    if distributed.wanted(args, overrides):
        return distributed.run(args, sites, dict(overrides), state_dir)
    run_id = new_run_id()
    settings = dict(overrides)
    terminal = console.console_for(args, state_dir, run_id, settings)
    try:
        result = run_crawl(
            sites,
            output_uri=args.output,
            state_dir=state_dir,
            run_id=run_id,
            overrides=settings,
            **terminal.run_arguments(),
        )
    except (ChromiumMissing, BadSetting) as exc:
        print(f"syndicrawl: {exc}", file=sys.stderr)
        return 2
    print_summary(summarize(result, args.output, sorted(sites)), args.json)
    return result.exit_status
