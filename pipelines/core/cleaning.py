# ruff: noqa: RUF003 - typographic dashes and quotes are what credit lines and pages use
"""The clean stage's core: remove credits, chrome, site rules and learned boilerplate from paragraphs.

Boilerplate sits at the edges of a text, so the edges are *peeled*: from the first and from the last
paragraph inwards, every paragraph that is a credit line, chrome, a site rule or learned boilerplate
goes, until the first one that is none of them. Specific rules (``chrome_anywhere``, site patterns,
teaser lists after a "Related" header) also fire in the middle. A dateline prefix ("MOSCOW (Reuters)
-") is cut from the first remaining paragraph, keeping the rest of it.

Learning runs in two passes: the text without learned stripping is recorded in the store, then the
store says which of its edge paragraphs recur on this site, and the peeling runs again with those.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from pipelines.core import boilerplate as bp
from pipelines.core.credits import (
    HEAD_WINDOW,
    TAIL_WINDOW,
    Credit,
    CreditFinder,
    PublisherNames,
    publisher_key,
)
from pipelines.core.learned import LearnedStore, paragraph_hash

if TYPE_CHECKING:
    from crawler.registry import SiteConfig

logger = logging.getLogger(__name__)

Reason = Literal["credit", "rule", "learned", "chrome"]
REASONS: tuple[Reason, ...] = ("credit", "rule", "learned", "chrome")


@dataclass(slots=True)
class CleanResult:
    paragraphs: list[str]
    credited_source: str | None = None
    credit_line: str | None = None
    stripped: list[Reason] = field(default_factory=list)
    """One reason per removed paragraph or prefix, in the order they were found."""
    removed: list[tuple[Reason, str]] = field(default_factory=list)
    """What was removed, for ``syndicrawl extract`` and debugging."""
    date_lines: list[str] = field(default_factory=list)
    """Date lines cut from under the headline: text-date candidates for the dates stage."""
    learned: frozenset[str] = frozenset()
    """The learned-boilerplate hashes the text was cleaned with (empty: none applied)."""

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass(slots=True)
class _Pass:
    site: SiteConfig | None
    titles: tuple[str, ...]
    learned: set[str]
    credits: list[Credit] = field(default_factory=list)
    removed: list[tuple[Reason, str]] = field(default_factory=list)
    date_lines: list[str] = field(default_factory=list)


@dataclass(slots=True)
class FirstPass:
    """One article's first pass: made once, read by both ``observe`` and ``clean``."""

    paragraphs: list[str]
    kept: list[str]
    state: _Pass


@dataclass(slots=True)
class GuessedPass:
    """A second pass made ahead (in a pool worker) with a guess of the site's learned boilerplate.

    ``present`` is the guess narrowed to this article's paragraphs. :meth:`Cleaner.clean` takes the
    pass only when the store's answer is exactly ``present``: the peeling then saw the same set.
    """

    present: frozenset[str]
    kept: list[str]
    state: _Pass

    def confirmed_by(self, learned: frozenset[str] | set[str]) -> bool:
        return self.present == learned


