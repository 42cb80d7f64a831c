# ruff: noqa: RUF003 - typographic dashes and quotes are what credit lines and pages use
"""The clean stage's core: remove credits, promos, chrome, site rules and learned boilerplate.

Boilerplate sits at the edges of a text, so the edges are *peeled*: from the first and from the last
paragraph inwards, every paragraph that is a credit line, chrome, a site rule or learned boilerplate
goes, until the first one that is none of them; from the end, a paragraph promoting the publishing
site itself (:mod:`pipelines.core.promo`) goes too. Specific rules (``chrome_anywhere``, site
patterns, teaser lists after a "Related" header, runs of paragraphs that are whole links to other
pages) also fire in the middle. A dateline prefix ("MOSCOW (Reuters) -") is cut from the first
paragraph that has one among the first few, keeping the rest of it.

Learning runs in two passes: the text without learned stripping is recorded in the store, then the
store says which of its edge paragraphs recur on this site, and the peeling runs again with those.
A learned pass that would leave less than ``learned_keep_share`` of the first pass's text (a site
whose articles share most of their template) is undone: the article keeps its first-pass text and
``CleanResult.learned_undone`` says so.

Every removal is a :class:`Removal`: the reason (``credit``, ``promo``, ``chrome``, ``rule``,
``learned``), the text and which rule fired, for ``syndicrawl extract --show-removed``.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, NamedTuple

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
from pipelines.core.promo import SiteIdentity, promo_reason

if TYPE_CHECKING:
    from crawler.registry import SiteConfig

logger = logging.getLogger(__name__)

Reason = Literal["credit", "promo", "rule", "learned", "chrome"]
REASONS: tuple[Reason, ...] = ("credit", "promo", "rule", "learned", "chrome")
DEFAULT_LEARNED_KEEP_SHARE = 0.5
_CLICK_TO_TWEET = re.compile(r"\s*click to tweet\W*$", re.IGNORECASE)


class Removal(NamedTuple):
    """One removed paragraph (or dateline prefix, or credit suffix)."""

    reason: Reason
    text: str
    why: str
    """The rule that fired: a credit's form and publisher, a chrome rule, the site pattern, ..."""


