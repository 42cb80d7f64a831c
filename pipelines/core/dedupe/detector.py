"""Syndication detection: find the copies of each article and link them to one original.

``SyndicationDetector.process(article)`` sketches the text, looks its bucket keys up in the index
(containment LSH: see ``sketch.py``), verifies each candidate (``verify.py``), tries the credited
publisher's articles with a lower bar, chooses the original by evidence, stores the article and
returns its ``Syndication`` plus ``updates``: records of *other* articles whose links changed (a
late original now lists its copies; a copy now points at the late original) for re-export.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter, OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from crawler.items import Syndication
from pipelines.core.dedupe.index import LEAD_KEY_BIT, StoredDoc, SyndicationIndex, posting_keys
from pipelines.core.dedupe.options import SyndicationOptions
from pipelines.core.dedupe.sketch import Sketch, make_sketch
from pipelines.core.dedupe.text import publisher_key
from pipelines.core.dedupe.verify import PairScore, score_credited, score_sketch, score_texts

logger = logging.getLogger(__name__)

MIN_SAMPLES = 4  # fewer sampled values than this: containment too noisy to trust alone
DATE_SLACK = 60  # seconds: dates closer than this say nothing about who was first


class SiteLike(Protocol):
    """What the detector needs of a site (``crawler.registry.SiteConfig`` fits)."""

    @property
    def name(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def publisher(self) -> str: ...
    @property
    def aliases(self) -> tuple[str, ...]: ...


@dataclass(frozen=True, slots=True)
class ArticleInput:
    """The fields of an ``ArticleItem`` the detector reads."""

    url: str
    text: str | None
    site: str | None = None
    canonical_url: str | None = None
    title: str | None = None
    published_at: str | None = None
    credited_source: str | None = None
    sketch: Sketch | None = None
    """``make_sketch(text)`` when already made (in a pool worker); made here otherwise."""


@dataclass(frozen=True, slots=True)
class SyndicationUpdate:
    """A previously emitted record whose syndication changed."""

    url: str
    site: str | None
    syndication: Syndication


@dataclass(slots=True)
class SyndicationResult:
    syndication: Syndication
    updates: list[SyndicationUpdate] = field(default_factory=list)
    counters: Counter[str] = field(default_factory=Counter)
    """candidates, verified, rejected, credited_linked, pending_added, pending_linked, relinked."""


def cluster_id(original_url: str) -> str:
    """``c-`` + 16 hex chars derived from the original's canonical URL (stable across runs)."""
    return "c-" + hashlib.blake2b(original_url.encode(), digest_size=8).hexdigest()


def epoch(iso: str | None) -> int | None:
    if not iso:
        return None
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        logger.warning("syndication: unparseable published_at %(value)r ignored", {"value": iso})
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


