"""``syndicrawl extract FILE_OR_URL``: run the extract, clean and dates cores on one page.

For people writing site configs: shows what a page becomes with a site's selectors, patterns and
credit patterns. Prints the record (``crawler.items.to_record``) as JSON.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from w3lib.encoding import html_to_unicode

from crawler.items import ArticleItem, to_record
from crawler.registry import SiteConfigError, bundled_sites_dir, load_sites

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
FETCH_TIMEOUT = 30
MAX_BYTES = 16 * 1024 * 1024

EPILOG = """\
Learned boilerplate is not available here: it is learned from many articles of one site during a
crawl (recurring paragraphs no rule names). A single page shows what credits, the site's own
promo (a trailing paragraph naming the site, its slogan, a listen-live or app pitch: the site is
known from --site, og:site_name, the <title> suffix or the domain of --url), the site's
boilerplate selectors/patterns and the generic chrome rules remove; --show-removed lists each
removal with its reason and rule. Add a boilerplate pattern to the site file if something else
must go from the first crawl's single pages too.
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "extract",
        help="extract, clean and date one page (file or URL) and print its record as JSON",
        description="Run the extraction, cleaning and dates cores on one page and print its record.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "page", metavar="FILE_OR_URL", help="an HTML file, or an http(s) URL to fetch"
    )
    parser.add_argument(
        "--site", help="registry name of the page's site (its rules and time zone apply)"
    )
    parser.add_argument("--sites", help="folder of site YAML files (default: the bundled sites)")
    parser.add_argument(
        "--url",
        help="the page's URL when FILE_OR_URL is a file (for the canonical URL and URL dates)",
    )
    parser.add_argument(
        "--show-removed",
        action="store_true",
        help="also list what the clean stage removed, with reasons",
    )
    parser.add_argument(
        "--min-chars",
        type=int,
        default=0,
        help="drop below this many body chars (default 0: report everything)",
    )
    parser.set_defaults(func=run)


def _read(page: str, explicit_url: str | None) -> tuple[str, str]:
    """(html, url) of a file or an http(s) URL; decoded like the spider does (headers, meta, BOM)."""
    if page.startswith(("http://", "https://")):
        request = urllib.request.Request(page, headers={"User-Agent": "syndicrawl-extract/0.1"})
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:
            body = response.read(MAX_BYTES + 1)
            content_type = response.headers.get("Content-Type")
            final_url = response.geturl()
        _encoding, html = html_to_unicode(content_type, body)
        return html, final_url
    path = Path(page)
    body = path.read_bytes()
    _encoding, html = html_to_unicode(None, body)
    return html, explicit_url or path.resolve().as_uri()


def run(args: argparse.Namespace) -> int:
    from pipelines.core.cleaning import Cleaner
    from pipelines.core.dating import DateFinder, hint_candidates, supported_language
    from pipelines.core.extraction import ArticleExtractor, ExtractionError, ExtractOptions
    from pipelines.core.promo import SiteIdentity

    site = None
    sites = {}
    if args.site or args.sites:
        try:
            sites = load_sites(Path(args.sites) if args.sites else bundled_sites_dir())
        except SiteConfigError as exc:
            print(f"syndicrawl extract: {exc}", file=sys.stderr)
            return EXIT_USAGE
        if args.site:
            site = sites.get(args.site)
            if site is None:
                print(
                    f"syndicrawl extract: no site {args.site!r}; known: {', '.join(sorted(sites)) or 'none'}",
                    file=sys.stderr,
                )
                return EXIT_USAGE
    try:
        html, url = _read(args.page, args.url)
    except (OSError, ValueError) as exc:
        print(f"syndicrawl extract: cannot read {args.page}: {exc}", file=sys.stderr)
        return EXIT_USAGE

    fetched_at = datetime.now(UTC)
    item = ArticleItem(
        url=url,
        site=site.name if site else None,
        fetched_at=fetched_at.isoformat(timespec="seconds"),
    )
    try:
        found = ArticleExtractor(ExtractOptions(min_chars=max(0, args.min_chars))).extract(
            html, url, site, fetched_at
        )
    except ExtractionError as exc:
        print(f"syndicrawl extract: {exc.reason}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    cleaned = Cleaner.for_sites(sites).clean(
        found.paragraphs,
        title=found.title,
        titles=found.metadata.titles,
        site=site,
        identity=SiteIdentity.of(site, url, found.metadata.site_names()),
        linked=found.linked,
    )
    languages = tuple(x for x in (site.languages if site else ()) if supported_language(x))
    if not languages and found.language and supported_language(found.language):
        languages = (found.language,)
    dates = DateFinder().find(
        [*found.metadata.dates, *hint_candidates({"text_dates": cleaned.date_lines})],
        fetched_at=fetched_at,
        timezone=site.timezone if site else "UTC",
        languages=languages,
    )
    item.text = cleaned.text
    item.content_sha256 = cleaned.sha256
    item.title, item.authors = found.title, found.authors
    item.canonical_url, item.language = found.canonical_url, found.language
    item.credited_source, item.credit_line = cleaned.credited_source, cleaned.credit_line
    item.published_at, item.published_at_raw = dates.iso(dates.published_at), dates.published_raw
    item.published_at_source = dates.published_source  # type: ignore[assignment]
    item.updated_at, item.updated_at_source = dates.iso(dates.updated_at), dates.updated_source  # type: ignore[assignment]
    record = to_record(item)
    if args.show_removed:
        record["_removed"] = [
            {"reason": r.reason, "why": r.why, "text": r.text} for r in cleaned.removed
        ]
        record["_extraction_pass"] = found.pass_used
        record["_rejected_dates"] = dates.rejected
    print(json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True))
    return EXIT_OK
