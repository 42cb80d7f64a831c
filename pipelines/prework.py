"""Pure work of the clean and syndication stages, done ahead in the extract stage's pool worker.

The crawl process should keep only what needs its state: the learned-boilerplate store (clean
stage) and the syndication index. So the extract task also runs the clean stage's first pass
(credits, chrome, site rules: no store) and sketches the text that pass leaves. The stages use
this work only where it matches: the clean stage when the paragraphs and headlines are the ones
the pass saw, the syndication stage when the final text is the text sketched (no learned
boilerplate was cut after it). Otherwise they do the work themselves, as without a pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipelines.core.dedupe.sketch import Sketch, make_sketch

if TYPE_CHECKING:
    from crawler.registry import SiteConfig
    from pipelines.core.cleaning import Cleaner, FirstPass

HINT_PREWORK = "prework"


@dataclass(slots=True)
class Prework:
    first_pass: FirstPass
    """The clean stage's first pass, its site detached (the crawl process has its own)."""
    text: str
    """The text the first pass leaves, as the clean stage would join it."""
    sketch: Sketch | None
    """``make_sketch(text)``; None for an empty text."""

    def first_pass_for(
        self, paragraphs: list[str], titles: tuple[str, ...], site: SiteConfig | None
    ) -> FirstPass | None:
        """The first pass, re-attached to ``site``, if it was made on these inputs."""
        first = self.first_pass
        if first.paragraphs != paragraphs or first.state.titles != titles:
            return None
        first.state.site = site
        return first

    def sketch_for(self, text: str | None) -> Sketch | None:
        return self.sketch if text is not None and text == self.text else None


def prework(
    cleaner: Cleaner, paragraphs: list[str], titles: tuple[str, ...], site: SiteConfig | None
) -> Prework:
    first = cleaner.first_pass(paragraphs, titles=titles, site=site)
    text = "\n\n".join(p for p in first.kept if p.strip())
    first.state.site = None  # not pickled back: the crawl process re-attaches its SiteConfig
    return Prework(first, text, make_sketch(text) if text.strip() else None)
