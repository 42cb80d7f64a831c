# ruff: noqa: RUF001 - typographic dashes and quotes are what credit lines and pages use
"""``syndicrawl eval syndication``: precision/recall of copy linking on copies made from real articles.

Originals are the truth bodies of ``<corpus>/fundus`` (INDEX.csv + ``<cc>/<Publisher>.json``, many
languages) and ``<corpus>/newspaper4k/txt``. Each original gets one copy of every kind below,
published by a syndicator site up to two days later; a fifth of the originals are fed after their
copies (late originals). Hard negatives: independent reports that share exactly one quoted sentence
with an original, and the corpus's other articles of the same publisher and country.

Printed: per-kind pair precision and recall, overall pairwise precision/recall, the share of found
copies linked to the right original, and the adjusted Rand index of the clusters.

Measured (``python -m syndicrawl_tools.evaluation.syndication --corpus /work/shared/corpus``, seed 7):
2,199 docs (213 distinct originals, 9 copy kinds, 69 shared-quote negatives); the 8 target kinds
give pair precision 1.000, recall 1.000 (0.9995 with ``--text-cache 0``), right original 1.000,
ARI 1.000, no negative linked. The sweep behind the thresholds is in ``verify.py``.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pipelines.core.dedupe import ArticleInput, MemoryIndex, SyndicationDetector, SyndicationOptions
from pipelines.core.dedupe.text import tokens

logger = logging.getLogger(__name__)

DEFAULT_CORPUS = "../shared/corpus"
KINDS = (
    "verbatim",
    "promo_credit",
    "chrome",
    "trimmed",
    "trimmed40",
    "light_edit",
    "headline",
    "reordered",
)
EXTRA_KINDS = ("reworded_credited",)  # reported on its own line, not in the targets' overall
MIN_TOKENS = 60

# Our own filler text for promos and page chrome (never copied from a page).
PROMOS = [
    "Listen to our morning show live every weekday from six, and download the app for alerts.",
    "Subscribe to the weekly newsletter for the stories our editors picked, straight to your inbox.",
    "Follow us on every social network for live updates, photo galleries and short videos.",
]
CHROME = [
    "Home News World Business Sport Culture Opinion Weather Podcasts Contact us",
    "Most read today Trending now Editor's choice See all stories in this section",
    "We use cookies to improve your visit. Accept all Manage preferences Privacy notice",
    "Share this article Copy link Print Email Comment Save for later",
    "About us Careers Advertise with us Terms of use Accessibility Sitemap Copyright notice",
]
FILLER = (
    "according",
    "officials",
    "reported",
    "meanwhile",
    "however",
    "earlier",
    "later",
    "several",
    "statement",
    "spokesperson",
    "residents",
    "authorities",
    "announced",
    "described",
)


@dataclass(slots=True)
class Doc:
    url: str
    site: str
    title: str
    text: str
    published: datetime
    truth_cluster: str
    truth_original: str | None
    kind: str
    credited: str | None = None


@dataclass(frozen=True, slots=True)
class Site:
    name: str
    role: str
    publisher: str
    aliases: tuple[str, ...] = ()


# --- corpus ---------------------------------------------------------------------------------------


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")[:60] or "x"


def _date(value: str | None, fallback: datetime) -> datetime:
    if value:
        try:
            moment = datetime.fromisoformat(value.strip())
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        except ValueError:
            pass
    return fallback


def load_originals(corpus: Path) -> list[tuple[str, str, str, datetime]]:
    """(publisher, title, text, published) of every usable truth body."""
    out: list[tuple[str, str, str, datetime]] = []
    base = datetime(2025, 1, 1, tzinfo=UTC)
    index = corpus / "fundus" / "INDEX.csv"
    if index.is_file():
        cache: dict[str, dict[str, Any]] = {}
        with index.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                js = row["expected_json"]
                if js not in cache:
                    cache[js] = json.loads((corpus / "fundus" / js).read_text(encoding="utf-8"))
                truth = cache[js].get(row["version"]) or {}
                body = truth.get("body") or {}
                paras = [*body.get("summary", [])]
                for section in body.get("sections", []):
                    paras += section.get("headline", []) + section.get("paragraphs", [])
                text = "\n\n".join(p.strip() for p in paras if p and p.strip())
                publisher = Path(js).stem
                title = truth.get("title") or row.get("title") or ""
                out.append((publisher, title, text, _date(row.get("publishing_date"), base)))
    txt = corpus / "newspaper4k" / "txt"
    meta_rows: dict[str, dict[str, str]] = {}
    n4k_index = corpus / "newspaper4k" / "INDEX.csv"
    if n4k_index.is_file():
        with n4k_index.open(encoding="utf-8") as fh:
            meta_rows = {r["name"]: r for r in csv.DictReader(fh)}
    if txt.is_dir():
        for i, path in enumerate(sorted(txt.glob("*.txt"))):
            row = meta_rows.get(path.stem, {})
            publisher = row.get("site") or re.sub(r"[_\d]+$", "", path.stem) or path.stem
            text = path.read_text(encoding="utf-8")
            out.append(
                (
                    publisher,
                    row.get("title") or "",
                    text,
                    _date(row.get("publish_date"), base + timedelta(days=i)),
                )
            )
    if not out:
        raise FileNotFoundError(f"no originals under {corpus}/fundus or {corpus}/newspaper4k/txt")
    return _distinct([o for o in out if len(tokens(o[2])) >= MIN_TOKENS])


def _distinct(
    originals: list[tuple[str, str, str, datetime]],
) -> list[tuple[str, str, str, datetime]]:
    """Drop bodies that copy an earlier one (the corpora hold a few pages twice): the truth must
    not contain copies we do not know about."""
    detector = SyndicationDetector(MemoryIndex(), {}, SyndicationOptions())
    kept = []
    for i, item in enumerate(originals):
        result = detector.process(ArticleInput(url=f"orig-{i}", text=item[2]))
        if result.syndication.status == "unique":
            kept.append(item)
        else:
            logger.info(
                "eval: original %(i)d copies %(other)s, left out",
                {"i": i, "other": result.syndication.original_url},
            )
    return kept


# --- copy makers ------------------------------------------------------------------------------------


def _paras(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


def _sentences(para: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?。！？])\s+", para) if s.strip()]


def trim(text: str, share: float) -> str:
    """The first ``share`` of the words, paragraph breaks kept."""
    budget = max(1, int(len(text.split()) * share))
    if len(text.split()) < 5:  # text without spaces (CJK): trim by characters
        return text[: max(1, int(len(text) * share))]
    kept: list[str] = []
    for para in _paras(text):
        words = para.split()
        if budget <= 0:
            break
        kept.append(" ".join(words[:budget]))
        budget -= len(words)
    return "\n\n".join(kept)


def light_edit(text: str, rng: random.Random) -> str:
    """Drop ~10% of sentences, swap ~3% of words with a neighbour, replace ~3% with another word."""
    out = []
    for para in _paras(text):
        sents = [s for s in _sentences(para) if rng.random() > 0.10] or _sentences(para)[:1]
        words = " ".join(sents).split()
        for i in range(len(words) - 1):
            r = rng.random()
            if r < 0.03:
                words[i], words[i + 1] = words[i + 1], words[i]
            elif r < 0.06:
                words[i] = rng.choice(FILLER)
        out.append(" ".join(words))
    return "\n\n".join(out)


def reword(text: str, rng: random.Random) -> str:
    """A heavy rewrite stand-in: a quarter of sentences dropped, short words replaced, word pairs
    swapped, sentences reordered in their paragraph; names and long words mostly kept."""
    out = []
    for para in _paras(text):
        sents = [s for s in _sentences(para) if rng.random() > 0.25] or _sentences(para)[:1]
        rng.shuffle(sents)
        words = " ".join(sents).split()
        for i in range(len(words)):
            if len(words[i]) < 5 and rng.random() < 0.5:
                words[i] = rng.choice(FILLER)
        for i in range(0, len(words) - 1, 3):
            if rng.random() < 0.5:
                words[i], words[i + 1] = words[i + 1], words[i]
        out.append(" ".join(words))
    return "\n\n".join(out)


def make_copies(
    doc: Doc, publisher: str, syn_sites: Sequence[str], rng: random.Random
) -> list[Doc]:
    copies = []
    paras = _paras(doc.text)
    for n, kind in enumerate(KINDS + EXTRA_KINDS):
        title, text, credited = doc.title, doc.text, None
        if kind == "promo_credit":
            text = "\n\n".join(
                [rng.choice(PROMOS), doc.text, f"Source: {publisher}", rng.choice(PROMOS)]
            )
            credited = publisher
        elif kind == "chrome":
            text = "\n\n".join([*rng.sample(CHROME, 2), doc.text, *rng.sample(CHROME, 2)])
        elif kind == "trimmed":
            text = trim(doc.text, rng.uniform(0.4, 0.8))
        elif kind == "trimmed40":
            text = trim(doc.text, 0.4)
        elif kind == "light_edit":
            text = light_edit(doc.text, rng)
        elif kind == "headline":
            words = doc.title.split()
            rng.shuffle(words)
            title = "Update: " + " ".join(words)
        elif kind == "reordered":
            shuffled = paras[:]
            while len(shuffled) > 1 and shuffled == paras:
                rng.shuffle(shuffled)
            text = "\n\n".join(shuffled)
        elif kind == "reworded_credited":
            text = reword(doc.text, rng)
            credited = publisher
        site = syn_sites[n % len(syn_sites)]
        copies.append(
            Doc(
                url=f"https://{site}.example/{_slug(title)}-{n}-{rng.randrange(10**6)}",
                site=site,
                title=title,
                text=text,
                published=doc.published + timedelta(minutes=rng.randint(5, 2880)),
                truth_cluster=doc.truth_cluster,
                truth_original=doc.url,
                kind=kind,
                credited=credited,
            )
        )
    return copies


def shared_quote_negative(target: Doc, other: Doc, rng: random.Random, n: int) -> Doc | None:
    """An independent report: ``other``'s body with one sentence of ``target`` quoted in it."""
    sents = [s for p in _paras(target.text) for s in _sentences(p) if 8 <= len(s.split()) <= 40]
    if not sents:
        return None
    quote = rng.choice(sents)
    paras = _paras(other.text)
    at = rng.randrange(len(paras) + 1)
    paras.insert(at, f'A spokesperson said: "{quote}"')
    return Doc(
        url=f"https://independent-desk.example/report-{n}",
        site="independent-desk",
        title=other.title + " (analysis)",
        text="\n\n".join(paras),
        published=target.published + timedelta(hours=rng.randint(1, 30)),
        truth_cluster=f"neg-{n}",
        truth_original=None,
        kind="negative_quote",
    )