class SyndicationDetector:
    """Links copies to originals through a :class:`SyndicationIndex`; one instance per process."""

    def __init__(
        self,
        index: SyndicationIndex,
        sites: Mapping[str, SiteLike] | None = None,
        options: SyndicationOptions | None = None,
    ) -> None:
        self.index = index
        self.options = options or SyndicationOptions()
        self.sites: dict[str, SiteLike] = dict(sites or {})
        self._site_keys: dict[str, set[str]] = {}
        self._key_sites: dict[str, set[str]] = {}
        for name, site in self.sites.items():
            keys = {
                k for k in (publisher_key(n) for n in (site.publisher, name, *site.aliases)) if k
            }
            self._site_keys[name] = keys
            for key in keys:
                self._key_sites.setdefault(key, set()).add(name)
        self._texts: OrderedDict[int, Sketch] = OrderedDict()

    # --- public ---------------------------------------------------------------------------------

    def process(self, art: ArticleInput) -> SyndicationResult:
        result = SyndicationResult(Syndication())
        if not art.text or not art.text.strip():
            result.syndication = Syndication(status="unique", evidence=["no-text"])
            result.counters["no_text"] += 1
            return result
        opts = self.options
        sk = art.sketch if art.sketch is not None else make_sketch(art.text)
        canonical = (
            art.canonical_url if art.canonical_url and art.canonical_url != art.url else None
        )
        doc = StoredDoc(
            url=art.url,
            site=art.site,
            sketch=sk,
            title=(art.title or "")[:120],
            published=epoch(art.published_at),
            canonical=canonical,
            credited=publisher_key(art.credited_source),
        )
        existing = self.index.get_by_url(art.url)
        if existing is not None:
            if existing.sketch.body_hash == sk.body_hash or existing.status != "unique":
                self._remember(existing.id, sk)
                result.syndication = self.syndication_of(existing)
                result.counters["known"] += 1
                return result
            doc.id = existing.id  # text changed and still unlinked: search again
            self.index.replace_sketch(
                doc,
                posting_keys(existing.sketch, opts.index_keys),
                posting_keys(sk, opts.index_keys),
            )

        match, score, credited_match = self._best_match(doc, sk, art, result.counters)
        if doc.id == 0:
            self.index.add(doc, posting_keys(sk, opts.index_keys))
        self._remember(doc.id, sk)
        changed: dict[int, StoredDoc] = {}
        if match is not None and score is not None:
            self._link(doc, match, score, changed, result.counters)
            if credited_match:
                result.counters["credited_linked"] += 1
        elif doc.credited:
            self.index.add_pending(doc.credited, doc.id)
            result.counters["pending_added"] += 1
        if doc.status != "republication":
            self._resolve_pending(doc, sk, changed, result.counters)
        self.index.set_link(doc)
        for other in changed.values():
            if other.id != doc.id:
                self.index.set_link(other)
        self.index.commit()
        result.syndication = self.syndication_of(doc)
        for other in changed.values():
            if other.id != doc.id:
                result.updates.append(
                    SyndicationUpdate(other.url, other.site, self.syndication_of(other))
                )
        return result

    def syndication_of(self, doc: StoredDoc) -> Syndication:
        """The record's ``syndication`` from what the index holds now."""
        if doc.status == "republication" and doc.original_id is not None:
            original = self.index.get_many([doc.original_id]).get(doc.original_id)
            return Syndication(
                status="republication",
                original_url=original.public_url if original else None,
                original_site=original.site if original else None,
                cluster_id=doc.cluster,
                similarity=doc.similarity,
                evidence=list(doc.evidence),
            )
        if doc.status == "original":
            copies = [c.public_url for c in self.index.copies_of(doc.id)]
            return Syndication(
                status="original",
                cluster_id=doc.cluster,
                copies=copies,
                evidence=list(doc.evidence),
            )
        return Syndication(status="unique", evidence=list(doc.evidence))

    # --- matching -------------------------------------------------------------------------------

    def _remember(self, doc_id: int, sk: Sketch) -> None:
        if self.options.text_cache <= 0:
            return
        self._texts[doc_id] = sk
        self._texts.move_to_end(doc_id)
        while len(self._texts) > self.options.text_cache:
            self._texts.popitem(last=False)

    def _score(self, sk: Sketch, other: StoredDoc) -> PairScore:
        full = self._texts.get(other.id)
        if full is not None:
            return score_texts(sk, full)
        return score_sketch(sk, other.sketch)

    def _in_window(self, published: int | None, other: StoredDoc) -> bool:
        if published is None or other.published is None:
            return True
        return abs(published - other.published) <= self.options.window_days * 86400

    def _verified(self, score: PairScore, threshold: float) -> bool:
        if score.exact:
            return True
        if score.samples < MIN_SAMPLES and not score.shared_lead:
            return False
        return score.score >= threshold

    def _best_match(
        self, doc: StoredDoc, sk: Sketch, art: ArticleInput, counters: Counter[str]
    ) -> tuple[StoredDoc | None, PairScore | None, bool]:
        opts = self.options
        assert sk.shingles is not None
        keys = [int(v) for v in sk.shingles[: opts.query_keys]]
        keys += [sk.lead_hash | LEAD_KEY_BIT, sk.body_hash | LEAD_KEY_BIT]
        hits = self.index.lookup(keys, opts.max_bucket)
        hits.pop(doc.id, None)
        ranked = sorted(
            (i for i, n in hits.items() if n >= opts.min_shared_keys), key=lambda i: -hits[i]
        )
        candidates = [
            c
            for c in self.index.get_many(ranked[: opts.max_candidates]).values()
            if c.url != doc.url and self._in_window(doc.published, c)
        ]
        counters["candidates"] += len(candidates)
        scored: list[tuple[StoredDoc, PairScore]] = []
        for cand in candidates:
            score = self._score(sk, cand)
            if self._verified(score, opts.min_containment):
                counters["verified"] += 1
                scored.append((cand, score))
            else:
                counters["rejected"] += 1
        credited_sites = self._key_sites.get(doc.credited or "", set()) - {doc.site}
        if credited_sites:
            best_credit = self._credited_match(doc, sk, art, credited_sites, scored, counters)
            if best_credit is not None:
                return best_credit[0], best_credit[1], True
        if not scored:
            return None, None, False
        scored.sort(key=lambda cs: (-cs[1].score, cs[0].published or 0, cs[0].id))
        return scored[0][0], scored[0][1], False

    def _credited_match(
        self,
        doc: StoredDoc,
        sk: Sketch,
        art: ArticleInput,
        sites: set[str],
        verified: list[tuple[StoredDoc, PairScore]],
        counters: Counter[str],
    ) -> tuple[StoredDoc, PairScore] | None:
        """Best article of the credited publisher, with the lower bar (reworded copies)."""
        opts = self.options
        mine = [(c, s) for c, s in verified if c.site in sites]
        if mine:
            return max(mine, key=lambda cs: cs[1].score)
        window = opts.window_days * 86400
        start = None if doc.published is None else int(doc.published - window)
        end = None if doc.published is None else int(doc.published + window)
        best: tuple[StoredDoc, PairScore] | None = None
        for site in sorted(sites):
            for cand in self.index.by_site(site, start, end, opts.credited_scan_limit):
                if cand.id == doc.id:
                    continue
                counters["credited_candidates"] += 1
                score = score_credited(
                    sk, cand.sketch, art.title or "", cand.title, self._score(sk, cand)
                )
                if score.score >= opts.credited_min_score and (
                    best is None or score.score > best[1].score
                ):
                    best = (cand, score)
        return best

    # --- linking --------------------------------------------------------------------------------

    def _choose(self, a: StoredDoc, b: StoredDoc) -> tuple[bool, list[str]]:
        """Is ``a`` (rather than ``b``) the original? With the evidence for the winner."""
        points = {True: 0, False: 0}
        why: dict[bool, list[str]] = {True: [], False: []}

        def give(to_a: bool, n: int, reason: str) -> None:
            points[to_a] += n
            why[to_a].append(reason)

        role_a = self.sites[a.site].role if a.site in self.sites else None
        role_b = self.sites[b.site].role if b.site in self.sites else None
        if role_a != role_b and "original" in (role_a, role_b) and None not in (role_a, role_b):
            give(role_a == "original", 2, "role:original")
        if b.canonical and b.canonical in (a.url, a.canonical):
            give(True, 3, "canonical-elsewhere")
        if a.canonical and a.canonical in (b.url, b.canonical):
            give(False, 3, "canonical-elsewhere")
        if b.credited and b.credited in self._site_keys.get(a.site or "", set()):
            give(True, 2, f"credit:{self._publisher(a.site)}")
        if a.credited and a.credited in self._site_keys.get(b.site or "", set()):
            give(False, 2, f"credit:{self._publisher(b.site)}")
        if (
            a.published is not None
            and b.published is not None
            and abs(a.published - b.published) > DATE_SLACK
        ):
            give(a.published < b.published, 1, "earlier-publication")
        if points[True] == points[False]:
            # No evidence either way: the one indexed first stays the original.
            first_is_a = 0 < a.id < b.id or b.id == 0
            return first_is_a, [*why[first_is_a], "first-seen"]
        winner = points[True] > points[False]
        return winner, why[winner]

    def _publisher(self, site: str | None) -> str:
        return self.sites[site].publisher if site in self.sites else (site or "unknown")

    def _root(self, doc: StoredDoc, changed: dict[int, StoredDoc]) -> StoredDoc:
        if doc.status != "republication" or doc.original_id is None:
            return doc
        if doc.original_id in changed:
            return changed[doc.original_id]
        return self.index.get_many([doc.original_id]).get(doc.original_id, doc)

    def _link(
        self,
        doc: StoredDoc,
        match: StoredDoc,
        score: PairScore,
        changed: dict[int, StoredDoc],
        counters: Counter[str],
    ) -> None:
        root = self._root(match, changed)
        doc_first, why = self._choose(doc, root)
        if not doc_first:
            cluster = root.cluster or cluster_id(root.public_url)
            root.status, root.original_id, root.cluster = "original", None, cluster
            changed[root.id] = root
            self._make_copy(doc, root, cluster, score.score, why + score.evidence)
            return
        cluster = root.cluster or cluster_id(doc.public_url)
        doc.status, doc.original_id, doc.cluster = "original", None, cluster
        members = [root, *(c for c in self.index.copies_of(root.id) if c.id != doc.id)]
        for member in members:
            member = changed.get(member.id, member)
            evidence = (
                why + score.evidence if member.id == root.id else [*member.evidence, "relinked"]
            )
            similarity = score.score if member.id == root.id else member.similarity
            self._make_copy(member, doc, cluster, similarity, evidence)
            changed[member.id] = member
            counters["relinked"] += 1

    def _make_copy(
        self,
        copy: StoredDoc,
        original: StoredDoc,
        cluster: str,
        similarity: float | None,
        evidence: list[str],
    ) -> None:
        copy.status, copy.original_id, copy.cluster = "republication", original.id, cluster
        copy.similarity = None if similarity is None else round(similarity, 3)
        copy.evidence = list(dict.fromkeys(evidence))
        if copy.credited:
            self.index.remove_pending(copy.credited, copy.id)

    def _resolve_pending(
        self, doc: StoredDoc, sk: Sketch, changed: dict[int, StoredDoc], counters: Counter[str]
    ) -> None:
        """Copies that credited this publisher before any of its articles matched: link them now."""
        for key in sorted(self._site_keys.get(doc.site or "", set())):
            for pid in self.index.pending(key):
                waiting = changed.get(pid) or self.index.get_many([pid]).get(pid)
                if waiting is None or waiting.status == "republication" or waiting.id == doc.id:
                    self.index.remove_pending(key, pid)
                    continue
                if not self._in_window(doc.published, waiting):
                    continue
                score = score_credited(
                    sk, waiting.sketch, doc.title, waiting.title, self._score(sk, waiting)
                )
                if score.score < self.options.credited_min_score:
                    continue
                cluster = doc.cluster or waiting.cluster or cluster_id(doc.public_url)
                doc.status, doc.original_id, doc.cluster = "original", None, cluster
                why = [f"credit:{self._publisher(doc.site)}", "late-original"]
                for member in [waiting, *self.index.copies_of(waiting.id)]:
                    member = changed.get(member.id, member)
                    evidence = (
                        why + score.evidence
                        if member.id == waiting.id
                        else [*member.evidence, "relinked"]
                    )
                    sim = score.score if member.id == waiting.id else member.similarity
                    self._make_copy(member, doc, cluster, sim, evidence)
                    changed[member.id] = member
                self.index.remove_pending(key, pid)
                counters["pending_linked"] += 1
