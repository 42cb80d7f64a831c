"""The one vocabulary of outcomes: what each figure is called in the summary, ``runs``, the report
and the progress line, and the stat key it is counted under.

``name`` is the field of a run document's figures (:class:`crawler.monitoring.figures.SiteFigures`);
``label`` is the word people see in every table; ``stat`` is the key without the ``syndicrawl/``
prefix (also per site: ``syndicrawl/site/<site>/<stat>``). docs/operations.md carries the same table
(a test keeps the two in step).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Outcome:
    name: str
    label: str
    stat: str
    meaning: str


OUTCOMES: tuple[Outcome, ...] = (
    Outcome(
        "discovered",
        "discovered",
        "discovery/discovered_count",
        "article URLs found in feeds, sitemaps and listings (each once)",
    ),
    Outcome(
        "skipped_unchanged",
        "unchanged",
        "discovery/skipped_unchanged_count",
        "articles found again whose date did not change since an earlier run: not fetched",
    ),
    Outcome("fetched", "fetched", "fetch/article_fetched_count", "article pages fetched"),
    Outcome(
        "not_modified",
        "not modified",
        "fetch/not_modified_count",
        "article fetches answered 304 Not Modified",
    ),
    Outcome(
        "failed",
        "failed",
        "fetch/failed_count/<reason>",
        "requests that failed for good (after retries): timeouts, HTTP errors, too large, ...",
    ),
    Outcome(
        "refused",
        "refused",
        "fetch/refused_count/<reason>",
        "requests our own policy refused before sending them: robots.txt, the address guard, "
        "the request budget (not errors of the site)",
    ),
    Outcome(
        "exported",
        "exported",
        "export/exported_count",
        "article records written to the output",
    ),
    Outcome(
        "unchanged",
        "same text",
        "revisit/unchanged_count",
        "articles fetched again whose text had not changed: not exported again",
    ),
    Outcome(
        "dropped",
        "dropped",
        "<stage>/dropped_count/<Reason>",
        "articles a stage dropped (too short, no text, duplicate, ...), by reason",
    ),
    Outcome(
        "linked",
        "linked",
        "syndication/linked_count",
        "exported republications linked to their original",
    ),
    Outcome(
        "stripped",
        "stripped",
        "clean/stripped_count/<kind>",
        "boilerplate blocks (promos, credit lines, ...) removed from article text",
    ),
    Outcome(
        "missing_date",
        "no date",
        "monitor/undated_count",
        "exported articles without a publication date",
    ),
    Outcome(
        "missing_text", "no text", "monitor/no_text_count", "exported articles without body text"
    ),
    Outcome("bytes", "bytes", "monitor/response_bytes", "response bytes downloaded"),
)
BY_NAME = {o.name: o for o in OUTCOMES}


def label(name: str) -> str:
    """The word for the figure ``name`` (a :class:`SiteFigures` field)."""
    return BY_NAME[name].label


# Fetch failures that are our own policy, not the site's fault: counted as ``refused``.
POLICY_REFUSALS = frozenset({"robots", "robots_forbidden", "refused_address", "budget_exceeded"})

SUMMARY_FIGURES = ("fetched", "exported", "linked", "skipped_unchanged", "failed", "refused")
"""The columns of a crawl's summary table, in order."""
RUNS_FIGURES = ("exported", "failed", "refused")
"""The outcome columns of ``syndicrawl runs`` and the report's runs table."""
PROGRESS_FIGURES = tuple(
    (label(name), BY_NAME[name].stat) for name in ("fetched", "exported", "skipped_unchanged")
)
"""The figures of the progress line: (label, stat key without the prefix)."""
