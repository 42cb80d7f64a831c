"""Settings of the run as a whole, of the progress line and of the browser (declarations only:
light to import, see :mod:`crawler.config`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from crawler.config import Options, setting

ProgressMode = Literal["off", "auto", "bar", "lines"]


@dataclass(frozen=True, kw_only=True)
class RunOptions(Options):
    """Where a run writes, what it is called, where ``scrapy crawl news`` finds its sites; read by
    the runner, the spider and the stages that keep state."""

    output_uri: str = setting(
        "SYNDICRAWL_OUTPUT_URI",
        "./syndicrawl-output",
        "where records go: a local folder or `s3://bucket/prefix`",
    )
    state_dir: str = setting(
        "SYNDICRAWL_STATE_DIR",
        "./syndicrawl-output/.state",
        "seen-store, learned boilerplate, syndication index, export spool, run documents "
        "(`syndicrawl crawl`: `OUTPUT/.state` beside a local output unless set)",
    )
    run_id: str = setting(
        "SYNDICRAWL_RUN_ID",
        "",
        "one id per run, `YYYYMMDDTHHMMSSZ-xxxxxx`",
        pattern=r"[A-Za-z0-9][A-Za-z0-9-]{0,79}",  # it goes into object keys (storage/layout.py)
        shown="generated",
        fixed_by="the runner makes one id per run (distributed mode: --run-id)",
    )
    sites_dir: str = setting(
        "SYNDICRAWL_SITES_DIR",
        "",
        "site files of `scrapy crawl news` when no `-a sites_dir=DIR` is given "
        "(`syndicrawl crawl` takes `--sites`)",
        shown="the sites bundled in the package (none yet)",
    )
    contact_url: str = setting(
        "SYNDICRAWL_CONTACT_URL",
        "https://github.com/syndicrawl/syndicrawl",
        "contact URL in the User-Agent",
    )


def user_agent(contact_url: str) -> str:
    """Scrapy's ``USER_AGENT``, made from ``SYNDICRAWL_CONTACT_URL``."""
    return f"syndicrawl/0.1 (+{contact_url})"


@dataclass(frozen=True, kw_only=True)
class ProgressOptions(Options):
    """``crawler.progress.CrawlProgress``."""

    mode: ProgressMode = setting(
        "SYNDICRAWL_PROGRESS",
        "off",
        "progress on stderr: `auto` (a line rewritten in place on a terminal, plain lines "
        "otherwise), `bar`, `lines`, `off`",
        shown="`off` (`auto` under `syndicrawl crawl`/`demo`)",
    )
    interval: float = setting(
        "SYNDICRAWL_PROGRESS_INTERVAL", 10.0, "seconds between plain progress lines", above=0
    )


@dataclass(frozen=True, kw_only=True)
class BrowserOptions(Options):
    """``crawler.site_settings.apply_site_settings``: Chromium through scrapy-playwright."""

    chromium_path: str = setting(
        "SYNDICRAWL_CHROMIUM_PATH",
        "/usr/bin/chromium",
        "Chromium for sites with `render_javascript: true`",
    )
