"""The spool and the leftovers logic: crashes, failed runs, locks, other outputs, torn journals."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import time_machine

from crawler.items import to_record
from pipelines.core.storage import Exporter, ExportOptions, SpoolBusy, verify_export
from pipelines.core.storage.layout import Partition
from pipelines.core.storage.local import LocalSink
from pipelines.core.storage.spool import JOURNAL, SpoolRun
from tests.conftest import REPO_ROOT
from tests.storage.factories import decode_part, make_item


def record(n: int, **kwargs: Any) -> dict[str, Any]:
    return to_record(make_item(n, **kwargs))


def exporter(out: Path, spool: Path, run_id: str, **kwargs: Any) -> Exporter:
    options = ExportOptions(
        output_uri=str(out),
        spool_dir=spool,
        run_id=run_id,
        batch_size=2,
        retries=0,
        backoff_seconds=0,
        **kwargs,
    )
    return Exporter(options, schema_version="1.0")


def manifest(out: Path, run_id: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((out / "manifests" / f"run={run_id}.json").read_text())
    return loaded


CRASHING_RUN = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from crawler.items import to_record
    from pipelines.core.storage import Exporter, ExportOptions
    from tests.storage.factories import make_item

    options = ExportOptions(output_uri=sys.argv[1], spool_dir=Path(sys.argv[2]), run_id="crashed",
                            batch_size=2, retries=0, backoff_seconds=0)
    exporter = Exporter(options, schema_version="1.0")
    exporter.start()
    for n in range(5):  # two full parts, one record left in an open batch
        exporter.add(to_record(make_item(n)))
    exporter.wait_idle()
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_parts_finished_before_sigkill_are_uploaded_by_the_next_run(tmp_path: Path) -> None:
    out, spool = tmp_path / "out", tmp_path / "spool"
    out.write_text(
        "a file where the output folder should be: every upload of the crashing run fails"
    )
    done = subprocess.run(
        [sys.executable, "-c", CRASHING_RUN, str(out), str(spool)],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == -9, done.stderr
    crashed = spool / "crashed"
    assert sorted(p.name for p in (crashed / "parts").rglob("*.gz")) == [
        "part-crashed-00000.jsonl.gz",
        "part-crashed-00001.jsonl.gz",
    ]
    assert (crashed / "tmp").is_dir(), "the open batch was never finalised"

    out.unlink()
    nxt = exporter(out, spool, "next")
    nxt.start()
    nxt.add(record(10))
    result = nxt.close()

    assert not result.failed and result.leftover_runs == ["crashed"]
    assert not crashed.exists() and not (spool / "next").exists()
    crashed_manifest = manifest(out, "crashed")
    assert crashed_manifest["complete"] is False and crashed_manifest["ended_at"] is None
    assert crashed_manifest["totals"]["records"] == 4, "the unfinished fifth record is not exported"
    urls = []
    for entry in crashed_manifest["files"]:
        urls += [r["url"] for r in decode_part((out / entry["key"]).read_bytes(), entry["key"])]
    assert urls == [make_item(n).url for n in range(4)]
    assert verify_export(LocalSink(out)).ok


def test_a_failed_run_is_uploaded_whole_by_the_next_run(tmp_path: Path) -> None:
    out, spool = tmp_path / "out", tmp_path / "spool"
    out.write_text("blocker")
    first = exporter(out, spool, "r1")
    first.start()
    for n in range(3):
        first.add(record(n))
    result = first.close()
    assert result.failed and result.reason == "io_error"
    assert (result.parts, result.records) == (2, 3)
    assert (spool / "r1" / JOURNAL).exists()

    out.unlink()
    second = exporter(out, spool, "r2")
    second.start()
    assert not second.close().failed
    assert manifest(out, "r1")["complete"] is True
    assert manifest(out, "r1")["totals"]["records"] == 3
    assert manifest(out, "r2")["totals"] == {"files": 0, "records": 0, "bytes": 0}
    assert list(spool.iterdir()) == []


def test_leftovers_of_another_output_or_a_live_run_are_left_alone(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    (tmp_path / "blocked").write_text("blocker")
    other = exporter(tmp_path / "blocked", spool, "r0-other-output")
    other.start()
    other.add(record(1))
    assert other.close().failed

    live = exporter(tmp_path / "live", spool, "r1-live")
    live.start()
    live.add(record(2))

    current = exporter(tmp_path / "out", spool, "r2")
    current.start()
    result = current.close()
    assert not result.failed and result.leftover_runs == []
    assert (spool / "r0-other-output").is_dir() and (spool / "r1-live").is_dir()
    assert not (tmp_path / "out" / "manifests" / "run=r0-other-output.json").exists()
    assert not live.close().failed


def test_a_live_run_lock_cannot_be_taken_twice(tmp_path: Path) -> None:
    first = SpoolRun(tmp_path / "r1")
    first.acquire()
    with pytest.raises(SpoolBusy, match="locked"):
        SpoolRun(tmp_path / "r1").acquire()
    first.release()
    SpoolRun(tmp_path / "r1").acquire()


def test_a_part_missing_from_a_torn_journal_is_measured_from_its_file(tmp_path: Path) -> None:
    run = SpoolRun(tmp_path / "r1")
    run.acquire()
    partition = Partition("2026-11-27", "alpha")
    for n in range(2):
        run.append(partition, json.dumps(record(n, site="alpha")).encode() + b"\n")
    part = run.finalise(
        run.seal(partition, 0), "articles/dt=2026-11-27/site=alpha/part-r1-00000.jsonl.gz", "gzip"
    )
    journal = run.path / JOURNAL
    journal.write_text(
        '{"event": "part", "key": "articles/dt=2026-11-27/site=al'
    )  # torn by a crash

    assert run.read_state().parts == ()
    assert run.parts() == [part]
    assert part.records == 2
    assert run.next_seqs() == {partition: 1}


def test_the_same_records_always_give_the_same_part_bytes(tmp_path: Path) -> None:
    digests = set()
    for attempt, moment in enumerate(["2026-11-27T08:00:00Z", "2026-11-28T09:30:00Z"]):
        run = SpoolRun(tmp_path / f"r{attempt}")
        run.acquire()
        partition = Partition("2026-11-27", "alpha")
        run.append(partition, b'{"url": "https://a.example/1"}\n')
        with time_machine.travel(moment, tick=False):  # gzip would stamp the time into the header
            digests.add(
                run.finalise(
                    run.seal(partition, 0), "articles/x/part-r-00000.jsonl.gz", "gzip"
                ).sha256
            )
    assert len(digests) == 1


def test_a_retried_run_id_continues_numbering_after_its_parts(tmp_path: Path) -> None:
    out, spool = tmp_path / "out", tmp_path / "spool"
    out.write_text("blocker")
    first = exporter(out, spool, "same")
    first.start()
    for n in range(2):
        first.add(record(n))
    assert first.close().failed

    out.unlink()
    again = exporter(out, spool, "same")
    again.start()
    for n in range(2, 4):
        again.add(record(n))
    result = again.close()
    assert not result.failed
    keys = sorted(entry["key"] for entry in manifest(out, "same")["files"])
    assert [key.rsplit("/", 1)[1] for key in keys] == [
        "part-same-00000.jsonl.gz",
        "part-same-00001.jsonl.gz",
    ]
    assert manifest(out, "same")["totals"]["records"] == 4


def _open_files_under(folder: Path) -> list[str]:
    """Files under ``folder`` this process holds open (Linux /proc)."""
    found = []
    for fd in Path(f"/proc/{os.getpid()}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # the descriptor of the listing itself, closed by now
            continue
        if target.startswith(str(folder)):
            found.append(target)
    return found


def test_an_open_batch_is_on_disk_after_each_line_and_few_files_stay_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lines reach the file as they are appended (a crash of the process loses none), and a crawl
    touching more partitions than MAX_OPEN_BATCHES keeps only that many files open."""
    from pipelines.core.storage import spool as spool_module

    monkeypatch.setattr(spool_module, "MAX_OPEN_BATCHES", 3)
    run = SpoolRun(tmp_path / "run")
    run.acquire()
    partitions = [Partition("2026-11-27", f"site-{k}") for k in range(5)]
    for n in range(3):
        for partition in partitions:
            run.append(partition, f'{{"n":{n}}}\n'.encode())
            lines = (run.path / "tmp" / f"{partition.slug}.jsonl").read_bytes().splitlines()
            assert lines[-1] == f'{{"n":{n}}}'.encode()
    assert len(_open_files_under(run.path / "tmp")) == 3
    sealed = run.seal(partitions[-1], 0)  # sealing closes the batch's file first
    assert sealed.read_bytes().count(b"\n") == 3
    assert len(_open_files_under(run.path / "tmp")) == 2
    run.release()
    assert _open_files_under(run.path) == []
