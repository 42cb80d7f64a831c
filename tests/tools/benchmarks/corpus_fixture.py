"""A tiny corpus folder in the shared corpora's on-disk formats, with pages written here.

Nothing of the shared corpus is copied: every page is made up from the word list below, one
seeded draw per page, inside a news page's usual chrome (JSON-LD ``NewsArticle``, OpenGraph,
a byline and a date line).
"""

from __future__ import annotations

import csv
import gzip
import json
import random
from pathlib import Path

WORDS = [
    "council",
    "harbour",
    "river",
    "bridge",
    "market",
    "school",
    "winter",
    "summer",
    "festival",
    "library",
    "station",
    "committee",
    "budget",
    "project",
    "tower",
    "garden",
    "museum",
    "village",
    "ferry",
    "road",
    "rail",
    "transport",
    "weather",
    "storm",
    "flood",
    "farmers",
    "orchard",
    "bakery",
    "theatre",
    "concert",
    "league",
    "match",
    "season",
    "mayor",
    "residents",
    "report",
    "plan",
    "vote",
    "hearing",
    "court",
    "ruling",
    "repairs",
    "opening",
    "closure",
    "north",
    "south",
    "east",
    "west",
    "morning",
    "evening",
    "quickly",
    "slowly",
    "again",
    "later",
    "early",
    "late",
    "approved",
    "rejected",
    "delayed",
    "announced",
    "expected",
    "planned",
    "reopened",
    "extended",
    "reduced",
]


def fake_article(seed: int, *, lang: str = "en", accent: str = "") -> tuple[str, str]:
    """(html, body text) of a made-up article page; ``accent`` goes into the title (non-ASCII)."""
    r = random.Random(seed)
    title = " ".join(r.choice(WORDS) for _ in range(6)).capitalize() + accent
    paragraphs = [
        " ".join(
            " ".join(r.choice(WORDS) for _ in range(r.randint(10, 18))).capitalize() + "."
            for _ in range(r.randint(3, 5))
        )
        for _ in range(r.randint(6, 9))
    ]
    day = 1 + seed % 27
    published = f"2025-03-{day:02d}T09:{seed % 60:02d}:00+00:00"
    jsonld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": title,
            "datePublished": published,
            "author": {"@type": "Person", "name": "Test Writer"},
        }
    )
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    html = (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="og:title" content="{title}"><meta property="og:type" content="article">'
        f'<meta property="article:published_time" content="{published}">'
        f'<script type="application/ld+json">{jsonld}</script></head><body>'
        '<header><nav><a href="/">Home</a> <a href="/local">Local</a></nav></header>'
        f'<main><article><h1>{title}</h1><p class="byline">By Test Writer</p>'
        f'<p class="dateline">Published {published[:10]}</p><div class="story">{body}</div>'
        "</article></main><footer><p>Contact us</p></footer></body></html>"
    )
    return html, "\n".join(paragraphs)


def write_corpus(root: Path, per_corpus: int = 4) -> Path:
    """``root`` with the three sub-corpora, ``per_corpus`` pages each; returns ``root``."""
    seed = 0
    bench = root / "article-extraction-benchmark"
    (bench / "html").mkdir(parents=True)
    truth = {}
    for k in range(per_corpus):
        seed += 1
        html, text = fake_article(seed)
        page_id = f"{k:04d}"
        (bench / "html" / f"{page_id}.html.gz").write_bytes(gzip.compress(html.encode()))
        truth[page_id] = {"articleBody": text, "url": f"https://bench.example/{page_id}"}
    (bench / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")

    fundus = root / "fundus"
    (fundus / "xx").mkdir(parents=True)
    rows, expected = [], {}
    for k in range(per_corpus):
        seed += 1
        html, text = fake_article(seed, lang="de", accent=" für Zürich")
        name = f"xx/Gazette_2025_03_{k + 1:02d}.html.gz"
        (fundus / name).write_bytes(gzip.compress(html.encode()))
        rows.append([name, "xx/Gazette.json", "V1", f"https://gazette.example/{k}"])
        expected.setdefault("V1", {"body": {"summary": [], "sections": []}})
        expected["V1"]["body"]["sections"].append({"headline": [], "paragraphs": [text]})
    (fundus / "xx" / "Gazette.json").write_text(json.dumps(expected), encoding="utf-8")
    with (fundus / "INDEX.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["html", "expected_json", "version", "url"])
        out.writerows(rows)

    news = root / "newspaper4k"
    for sub in ("html", "txt", "metadata"):
        (news / sub).mkdir(parents=True)
    for k in range(per_corpus):
        seed += 1
        html, text = fake_article(seed, accent=" café")
        (news / "html" / f"page{k}.html").write_text(html, encoding="utf-8")
        (news / "txt" / f"page{k}.txt").write_text(text, encoding="utf-8")
        (news / "metadata" / f"page{k}.json").write_text(
            json.dumps({"url": f"https://paper.example/{k}"}), encoding="utf-8"
        )
    return root
