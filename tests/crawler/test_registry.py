from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from crawler.registry import SiteConfigError, load_sites, parse_site

GOOD = {
    "name": "harbor-times",
    "publisher": "Harbor Times",
    "role": "original",
    "base_url": "https://harbor.example/",
    "start": {"rss": ["/rss.xml"], "listings": [{"url": "/news/", "next": "a.next::attr(href)"}]},
    "article_url_pattern": r"/news/\d{4}/",
    "language": "en",
    "timezone": "Europe/London",
    "credit_patterns": [r"^Source:\s*(?P<source>.+)$"],
}


def write(folder: Path, name: str, data: object) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data, encoding="utf-8")
    return path


def test_good_site_loads(tmp_path: Path) -> None:
    write(tmp_path, "harbor.yaml", GOOD)
    site = load_sites(tmp_path)["harbor-times"]
    assert site.domains == ("harbor.example",)
    assert site.absolute("/rss.xml") == "https://harbor.example/rss.xml"
    assert site.is_article_url("https://harbor.example/news/2026/a.html")
    assert not site.is_article_url("https://harbor.example/about")
    assert site.owns("https://www.harbor.example/x") and not site.owns("https://evil.example/")
    assert site.languages == ("en",)


def test_site_with_port_owns_only_that_port() -> None:
    site = parse_site(GOOD).with_base_url("http://127.0.0.1:8001/")
    assert site.owns("http://127.0.0.1:8001/news/2026/a.html")
    assert not site.owns("http://127.0.0.1:8002/news/2026/a.html")


@pytest.mark.parametrize(
    ("change", "field", "allowed"),
    [
        ({"role": "wire"}, "role", "'original' or 'syndicator'"),
        ({"name": "../../x"}, "name", "lowercase letters"),
        ({"timezone": "Mars/Olympus"}, "timezone", "IANA time zone"),
        ({"language": "english"}, "language", "ISO 639-1"),
        (
            {"article_url_pattern": "(unclosed"},
            "article_url_pattern",
            "valid Python regular expression",
        ),
        ({"start": {}}, "start", "at least one feed"),
        ({"start": {"rss": ["ftp://x/"]}}, "start.rss", "http(s) URL"),
        ({"start": {"podcasts": ["/p"]}}, "start.podcasts", "one of"),
        ({"carries": "Reuters"}, "carries", "a list of publisher names"),
        ({"carries": [{"name": "Reuters"}]}, "carries[0]", "a publisher name or a mapping"),
        ({"carries": [{"publisher": ""}]}, "carries[0]", "a publisher name or a mapping"),
        ({"credit_styles": ["dateline", "footnote"]}, "credit_styles", "some of ['dateline'"),
        ({"render_javascript": "yes"}, "render_javascript", "true or false"),
        ({"credit_patterns": ["^Source: (.+)$"]}, "credit_patterns", "named group"),
        ({"politeness": {"concurrency": 0}}, "politeness.concurrency", "1 to 64"),
        ({"boilerplate": {"selectors": ["div[["]}}, "boilerplate.selectors", "valid CSS selector"),
        ({"colour": "blue"}, "colour", "known fields"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_bad_field_gives_one_clear_line(
    tmp_path: Path, change: dict, field: str, allowed: str
) -> None:
    path = write(tmp_path, "bad.yaml", {**GOOD, **change})
    with pytest.raises(SiteConfigError) as info:
        load_sites(tmp_path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: field '{field}': bad value ")
    assert allowed in message


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    bad = {
        **GOOD,
        "role": "wire",
        "language": "english",
        "colour": "blue",
        "politeness": {"concurrency": 0, "delay": "slow"},
        "start": {"rss": ["/rss.xml"], "listings": [{"next": "a.next"}]},
    }
    path = write(tmp_path, "bad.yaml", bad)
    with pytest.raises(SiteConfigError) as info:
        load_sites(tmp_path)
    lines = str(info.value).splitlines()
    fields = {problem.field for problem in info.value.problems}
    assert fields == {
        "role",
        "language",
        "colour",
        "politeness.concurrency",
        "politeness.delay",
        "start.listings[0]",  # a listing without its url
    }
    assert len(lines) == len(fields) and all(line.startswith(f"{path}: field '") for line in lines)
    assert f"{path}: field 'politeness.delay': bad value 'slow': seconds from 0 to 600" in lines


def test_checks_beyond_the_schema_are_all_reported_too(tmp_path: Path) -> None:
    bad = {
        **GOOD,
        "article_url_pattern": "(unclosed",
        "timezone": "Mars/Olympus",
        "credit_patterns": ["^Source: (.+)$"],
        "boilerplate": {"selectors": ["div[["]},
    }
    write(tmp_path, "bad.yaml", bad)
    with pytest.raises(SiteConfigError) as info:
        load_sites(tmp_path)
    fields = [problem.field for problem in info.value.problems]
    assert fields == [
        "article_url_pattern",
        "timezone",
        "boilerplate.selectors",
        "credit_patterns",
    ]


def test_the_schema_is_a_valid_json_schema_and_names_every_field() -> None:
    import jsonschema

    from crawler.site_schema import site_schema

    schema = site_schema()
    jsonschema.validators.validator_for(schema).check_schema(schema)
    for name, field_schema in schema["properties"].items():
        assert "x-allowed" in field_schema or "$ref" in field_schema, name


def test_yaml_is_loaded_safely(tmp_path: Path) -> None:
    write(tmp_path, "evil.yaml", "!!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(SiteConfigError, match="valid YAML"):
        load_sites(tmp_path)


def test_duplicate_names_rejected(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "b.yaml", GOOD)
    with pytest.raises(SiteConfigError, match="not already used"):
        load_sites(tmp_path)


def test_empty_or_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(SiteConfigError, match="at least one"):
        load_sites(tmp_path)
    with pytest.raises(SiteConfigError, match="existing folder"):
        load_sites(tmp_path / "nope")


def test_crawl_command_rejects_bad_file_with_exit_2(tmp_path: Path, run_cli) -> None:
    sites = tmp_path / "sites"
    sites.mkdir()
    write(sites, "bad.yaml", {**GOOD, "role": "wire"})
    result = run_cli("crawl", "--sites", str(sites), "--output", str(tmp_path / "out"))
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [
        f"syndicrawl: {sites / 'bad.yaml'}: field 'role': bad value 'wire': 'original' or 'syndicator'"
    ]
    assert not (tmp_path / "out").exists()


def test_carried_publishers_and_credit_styles_load() -> None:
    site = parse_site(
        {
            **GOOD,
            "carries": ["Meridian Wire", {"publisher": "Reuters", "aliases": ["Thomson Reuters"]}],
            "credit_styles": ["dateline", "with"],
        }
    )
    assert [(c.publisher, c.aliases) for c in site.carries] == [
        ("Meridian Wire", ()),
        ("Reuters", ("Thomson Reuters",)),
    ]
    assert site.credit_styles == {"dateline", "with"}
    assert parse_site(GOOD).credit_styles is None and parse_site(GOOD).carries == ()


def test_the_site_examples_in_docs_extraction_load() -> None:
    import re

    doc = Path(__file__).resolve().parents[2] / "docs" / "extraction.md"
    blocks = re.findall(r"```yaml\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 4
    for block in blocks:
        parse_site(yaml.safe_load(block), str(doc))
