"""The reliable frontier and the run board against the real Redis server."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from crawler.distributed.board import RunBoard, resolve_run
from crawler.distributed.frontier import DEAD, DONE, FAILED, IDLE, Frontier
from crawler.distributed.hints import RedisHints
from crawler.distributed.keys import RunKeys, check_prefix, check_worker, current_run_key
from crawler.distributed.seen import RedisSeenStore
from crawler.state.seen import SeenEntry
from pipelines.core.storage.local import LocalSink
from pipelines.core.storage.spool import PartInfo

pytestmark = pytest.mark.redis


@pytest.fixture
def keys(prefix: str) -> RunKeys:
    return RunKeys(prefix, "20260101T000000Z-abcdef")


@pytest.fixture
def frontier(redis_client: Any, keys: RunKeys) -> Frontier:
    return Frontier(redis_client, keys, heartbeat_ttl=0.3)


@pytest.fixture
def board(redis_client: Any, keys: RunKeys, frontier: Frontier) -> RunBoard:
    return RunBoard(redis_client, keys, frontier)


def test_pop_returns_highest_priority_first_and_holds_it(frontier: Frontier) -> None:
    frontier.push(b"article", 0)
    frontier.push(b"feed", 30)
    frontier.push(b"listing", 10)
    order = []
    while (popped := frontier.pop("w1")) is not None:
        order.append(popped[1])
    assert order == [b"feed", b"listing", b"article"]
    assert len(frontier) == 0
    assert frontier.in_flight("w1") == 3
    assert frontier.states() == {"w1": "busy"}


def test_ack_releases_only_the_acked_request(frontier: Frontier) -> None:
    frontier.push(b"a", 0)
    frontier.push(b"b", 0)
    token_a, _ = frontier.pop("w1")  # type: ignore[misc]
    frontier.pop("w1")
    assert frontier.ack("w1", [token_a]) == 1
    assert frontier.in_flight("w1") == 1


def test_a_dead_workers_requests_go_back_with_their_priority(frontier: Frontier) -> None:
    frontier.join("dead")
    frontier.join("alive")
    frontier.push(b"feed", 30)
    frontier.push(b"article", 0)
    frontier.pop("dead")
    frontier.pop("dead")
    assert frontier.requeue_dead(exclude="alive") == {}, "the heartbeat has not expired yet"
    time.sleep(0.4)
    frontier.beat("alive")
    assert frontier.requeue_dead(exclude="alive") == {"dead": 2}
    assert frontier.states()["dead"] == DEAD
    assert frontier.in_flight("dead") == 0
    assert frontier.pop("alive")[1] == b"feed"  # type: ignore[index]
    assert frontier.pop("alive")[1] == b"article"  # type: ignore[index]


def test_a_live_worker_is_never_requeued(frontier: Frontier) -> None:
    frontier.join("w1")
    frontier.push(b"x", 0)
    frontier.pop("w1")
    assert frontier.requeue("w1", DEAD) == -1
    assert frontier.in_flight("w1") == 1


def test_rejoining_with_the_same_id_requeues_what_it_held(frontier: Frontier) -> None:
    frontier.push(b"x", 0)
    frontier.pop("w1")
    frontier.join("w1")
    assert len(frontier) == 1
    assert frontier.states()["w1"] == IDLE


def test_quiet_needs_an_empty_queue_and_no_busy_worker(frontier: Frontier) -> None:
    frontier.join("a")
    frontier.join("b")
    assert frontier.quiet("a")
    frontier.push(b"x", 0)
    assert not frontier.quiet("a")
    frontier.pop("b")
    assert not frontier.quiet("a"), "b is busy with the request"
    frontier.set_state("b", IDLE)
    assert frontier.quiet("a")


def test_only_one_worker_seeds_unless_the_seeder_died(board: RunBoard, frontier: Frontier) -> None:
    frontier.join("a")
    frontier.join("b")
    assert board.take_seed_lock("a")
    assert not board.take_seed_lock("b")
    assert not board.seeding_stalled()
    time.sleep(0.4)  # a never beat again: dead before it finished seeding
    frontier.beat("b")
    assert board.seeding_stalled()
    assert board.take_seed_lock("b")
    board.mark_seeded()
    assert not board.take_seed_lock("c")


def test_claims_keep_one_copy_per_record(board: RunBoard, frontier: Frontier) -> None:
    frontier.join("a")
    frontier.join("b")
    assert board.claim("http://x/1", "a")
    assert board.claim("http://x/1", "a"), "a worker may re-add its own claim"
    assert not board.claim("http://x/1", "b"), "a live worker holds it"
    board.record_part(PartInfo("articles/k", 1, 10, "0" * 64), "a", ["http://x/1"], [])
    assert not board.claim("http://x/1", "a"), "stored: nobody spools it again"


def test_a_dead_workers_claim_is_taken_over(board: RunBoard, frontier: Frontier) -> None:
    frontier.join("a")
    assert board.claim("http://x/2", "a")
    time.sleep(0.4)
    frontier.join("b")
    frontier.requeue_dead(exclude="b")
    assert board.claim("http://x/2", "b")


def test_record_part_journals_and_acks_atomically(board: RunBoard, frontier: Frontier) -> None:
    frontier.push(b"req", 0)
    token, _ = frontier.pop("a")  # type: ignore[misc]
    board.record_part(PartInfo("articles/p1", 2, 20, "a" * 64), "a", ["u1", "u2"], [token])
    assert frontier.in_flight("a") == 0
    assert board.exported_count() == 2
    assert board.parts() == [PartInfo("articles/p1", 2, 20, "a" * 64)]


def test_finalize_waits_for_every_worker_then_writes_one_manifest(
    board: RunBoard, frontier: Frontier, tmp_path: Path, redis_client: Any, keys: RunKeys
) -> None:
    redis_client.set(current_run_key(keys.prefix), keys.run_id)
    board.open_run(output_uri=str(tmp_path), schema_version="1.0", compression="gzip")
    frontier.join("a")
    frontier.join("b")
    sink = LocalSink(tmp_path)
    assert board.finalize(sink) is None, "not seeded"
    board.mark_seeded()
    board.record_part(
        PartInfo("articles/dt=2026-01-01/site=a/part-R_a-00000.jsonl.gz", 3, 30, "b" * 64),
        "a",
        [],
        [],
    )
    board.record_part(
        PartInfo("articles/dt=2026-01-01/site=b/part-R_b-00000.jsonl.gz", 2, 20, "c" * 64),
        "b",
        [],
        [],
    )
    frontier.set_state("a", DONE)
    assert board.finalize(sink) is None, "b is still working"
    assert not (tmp_path / "manifests").exists()
    frontier.set_state("b", DONE)
    key = board.finalize(sink)
    assert key == f"manifests/run={keys.run_id}.json"
    manifest = json.loads((tmp_path / key).read_text())
    assert manifest["complete"] is True
    assert manifest["totals"] == {"files": 2, "records": 5, "bytes": 50}
    assert [f["key"] for f in manifest["files"]] == sorted(f["key"] for f in manifest["files"])
    assert board.finalize(sink) == key, "a second call does not write again"
    assert redis_client.get(current_run_key(keys.prefix)) is None, (
        "the next worker starts a new run"
    )


def test_finalize_refuses_while_a_dead_worker_holds_requests(
    board: RunBoard, frontier: Frontier, tmp_path: Path
) -> None:
    board.mark_seeded()
    frontier.push(b"r", 0)
    frontier.pop("gone")
    frontier.set_state("gone", FAILED)
    assert board.completion().complete  # failed workers requeue their own requests on the way out
    frontier.set_state("gone", "busy")
    time.sleep(0.01)
    state = board.completion()
    assert not state.complete and "queued" in state.reason


def test_resolve_run_joins_the_current_run(redis_client: Any, prefix: str) -> None:
    assert resolve_run(redis_client, prefix, run_id=None, create=False, new_id="r1") is None
    assert resolve_run(redis_client, prefix, run_id=None, create=True, new_id="r1") == "r1"
    assert resolve_run(redis_client, prefix, run_id=None, create=True, new_id="r2") == "r1"
    assert resolve_run(redis_client, prefix, run_id="r9", create=True, new_id="r2") == "r9"


def test_redis_seen_store_round_trip(redis_client: Any, prefix: str) -> None:
    store = RedisSeenStore(redis_client, prefix)
    entry = SeenEntry("http://x/a", "site", "2026-01-01", '"e"', None, "f" * 64, "exported")
    assert store.get(entry.key) is None
    store.record(entry)
    assert store.get(entry.key) == entry
    assert store.count() == 1


def test_shared_hints_merge_first_value_wins(redis_client: Any, keys: RunKeys) -> None:
    hints = RedisHints(redis_client, keys.hints)
    assert hints.merge("k", {"title": "From the feed", "lastmod": None})
    assert not hints.merge("k", {"title": "From the sitemap", "published_raw": "2026-01-01"})
    assert hints.get("k") == {"title": "From the feed", "published_raw": "2026-01-01"}
    assert hints.get("missing") == {}


@pytest.mark.parametrize(
    "bad", ["", "has space", "a" * 101, "-lead"], ids=["empty", "space", "long", "dash"]
)
def test_bad_prefix_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="SYNDICRAWL_DISTRIBUTED_PREFIX"):
        check_prefix(bad)


@pytest.mark.parametrize("bad", ["Upper", "under_score", ""], ids=["upper", "underscore", "empty"])
def test_bad_worker_id_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="worker id"):
        check_worker(bad)
