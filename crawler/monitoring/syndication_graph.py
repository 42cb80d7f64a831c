"""The syndication graph of some runs: which sites republish which sources, how often, how fast.

Read from the exported records of those runs (``OUTPUT/articles/**/part-RUNID-*.jsonl[.gz]``, local or
S3). A republication's delay is its ``published_at`` minus the original's, where the original is the
record whose ``canonical_url`` or ``url`` equals the copy's ``syndication.original_url``. Originals
exported before the runs read are not found, so their copies count as stories without a delay.
"""

from __future__ import annotations

import gzip
import json
import logging
import statistics
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pipelines.core.storage.layout import ARTICLES, PART_KEY_RE

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class Edge:
    source: str
    """The original's site."""
    syndicator: str
    """The site that republished it."""
    stories: int = 0
    delays: list[float] = field(default_factory=list)
    """Seconds from the original's publication to the copy's, where both are known."""

    @property
    def median_delay_seconds(self) -> float | None:
        return round(statistics.median(self.delays), 1) if self.delays else None

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "syndicator": self.syndicator,
            "stories": self.stories,
            "with_delay": len(self.delays),
            "median_delay_seconds": self.median_delay_seconds,
        }


@dataclass(slots=True)
class SyndicationGraph:
    edges: list[Edge] = field(default_factory=list)
    records: int = 0
    parts: int = 0
    bad_records: int = 0
    """Lines that were not a JSON object; logged at WARNING with the part key."""
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "edges": [e.to_json() for e in self.edges],
            "records": self.records,
            "parts": self.parts,
            "bad_records": self.bad_records,
            "problems": list(self.problems),
        }


def _when(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
    return (
        moment if moment is None or moment.tzinfo is not None else None
    )  # naive dates can't be compared


def parse_part(data: bytes, key: str, graph: SyndicationGraph) -> Iterator[dict[str, Any]]:
    if key.endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            logger.warning("Report (bad-part): %(key)s: %(error)s", {"key": key, "error": exc})
            graph.problems.append(f"{key}: not a gzip file: {exc}")
            return
    for number, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            record = None
            error: object = exc
        else:
            error = f"a JSON {type(record).__name__}, not an object"
        if not isinstance(record, dict):
            graph.bad_records += 1
            logger.warning(
                "Report (bad-record): %(key)s line %(line)d: %(error)s",
                {"key": key, "line": number, "error": error},
            )
            continue
        yield record


def build_graph(
    records: Iterable[dict[str, Any]], graph: SyndicationGraph | None = None
) -> SyndicationGraph:
    graph = graph or SyndicationGraph()
    published: dict[str, datetime] = {}
    copies: dict[
        str, dict[str, Any]
    ] = {}  # one per copy URL: a copy re-exported in a later run counts once
    for record in records:
        graph.records += 1
        when = _when(record.get("published_at"))
        for name in ("canonical_url", "url"):
            url = record.get(name)
            if url and when is not None:
                published.setdefault(str(url), when)
        syndication = record.get("syndication") or {}
        if (
            isinstance(syndication, dict)
            and syndication.get("status") == "republication"
            and syndication.get("original_site")
        ):
            copies[str(record.get("canonical_url") or record.get("url"))] = record
    edges: dict[tuple[str, str], Edge] = {}
    for record in copies.values():
        syndication = record["syndication"]
        pair = (str(syndication["original_site"]), str(record.get("site") or "unknown"))
        edge = edges.setdefault(pair, Edge(*pair))
        edge.stories += 1
        original = published.get(str(syndication.get("original_url")))
        copy = _when(record.get("published_at"))
        if original is not None and copy is not None:
            edge.delays.append((copy - original).total_seconds())
    graph.edges = sorted(edges.values(), key=lambda e: (-e.stories, e.source, e.syndicator))
    return graph


def read_graph(
    sources: Mapping[str, Iterable[str]], *, endpoint_url: str | None = None
) -> SyndicationGraph:
    """The graph of the records exported by the given runs: ``{output_uri: run_ids}``."""
    from pipelines.core.storage.errors import StoreError
    from pipelines.core.storage.sink import open_sink

    graph = SyndicationGraph()

    def records() -> Iterator[dict[str, Any]]:
        for output_uri, run_ids in sources.items():
            wanted = set(run_ids)
            try:
                sink = open_sink(output_uri, endpoint_url=endpoint_url)
                keys = [o.key for o in sink.list_objects(ARTICLES)]
            except (StoreError, ValueError, OSError) as exc:
                logger.warning(
                    "Report (no-records): cannot list %(output)s: %(error)s",
                    {"output": output_uri, "error": exc},
                )
                graph.problems.append(f"cannot list the records in {output_uri}: {exc}")
                continue
            for key in keys:
                match = PART_KEY_RE.match(key)
                if not match or match["run_id"] not in wanted:
                    continue
                try:
                    data = sink.get_bytes(key)
                except StoreError as exc:
                    logger.warning(
                        "Report (bad-part): %(key)s: %(error)s", {"key": key, "error": exc}
                    )
                    graph.problems.append(f"{key}: {exc}")
                    continue
                graph.parts += 1
                yield from parse_part(data, key, graph)

    return build_graph(records(), graph)
