"""Language of the body text: detected from the text (py3langid), declared metadata as fallback.

A page's declared language (``<html lang>``, ``og:locale``, the site config) describes its chrome,
not necessarily the article: an English aggregator carrying a Spanish story declares ``en``. So a
confident detection on the body wins; short or ambiguous texts keep the declared language.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

MIN_CHARS = 120  # below this, detection is noise
MIN_PROBABILITY = 0.9
SAMPLE_CHARS = 700
_lock = threading.Lock()


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str, declared: str | None = None) -> str | None:
    """ISO 639-1 code of ``text``; ``declared`` when the text is too short or the guess unsure."""
    # langid's cost grows with the sample: on the 257 fundus articles (20 languages), 700 chars
    # give the same language as 1,500 on every one, every guess >= MIN_PROBABILITY, at half the
    # cost (1.1 vs 2.3 ms); 500 chars lose confidence on two
    sample = text[:SAMPLE_CHARS]
    if len(sample) < MIN_CHARS:
        return declared
    with _lock:  # the identifier keeps per-call buffers
        language, probability = _identifier().classify(sample)
    if probability >= MIN_PROBABILITY:
        return str(language)
    return declared