# --- metrics -----------------------------------------------------------------------------------------


def _comb2(n: int) -> float:
    return n * (n - 1) / 2


def adjusted_rand_index(truth: Sequence[str], pred: Sequence[str]) -> float:
    """Hubert-Arabie ARI from the contingency table (what sklearn's adjusted_rand_score computes)."""
    pairs = Counter(zip(truth, pred, strict=True))
    a, b = Counter(truth), Counter(pred)
    index = sum(_comb2(n) for n in pairs.values())
    sum_a = sum(_comb2(n) for n in a.values())
    sum_b = sum(_comb2(n) for n in b.values())
    total = _comb2(len(truth))
    expected = sum_a * sum_b / total if total else 0.0
    maximum = (sum_a + sum_b) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)


def build_set(corpus: Path, seed: int) -> tuple[list[Doc], dict[str, Site]]:
    rng = random.Random(seed)
    sites: dict[str, Site] = {}
    syn_sites = [f"syndicator-{c}" for c in "abcdef"]
    for name in syn_sites:
        sites[name] = Site(name, "syndicator", f"Syndicator {name[-1].upper()}")
    sites["independent-desk"] = Site("independent-desk", "original", "Independent Desk")
    originals: list[Doc] = []
    for i, (publisher, title, text, published) in enumerate(load_originals(corpus)):
        name = _slug(publisher)
        sites.setdefault(name, Site(name, "original", publisher))
        url = f"https://{name}.example/{i}-{_slug(title)}"
        originals.append(Doc(url, name, title, text, published, f"t-{i}", None, "original"))
    # A sixth of the bodies are held out as independent reports: each is fed once, quoting one
    # sentence of an indexed original (and nothing else of it).
    rng.shuffle(originals)
    held = originals[: len(originals) // 4]
    originals = originals[len(held) :]
    docs: list[Doc] = []
    late = set(rng.sample(range(len(originals)), len(originals) // 5))
    for i, orig in enumerate(originals):
        copies = make_copies(orig, sites[orig.site].publisher, syn_sites, rng)
        docs += [*copies, orig] if i in late else [orig, *copies]
    for n, other in enumerate(held):
        neg = shared_quote_negative(rng.choice(originals), other, rng, n)
        if neg is not None:
            docs.append(neg)
    return docs, sites


def evaluate(
    docs: list[Doc],
    sites: dict[str, Site],
    options: SyndicationOptions,
    index_factory: Any = MemoryIndex,
) -> dict[str, Any]:
    index = index_factory()
    detector = SyndicationDetector(index, sites, options)
    state: dict[str, Any] = {}
    started = time.perf_counter()
    for d in docs:
        res = detector.process(
            ArticleInput(
                url=d.url,
                text=d.text,
                site=d.site,
                title=d.title,
                published_at=d.published.isoformat(),
                credited_source=d.credited,
            )
        )
        state[d.url] = res.syndication
        for up in res.updates:
            state[up.url] = up.syndication
    elapsed = time.perf_counter() - started
    index.close()
    by_url = {d.url: d for d in docs}
    pred_cluster = {u: (s.cluster_id or f"solo-{u}") for u, s in state.items()}
    # Pairwise counts over all docs: a pair is positive when both share a cluster.
    truth_groups: dict[str, list[str]] = defaultdict(list)
    pred_groups: dict[str, list[str]] = defaultdict(list)
    for d in docs:
        truth_groups[d.truth_cluster].append(d.url)
        pred_groups[pred_cluster[d.url]].append(d.url)
    per_kind: dict[str, Counter[str]] = defaultdict(Counter)
    tp = fp = fn = 0
    for d in docs:
        if d.kind == "original":
            continue
        same_pred = {u for u in pred_groups[pred_cluster[d.url]] if u != d.url}
        true_mates = {u for u in truth_groups[d.truth_cluster] if u != d.url}
        # Pairs of this copy with the original and with the other copies of the same story.
        k_tp, k_fp, k_fn = (
            len(same_pred & true_mates),
            len(same_pred - true_mates),
            len(true_mates - same_pred),
        )
        c = per_kind[d.kind]
        c["tp"] += k_tp
        c["fp"] += k_fp
        c["fn"] += k_fn
        c["docs"] += 1
        syn = state[d.url]
        if d.truth_original is not None:
            found = syn.status == "republication"
            c["found"] += found
            c["right_original"] += found and syn.original_url == d.truth_original
            c["linked_to_original"] += pred_cluster[d.url] == pred_cluster[d.truth_original]
        else:
            c["false_link"] += syn.status != "unique"
    for group in pred_groups.values():
        for i, u in enumerate(group):
            for v in group[i + 1 :]:
                if by_url[u].truth_cluster == by_url[v].truth_cluster:
                    tp += 1
                else:
                    fp += 1
    for group in truth_groups.values():
        for i, u in enumerate(group):
            for v in group[i + 1 :]:
                if pred_cluster[u] != pred_cluster[v]:
                    fn += 1

    def ratio(a: float, b: float) -> float:
        return round(a / b, 4) if b else 1.0

    kinds: dict[str, Any] = {}
    for kind, c in sorted(per_kind.items()):
        kinds[kind] = {
            "copies": c["docs"],
            "pair_precision": ratio(c["tp"], c["tp"] + c["fp"]),
            "pair_recall": ratio(c["tp"], c["tp"] + c["fn"]),
        }
        if kind.startswith("negative"):
            kinds[kind] = {
                "docs": c["docs"],
                "false_link_rate": ratio(c["false_link"], c["docs"]),
                "pair_precision": kinds[kind]["pair_precision"],
            }
        else:
            kinds[kind]["recall_linked_to_original"] = ratio(c["linked_to_original"], c["docs"])
            kinds[kind]["right_original"] = ratio(c["right_original"], c["found"])
    main = [k for k in KINDS if k in per_kind]
    found = sum(per_kind[k]["found"] for k in main)
    right = sum(per_kind[k]["right_original"] for k in main)
    # Overall over the target kinds: pairs of those copies (and the negatives, which only add FPs).
    o_tp = sum(per_kind[k]["tp"] for k in main)
    o_fp = sum(per_kind[k]["fp"] for k in [*main, "negative_quote"])
    o_fn = sum(per_kind[k]["fn"] for k in main)
    ari_docs = [d for d in docs if d.kind not in EXTRA_KINDS]
    return {
        "originals": sum(d.kind == "original" for d in docs),
        "docs": len(docs),
        "kinds": kinds,
        "overall": {
            "pair_precision": ratio(o_tp, o_tp + o_fp),
            "pair_recall": ratio(o_tp, o_tp + o_fn),
            "right_original": ratio(right, found),
            "copies_found": found,
            "copies": sum(per_kind[k]["docs"] for k in main),
        },
        "all_pairs_including_extra": {
            "pair_precision": ratio(tp, tp + fp),
            "pair_recall": ratio(tp, tp + fn),
        },
        "ari": round(
            adjusted_rand_index(
                [d.truth_cluster for d in ari_docs], [pred_cluster[d.url] for d in ari_docs]
            ),
            4,
        ),
        "ari_including_extra": round(
            adjusted_rand_index(
                [d.truth_cluster for d in docs], [pred_cluster[d.url] for d in docs]
            ),
            4,
        ),
        "docs_per_second": round(len(docs) / elapsed, 1),
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--corpus", default=DEFAULT_CORPUS, help="corpus folder (default: %(default)s)"
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object on the last line"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--text-cache",
        type=int,
        default=None,
        help="texts kept for exact verification (default: the option's default; 0 = sketches only)",
    )
    parser.add_argument("--min-containment", type=float, default=None)
    parser.add_argument("--credited-min-score", type=float, default=None)


def run(args: argparse.Namespace) -> int:
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"corpus folder not found: {corpus} (pass --corpus PATH)", file=sys.stderr)
        return 2
    docs, sites = build_set(corpus, args.seed)
    overrides = {
        k: v
        for k, v in (
            ("text_cache", args.text_cache),
            ("min_containment", args.min_containment),
            ("credited_min_score", args.credited_min_score),
        )
        if v is not None
    }
    options = replace(SyndicationOptions(), **overrides)
    report = evaluate(docs, sites, options)
    report["options"] = {
        k: getattr(options, k) for k in ("min_containment", "credited_min_score", "text_cache")
    }
    if not args.json:
        print(f"{report['docs']} docs from {report['originals']} originals")
        for kind, row in report["kinds"].items():
            print(f"  {kind:20s} " + "  ".join(f"{k}={v}" for k, v in row.items()))
        print("overall " + "  ".join(f"{k}={v}" for k, v in report["overall"].items()))
        print(f"ARI {report['ari']} (with extra kinds {report['ari_including_extra']})")
    print(json.dumps(report, sort_keys=True) if args.json else "")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="syndicrawl eval syndication", description=__doc__.splitlines()[0]
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
