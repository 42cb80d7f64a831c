"""Settings from the environment and from ``--set``: one parser, typed by the defaults.

crawler/settings.py reads the environment once, when imported, so the environment cases import
it in a subprocess with the environment under test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from crawler.commands.crawl import parse_overrides
from crawler.config import fixed_settings
from crawler.declarations import OPTIONS
from crawler.envsettings import SettingValueError, environment_overrides, parse_value
from crawler.registry import parse_site
from crawler.runner import build_settings
from tests.conftest import REPO_ROOT


@pytest.mark.parametrize(
    ("raw", "default", "expected"),
    [
        ("yes", True, True),
        ("OFF", True, False),
        ("0", False, False),
        ("7", 5, 7),
        (" 2.5 ", 1.0, 2.5),
        ("3", 1.0, 3.0),
        ("127.0.0.1, 10.0.0.0/8,", [], ["127.0.0.1", "10.0.0.0/8"]),
        ('["127.0.0.1"]', [], ["127.0.0.1"]),
        ("", [], []),
        ("redis://r:6379/1", "redis://127.0.0.1:6379/0", "redis://r:6379/1"),
    ],
)
def test_values_are_parsed_to_the_defaults_type(raw: str, default: Any, expected: Any) -> None:
    assert parse_value("SYNDICRAWL_X", raw, default) == expected


@pytest.mark.parametrize(
    ("raw", "default", "expected"),
    [
        ("maybe", True, "a boolean (1/0, true/false, yes/no, on/off)"),
        ("2.5", 5, "an integer"),
        ("five", 1.0, "a number"),
        ("nan", 1.0, "a finite number"),
        ('["a", 1]', [], "a JSON list of strings"),
        ("[oops", [], "a comma-separated list or a JSON list"),
    ],
)
def test_a_bad_value_names_the_variable_and_what_it_expects(
    raw: str, default: Any, expected: str
) -> None:
    with pytest.raises(SettingValueError) as caught:
        parse_value("SYNDICRAWL_FETCH_REQUEST_BUDGET", raw, default)
    assert (
        str(caught.value)
        == f"environment SYNDICRAWL_FETCH_REQUEST_BUDGET={raw!r}: expected {expected}"
    )


def test_only_syndicrawl_settings_are_taken_and_typos_are_reported() -> None:
    defaults = {
        "SYNDICRAWL_FETCH_ALLOWED_ADDRESSES": [],
        "SYNDICRAWL_RUN_ID": "",
        "LOG_LEVEL": "INFO",
    }
    values, unknown = environment_overrides(
        defaults,
        {
            "SYNDICRAWL_FETCH_ALLOWED_ADDRESSES": "127.0.0.1",
            "SYNDICRAWL_FETCH_ALOWED_ADDRESSES": "10.0.0.1",
            "SYNDICRAWL_RUN_ID": "mine",
            "SYNDICRAWL_LOG_LEVEL": "DEBUG",  # an alias of LOG_LEVEL, read by crawler/settings.py
            "SYNDICRAWL_VENV": "/opt/venv",  # deploy/setup.sh's, exported by .ci/run: no warning
            "LOG_LEVEL": "DEBUG",  # Scrapy's names are not read from the environment
            "PATH": "/usr/bin",
        },
        fixed=fixed_settings(OPTIONS),  # the runner's: SYNDICRAWL_RUN_ID, ..._SEED_ONLY
    )
    assert values == {"SYNDICRAWL_FETCH_ALLOWED_ADDRESSES": ["127.0.0.1"]}
    assert unknown == [
        "environment SYNDICRAWL_FETCH_ALOWED_ADDRESSES: no such setting "
        "(did you mean SYNDICRAWL_FETCH_ALLOWED_ADDRESSES?)",
        "environment SYNDICRAWL_RUN_ID: not settable, the runner makes one id per run "
        "(distributed mode: --run-id)",
    ]


def settings_seen_with(env: dict[str, str], *names: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import json, crawler.settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {list(names)!r}}} | "
        "{'unknown': s.unknown_environment, 'from_environment': sorted(s.from_environment)}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SYNDICRAWL_")}
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={**clean, **env, "PYTHONPATH": str(REPO_ROOT)},
    )


def test_every_syndicrawl_setting_takes_its_environment_variable() -> None:
    proc = settings_seen_with(
        {
            "SYNDICRAWL_FETCH_ALLOWED_ADDRESSES": "127.0.0.1,::1",
            "SYNDICRAWL_FETCH_REQUEST_BUDGET": "300",
            "SYNDICRAWL_FETCH_MAX_SITE_DELAY": "2.5",
            "SYNDICRAWL_SYNDICATION_ENABLED": "no",
            "SYNDICRAWL_CONTACT_URL": "https://example.org/contact",
            "SYNDICRAWL_LOG_LEVEL": "WARNING",
            "SYNDICRAWL_MONITR_ENABLED": "0",
        },
        "SYNDICRAWL_FETCH_ALLOWED_ADDRESSES",
        "SYNDICRAWL_FETCH_REQUEST_BUDGET",
        "SYNDICRAWL_FETCH_MAX_SITE_DELAY",
        "SYNDICRAWL_SYNDICATION_ENABLED",
        "SYNDICRAWL_MONITOR_ENABLED",
        "USER_AGENT",
        "LOG_LEVEL",
    )
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout)
    assert seen["SYNDICRAWL_FETCH_ALLOWED_ADDRESSES"] == ["127.0.0.1", "::1"]
    assert seen["SYNDICRAWL_FETCH_REQUEST_BUDGET"] == 300
    assert seen["SYNDICRAWL_FETCH_MAX_SITE_DELAY"] == 2.5
    assert seen["SYNDICRAWL_SYNDICATION_ENABLED"] is False
    assert seen["SYNDICRAWL_MONITOR_ENABLED"] is True  # the misspelt variable changed nothing
    assert seen["USER_AGENT"] == "syndicrawl/0.1 (+https://example.org/contact)"
    assert seen["LOG_LEVEL"] == "WARNING"
    assert seen["unknown"] == [
        "environment SYNDICRAWL_MONITR_ENABLED: no such setting "
        "(did you mean SYNDICRAWL_MONITOR_ENABLED?)"
    ]
    assert "SYNDICRAWL_FETCH_REQUEST_BUDGET" in seen["from_environment"]


def test_a_bad_environment_value_stops_the_crawl_before_anything_runs(
    run_cli: Any, tmp_path: Any
) -> None:
    (tmp_path / "sites").mkdir()
    (tmp_path / "sites" / "a.yaml").write_text(
        "name: a\nrole: original\nbase_url: http://127.0.0.1:9/\nstart: {rss: [/r.xml]}\n",
        encoding="utf-8",
    )
    proc = run_cli(
        "crawl",
        "--sites",
        str(tmp_path / "sites"),
        env={"SYNDICRAWL_FETCH_REQUEST_BUDGET": "lots"},
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == (
        "syndicrawl: environment SYNDICRAWL_FETCH_REQUEST_BUDGET='lots': expected an integer"
    )


@pytest.mark.parametrize(
    ("how", "line"),
    [
        (
            ["--set", "SYNDICRAWL_EXPORT_BATCH_SIZE=0"],
            "syndicrawl: SYNDICRAWL_EXPORT_BATCH_SIZE: bad value 0: expected an integer >= 1",
        ),
        (  # read only once the crawl is over: checked before it starts all the same
            {"SYNDICRAWL_MONITOR_DROP_RATIO": "3"},
            "syndicrawl: SYNDICRAWL_MONITOR_DROP_RATIO: bad value 3.0: expected a number >= 0 "
            "and <= 1",
        ),
        (
            ["--set", "SYNDICRAWL_SYNDICATION_MODE=copies"],
            "syndicrawl: SYNDICRAWL_SYNDICATION_MODE: bad value 'copies': expected one of "
            "annotate, originals, separate",
        ),
    ],
    ids=["set", "environment", "choice"],
)
def test_a_value_out_of_bounds_stops_the_crawl_before_anything_runs(
    run_cli: Any, tmp_path: Any, how: list[str] | dict[str, str], line: str
) -> None:
    (tmp_path / "sites").mkdir()
    (tmp_path / "sites" / "a.yaml").write_text(
        "name: a\nrole: original\nbase_url: http://127.0.0.1:9/\nstart: {rss: [/r.xml]}\n",
        encoding="utf-8",
    )
    args = how if isinstance(how, list) else []
    env = how if isinstance(how, dict) else {}
    out = tmp_path / "out"
    proc = run_cli(
        "crawl", "--sites", str(tmp_path / "sites"), "--output", str(out), *args, env=env
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [line]
    assert not out.exists(), "nothing is written before the settings are checked"


def test_set_values_are_checked_and_parsed_like_the_environment() -> None:
    overrides = parse_overrides(
        [
            "SYNDICRAWL_FETCH_ALLOWED_ADDRESSES=127.0.0.1",
            "SYNDICRAWL_GC_FREEZE=off",
            "RETRY_TIMES=1",
        ]
    )
    assert overrides == {
        "SYNDICRAWL_FETCH_ALLOWED_ADDRESSES": ["127.0.0.1"],
        "SYNDICRAWL_GC_FREEZE": False,
        "RETRY_TIMES": "1",  # Scrapy's own settings: Scrapy's getters parse them
    }
    with pytest.raises(
        ValueError, match=r"--set SYNDICRAWL_POOL_PROCESSES='two': expected an integer"
    ):
        parse_overrides(["SYNDICRAWL_POOL_PROCESSES=two"])
    with pytest.raises(ValueError, match=r"did you mean SYNDICRAWL_FETCH_ALLOWED_ADDRESSES"):
        parse_overrides(["SYNDICRAWL_FETCH_ALLOWED_ADRESSES=127.0.0.1"])
    with pytest.raises(ValueError, match=r"--set SYNDICRAWL_RUN_ID: not settable"):
        parse_overrides(["SYNDICRAWL_RUN_ID=x"])


def test_settings_made_from_others_follow_their_set_values(tmp_path: Any) -> None:
    site = parse_site(
        {
            "name": "js-site",
            "role": "original",
            "base_url": "https://js.example/",
            "start": {"rss": ["/r.xml"]},
            "render_javascript": True,
        },
        "<test>",
    )
    settings = build_settings(
        {"js-site": site},
        output_uri=str(tmp_path / "out"),
        state_dir=str(tmp_path / "state"),
        run_id="r",
        overrides={
            "SYNDICRAWL_CHROMIUM_PATH": sys.executable,  # any existing file: nothing is launched
            "SYNDICRAWL_CONTACT_URL": "https://example.org/c",
            "DOWNLOAD_TIMEOUT": "12",
        },
    )
    assert settings.get("USER_AGENT") == "syndicrawl/0.1 (+https://example.org/c)"
    # The sites' browser settings see --set (they were made before it was applied).
    assert settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")["executable_path"] == sys.executable
    # Chromium's navigation gives up with DOWNLOAD_TIMEOUT, not 30 s later.
    assert settings.getfloat("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT") == 12_000
