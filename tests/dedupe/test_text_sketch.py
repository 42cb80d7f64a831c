from __future__ import annotations

import numpy as np
import pytest

from pipelines.core.dedupe.sketch import estimate_containment, make_sketch
from pipelines.core.dedupe.text import (
    lead_hash,
    normalise,
    publisher_key,
    shingle_hashes,
    token_hashes,
    tokens,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Hello, World!", "hello world"),
        ("ＦＵＬＬ－ｗｉｄｔｈ", "full width"),
        ("Straße «quoted» — dash", "strasse quoted dash"),
        ("東京で雨", "東 京 で 雨"),
    ],
    ids=["punctuation", "nfkc", "casefold", "cjk-per-char"],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_shingles_are_stable_and_order_sensitive() -> None:
    a = shingle_hashes(token_hashes(tokens("one two three four five six")))
    b = shingle_hashes(token_hashes(tokens("ONE two, three four five six")))
    c = shingle_hashes(token_hashes(tokens("two one three four five six")))
    assert len(a) == 2
    assert np.array_equal(a, b)
    assert a[0] != c[0]
    # Fixed value: the hash must not depend on the process (PYTHONHASHSEED).
    assert int(a[0]) == int(
        shingle_hashes(token_hashes(["one", "two", "three", "four", "five"]))[0]
    )


def test_short_text_gets_one_shingle() -> None:
    assert len(shingle_hashes(token_hashes(tokens("just three words")))) == 1


def test_lead_hash_ignores_what_follows_the_lead(harbour_text: str) -> None:
    words = tokens(harbour_text)
    assert lead_hash(words) == lead_hash(words[:60])
    assert lead_hash(words) != lead_hash(words[1:])


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Al Jazeera", "aljazeera"),
        ("Aljazeera", "aljazeera"),
        ("AlJazeera.com", "aljazeera"),
        ("The Coast Wire", "coastwire"),
        ("", None),
    ],
)
def test_publisher_key(name: str, key: str | None) -> None:
    assert publisher_key(name) == key


def test_containment_of_a_trimmed_copy_is_high_in_both_directions(
    harbour_text: str, orchard_text: str
) -> None:
    full = make_sketch(harbour_text * 3)
    trimmed = make_sketch(
        " ".join((harbour_text * 3).split()[: int(len((harbour_text * 3).split()) * 0.4)])
    )
    assert full.shingles is not None and trimmed.shingles is not None
    down = estimate_containment(full.bottom, full.n_shingles, trimmed.shingles, trimmed.n_shingles)
    up = estimate_containment(trimmed.bottom, trimmed.n_shingles, full.shingles, full.n_shingles)
    assert down.containment > 0.9 and up.containment > 0.9
    other = make_sketch(orchard_text)
    assert other.shingles is not None
    assert (
        estimate_containment(
            full.bottom, full.n_shingles, other.shingles, other.n_shingles
        ).containment
        < 0.1
    )


def test_sketch_pack_roundtrip_is_small(harbour_text: str) -> None:
    from pipelines.core.dedupe.sketch import Sketch

    sk = make_sketch(harbour_text)
    blob = sk.pack()
    assert len(blob) <= 240
    back = Sketch.unpack(blob, sk.lead_hash, sk.body_hash)
    assert np.array_equal(back.bottom, sk.bottom) and back.n_shingles == sk.n_shingles
