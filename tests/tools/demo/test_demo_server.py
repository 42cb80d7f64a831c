"""The demo web server: pages served, caching, mutations, failures, request log, process mode."""

from __future__ import annotations

import gzip
import html
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.robotparser import RobotFileParser

import pytest
import trafilatura

from syndicrawl_tools.demo.server import DemoWeb
from tests.tools.demo.conftest import FIXED_START

REPO_ROOT = Path(__file__).resolve().parents[2]


def get(
    url: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def test_every_truth_article_is_served_with_its_text(web: DemoWeb) -> None:
    truth = web.truth()
    for a in truth.articles:
        status, headers, body = get(a.url(web.base_urls))
        assert status == 200, a.key
        assert 5_000 <= len(body) <= 30_000, (a.key, len(body))
        assert headers["ETag"].startswith('"') and headers["Last-Modified"].endswith("GMT")
        page = body.decode("utf-8")
        for para in a.text.split("\n\n"):
            if a.site in truth.js_rendered:
                assert json.dumps(para, ensure_ascii=False) in page, a.key  # only inside the script
                assert f"<p>{html.escape(para)}</p>" not in page
            else:
                assert html.escape(para) in page, (a.key, para[:40])


def test_each_site_is_its_own_origin(web: DemoWeb) -> None:
    ports = set(web.base_urls.values())
    assert len(ports) == len(web.base_urls) == 7
    for site, base in web.base_urls.items():
        status, _, body = get(base + "robots.txt")
        assert status == 200 and b"User-agent: *" in body, site


def test_robots_disallows_linked_drafts(web: DemoWeb) -> None:
    truth = web.truth()
    assert set(truth.disallowed) == {"meridian-wire", "riverton-courier"}
    for site, paths in truth.disallowed.items():
        rp = RobotFileParser(web.url(site, "/robots.txt"))
        _, _, body = get(web.url(site, "/robots.txt"))
        rp.parse(body.decode().splitlines())
        _, _, listing = get(web.url(site, "/"))
        for path in paths:
            assert not rp.can_fetch("syndicrawl", web.url(site, path))
            assert path.encode() in listing, "the draft is linked, so only robots.txt protects it"
        for a in truth.for_site(site):
            assert rp.can_fetch("syndicrawl", a.url(web.base_urls))


def test_etag_and_last_modified_give_304(web: DemoWeb) -> None:
    a = web.truth().article(
        "meridian-wire",
        web.served_path("meridian-wire", "/stories/2026/03/old-mill-bridge-closure.html"),
    )
    url = a.url(web.base_urls)
    _, headers, _ = get(url)
    status, _, body = get(url, {"If-None-Match": headers["ETag"]})
    assert (status, body) == (304, b"")
    status, _, _ = get(url, {"If-Modified-Since": headers["Last-Modified"]})
    assert status == 304
    status, _, _ = get(
        url, {"If-None-Match": '"other"', "If-Modified-Since": headers["Last-Modified"]}
    )
    assert status == 200, "If-None-Match wins over If-Modified-Since"
    for feed in ("/rss.xml", "/news-sitemap.xml"):
        _, h, _ = get(web.url("meridian-wire", feed))
        assert get(web.url("meridian-wire", feed), {"If-None-Match": h["ETag"]})[0] == 304
    rec = [r for r in web.requests if r.path == a.path and r.status == 304]
    assert rec and rec[0].if_none_match == headers["ETag"]


def test_update_article_changes_etag_text_and_feeds(fresh_web: DemoWeb) -> None:
    web = fresh_web
    path = "/news/harbour/fish-market-reopens-20417/"
    url = web.url("harbor-times", path)
    _, before, body_before = get(url)
    _, atom_before, _ = get(web.url("harbor-times", "/atom.xml"))
    updated = web.update_article(
        "harbor-times", path, "Update: the two empty stalls were let on Friday."
    )
    status, after, body_after = get(url, {"If-None-Match": before["ETag"]})
    assert status == 200 and after["ETag"] != before["ETag"]
    assert b"the two empty stalls were let on Friday" in body_after
    assert b"article:modified_time" in body_after and b"article:modified_time" not in body_before
    assert updated.text.endswith("Update: the two empty stalls were let on Friday.")
    assert updated.updated_at and updated.updated_at > updated.published_at
    assert get(url, {"If-Modified-Since": before["Last-Modified"]})[0] == 200
    _, atom_after, atom_body = get(web.url("harbor-times", "/atom.xml"))
    assert atom_after["ETag"] != atom_before["ETag"]
    assert updated.updated_at.encode() in atom_body
    assert web.truth().article("harbor-times", path) == updated


def test_failure_and_broken_layout() -> None:
    with DemoWeb(start_time=FIXED_START) as web:
        _check_failure_and_broken_layout(web)


def _check_failure_and_broken_layout(web: DemoWeb) -> None:
    web.set_failure("newsdeck", 503)
    assert get(web.url("newsdeck", "/robots.txt"))[0] == 503
    web.set_failure("newsdeck", None)
    assert get(web.url("newsdeck", "/robots.txt"))[0] == 200

    a = web.truth().article(
        "kestrel-fm", web.served_path("kestrel-fm", "/news/2026/03/09/old-mill-bridge-closure/")
    )
    web.break_layout("kestrel-fm")
    status, _, body = get(a.url(web.base_urls))
    page = body.decode()
    assert status == 200 and html.escape(a.title) in page
    assert html.escape(a.text.split("\n\n")[0][:60]) not in page and "Published" not in page
    visible = re.sub(r'(href|src|content)="[^"]*"', "", page)
    assert "November" not in visible, "no date anywhere on a broken page"
    web.break_layout("kestrel-fm", broken=False)
    # nominal 9 March 2026, 10:15 + 247 days
    assert "Published 11 November 2026, 10:15" in get(a.url(web.base_urls))[2].decode()


def test_date_forms_are_nominal_dates_shifted_to_the_start(fixed_web: DemoWeb) -> None:
    """Every form moves by the same 247 days (start 2026-11-27 09:00:45 -> shift from 09:00)."""
    web = fixed_web

    def page(site: str, path: str) -> str:
        return get(web.url(site, path))[2].decode()

    assert web.timeline.shift == timedelta(days=247)
    wire = page("meridian-wire", "/stories/2026/03/alder-valley-floods.html")  # 11 March 06:40
    assert '"datePublished": "2026-11-13T06:40:00Z"' in wire
    assert '"dateModified": "2026-11-13T11:05:00Z"' in wire
    assert 'content="2026-11-12T07:00:00+00:00"' in page(  # 10 March 07:00, Europe/Dublin
        "harbor-times", "/news/harbour/fish-market-reopens-20417/"
    )
    es = page("el-faro", "/noticias/2026/03/14/museo-de-la-conserva-abre.html")
    assert "Publicado el lunes, 16 de noviembre de 2026, 11:00 h" in es
    assert "datePublished" not in es
    assert "Wednesday 11 November 2026 11:15am" in page(
        "riverton-courier", "/local/old-mill-bridge-to-close-3109.html"
    )
    # frost original 23 March 07:30 + 1d20h delay = 25 March 03:30: 5h30m before NOMINAL_NOW
    frost = page("newsdeck", "/a/48302-late-frost-threatens-millbrook-orchards")
    assert "5 hours ago" in frost and "datePublished" not in frost
    # ferry original 12 March 14:20 + 50m: 12 days 17h50m before NOMINAL_NOW
    assert "12 days ago" in page(
        "newsdeck", "/a/48227-ferry-link-port-alder-puerto-almena-approved"
    )
    _, headers, _ = get(web.url("meridian-wire", "/stories/2026/03/alder-valley-floods.html"))
    assert headers["Last-Modified"] == "Fri, 13 Nov 2026 11:05:00 GMT"
    rss = get(web.url("meridian-wire", "/rss.xml"))[2].decode()
    assert "<pubDate>Fri, 13 Nov 2026 06:40:00 GMT</pubDate>" in rss
    news = get(web.url("meridian-wire", "/news-sitemap.xml"))[2].decode()
    assert "<news:publication_date>2026-11-13T06:40:00+00:00</news:publication_date>" in news


ISO_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2})")
HTTP_RE = re.compile(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT")


def served_dates(web: DemoWeb) -> list[tuple[str, datetime]]:
    """Every machine-readable date the demo serves: pages, feeds, sitemaps, Last-Modified."""
    urls = [a.url(web.base_urls) for a in web.truth().articles]
    for cfg in web.site_configs().values():
        urls += [cfg.absolute(u) for u in (*cfg.start.rss, *cfg.start.atom)]
        urls += [cfg.absolute(u) for u in (*cfg.start.sitemaps, *cfg.start.news_sitemaps)]
    urls.append(web.url("harbor-times", "/sitemaps/articles-2026-03.xml.gz"))
    found = []
    for url in urls:
        status, headers, body = get(url)
        assert status == 200, url
        text = (gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body).decode("utf-8")
        for m in ISO_RE.findall(text):
            found.append((url, datetime.fromisoformat(m.replace("Z", "+00:00"))))
        for m in [*HTTP_RE.findall(text), headers.get("Last-Modified") or ""]:
            if m:
                found.append((url, parsedate_to_datetime(m)))
    return found


def test_no_served_date_is_in_the_future_or_before_1990(web: DemoWeb) -> None:
    found = served_dates(web)
    assert len(found) > 150
    for url, when in found:
        assert when <= web.start_time, (url, when, web.start_time)
        assert when.year >= 1990 and web.start_time - when < timedelta(days=365), (url, when)
        assert when.second == 0, (url, when, "minute precision is kept")
    newest = max(when for _, when in found)
    assert web.start_time - newest <= timedelta(hours=1, minutes=1), (
        "the timeline ends at the start"
    )


def test_served_dates_equal_the_truth(web: DemoWeb) -> None:
    """The server and the truth apply the same shift: Last-Modified is the truth's newest date."""
    for a in web.truth().articles:
        _, headers, _ = get(a.url(web.base_urls))
        want = datetime.fromisoformat(a.updated_at or a.published_at)
        assert parsedate_to_datetime(headers["Last-Modified"]) == want, a.key


def test_relative_ages_are_consistent_with_the_truth(fixed_web: DemoWeb) -> None:
    """A relative-date copy prints its age on the demo clock; parsed back it gives the truth date."""
    web = fixed_web
    truth = web.truth()
    relative = [a for a in truth.articles if a.relative_age_seconds is not None]
    assert {a.date_precision for a in relative} == {"hour", "day"}
    for a in relative:
        body = get(a.url(web.base_urls))[2].decode()
        now = web.now()
        m = re.search(r"(\d+) (hour|day)s? ago", body)
        assert m, a.key
        unit = timedelta(hours=1) if m[2] == "hour" else timedelta(days=1)
        assert m[2] == a.date_precision, a.key
        shown = now - int(m[1]) * unit
        published = a.published_datetime()
        assert published <= shown < published + unit + timedelta(seconds=5), (a.key, m[0])
        assert a.original is not None
        original = truth.article(*a.original)
        assert original.published_datetime() < published, "copied after the original"


def test_canonical_links(web: DemoWeb) -> None:
    truth = web.truth()
    for a in truth.articles:
        body = get(a.url(web.base_urls))[2].decode()
        if a.canonical:
            target = web.url(*a.canonical)
            assert f'<link rel="canonical" href="{target}">' in body, a.key
    assert sum(a.canonical is not None for a in truth.articles) >= 3


def test_request_log_file(tmp_path: Path) -> None:
    log = tmp_path / "requests.jsonl"
    with DemoWeb(log_path=log) as web:
        get(web.url("el-faro", "/robots.txt"))
        get(web.url("el-faro", "/no-such-page"), method="HEAD")
        assert web.fetched_paths("el-faro") == {"/robots.txt", "/no-such-page"}
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(r["site"], r["method"], r["path"], r["status"]) for r in lines] == [
        ("el-faro", "GET", "/robots.txt", 200),
        ("el-faro", "HEAD", "/no-such-page", 404),
    ]


