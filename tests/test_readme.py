"""The README and docs/ stay in step with the code: settings, commands, paths, the CI command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import crawler.settings
from crawler.cli import build_parser
from crawler.config import markdown_table, table_in
from crawler.declarations import OPTIONS

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
DOCS = sorted((REPO / "docs").glob("*.md"))
CONFIGURATION = REPO / "docs" / "configuration.md"
README_MAX_LINES = 200  # a front page; reference goes to docs/

# `crawler/registry.py`, `deploy/k8s/cronjob.yaml`, `pipelines/core/dedupe/` ...: a path in the repo.
REPO_PATH = re.compile(r"`((?:crawler|pipelines|syndicrawl_tools|deploy|tests|docs)/[\w./-]+)`")


def test_settings_table_is_the_one_the_declarations_print() -> None:
    documented = table_in(CONFIGURATION.read_text(encoding="utf-8"))
    # Row by row first, so a failure names the setting that drifted.
    printed = markdown_table(OPTIONS)
    for doc_row, declared_row in zip(documented.splitlines(), printed.splitlines(), strict=False):
        assert doc_row == declared_row, (
            "run: python -m crawler.config --update docs/configuration.md"
        )
    assert documented == printed, "run: python -m crawler.config --update docs/configuration.md"


def test_settings_table_lists_every_setting_of_the_settings_module() -> None:
    table = table_in(CONFIGURATION.read_text(encoding="utf-8"))
    documented = re.findall(r"^\| `(SYNDICRAWL_[A-Z0-9_]+)`", table, flags=re.MULTILINE)
    defined = {name for name in vars(crawler.settings) if name.startswith("SYNDICRAWL_")}
    assert len(documented) == len(set(documented)), "a setting has two rows"
    assert set(documented) == defined


def test_ci_runs_the_readme_test_command() -> None:
    text = README.read_text(encoding="utf-8")
    after = text.split("<!-- test-command -->", 1)[1].strip().splitlines()
    assert after[0] == "```bash" and after[1] == "bash deploy/setup.sh test"
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "<!-- test-command -->" in ci


def test_readme_is_a_front_page() -> None:
    assert len(README.read_text(encoding="utf-8").splitlines()) <= README_MAX_LINES


def test_every_command_in_the_readme_exists() -> None:
    text = README.read_text(encoding="utf-8")
    named = set(re.findall(r"^\| `syndicrawl (\w+)", text, flags=re.MULTILINE))
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert named and named <= set(commands)
    assert set(commands) <= named, "every command of the CLI has a row in the README's table"


@pytest.mark.parametrize(
    "doc", [README, *DOCS, REPO / "deploy" / "README.md"], ids=lambda p: p.name
)
def test_paths_named_in_docs_exist(doc: Path) -> None:
    named = set(REPO_PATH.findall(doc.read_text(encoding="utf-8")))
    missing = sorted(path for path in named if not (REPO / path.split("::")[0]).exists())
    assert not missing, f"{doc.name} names paths that are not in the repo"


@pytest.mark.parametrize("doc", [README, *DOCS], ids=lambda p: p.name)
def test_links_to_docs_resolve(doc: Path) -> None:
    links = re.findall(
        r"\]\(((?:docs/|\.\./|deploy/)?[\w./-]+\.md)\)", doc.read_text(encoding="utf-8")
    )
    missing = [link for link in links if not (doc.parent / link).resolve().exists()]
    assert not missing
