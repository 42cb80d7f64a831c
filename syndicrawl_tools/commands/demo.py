"""``syndicrawl demo``: crawl the bundled demo web end to end, with nothing to configure.

Starts the demo web (one local server per demo site on free 127.0.0.1 ports), crawls every demo
site through the whole pipeline, writes the same layout the S3 export uses under ``--output``, and
prints a summary. Each demo run starts from a clean output folder, so it always shows a full crawl.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

from crawler.registry import load_sites
from crawler.runner import ChromiumMissing, run_crawl
from crawler.summary import print_summary, summarize
from syndicrawl_tools.demo import demo_sites_dir

MARKER = ".syndicrawl-demo"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="crawl the bundled demo web to a local folder and print a summary",
        description=__doc__,
    )
    parser.add_argument(
        "--output",
        default="./syndicrawl-output",
        help="local output folder (default ./syndicrawl-output)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the summary as one JSON object on the last line"
    )
    parser.add_argument(
        "--request-log", default=None, help="write the demo web's own request log here (JSON lines)"
    )
    parser.add_argument(
        "--log-level",
        default="WARNING",
        help="Scrapy log level (default WARNING: the summary says the rest)",
    )
    parser.set_defaults(func=run)


def prepare_output(output: Path) -> None:
    """Empty a previous demo output; refuse to touch a folder the demo did not make."""
    if output.exists():
        if not (output / MARKER).exists() and any(output.iterdir()):
            raise FileExistsError(
                f"--output {output}: folder exists and was not made by 'syndicrawl demo'; choose another"
            )
        shutil.rmtree(output)
    output.mkdir(parents=True)
    (output / MARKER).write_text(
        "made by syndicrawl demo; emptied by the next demo run\n", encoding="utf-8"
    )


def run(args: argparse.Namespace) -> int:
    from syndicrawl_tools.demo.server import DemoWeb

    output = Path(args.output)
    try:
        prepare_output(output)
    except FileExistsError as exc:
        print(f"syndicrawl: {exc}", file=sys.stderr)
        return 2
    sites = load_sites(demo_sites_dir())
    with DemoWeb(log_path=args.request_log) as web:
        served = {name: site.with_base_url(web.base_urls[name]) for name, site in sites.items()}
        try:
            result = run_crawl(
                served,
                output_uri=str(output),
                state_dir=str(output / ".state"),
                overrides={
                    "SYNDICRAWL_FETCH_ALLOWED_ADDRESSES": ["127.0.0.1"],
                    "LOG_LEVEL": args.log_level,
                },
            )
        except ChromiumMissing as exc:
            print(f"syndicrawl: {exc}", file=sys.stderr)
            return 2
    print_summary(summarize(result, str(output.resolve()), sorted(served)), args.json)
    return result.exit_status