@dataclass(slots=True)
class CleanResult:
    paragraphs: list[str]
    credited_source: str | None = None
    credit_line: str | None = None
    stripped: list[Reason] = field(default_factory=list)
    """One reason per removed paragraph or prefix, in the order they were found."""
    removed: list[Removal] = field(default_factory=list)
    """What was removed and why, for ``syndicrawl extract --show-removed`` and debugging."""
    date_lines: list[str] = field(default_factory=list)
    """Date lines cut from under the headline: text-date candidates for the dates stage."""
    learned: frozenset[str] = frozenset()
    """The learned-boilerplate hashes the text was cleaned with (empty: none applied)."""
    learned_undone: bool = False
    """The learned pass would have left too little of the article, so it was not applied."""

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
    identity: SiteIdentity = field(default_factory=SiteIdentity)
    """The publishing site's names, for its self-promotion."""
    linked: frozenset[str] = frozenset()
    """Paragraphs that are whole links to other pages (from the page, :mod:`pagetext`)."""
    links_known: bool = False
    """``linked`` was read from the page (else the text is all there is: no link is known)."""
    credits: list[Credit] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    date_lines: list[str] = field(default_factory=list)

    def drop(self, reason: Reason, text: str, why: str) -> None:
        self.removed.append(Removal(reason, text, why))

    def allows(self, credit: Credit) -> bool:
        """The site's ``credit_styles`` (if any) include this built-in form."""
        styles = self.site.credit_styles if self.site is not None else None
        return styles is None or credit.kind in styles or credit.kind == "site"


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
        self,
        names: PublisherNames | None = None,
        store: LearnedStore | None = None,
        *,
        learned_keep_share: float = DEFAULT_LEARNED_KEEP_SHARE,
    ) -> None:
        if not 0 <= learned_keep_share <= 1:
            raise ValueError(
                f"learned_keep_share must be between 0 and 1, got {learned_keep_share}"
            )
        self.names = names or PublisherNames()
        self.credits = CreditFinder(self.names)
        self.store = store
        self.learned_keep_share = learned_keep_share

    @classmethod
    def for_sites(
        cls,
        sites: Mapping[str, SiteConfig],
        store: LearnedStore | None = None,
        *,
        learned_keep_share: float = DEFAULT_LEARNED_KEEP_SHARE,
    ) -> Cleaner:
        """A cleaner knowing the registry's publishers (credits naming them are recognised)."""
        return cls(registry_names(sites.values()), store, learned_keep_share=learned_keep_share)

    def first_pass(
        self,
        paragraphs: Sequence[str],
        *,
        title: str | None = None,
        titles: Sequence[str] = (),
        site: SiteConfig | None = None,
        identity: SiteIdentity | None = None,
        linked: Iterable[str] | None = None,
    ) -> FirstPass:
        """Credits, promos, chrome and site rules without learned boilerplate (what the store
        records). ``identity``: the publishing site's names (default: the registry entry's);
        ``linked``: the paragraphs that are whole links to other pages (None: not known)."""
        heads = tuple(t for t in (title, *titles) if t)
        who = identity if identity is not None else SiteIdentity.of(site, None)
        state = _Pass(site, heads, set(), who, frozenset(linked or ()), linked is not None)
        return FirstPass(list(paragraphs), self._run(list(paragraphs), state), state)

    def guessed_pass(self, first: FirstPass, guess: frozenset[str]) -> GuessedPass | None:
        """The second pass with ``guess`` as the learned hashes; None if no paragraph is in it
        (then the first pass is the guessed result)."""
        hashes = (paragraph_hash(p) for p in first.paragraphs)
        present = frozenset(h for h in hashes if h in guess)
        if not present:
            return None
        state = self._second_state(first, set(present))
        return GuessedPass(present, self._run(list(first.paragraphs), state), state)

    def clean(
        self,
        paragraphs: Sequence[str],
        *,
        title: str | None = None,
        titles: Sequence[str] = (),
        site: SiteConfig | None = None,
        identity: SiteIdentity | None = None,
        linked: Iterable[str] | None = None,
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
            first = self.first_pass(
                paragraphs, title=title, titles=titles, site=site, identity=identity, linked=linked
            )
        site = first.state.site
        if self.store is not None and site is not None:
            if learn:
                self.store.observe(site.name, first.kept)
            edges = first.kept[: self.store.options.edge] + first.kept[-self.store.options.edge :]
            learned = self.store.boilerplate(site.name, edges)
            if learned:
                if guessed is not None and guessed.confirmed_by(learned):
                    kept, state = guessed.kept, guessed.state  # made ahead, confirmed
                else:
                    state = self._second_state(first, learned)
                    kept = self._run(list(first.paragraphs), state)
                if self._keeps_enough(first.kept, kept):
                    return self._result(kept, state)
                # a site whose articles share their template: learning would eat the article
                undone = self._result(first.kept, first.state)
                undone.learned_undone = True
                return undone
        return self._result(first.kept, first.state)

    def _keeps_enough(self, before: Sequence[str], after: Sequence[str]) -> bool:
        kept = sum(len(p) for p in after if p.strip())
        return kept > 0 and kept >= self.learned_keep_share * sum(len(p) for p in before)

    @staticmethod
    def _second_state(first: FirstPass, learned: set[str]) -> _Pass:
        s = first.state
        return _Pass(s.site, s.titles, learned, s.identity, s.linked, s.links_known)

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
        # the dateline opens the story, which may follow a summary or a caption
        for i in range(min(HEAD_WINDOW, len(paras))):
            credit = self.credits.dateline(paras[i])
            if credit is not None and ps.allows(credit):
                ps.credits.append(credit)
                ps.drop("credit", credit.line, _credit_why(credit))
                if credit.remainder:
                    paras[i] = credit.remainder
                else:  # the dateline was a paragraph of its own
                    del paras[i]
                break
        return paras

    def _middle(self, paras: list[str], ps: _Pass) -> list[str]:
        """Rules specific enough to fire anywhere, teaser lists after a header, runs of links."""
        patterns = ps.site.boilerplate.patterns if ps.site else ()
        out: list[str] = []
        in_teasers = in_bullets = False
        last = len(paras) - 1
        for i, para in enumerate(paras):
            # with the page's links known, a teaser list's items must be links
            linkish = not ps.links_known or para in ps.linked
            if linkish and (
                (in_teasers and bp.is_teaser_item(para))
                or (in_bullets and para.startswith(("- ", "• ")))
            ):
                ps.drop("chrome", para, "an item of a teaser list")
                continue
            in_teasers = in_bullets = False
            if (tweet := _CLICK_TO_TWEET.search(para)) is not None:
                ps.drop("chrome", para[tweet.start() :].strip(), "a share button's label")
                para = para[: tweet.start()].rstrip()
                if not para:
                    continue
            if patterns and (rule := bp.site_rule(para, patterns)) is not None:
                ps.drop("rule", para, f"site pattern {rule}")
            elif bp.is_teaser_header(para):
                ps.drop("chrome", para, "a teaser list's header")
                in_teasers = True
            elif (why := bp.chrome_anywhere(para)) is not None:
                ps.drop("chrome", para, why)
                # "Related: X" is often the first of a bulleted teaser list
                in_bullets = bool(bp.TEASER_PREFIX.match(para))
            elif para in ps.linked and (
                para.startswith(("- ", "• "))
                or (i > 0 and paras[i - 1] in ps.linked)
                or (i < last and paras[i + 1] in ps.linked)
            ):
                ps.drop("chrome", para, "a link to another page, in a list or run of links")
            else:
                out.append(para)
        return out

    def _edge_reason(self, para: str, ps: _Pass, *, at_head: bool) -> tuple[Reason, str] | None:
        credit = self._credit(para, ps)
        if credit is not None:
            ps.credits.append(credit)
            return "credit", _credit_why(credit)
        if at_head and bp.is_title_repeat(para, ps.titles):
            return "chrome", "the headline repeated"
        if at_head and bp.is_date_line(para):
            ps.date_lines.append(para)
            return "chrome", "a date line"
        if not at_head and (promo := promo_reason(para, ps.identity)) is not None:
            return "promo", promo
        if (why := bp.chrome_edge(para)) is not None:
            return "chrome", why
        if para in ps.linked and len(para) <= bp.MAX_LINKED_EDGE_CHARS:
            return "chrome", "a link to another page, at the edge"
        if ps.learned and paragraph_hash(para) in ps.learned:
            return "learned", "recurs in the site's articles"
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
        found = self.credits.whole_line(para)
        return found if found is not None and ps.allows(found) else None

    def _peel(self, paras: list[str], ps: _Pass, *, from_end: bool) -> list[str]:
        order = range(len(paras) - 1, -1, -1) if from_end else range(len(paras))
        cut = len(paras) if from_end else 0
        after_promo = False
        for i in order:
            found = self._edge_reason(paras[i], ps, at_head=not from_end)
            if found is None and not from_end and self._kicker_before_title(paras, i, ps):
                found = "chrome", "a section label above the headline"
            if found is None and after_promo and bp.is_kicker(paras[i]):
                found = "promo", "the heading or slogan of the site's promo"
            if found is None:
                break
            after_promo = from_end and found[0] == "promo"
            ps.drop(found[0], paras[i], found[1])
            cut = i if from_end else i + 1
        else:
            return []
        if from_end:
            # a credit suffix on the new last paragraph: '... he said. – NAN'
            kept = paras[:cut]
            credit = self.credits.suffix(kept[-1]) if kept else None
            if credit is not None and ps.allows(credit):
                ps.credits.append(credit)
                ps.drop("credit", credit.line, _credit_why(credit))
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
                    ps.drop("credit", para, _credit_why(credit))
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
            stripped=[r.reason for r in ps.removed],
            removed=ps.removed,
            date_lines=ps.date_lines,
            learned=frozenset(ps.learned),
        )

    def _credited(self, ps: _Pass) -> tuple[str | None, str | None]:
        """The credit naming a publisher other than the site itself; datelines and 'Source:' first."""
        own = set(ps.identity.keys)  # also the page's own names, with no site file
        if ps.site is not None:
            own |= {
                publisher_key(n) for n in (ps.site.publisher, ps.site.name, *ps.site.aliases) if n
            }
            own |= {
                publisher_key(self.names.normalise(n))
                for n in (ps.site.publisher, *ps.site.aliases)
                if n
            }
        named = [c for c in ps.credits if c.source and publisher_key(c.source) not in own]
        if named:
            # the story's own credit first; a wire that only added reporting or owns a photo last
            best = min(named, key=lambda c: CREDIT_PRIORITY.get(c.kind, 9))
            return best.source, best.line
        if ps.credits:
            return None, ps.credits[0].line
        return None, None


CREDIT_PRIORITY = {
    "site": 0,
    "dateline": 1,
    "source": 2,
    "first-appeared": 2,
    "byline": 3,
    "with": 4,
    "agency": 5,
    "suffix": 5,
    "copyright": 6,
    "contributed": 7,
    "reporting": 8,
}


def _credit_why(credit: Credit) -> str:
    return f"{credit.kind} credit" + (f" naming {credit.source}" if credit.source else "")


def registry_names(sites: Iterable[SiteConfig]) -> PublisherNames:
    """Every publisher the registry names: the sites' own and the ones they carry (a site's own
    entry wins over another site's ``carries`` entry of the same name)."""
    listed = list(sites)
    carried = [(c.publisher, c.aliases) for s in listed for c in s.carries]
    own = [(s.publisher or s.name, s.aliases) for s in listed]
    return PublisherNames([*carried, *own])
