"""Project-level checks: packaging, no network, schema drift."""

from __future__ import annotations

import ast
import re
import socket
import sys
from pathlib import Path

import jsonschema
import pytest

import crawler
import pipelines
import syndicrawl_tools
from crawler.cli import build_parser
from crawler.declarations import OPTIONS
from crawler.items import (
    SCHEMA_VERSION,
    ArticleItem,
    Syndication,
    exported_field_names,
    load_schema,
    to_record,
)

REPO = Path(__file__).resolve().parent.parent


def test_packages_are_this_repo_not_pypi_namesakes() -> None:
    assert Path(crawler.__file__).resolve().is_relative_to(REPO)
    assert Path(pipelines.__file__).resolve().is_relative_to(REPO)
    assert Path(syndicrawl_tools.__file__).resolve().is_relative_to(REPO)


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", ["crawler", "pipelines"])
def test_product_packages_never_import_the_tools(package: str) -> None:
    offenders = {
        str(path.relative_to(REPO)): sorted(
            name for name in imported_modules(path) if name.split(".")[0] == "syndicrawl_tools"
        )
        for path in sorted((REPO / package).rglob("*.py"))
    }
    assert not {path: names for path, names in offenders.items() if names}


SETTING_NAME = re.compile(r"SYNDICRAWL_[A-Z_]+")
# Where a SYNDICRAWL_* name may still be written as a string literal, and why. Everywhere else in
# crawler/ and pipelines/ a component reads its settings through its options class and names one
# with crawler.config.setting_name, so each name is written once, in its declaration.
LITERALS_ALLOWED: dict[str, tuple[frozenset[str] | None, str]] = {
    "crawler/envsettings.py": (
        frozenset({"SYNDICRAWL_LOG_LEVEL", "SYNDICRAWL_VENV"}),
        "environment variables read on purpose that are no settings: the alias of Scrapy's "
        "LOG_LEVEL, and deploy/setup.sh's virtual environment",
    ),
}


def setting_literals(path: Path) -> set[str]:
    """SYNDICRAWL_* names in the module's string literals (f-string parts too), docstrings aside:
    documentation may name a setting, code may not."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return {
        name
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        if id(node) not in docstrings
        for name in SETTING_NAME.findall(node.value)
    }


def declaring_modules() -> set[str]:
    """crawler/config.py and the modules of the options classes: where names are declared."""
    files = {REPO / "crawler" / "config.py"}
    files |= {Path(str(sys.modules[cls.__module__].__file__)) for cls in OPTIONS}
    return {str(path.resolve().relative_to(REPO)) for path in files}


def test_setting_names_are_written_only_where_they_are_declared() -> None:
    exempt = declaring_modules()
    offenders: dict[str, list[str]] = {}
    for package in ("crawler", "pipelines"):
        for path in sorted((REPO / package).rglob("*.py")):
            relative = str(path.relative_to(REPO))
            if relative in exempt:
                continue
            allowed = LITERALS_ALLOWED.get(relative, (frozenset(), ""))[0]  # None: any name
            names = set() if allowed is None else setting_literals(path) - allowed
            if names:
                offenders[relative] = sorted(names)
    assert not offenders, (
        "read these through the component's options class (crawler.config.read_options) or name "
        "them with crawler.config.setting_name"
    )


def test_the_allow_list_holds_only_what_is_still_there() -> None:
    for relative, (allowed, why) in LITERALS_ALLOWED.items():
        assert why, f"{relative}: say why it is allowed"
        found = setting_literals(REPO / relative)
        assert found, f"{relative} names no setting any more: drop it from LITERALS_ALLOWED"
        if allowed is not None:
            assert allowed <= found, f"{relative} no longer names {sorted(allowed - found)}"
    assert "crawler/config.py" in declaring_modules()
    assert "pipelines/stage_options.py" in declaring_modules()


def test_tools_commands_reach_the_console_script_through_entry_points() -> None:
    # `pip install -e .` registers them (pyproject's syndicrawl.commands group); the product's
    # own parser lists them beside its commands without importing the tools itself.
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert {"demo", "bench", "eval", "crawl", "extract", "export", "report", "runs"} <= set(
        commands
    )


def test_outside_connections_are_blocked() -> None:
    with (
        pytest.warns(UserWarning, match="allowed"),
        pytest.raises(Exception, match="(?i)socket|blocked|allowed"),
    ):
        socket.create_connection(("93.184.216.34", 80), timeout=2)


def test_item_fields_equal_schema_properties() -> None:
    schema = load_schema()
    assert exported_field_names() == list(schema["properties"]), (
        "crawler/items.py ArticleItem and crawler/schemas/article.v1.json differ: "
        "add/remove the field in both and bump SCHEMA_VERSION's minor part"
    )
    syndication_fields = list(Syndication.__dataclass_fields__)
    assert syndication_fields == list(schema["properties"]["syndication"]["properties"])


def test_schema_version_matches_file() -> None:
    assert SCHEMA_VERSION.split(".")[0] == "1"
    assert load_schema()["properties"]["schema_version"]["pattern"].startswith("^1")


def test_full_record_validates() -> None:
    item = ArticleItem(
        url="https://example.com/a",
        canonical_url="https://example.com/a",
        site="example",
        title="T",
        authors=["A B"],
        published_at="2026-11-27T08:30:00+00:00",
        published_at_raw="27 Nov 2026",
        published_at_source="text",
        language="en",
        text="Body.",
        content_sha256="0" * 64,
        fetched_at="2026-11-27T09:00:00+00:00",
        syndication=Syndication(
            status="republication",
            original_url="https://o.example/x",
            original_site="o",
            cluster_id="c-0123456789abcdef",
            similarity=0.97,
            evidence=["credit:O"],
        ),
    )
    jsonschema.validate(to_record(item), load_schema())


@pytest.mark.parametrize(
    ("field", "value"),
    [("published_at", "2026-11-27 08:30"), ("language", "english"), ("content_sha256", "xyz")],
    ids=["naive-date", "long-language", "bad-sha"],
)
def test_schema_rejects_bad_values(field: str, value: str) -> None:
    record = to_record(ArticleItem(url="https://example.com/a"))
    record[field] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(record, load_schema())


def test_internal_fields_are_not_exported() -> None:
    record = to_record(ArticleItem(url="https://e.com/", html="<p>x</p>", hints={"a": 1}))
    assert "html" not in record and "hints" not in record and "stripped" not in record


def test_item_repr_leaves_the_page_out() -> None:
    # Scrapy logs a dropped item's repr: a whole page per drop would flood the log
    item = ArticleItem(url="https://e.com/a", html="<html>" + "x" * 100_000 + "</html>")
    shown = repr(item)
    assert "https://e.com/a" in shown and "xxxx" not in shown and len(shown) < 2_000
