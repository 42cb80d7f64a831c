"""decode_html on mislabelled pages built from our own sentences, and the EncodingMiddleware."""

from __future__ import annotations

import codecs

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.middlewares.encoding import decode_html, normalize_encoding
from crawler.middlewares.recode import EncodingMiddleware

RUSSIAN = (
    "Городской совет утвердил новый бюджет на строительство моста через реку. "
    "Жители ждали этого решения почти десять лет, и теперь работы начнутся весной."
)
JAPANESE = (
    "市議会は川に架かる新しい橋の建設予算を承認した。"
    "住民はこの決定を十年近く待っており、工事は春に始まる予定だ。"
)
FRENCH = (
    "Le conseil municipal a approuvé le budget du nouveau pont sur la rivière. "
    "Les habitants attendaient cette décision depuis près de dix ans ; les travaux "
    "commenceront au printemps, à l'été au plus tard."
)


def page(text: str, meta: str | None = None) -> str:
    head = f'<meta charset="{meta}">' if meta else ""
    return f"<!doctype html><html><head>{head}<title>Conseil</title></head><body><p>{text}</p></body></html>"


def same(a: str, b: str) -> bool:
    return codecs.lookup(a).name == codecs.lookup(b).name


CASES = [
    # (id, text, bytes encoded as, label declared, acceptable encodings found)
    ("cp1251-as-utf8", RUSSIAN, "cp1251", "utf-8", {"cp1251"}),
    ("cp1251-as-latin1", RUSSIAN, "cp1251", "iso-8859-1", {"cp1251"}),
    ("cp1251-unlabelled", RUSSIAN, "cp1251", None, {"cp1251"}),
    ("cp1251-correct", RUSSIAN, "cp1251", "windows-1251", {"cp1251"}),
    ("koi8r-correct", RUSSIAN, "koi8-r", "koi8-r", {"koi8-r"}),
    ("sjis-as-utf8", JAPANESE, "shift_jis", "utf-8", {"shift_jis", "cp932"}),
    ("sjis-as-latin1", JAPANESE, "shift_jis", "iso-8859-1", {"shift_jis", "cp932"}),
    ("sjis-unlabelled", JAPANESE, "shift_jis", None, {"shift_jis", "cp932"}),
    ("sjis-correct", JAPANESE, "shift_jis", "Shift_JIS", {"shift_jis"}),
    ("cp1252-as-utf8", FRENCH, "cp1252", "utf-8", {"cp1252", "cp1250", "latin-1", "iso8859-15"}),
    ("cp1252-correct-latin1-label", FRENCH, "cp1252", "ISO-8859-1", {"cp1252"}),
    ("utf8-as-latin1", FRENCH, "utf-8", "iso-8859-1", {"utf-8"}),
    ("utf8-as-cp1251", RUSSIAN, "utf-8", "windows-1251", {"utf-8"}),
    ("utf8-as-sjis", JAPANESE, "utf-8", "shift_jis", {"utf-8"}),
    ("utf8-correct", JAPANESE, "utf-8", "utf-8", {"utf-8"}),
    ("utf8-unlabelled", FRENCH, "utf-8", None, {"utf-8"}),
]


@pytest.mark.parametrize(
    ("text", "encoding", "label", "accepted"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_decode_html_finds_the_real_encoding(
    text: str, encoding: str, label: str | None, accepted: set[str]
) -> None:
    decoded, used = decode_html(page(text).encode(encoding), label)
    assert text in decoded
    assert "\ufffd" not in decoded
    assert any(same(used, a) for a in accepted), used


def test_meta_charset_is_used_when_the_header_says_nothing() -> None:
    decoded, used = decode_html(page(RUSSIAN, meta="windows-1251").encode("cp1251"), None)
    assert RUSSIAN in decoded and same(used, "cp1251")


def test_wrong_header_loses_to_a_right_meta() -> None:
    decoded, used = decode_html(page(RUSSIAN, meta="windows-1251").encode("cp1251"), "iso-8859-1")
    assert RUSSIAN in decoded and same(used, "cp1251")


def test_bom_wins() -> None:
    decoded, used = decode_html(codecs.BOM_UTF8 + page(FRENCH).encode("utf-8"), "windows-1251")
    assert FRENCH in decoded and same(used, "utf-8")
    assert not decoded.startswith("\ufeff")


def test_ascii_page_keeps_its_label() -> None:
    decoded, used = decode_html(b"<html><body>plain words</body></html>", "iso-8859-1")
    assert decoded == "<html><body>plain words</body></html>" and used == "cp1252"


def test_utf16_label_on_ascii_bytes_is_ignored() -> None:
    _, used = decode_html(b"<html><body>plain words</body></html>", "utf-16")
    assert same(used, "utf-8")


def test_a_few_accents_under_a_legacy_label_are_trusted() -> None:
    # Too little text to second-guess: "é" alone in cp1252 stays cp1252.
    decoded, used = decode_html(page("Caf\u00e9 ouvert").encode("cp1252"), "windows-1252")
    assert "Café ouvert" in decoded and used == "cp1252"


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("latin-1", "cp1252"),
        ("ISO-8859-1", "cp1252"),
        ("us-ascii", "cp1252"),
        ("UTF8", "utf-8"),
        ("x-nonsense", None),
        (None, None),
    ],
)
def test_normalize_encoding(label: str | None, expected: str | None) -> None:
    assert normalize_encoding(label) == expected