class Cleaner:
    """Cleans one article's paragraphs. Build once; ``store`` None disables learned boilerplate."""

    def __init__(
        self, names: PublisherNames | None = None, store: LearnedStore | None = None
    ) -> None:
        self.names = names or PublisherNames()
        self.credits = CreditFinder(self.names)
        self.store = store

    @classmethod
    def for_sites(
        cls, sites: Mapping[str, SiteConfig], store: LearnedStore | None = None
    ) -> Cleaner:
        """A cleaner knowing the registry's publishers (credits naming them are recognised)."""
        return cls(
            PublisherNames((s.publisher or s.name, s.aliases) for s in sites.values()), store
        )

    def first_pass(
        self,
        paragraphs: Sequence[str],
        *,
        title: str | None = None,
        titles: Sequence[str] = (),
        site: SiteConfig | None = None,
    ) -> FirstPass:
        """Credits, chrome and site rules without learned boilerplate (what the store records)."""
        heads = tuple(t for t in (title, *titles) if t)
        state = _Pass(site, heads, set())
        return FirstPass(list(paragraphs), self._run(list(paragraphs), state), state)

    def guessed_pass(self, first: FirstPass, guess: frozenset[str]) -> GuessedPass | None:
        """The second pass with ``guess`` as the learned hashes; None if no paragraph is in it
        (then the first pass is the guessed result)."""
        hashes = (paragraph_hash(p) for p in first.paragraphs)
        present = frozenset(h for h in hashes if h in guess)
        if not present:
            return None
        state = _Pass(first.state.site, first.state.titles, set(present))
        return GuessedPass(present, self._run(list(first.paragraphs), state), state)

    def clean(
        self,
        paragraphs: Sequence[str],
        *,
        title: str | None = None,
        titles: Sequence[str] = (),
        site: SiteConfig | None = None,
        learn: bool = True,
        first: FirstPass | None = None,
        guessed: GuessedPass | None = None,
    ) -> CleanResult:
        """Clean ``paragraphs``; with ``learn`` (and a store and a site) also record them.

        ``title`` and ``titles`` are the page's headline forms: a leading paragraph repeating one goes.
        ``first``: this article's :meth:`first_pass` when already made (then the other arguments
        but ``learn`` are not read again). ``guessed``: its :meth:`guessed_pass`, used if the
        store confirms the guess.
        """
        if first is None:
            first = self.first_pass(paragraphs, title=title, titles=titles, site=site)
        site = first.state.site
        if self.store is not None and site is not None:
            if learn:
                self.store.observe(site.name, first.kept)
            edges = first.kept[: self.store.options.edge] + first.kept[-self.store.options.edge :]
            learned = self.store.boilerplate(site.name, edges)
            if learned:
                if guessed is not None and guessed.confirmed_by(learned):
                    return self._result(guessed.kept, guessed.state)  # made ahead, confirmed
                second = _Pass(site, first.state.titles, learned)
                return self._result(self._run(list(first.paragraphs), second), second)
        return self._result(first.kept, first.state)

    def observe(self, first: FirstPass) -> int:
        """Record one article (its :meth:`first_pass`) in the learned store; the site's article count.

        The clean stage calls this first, may wait until the site has enough articles, then calls
        :meth:`clean` with ``learn=False``: so the first articles of a crawl are cleaned too.
        """
        site = first.state.site
        if self.store is None or site is None:
            return 0
        self.store.observe(site.name, first.kept)
        return self.store.site_articles(site.name)

    # -- one pass ---------------------------------------------------------------------------------

    def _run(self, paras: list[str], ps: _Pass) -> list[str]:
        paras = self._middle(paras, ps)
        paras = self._peel(paras, ps, from_end=False)
        paras = self._peel(paras, ps, from_end=True)
        paras = self._windows(paras, ps)
        if paras:
            credit = self.credits.dateline(paras[0])
            if credit is not None:
                ps.credits.append(credit)
                ps.removed.append(("credit", credit.line))
                paras[0] = credit.remainder
        return paras

    def _middle(self, paras: list[str], ps: _Pass) -> list[str]:
        """Rules specific enough to fire anywhere, and teaser lists after a header."""
        patterns = ps.site.boilerplate.patterns if ps.site else ()
        out: list[str] = []
        in_teasers = in_bullets = False
        for para in paras:
            if (in_teasers and bp.is_teaser_item(para)) or (
                in_bullets and para.startswith(("- ", "• "))
            ):
                ps.removed.append(("chrome", para))
                continue
            in_teasers = in_bullets = False
            if patterns and bp.site_rule(para, patterns):
                ps.removed.append(("rule", para))
            elif bp.is_teaser_header(para):
                ps.removed.append(("chrome", para))
                in_teasers = True
            elif bp.chrome_anywhere(para):
                ps.removed.append(("chrome", para))
                # "Related: X" is often the first of a bulleted teaser list
                in_bullets = bool(bp.TEASER_PREFIX.match(para))
            else:
                out.append(para)
        return out

    def _edge_reason(self, para: str, ps: _Pass, *, at_head: bool) -> Reason | None:
        credit = self._credit(para, ps)
        if credit is not None:
            ps.credits.append(credit)
            return "credit"
        if at_head and bp.is_title_repeat(para, ps.titles):
            return "chrome"
        if at_head and bp.is_date_line(para):
            ps.date_lines.append(para)
            return "chrome"
        if bp.chrome_edge(para):
            return "chrome"
        if ps.learned and paragraph_hash(para) in ps.learned:
            return "learned"
        return None

    @staticmethod
    def _kicker_before_title(paras: list[str], i: int, ps: _Pass) -> bool:
        """A section label ('Local', 'World news') right above a repeated headline."""
        return (
            i + 1 < len(paras)
            and bp.is_kicker(paras[i])
            and bp.is_title_repeat(paras[i + 1], ps.titles)
        )

    def _credit(self, para: str, ps: _Pass) -> Credit | None:
        if ps.site is not None and ps.site.credit_patterns:
            credit = self.credits.site_pattern(para, ps.site.credit_patterns)
            if credit is not None and not credit.remainder:
                return credit
        return self.credits.whole_line(para)

    def _peel(self, paras: list[str], ps: _Pass, *, from_end: bool) -> list[str]:
        order = range(len(paras) - 1, -1, -1) if from_end else range(len(paras))
        cut = len(paras) if from_end else 0
        for i in order:
            reason = self._edge_reason(paras[i], ps, at_head=not from_end)
            if reason is None and not from_end and self._kicker_before_title(paras, i, ps):
                reason = "chrome"
            if reason is None:
                break
            ps.removed.append((reason, paras[i]))
            cut = i if from_end else i + 1
        else:
            return []
        if from_end:
            # a credit suffix on the new last paragraph: '... he said. – NAN'
            kept = paras[:cut]
            if kept and (credit := self.credits.suffix(kept[-1])) is not None:
                ps.credits.append(credit)
                ps.removed.append(("credit", credit.line))
                kept[-1] = credit.remainder
            return kept
        return paras[cut:]

    def _windows(self, paras: list[str], ps: _Pass) -> list[str]:
        """Whole-line credits a little inside the edges (a promo may follow 'Source: X')."""
        n = len(paras)
        out: list[str] = []
        for i, para in enumerate(paras):
            if i < HEAD_WINDOW or i >= n - TAIL_WINDOW:
                credit = self._credit(para, ps)
                if credit is not None and credit.kind not in ("agency", "byline") and n > 1:
                    ps.credits.append(credit)
                    ps.removed.append(("credit", para))
                    continue
            out.append(para)
        return out

    # -- result -----------------------------------------------------------------------------------

    def _result(self, paras: list[str], ps: _Pass) -> CleanResult:
        source, line = self._credited(ps)
        return CleanResult(
            paragraphs=[p for p in paras if p.strip()],
            credited_source=source,
            credit_line=line,
            stripped=[reason for reason, _ in ps.removed],
            removed=ps.removed,
            date_lines=ps.date_lines,
            learned=frozenset(ps.learned),
        )

    def _credited(self, ps: _Pass) -> tuple[str | None, str | None]:
        """The credit naming a publisher other than the site itself; datelines and 'Source:' first."""
        own = set()
        if ps.site is not None:
            own = {
                publisher_key(n) for n in (ps.site.publisher, ps.site.name, *ps.site.aliases) if n
            }
            own |= {
                publisher_key(self.names.normalise(n))
                for n in (ps.site.publisher, *ps.site.aliases)
                if n
            }
        priority = {
            "site": 0,
            "dateline": 1,
            "source": 2,
            "first-appeared": 3,
            "with": 4,
            "suffix": 5,
        }
        named = [c for c in ps.credits if c.source and publisher_key(c.source) not in own]
        if named:
            best = min(named, key=lambda c: priority.get(c.kind, 9))
            return best.source, best.line
        if ps.credits:
            return None, ps.credits[0].line
        return None, None
