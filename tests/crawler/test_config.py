"""Settings declared once (crawler/config.py): reading, checking, the declarations themselves, and
their agreement with the cores' own options, with crawler/settings.py and with the docs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, fields
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

import pytest
from scrapy.settings import Settings

from crawler.config import (
    TABLE_END,
    TABLE_START,
    BadSetting,
    Options,
    check_value,
    declarations,
    declared_settings,
    defaults,
    fixed_settings,
    main,
    markdown_table,
    read_options,
    same_as,
    setting,
    setting_name,
    table_in,
)
from crawler.declarations import OPTIONS, check_all
from crawler.options import RunOptions
from crawler.runner import project_settings
from pipelines.runtime.options import GcOptions
from pipelines.stage_options import (
    MIN_MULTIPART_THRESHOLD,
    CleanStageOptions,
    DatesStageOptions,
    ExportStageOptions,
    ExtractStageOptions,
    SyndicationStageOptions,
)
from tests.conftest import REPO_ROOT

Colour = Literal["red", "green"]


@dataclass(frozen=True, kw_only=True)
class SampleOptions(Options):
    count: int = setting("SYNDICRAWL_T_COUNT", 5, "a count", low=1, high=9)
    ratio: float = setting("SYNDICRAWL_T_RATIO", 0.5, "a share", low=0, high=1)
    wait: float = setting("SYNDICRAWL_T_WAIT", 1.0, "seconds", above=0)
    on: bool = setting("SYNDICRAWL_T_ON", True, "a switch")
    colour: Colour = setting("SYNDICRAWL_T_COLOUR", "red", "a choice")
    name: str = setting("SYNDICRAWL_T_NAME", "abc", "a name", pattern=r"[a-z]+")
    note: str = setting("SYNDICRAWL_T_NOTE", "", "optional text", pattern=r"[a-z]+")
    hosts: tuple[str, ...] = setting("SYNDICRAWL_T_HOSTS", (), "a list")


@dataclass(frozen=True, kw_only=True)
class ReaderOptions(Options):
    count: int = same_as(SampleOptions, "count")


# --- reading ----------------------------------------------------------------------------------


def test_unset_values_are_the_declared_defaults() -> None:
    assert read_options(SampleOptions, {}) == SampleOptions()
    assert read_options(SampleOptions, Settings()) == SampleOptions()
    # None, and an empty text for a text setting, mean unset
    assert read_options(SampleOptions, {"SYNDICRAWL_T_NAME": "", "SYNDICRAWL_T_COUNT": None}) == (
        SampleOptions()
    )


@pytest.mark.parametrize(
    ("name", "raw", "attr", "expected"),
    [
        ("SYNDICRAWL_T_COUNT", "7", "count", 7),  # text: the environment's grammar
        ("SYNDICRAWL_T_COUNT", 7.0, "count", 7),
        ("SYNDICRAWL_T_RATIO", "0.25", "ratio", 0.25),
        ("SYNDICRAWL_T_RATIO", 1, "ratio", 1.0),
        ("SYNDICRAWL_T_ON", "off", "on", False),  # Scrapy's getbool would refuse "off"
        ("SYNDICRAWL_T_ON", 0, "on", False),
        ("SYNDICRAWL_T_COLOUR", "GREEN", "colour", "green"),  # choices ignore case
        ("SYNDICRAWL_T_HOSTS", "a, b", "hosts", ("a", "b")),
        ("SYNDICRAWL_T_HOSTS", '["a"]', "hosts", ("a",)),
        ("SYNDICRAWL_T_HOSTS", ["a", "b"], "hosts", ("a", "b")),
        ("SYNDICRAWL_T_NAME", Path("xyz"), "name", "xyz"),
    ],
)
def test_values_are_coerced_to_the_field_type(
    name: str, raw: Any, attr: str, expected: Any
) -> None:
    value = getattr(read_options(SampleOptions, {name: raw}), attr)
    assert value == expected and type(value) is type(expected)


def test_scrapy_priorities_decide_which_value_is_read() -> None:
    settings = Settings({"SYNDICRAWL_T_COUNT": 2}, priority="project")
    settings.set("SYNDICRAWL_T_COUNT", "3", priority="cmdline")
    settings.set("SYNDICRAWL_T_COUNT", 4, priority="default")  # lower: ignored
    assert read_options(SampleOptions, settings).count == 3


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("SYNDICRAWL_T_COUNT", 0, "bad value 0: expected an integer >= 1 and <= 9"),
        ("SYNDICRAWL_T_COUNT", "10", "bad value 10: expected an integer >= 1 and <= 9"),
        ("SYNDICRAWL_T_COUNT", "many", "bad value 'many': expected an integer >= 1 and <= 9"),
        ("SYNDICRAWL_T_COUNT", 2.5, "bad value 2.5: expected an integer >= 1 and <= 9"),
        ("SYNDICRAWL_T_COUNT", True, "bad value True: expected an integer >= 1 and <= 9"),
        ("SYNDICRAWL_T_RATIO", 1.5, "bad value 1.5: expected a number >= 0 and <= 1"),
        ("SYNDICRAWL_T_RATIO", "nan", "bad value 'nan': expected a number >= 0 and <= 1"),
        ("SYNDICRAWL_T_WAIT", 0, "bad value 0.0: expected a number > 0"),
        (
            "SYNDICRAWL_T_ON",
            "maybe",
            "bad value 'maybe': expected a boolean (1/0, true/false, yes/no, on/off)",
        ),
        ("SYNDICRAWL_T_ON", 2, "bad value 2: expected a boolean (1/0, true/false, yes/no, on/off)"),
        ("SYNDICRAWL_T_COLOUR", "blue", "bad value 'blue': expected one of red, green"),
        ("SYNDICRAWL_T_NAME", "a-b", "bad value 'a-b': expected text matching [a-z]+"),
        ("SYNDICRAWL_T_NOTE", "A", "bad value 'A': expected text matching [a-z]+"),
        (
            "SYNDICRAWL_T_HOSTS",
            [1],
            "bad value (1,): expected a list of strings (comma-separated, or a JSON list)",
        ),
    ],
)
def test_a_bad_value_names_the_setting_the_value_and_what_is_allowed(
    name: str, raw: Any, message: str
) -> None:
    with pytest.raises(BadSetting) as caught:
        read_options(SampleOptions, {name: raw})
    assert str(caught.value) == f"{name}: {message}"
    assert caught.value.name == name


def test_options_made_directly_are_checked_too() -> None:
    with pytest.raises(
        BadSetting,
        match=r"^SYNDICRAWL_GC_THRESHOLD: bad value -1: expected an "
        r"integer >= 0$",
    ):
        GcOptions(threshold=-1)
    with pytest.raises(BadSetting, match="SYNDICRAWL_T_COLOUR: bad value 'blue'"):
        SampleOptions(colour="blue")  # type: ignore[arg-type]  # what mypy would catch
    assert SampleOptions(note="").note == ""  # empty where the default is empty: unset


def test_check_value_and_setting_name() -> None:
    assert check_value(SampleOptions, "count", 9) == 9
    with pytest.raises(BadSetting, match="SYNDICRAWL_T_COUNT: bad value 10"):
        check_value(SampleOptions, "count", 10)
    assert setting_name(SampleOptions, "ratio") == "SYNDICRAWL_T_RATIO"
    with pytest.raises(AttributeError):
        setting_name(SampleOptions, "nope")


def test_a_setting_read_by_two_classes_is_declared_by_one() -> None:
    assert read_options(ReaderOptions, {"SYNDICRAWL_T_COUNT": "3"}).count == 3
    with pytest.raises(BadSetting, match="SYNDICRAWL_T_COUNT: bad value 0"):
        ReaderOptions(count=0)  # the declaring class's bounds
    assert [d.name for d in declarations([SampleOptions, ReaderOptions])].count(
        "SYNDICRAWL_T_COUNT"
    ) == 1


# --- the declarations -------------------------------------------------------------------------


def test_every_setting_is_declared_once_and_read_alike_everywhere() -> None:
    owners: dict[str, Any] = {}
    for cls in OPTIONS:
        for declared in declared_settings(cls):
            if declared.owner is cls:
                assert declared.name not in owners, f"{declared.name} is declared twice"
                owners[declared.name] = declared
    for cls in OPTIONS:
        for declared in declared_settings(cls):
            assert declared.owner in OPTIONS, f"{cls.__name__}.{declared.attr}: owner not listed"
            own = owners[declared.name]
            assert (declared.kind, declared.choices, declared.default) == (
                own.kind,
                own.choices,
                own.default,
            ), f"{cls.__name__}.{declared.attr} reads {declared.name} as another type"


def test_declarations_are_well_formed() -> None:
    for declared in declarations(OPTIONS):
        assert re.fullmatch(r"SYNDICRAWL_[A-Z0-9_]+", declared.name)
        meaning = declared.setting.meaning
        assert meaning and "\n" not in meaning and "|" not in meaning, declared.name
        assert not meaning.endswith("."), declared.name
    for cls in OPTIONS:
        cls()  # every default passes its own checks


def test_the_settings_module_holds_exactly_the_declared_defaults() -> None:
    code = (
        "import json, crawler.settings as s; "
        "print(json.dumps({k: v for k, v in vars(s).items() if k.startswith('SYNDICRAWL_')}))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={**_clean_environment(), "PYTHONPATH": str(REPO_ROOT)},
        check=True,
    )
    assert json.loads(proc.stdout) == json.loads(json.dumps(defaults(OPTIONS)))


def test_runner_set_settings_come_from_the_declarations() -> None:
    assert fixed_settings(OPTIONS) == {
        "SYNDICRAWL_RUN_ID": "the runner makes one id per run (distributed mode: --run-id)",
        "SYNDICRAWL_DISTRIBUTED_SEED_ONLY": "set by `syndicrawl crawl --seed-only`",
    }


def test_a_run_checks_every_setting() -> None:
    check_all(project_settings())
    for cls in OPTIONS:
        for declared in declared_settings(cls):
            if declared.owner is cls and declared.kind in (int, float):
                spec = declared.setting
                low = spec.low if spec.low is not None else spec.above
                if low is None:
                    continue
                with pytest.raises(BadSetting, match=f"^{declared.name}: bad value"):
                    check_all(project_settings({declared.name: low - 1}))


def test_importing_the_declarations_pulls_in_no_heavy_library() -> None:
    heavy = [
        "scrapy",
        "twisted",
        "trafilatura",
        "dateparser",
        "lxml",
        "boto3",
        "scrapy_playwright",
        "redis",
        "prometheus_client",
        "datasketch",
        "rapidfuzz",
    ]
    code = f"import sys, crawler.settings; print([m for m in {heavy!r} if m in sys.modules])"
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={**_clean_environment(), "PYTHONPATH": str(REPO_ROOT)},
        check=True,
    )
    assert proc.stdout.strip() == "[]"


# --- agreement with the cores' own options (each keeps defaults and checks for direct use) ----


def test_core_defaults_are_the_declared_ones() -> None:
    from pipelines.core.cleaning import DEFAULT_LEARNED_KEEP_SHARE
    from pipelines.core.dating import DateOptions
    from pipelines.core.dedupe import SyndicationOptions
    from pipelines.core.extraction import ExtractOptions
    from pipelines.core.learned import LearnOptions
    from pipelines.core.storage import ExportOptions
    from pipelines.dates import date_options
    from pipelines.syndication import core_options

    assert date_options({}) == DateOptions()
    assert core_options(SyndicationStageOptions()) == SyndicationOptions()
    extract, clean = ExtractStageOptions(), CleanStageOptions()
    assert (
        ExtractOptions(
            min_chars=extract.min_chars,
            max_html_chars=extract.max_html_chars,
            rescue_below_chars=extract.rescue_below_chars,
        )
        == ExtractOptions()
    )
    assert (
        LearnOptions(min_articles=clean.learn_min_articles, max_chars=clean.learn_max_chars)
        == LearnOptions()
    )
    assert clean.learned_keep_share == DEFAULT_LEARNED_KEEP_SHARE
    export = ExportStageOptions()
    core = {f.name: f.default for f in fields(ExportOptions)}
    for attr in (
        "batch_size",
        "compression",
        "gzip_level",
        "retries",
        "backoff_seconds",
        "multipart_threshold",
    ):
        assert getattr(export, attr) == core[attr], attr


def _bounds(cls: type[Options], attr: str) -> tuple[Any, Any]:
    spec = next(d.setting for d in declared_settings(cls) if d.attr == attr)
    return spec.low, spec.high


def test_the_cores_accept_every_value_the_declarations_allow() -> None:
    from pipelines.core.cleaning import Cleaner
    from pipelines.core.dating import DateOptions
    from pipelines.core.extraction import ExtractOptions
    from pipelines.core.learned import LearnOptions
    from pipelines.syndication import core_options

    for attr in ("window_days", "min_containment", "credited_min_score", "text_cache"):
        for bound in _bounds(SyndicationStageOptions, attr):
            core_options(SyndicationStageOptions(**{attr: bound}))
    for year in _bounds(DatesStageOptions, "min_year"):
        DateOptions(min_year=year)
    low_skew, _ = _bounds(DatesStageOptions, "future_skew_hours")
    DateOptions(future_skew=timedelta(hours=low_skew))
    LearnOptions(
        min_articles=_bounds(CleanStageOptions, "learn_min_articles")[0],
        max_chars=_bounds(CleanStageOptions, "learn_max_chars")[0],
    )
    for share in _bounds(CleanStageOptions, "learned_keep_share"):
        Cleaner.for_sites({}, None, learned_keep_share=share)
    ExtractOptions(
        min_chars=_bounds(ExtractStageOptions, "min_chars")[0],
        max_html_chars=_bounds(ExtractStageOptions, "max_html_chars")[0],
        rescue_below_chars=_bounds(ExtractStageOptions, "rescue_below_chars")[0],
    )


def test_choices_and_patterns_are_the_cores() -> None:
    from pipelines.core.dedupe import BACKENDS, MODES
    from pipelines.core.storage.layout import COMPRESSIONS, RUN_ID_RE
    from pipelines.core.storage.sink import MIN_MULTIPART_THRESHOLD as CORE_MIN

    choices = {d.attr: d.choices for d in declared_settings(SyndicationStageOptions)}
    assert (choices["mode"], choices["backend"]) == (MODES, BACKENDS)
    export = {d.attr: d for d in declared_settings(ExportStageOptions)}
    assert export["compression"].choices == COMPRESSIONS
    assert MIN_MULTIPART_THRESHOLD == CORE_MIN == export["multipart_threshold"].setting.low
    run_id = next(d.setting for d in declared_settings(RunOptions) if d.attr == "run_id")
    assert f"^{run_id.pattern}$" == RUN_ID_RE.pattern


# --- the table and its command ----------------------------------------------------------------


def test_the_table_has_one_row_per_declared_setting() -> None:
    rows = markdown_table(OPTIONS).splitlines()[2:]
    assert [r.split("`")[1] for r in rows] == [d.name for d in declarations(OPTIONS)]
    by_name = {r.split("`")[1]: r for r in rows}
    assert by_name["SYNDICRAWL_EXPORT_BATCH_SIZE"] == (
        "| `SYNDICRAWL_EXPORT_BATCH_SIZE` | `500` | records per part file |"
    )
    assert "| the machine's cores; `0` on one core |" in by_name["SYNDICRAWL_POOL_PROCESSES"]
    assert "| unset |" in by_name["SYNDICRAWL_NOTIFY_SLACK_WEBHOOK"]
    assert "| `[]` |" in by_name["SYNDICRAWL_FETCH_ALLOWED_ADDRESSES"]


def test_the_command_prints_and_updates_the_table(tmp_path: Path, capsys: Any) -> None:
    assert main(["--markdown"]) == 0
    assert capsys.readouterr().out == markdown_table(OPTIONS) + "\n"
    doc = tmp_path / "doc.md"
    doc.write_text(f"intro\n{TABLE_START}\n| stale |\n{TABLE_END}\nafter\n", encoding="utf-8")
    assert main(["--update", str(doc)]) == 0
    text = doc.read_text(encoding="utf-8")
    assert table_in(text) == markdown_table(OPTIONS)
    assert text.startswith("intro\n") and text.endswith(f"{TABLE_END}\nafter\n")
    (tmp_path / "bare.md").write_text("no markers\n", encoding="utf-8")
    assert main(["--update", str(tmp_path / "bare.md")]) == 2


def test_python_dash_m_crawler_config_prints_the_table() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "crawler.config", "--markdown"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**_clean_environment(), "PYTHONPATH": str(REPO_ROOT)},
        check=True,
    )
    assert proc.stdout == markdown_table(OPTIONS) + "\n"


def _clean_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("SYNDICRAWL_")}
