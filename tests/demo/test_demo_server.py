"""The demo web server: pages served, caching, mutations, failures, request log, process mode."""

from __future__ import annotations

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
from pathlib import Path
from urllib.robotparser import RobotFileParser

import pytest
import trafilatura

from crawler.demo.server import DemoWeb

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
    a = web.truth().article("meridian-wire", "/stories/2026/03/old-mill-bridge-closure.html")
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


def test_failure_and_broken_layout(fresh_web: DemoWeb) -> None:
    web = fresh_web
    web.set_failure("newsdeck", 503)
    assert get(web.url("newsdeck", "/robots.txt"))[0] == 503
    web.set_failure("newsdeck", None)
    assert get(web.url("newsdeck", "/robots.txt"))[0] == 200

    a = web.truth().article("kestrel-fm", "/news/2026/03/09/old-mill-bridge-closure/")
    web.break_layout("kestrel-fm")
    status, _, body = get(a.url(web.base_urls))
    page = body.decode()
    assert status == 200 and html.escape(a.title) in page
    assert html.escape(a.text.split("\n\n")[0][:60]) not in page and "Published" not in page
    visible = re.sub(r'(href|src|content)="[^"]*"', "", page)
    assert "2026" not in visible, "no date anywhere on a broken page (URLs aside)"
    web.break_layout("kestrel-fm", broken=False)
    assert "Published 9 March 2026, 10:15" in get(a.url(web.base_urls))[2].decode()


def test_date_forms(web: DemoWeb) -> None:
    def page(site: str, path: str) -> str:
        return get(web.url(site, path))[2].decode()

    assert '"datePublished": "2026-03-11T06:40:00Z"' in page(
        "meridian-wire", "/stories/2026/03/alder-valley-floods.html"
    )
    assert 'content="2026-03-10T07:00:00+00:00"' in page(
        "harbor-times", "/news/harbour/fish-market-reopens-20417/"
    )
    es = page("el-faro", "/noticias/2026/03/14/museo-de-la-conserva-abre.html")
    assert "Publicado el sábado, 14 de marzo de 2026, 11:00 h" in es and "datePublished" not in es
    assert "5 hours ago" in page(
        "newsdeck", "/a/48227-ferry-link-port-alder-puerto-almena-approved"
    )
    assert "Monday 9 March 2026 11:15am" in page(
        "riverton-courier", "/local/old-mill-bridge-to-close-3109.html"
    )


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
    a = web.truth().article("kestrel-fm", "/news/2026/03/12/port-alder-ferry-approved/")
    promo = web.page("kestrel-fm", a.path).promo
    text = trafilatura.extract(get(a.url(web.base_urls))[2].decode()) or ""
    assert promo and promo in text
    assert "Source: Meridian Wire" in text


@pytest.mark.timeout(60)
def test_runs_as_a_process(tmp_path: Path) -> None:
    ports, log = tmp_path / "ports.json", tmp_path / "log.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.demo.server", "--port-file", str(ports), "--log", str(log)],
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
