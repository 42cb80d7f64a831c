"""The README's settings table and crawler/settings.py name the same SYNDICRAWL_* settings."""

from __future__ import annotations

import re
from pathlib import Path

import crawler.settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_settings_table_matches_settings_module() -> None:
    text = README.read_text(encoding="utf-8")
    table = text.split("<!-- settings-table -->", 1)[1].split("<!-- /settings-table -->", 1)[0]
    documented = set(re.findall(r"^\| `(SYNDICRAWL_[A-Z0-9_]+)`", table, flags=re.MULTILINE))
    defined = {name for name in vars(crawler.settings) if name.startswith("SYNDICRAWL_")}
    assert documented - defined == set(), "README documents settings that crawler/settings.py lacks"
    assert defined - documented == set(), "add these settings to the README's configuration table"


def test_ci_runs_the_readme_test_command() -> None:
    text = README.read_text(encoding="utf-8")
    after = text.split("<!-- test-command -->", 1)[1].strip().splitlines()
    assert after[0] == "```bash" and after[1] == "bash deploy/setup.sh test"
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "<!-- test-command -->" in ci
