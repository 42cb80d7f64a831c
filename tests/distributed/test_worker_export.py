"""The exporter in worker mode (a distributed run): part names, no manifest, stored-part hook."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from pipelines.core.storage import Exporter, ExportOptions, InvalidKeyPart
from pipelines.core.storage.layout import PART_KEY_RE, Partition, part_key

RUN = "20261127T083000Z-a1b2c3"


@pytest.mark.parametrize(
    ("worker", "key"),
    [
        ("", f"articles/dt=2026-11-27/site=demo/part-{RUN}-00003.jsonl.gz"),
        ("host-7-ab12", f"articles/dt=2026-11-27/site=demo/part-{RUN}_host-7-ab12-00003.jsonl.gz"),
    ],
    ids=["single", "worker"],
)
def test_part_keys_parse_back_to_their_run(worker: str, key: str) -> None:
    assert part_key(Partition("2026-11-27", "demo"), RUN, 3, "gzip", worker) == key
    match = PART_KEY_RE.match(key)
    assert (
        match
        and match["run_id"] == RUN
        and (match["worker"] or "") == worker
        and match["seq"] == "00003"
    )


def test_bad_worker_in_a_key_is_refused() -> None:
    with pytest.raises(InvalidKeyPart, match="worker id"):
        part_key(Partition("2026-11-27", "demo"), RUN, 0, "gzip", "Bad_Worker")


def record(n: int) -> dict[str, object]:
    return {
        "url": f"https://demo.example/a/{n}",
        "site": "demo",
        "published_at": "2026-11-27T08:00:00+00:00",
        "syndication": {"status": "unique"},
    }


def test_worker_mode_writes_parts_but_no_manifest(tmp_path: Path) -> None:
    out = tmp_path / "out"
    options = ExportOptions(
        output_uri=str(out), spool_dir=tmp_path / "spool", run_id=RUN, batch_size=2, worker="wa"
    )
    stored: list[tuple[str, Path]] = []
    exporter = Exporter(
        options, schema_version="1.0", on_part_stored=lambda key, path: stored.append((key, path))
    )
    exporter.transform_line = lambda line: line.replace(b'"unique"', b'"original"')
    exporter.start()
    assert exporter.spool.path == tmp_path / "spool" / f"{RUN}_wa"
    for n in range(3):
        exporter.add(record(n))
    result = exporter.close()
    assert not result.failed and result.manifest_key is None
    assert not (out / "manifests").exists(), "the run's coordinator writes the one manifest"
    keys = sorted(p.relative_to(out).as_posix() for p in out.glob("articles/**/part-*"))
    assert keys == [
        f"articles/dt=2026-11-27/site=demo/part-{RUN}_wa-00000.jsonl.gz",
        f"articles/dt=2026-11-27/site=demo/part-{RUN}_wa-00001.jsonl.gz",
    ]
    assert sorted(key for key, _ in stored) == keys
    lines = [
        json.loads(line)
        for key in keys
        for line in gzip.decompress((out / key).read_bytes()).splitlines()
    ]
    assert [r["syndication"]["status"] for r in lines] == ["original"] * 3, (
        "lines are refreshed as parts are made"
    )
    assert not exporter.spool.path.exists(), "the spool is removed once every part is stored"