def test_trafilatura_keeps_the_radio_promo(web: DemoWeb) -> None:
    """Why a clean stage is needed: a generic extractor keeps the station promo and credit line."""
    a = web.truth().article(
        "kestrel-fm", web.served_path("kestrel-fm", "/news/2026/03/12/port-alder-ferry-approved/")
    )
    promo = web.page("kestrel-fm", a.path).promo
    text = trafilatura.extract(get(a.url(web.base_urls))[2].decode()) or ""
    assert promo and promo in text
    assert "Source: Meridian Wire" in text


@pytest.mark.timeout(60)
def test_runs_as_a_process(tmp_path: Path) -> None:
    ports, log = tmp_path / "ports.json", tmp_path / "log.jsonl"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "syndicrawl_tools.demo.server",
            "--port-file",
            str(ports),
            "--log",
            str(log),
        ],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    try:
        deadline = time.monotonic() + 30
        while not ports.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        sites = json.loads(ports.read_text())["sites"]
        assert set(sites) >= {"meridian-wire", "kestrel-fm", "newsdeck"}
        assert get(sites["meridian-wire"] + "rss.xml")[0] == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    assert json.loads(log.read_text().splitlines()[0])["path"] == "/rss.xml"


def test_a_second_demo_web_serves_the_same_pages_at_the_same_urls() -> None:
    """What ``syndicrawl demo`` relies on to re-crawl: the same start time and ports give the same
    URLs and bodies; a port another program holds is a clear error, not a silent new port."""
    import socket

    from syndicrawl_tools.demo.server import PortUnavailable

    with DemoWeb(start_time=FIXED_START) as first:
        article = first.truth().articles[0]
        url = first.url(article.site, article.path)
        status, _, body = get(url)
        ports = {n: int(u.rsplit(":", 1)[1].strip("/")) for n, u in first.base_urls.items()}
    assert status == 200
    with DemoWeb(start_time=FIXED_START, ports=ports) as second:
        assert second.url(article.site, article.path) == url
        again = get(url)
    assert again[0] == 200 and again[2] == body
    holder = socket.socket()
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past our own TIME_WAITs
    holder.bind(("127.0.0.1", ports[article.site]))
    holder.listen()
    try:
        with pytest.raises(PortUnavailable, match=f"{article.site}: cannot listen on 127.0.0.1:"):
            DemoWeb(start_time=FIXED_START, ports=ports).start()
    finally:
        holder.close()
