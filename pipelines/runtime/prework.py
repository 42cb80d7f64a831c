"""Pure work of the clean and syndication stages, done ahead in the extract stage's pool worker.

The crawl process should keep only what needs its state: the learned-boilerplate store (clean
stage) and the syndication index. So the extract task also runs the clean stage's first pass
(credits, promos, chrome, site rules: no store) and, when the crawl process sent a guess of the site's
learned boilerplate (:class:`LearnedGuesses`: what the store answered for the site's recent
articles), the second pass with that guess; it sketches the text it expects to be final. The
stages use this work only where it matches: the clean stage when the paragraphs and headlines are
the ones the pass saw (and, for the second pass, when the store confirms the guess), the
syndication stage when the final text is the text sketched. Otherwise they do the work
themselves, as without a pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipelines.core.dedupe.sketch import Sketch, make_sketch

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.registry import SiteConfig
    from pipelines.core.cleaning import Cleaner, FirstPass, GuessedPass
    from pipelines.core.promo import SiteIdentity

HINT_PREWORK = "prework"
_CRAWLER_ATTR = "_syndicrawl_learned_guesses"


class LearnedGuesses:
    """Per site, the learned-boilerplate hashes the store confirmed lately (one crawl's, shared by
    the extract and clean stages): a site's promos and pitches are few and recur, so the hashes
    applied to its recent articles are a good guess for the next one. At most ``per_site`` hashes
    a site, the oldest forgotten first."""

    def __init__(self, per_site: int = 64) -> None:
        self.per_site = per_site
        self._sites: dict[str, dict[str, None]] = {}  # an insertion-ordered set per site
        self._frozen: dict[str, frozenset[str]] = {}  # what is sent, rebuilt on change only

    @classmethod
    def for_crawler(cls, crawler: Crawler | None) -> LearnedGuesses:
        """The crawl's one instance (a fresh one without a crawler)."""
        if crawler is None:
            return cls()
        found: LearnedGuesses | None = getattr(crawler, _CRAWLER_ATTR, None)
        if found is None:
            found = cls()
            setattr(crawler, _CRAWLER_ATTR, found)
        return found

    def note(self, site: str, hashes: frozenset[str]) -> None:
        known = self._sites.setdefault(site, {})
        new = [h for h in hashes if h not in known]
        if not new:
            return
        for h in new:
            known[h] = None
        while len(known) > self.per_site:
            del known[next(iter(known))]
        self._frozen.pop(site, None)

    def guess(self, site: str | None) -> frozenset[str]:
        if site is None or site not in self._sites:
            return frozenset()
        frozen = self._frozen.get(site)
        if frozen is None:
            frozen = self._frozen[site] = frozenset(self._sites[site])
        return frozen


@dataclass(slots=True)
class Prework:
    first_pass: FirstPass
    """The clean stage's first pass, its site detached (the crawl process has its own)."""
    guessed: GuessedPass | None
    """The second pass with the guessed learned boilerplate, its site detached; None when no
    paragraph was in the guess."""
    text: str
    """The text the guessed pass (else the first pass) leaves, as the clean stage would join it."""
    sketch: Sketch | None
    """``make_sketch(text)``; None for an empty text."""

    def first_pass_for(
        self,
        paragraphs: list[str],
        titles: tuple[str, ...],
        site: SiteConfig | None,
        identity: SiteIdentity,
        linked: frozenset[str],
    ) -> FirstPass | None:
        """The first pass, re-attached to ``site``, if it was made on these inputs (its guessed
        pass is then re-attached too)."""
        first = self.first_pass
        state = first.state
        if (
            first.paragraphs != paragraphs
            or state.titles != titles
            or state.identity != identity
            or state.linked != linked
        ):
            return None
        first.state.site = site
        if self.guessed is not None:
            self.guessed.state.site = site
        return first

    def sketch_for(self, text: str | None) -> Sketch | None:
        return self.sketch if text is not None and text == self.text else None


def prework(
    cleaner: Cleaner,
    paragraphs: list[str],
    titles: tuple[str, ...],
    site: SiteConfig | None,
    learned_guess: frozenset[str] = frozenset(),
    *,
    identity: SiteIdentity | None = None,
    linked: frozenset[str] = frozenset(),
) -> Prework:
    first = cleaner.first_pass(
        paragraphs, titles=titles, site=site, identity=identity, linked=linked
    )
    guessed = cleaner.guessed_pass(first, learned_guess) if learned_guess else None
    kept = guessed.kept if guessed is not None else first.kept
    text = "\n\n".join(p for p in kept if p.strip())
    # not pickled back: the crawl process re-attaches its SiteConfig
    first.state.site = None
    if guessed is not None:
        guessed.state.site = None
    return Prework(first, guessed, text, make_sketch(text) if text.strip() else None)
