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
_lock = threading.Lock()


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str, declared: str | None = None) -> str | None:
    """ISO 639-1 code of ``text``; ``declared`` when the text is too short or the guess unsure."""
    sample = text[:1500]  # enough for a confident guess; langid cost grows with the sample
    if len(sample) < MIN_CHARS:
        return declared
    with _lock:  # the identifier keeps per-call buffers
        language, probability = _identifier().classify(sample)
    if probability >= MIN_PROBABILITY:
        return str(language)
    return declared