def test_middleware_fixes_a_mislabelled_article_and_counts() -> None:
    crawler = get_crawler()
    mw = EncodingMiddleware(stats=crawler.stats)
    request = Request("https://news.example/a", meta={"site": "wire", "kind": "article"})
    response = HtmlResponse(
        request.url,
        body=page(RUSSIAN).encode("cp1251"),
        headers={"Content-Type": "text/html; charset=utf-8"},
        request=request,
    )
    assert RUSSIAN not in response.text  # what Scrapy alone would hand the spider
    fixed = mw.process_response(request, response)
    assert RUSSIAN in fixed.text and fixed.encoding == "cp1251"
    assert crawler.stats.get_value("syndicrawl/site/wire/fetch/encoding_corrected_count") == 1


def test_middleware_leaves_correct_pages_and_other_kinds_alone() -> None:
    mw = EncodingMiddleware()
    good = Request("https://news.example/a", meta={"kind": "article"})
    response = HtmlResponse(
        good.url,
        body=page(FRENCH).encode("utf-8"),
        headers={"Content-Type": "text/html; charset=utf-8"},
        request=good,
    )
    assert mw.process_response(good, response) is response
    feed = Request("https://news.example/rss", meta={"kind": "feed"})
    response = HtmlResponse(
        feed.url,
        body=page(RUSSIAN).encode("cp1251"),
        headers={"Content-Type": "text/html; charset=utf-8"},
        request=feed,
    )
    assert mw.process_response(feed, response) is response


def _response(body: bytes, charset: str) -> HtmlResponse:
    return HtmlResponse(
        "https://news.example/a.html",
        body=body,
        headers={"Content-Type": f"text/html; charset={charset}"},
    )


@pytest.mark.parametrize("text", [RUSSIAN, JAPANESE, FRENCH, "plain ASCII text"])
def test_a_utf8_body_is_sent_as_it_came(text: str) -> None:
    from crawler.middlewares.encoding import utf8_body

    body = page(text).encode("utf-8")
    response = _response(codecs.BOM_UTF8 + body, "utf-8")
    sent = utf8_body(response.encoding, response.text, response.body)
    assert sent == body == response.text.encode("utf-8")  # the BOM left out, as in the text


def test_a_body_that_is_not_the_texts_utf8_is_not_sent_as_it_came() -> None:
    from crawler.middlewares.encoding import utf8_body

    cp1251 = _response(page(RUSSIAN).encode("cp1251"), "cp1251")
    assert utf8_body(cp1251.encoding, cp1251.text, cp1251.body) is None
    # invalid UTF-8 decodes with replacement characters: the body is not the text's UTF-8
    broken = _response(page(FRENCH).encode("utf-8") + b"\xff\xfe tail", "utf-8")
    assert "\ufffd" in broken.text
    assert utf8_body(broken.encoding, broken.text, broken.body) is None
    assert utf8_body("no-such-codec", "x", b"x") is None


@pytest.mark.parametrize("text", [RUSSIAN, JAPANESE, FRENCH])
def test_a_page_scrapy_read_as_utf8_is_not_decoded_again(text: str, monkeypatch) -> None:
    import crawler.middlewares.recode as recode

    def no_second_decode(body: bytes, declared: str | None) -> tuple[str, str]:
        raise AssertionError("decode_html ran on a page Scrapy read as UTF-8")

    monkeypatch.setattr(recode, "decode_html", no_second_decode)
    request = Request("https://news.example/a", meta={"kind": "article"})
    # labelled UTF-8 in the header, or only in the page (Scrapy reads the <meta> then)
    for headers in ({"Content-Type": "text/html; charset=utf-8"}, {"Content-Type": "text/html"}):
        response = HtmlResponse(
            request.url,
            body=page(text, meta="utf-8").encode("utf-8"),
            headers=headers,
            request=request,
        )
        assert EncodingMiddleware().process_response(request, response) is response
        assert text in response.text
    # the bytes are not UTF-8 although the label says so: decode_html does run
    bad = HtmlResponse(
        request.url,
        body=page(RUSSIAN).encode("cp1251"),
        headers={"Content-Type": "text/html; charset=utf-8"},
        request=request,
    )
    with pytest.raises(AssertionError, match="decode_html ran"):
        EncodingMiddleware().process_response(request, bad)
