"""Resume: a crawl of the demo web killed with SIGKILL at several points and started again exports
every article exactly once, and never fetches again an article whose record was already in a
finished part when the crawl died. The demo server's request log is the witness."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.state.resume import record_urls
from syndicrawl_tools.demo.server import DemoWeb
from tests.conftest import REPO_ROOT, crawl_argv
from tests.e2e.conftest import crawl, read_records

pytestmark = pytest.mark.e2e

# One record per part (the demo's partitions hold one or two records each, so larger batches
# would only be sealed at close): parts are made during the crawl, and a kill finds records in
# finished parts and in sealed batches not yet made into parts (which the next run discards).
BATCH = ("--set", "SYNDICRAWL_EXPORT_BATCH_SIZE=1")


def article_fetches(web: DemoWeb, since: int) -> list[tuple[str, str]]:
    articles = {(a.site, a.path) for a in web.truth().articles}
    return [(r.site, r.path) for r in web.requests[since:] if (r.site, r.path) in articles]


def crawl_and_kill(
    web: DemoWeb, sites: Path, output: Path, after_articles: int, *, after_parts: int = 0
) -> int:
    """Start ``syndicrawl crawl`` and SIGKILL its process group after ``after_articles`` article
    fetches of this run and once it finished ``after_parts`` new parts (spool or store).

    Returns how many article fetches the server had seen at the kill.
    """
    mark, before = len(web.requests), part_names(output)
    log = output.parent / f"crawl-{mark}.log"
    proc = subprocess.Popen(
        crawl_argv(
            sites,
            output,
            "--set",
            "SYNDICRAWL_FETCH_ALLOWED_ADDRESSES=127.0.0.1",
            "--set",
            "LOG_LEVEL=WARNING",
            *BATCH,
        ),
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        cwd=output.parent,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    try:
        while (
            len(article_fetches(web, mark)) < after_articles
            or len(part_names(output) - before) < after_parts
        ):
            if proc.poll() is not None:
                raise AssertionError(
                    f"the crawl ended (status {proc.returncode}) before {after_articles} article fetches"
                    f" and {after_parts} new parts (saw {len(article_fetches(web, mark))} and"
                    f" {len(part_names(output) - before)}): {log.read_text()[-3000:]}"
                )
            assert time.monotonic() < deadline, "the crawl did not reach the kill point in time"
            time.sleep(0.02)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # the crawl and any worker processes it started
        proc.wait(timeout=30)
    return len(article_fetches(web, mark))


def part_names(output: Path) -> set[str]:
    """Keys (``articles/dt=.../site=.../part-...``) of the finished part files, in the spool or in
    the store (os.walk: the crawl may be deleting spool folders meanwhile)."""
    names = set()
    for folder, _dirs, files in os.walk(output):
        prefix = folder[folder.find("/articles/") + 1 :] if "/articles/" in folder else None
        if prefix:
            names.update(
                f"{prefix}/{n}"
                for n in files
                if n.startswith("part-") and not n.endswith(".partial")
            )
    return names


def finished_urls(output: Path) -> set[str]:
    """URLs whose records are in a finished part: in the store or in a spool run's ``parts/``."""
    stored = {record["url"] for record in read_records(output)}
    for part in (output / ".state" / "spool").glob("*/parts/**/part-*.jsonl*"):
        if not part.name.endswith(".partial"):
            stored.update(record_urls(part))
    return stored


def url_key(url: str) -> str:
    return urlsplit(url).path


def test_killed_crawls_resume_without_loss_duplicates_or_refetching(tmp_path: Path) -> None:
    from syndicrawl_tools.demo.rebase import write_site_files

    with DemoWeb() as web:
        sites = write_site_files(web.base_urls, tmp_path / "sites")
        output = tmp_path / "out"
        output.mkdir()
        truth = web.truth()
        expected = Counter(a.path for a in truth.articles)
        assert all(n == 1 for n in expected.values()), "the demo web's article paths must be unique"

        # Kill points: early (before any part), then at several numbers of new parts.
        for kill_after, parts in ((2, 0), (1, 1), (2, 4), (1, 7)):
            finished = {url_key(u) for u in finished_urls(output)}
            mark = len(web.requests)
            crawl_and_kill(web, sites, output, kill_after, after_parts=parts)
            refetched = {path for _site, path in article_fetches(web, mark)} & finished
            assert not refetched, (
                f"articles already stored before the restart were fetched again: {sorted(refetched)}"
            )

        finished = {url_key(u) for u in finished_urls(output)}
        assert finished, "no part was finished before the kills: the test proves nothing"
        mark = len(web.requests)
        final = crawl(sites, output, *BATCH)
        assert final.returncode == 0, final.stdout[-3000:] + final.stderr[-3000:]
        refetched = {path for _site, path in article_fetches(web, mark)} & finished
        assert not refetched, f"articles already stored were fetched again: {sorted(refetched)}"

        records = read_records(output)
        got = Counter(url_key(record["url"]) for record in records)
        duplicates = sorted(path for path, n in got.items() if n > 1)
        missing = sorted(set(expected) - set(got))
        assert not duplicates, f"exported more than once: {duplicates}"
        assert not missing, f"lost after the kills: {missing}"
        assert set(got) == set(expected)
        assert not list((output / ".state" / "spool").glob("*/parts/**/part-*")), (
            "spool leftovers not uploaded"
        )

        verify = subprocess.run(
            [sys.executable, "-m", "crawler", "export", "verify", str(output), "--json"],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        )
        assert verify.returncode == 0, verify.stdout[-3000:] + verify.stderr[-3000:]
        report = json.loads(verify.stdout.strip().splitlines()[-1])
        assert report, report
