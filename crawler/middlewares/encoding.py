"""Decode HTML whose charset label may be wrong (pure: no Scrapy).

Pages lie about their encoding: cp1251 or Shift_JIS served as UTF-8, Windows-1252 served as UTF-8,
UTF-8 served as ISO-8859-1. :func:`decode_html` trusts, in order, a byte-order mark, then each
declared charset (the Content-Type header's, then the page's ``<meta>``) that decodes the body
without errors and reads as text, then charset-normalizer's guess, then w3lib's lenient decoding.

"Reads as text" matters for single-byte charsets, which decode any bytes: cp1251 bytes decoded as
cp1252 give "Ãîðîäñêîé". A body that is valid UTF-8 is taken as UTF-8 whatever the label (random
legacy text is almost never valid UTF-8); otherwise charset-normalizer must find the declared
decoding coherent, or its own guess wins.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes
from w3lib.encoding import html_body_declared_encoding, html_to_unicode, read_bom

# WHATWG treats these labels as windows-1252: browsers decode them that way, so pages rely on it.
_AS_CP1252 = {"latin_1", "iso8859_1", "ascii", "cp1252"}
_WIDE = ("utf_16", "utf_32")  # prefixes, compared with "-" read as "_"
_TAG = re.compile(
    rb"<(?:script|style)\b.*?</(?:script|style)\s*>|<[^>]*>", re.DOTALL | re.IGNORECASE
)
# Below this many non-ASCII bytes there is too little text to second-guess a declared charset.
_MIN_EVIDENCE = 16


def normalize_encoding(label: str | None) -> str | None:
    """Python's codec name for a charset label, WHATWG-style (latin-1 -> cp1252); None if unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return "cp1252" if name.replace("-", "_") in _AS_CP1252 else name


def _is_wide(name: str) -> bool:
    return name.replace("-", "_").startswith(_WIDE)


def _is_utf8(name: str) -> bool:
    return name.replace("-", "_") in {"utf_8", "utf_8_sig"}


def _text_bytes(body: bytes) -> bytes:
    """The body without tags, scripts and styles: what charset detection should look at."""
    return _TAG.sub(b" ", body)


def _reads_as(body: bytes, encoding: str) -> bool:
    """Whether charset-normalizer finds ``encoding`` a coherent decoding of the page's text."""
    text = _text_bytes(body)
    if sum(b > 0x7F for b in text) < _MIN_EVIDENCE:
        return True
    return from_bytes(text, cp_isolation=[encoding]).best() is not None


def _guess(body: bytes) -> str | None:
    matches = from_bytes(_text_bytes(body))
    best = matches.best()
    if best is None:
        return None
    # Western text in Latin-1/cp1252 decodes identically under cp1250, cp1257, iso8859_10, ... and
    # charset-normalizer may rank one of those first ("Peñascal" -> "Peńascal"). On a tie, take
    # cp1252: browsers' default for legacy pages and by far the most common.
    for match in matches:
        if (
            normalize_encoding(match.encoding) == "cp1252"
            and match.chaos <= best.chaos
            and match.coherence >= best.coherence
        ):
            return "cp1252"
    return normalize_encoding(best.encoding)


def decode_html(body: bytes, declared: str | None) -> tuple[str, str]:
    """The page's text and the encoding used (a Python codec name such as ``utf-8``, ``cp1251``).

    ``declared`` is the Content-Type header's charset (or None). The last resort decodes with
    replacement characters (U+FFFD), so callers that must refuse garbage can count them.
    """
    bom = read_bom(body)
    if bom[0] is not None:
        bom_name = normalize_encoding(bom[0]) or "utf-8"
        return body[len(bom[1]) :].decode(bom_name, errors="replace"), bom_name

    candidates: list[str] = []
    for label in (declared, html_body_declared_encoding(body)):
        found = normalize_encoding(label)
        # A UTF-16/32 label on a body without a BOM and without NULs is a mistake (WHATWG: use UTF-8).
        if (
            found
            and found not in candidates
            and not (_is_wide(found) and b"\x00" not in body[:512])
        ):
            candidates.append(found)

    if body.isascii():
        name = next((c for c in candidates if not _is_wide(c)), "utf-8")
        return body.decode("ascii"), name

    for name in candidates:
        try:
            text = body.decode(name)
        except UnicodeDecodeError:
            continue  # the label is wrong: this charset cannot even decode the bytes
        if _is_utf8(name):
            return text, name
        try:
            return body.decode("utf-8"), "utf-8"  # valid UTF-8 under a legacy label
        except UnicodeDecodeError:
            pass
        if _reads_as(body, name):
            return text, name

    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    guess = _guess(body)
    if guess is not None:
        try:
            return body.decode(guess), guess
        except UnicodeDecodeError:
            pass
    content_type = f"text/html; charset={declared}" if declared else None
    used, text = html_to_unicode(content_type, body)
    return text, normalize_encoding(used) or used


def utf8_body(encoding: str, text: str, body: bytes) -> bytes | None:
    """``body`` (less a BOM) when it is exactly ``text`` in UTF-8, else None: a response decoded as
    UTF-8 with no replacement character in its text. The pool sends pages as UTF-8, so such a
    page is sent as it came instead of encoded again (~0.4 ms for a 275 KB page of non-ASCII
    text)."""
    try:
        if codecs.lookup(encoding).name != "utf-8":
            return None
    except LookupError:
        return None
    if "\ufffd" in text:  # an invalid sequence replaced, or a real U+FFFD: encode to be sure
        return None
    return body[len(codecs.BOM_UTF8) :] if body.startswith(codecs.BOM_UTF8) else body
