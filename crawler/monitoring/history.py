"""Finding past runs' stats documents: in the state dir, or next to the export (local or S3).

An unreadable document is logged (WARNING, with the path and why) and listed in ``skipped``; it
never stops the report or the monitors, which work on the documents that can be read.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from crawler.monitoring.document import RUNS_FOLDER, DocumentError, RunDocument
from crawler.monitoring.storage import load_document

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class History:
    runs: list[RunDocument] = field(default_factory=list)
    """Oldest first."""
    skipped: list[str] = field(default_factory=list)
    """``where: why`` of each document that could not be read."""

    def last(self, n: int | None) -> History:
        return History(self.runs[-n:] if n else list(self.runs), list(self.skipped))

    def before(self, run_id: str) -> list[RunDocument]:
        """Runs that started before ``run_id``, oldest first."""
        return [r for r in self.runs if _order(r) < run_id]


def _order(doc: RunDocument) -> str:
    return (
        doc.run_id
    )  # run ids start with their UTC start time (YYYYMMDDTHHMMSSZ-...), so they sort like it


def _skip(history: History, where: str, exc: Exception) -> None:
    logger.warning("Run history (unreadable): %(where)s: %(error)s", {"where": where, "error": exc})
    history.skipped.append(f"{where}: {exc}")


def load_state_history(state_dir: str | Path, *, limit: int | None = None) -> History:
    """``STATE_DIR/runs/run=*.json`` (the newest ``limit`` of them), oldest first.

    Run ids start with their UTC start time, so file names sort like the runs.
    """
    history = History()
    folder = Path(state_dir) / RUNS_FOLDER
    paths = sorted(folder.glob("run=*.json"))
    for path in paths[-limit:] if limit else paths:
        try:
            history.runs.append(load_document(path))
        except DocumentError as exc:
            _skip(history, str(path), exc)
    history.runs.sort(key=_order)
    return history


def load_output_history(output_uri: str, *, endpoint_url: str | None = None) -> History:
    """Every ``OUTPUT/runs/run=*/stats.json`` of a local or S3 output, oldest first."""
    from pipelines.core.storage.errors import StoreError
    from pipelines.core.storage.sink import open_sink

    history = History()
    sink = open_sink(output_uri, endpoint_url=endpoint_url)
    try:
        keys = [
            o.key for o in sink.list_objects(RUNS_FOLDER + "/") if o.key.endswith("/stats.json")
        ]
    except StoreError as exc:
        raise DocumentError(f"{output_uri}: cannot list {RUNS_FOLDER}/: {exc}") from exc
    for key in sorted(keys):
        where = f"{sink.describe().rstrip('/')}/{key}"
        try:
            data = json.loads(sink.get_bytes(key))
            history.runs.append(RunDocument.from_json(data, source=where))
        except (StoreError, json.JSONDecodeError, DocumentError, AttributeError) as exc:
            _skip(history, where, exc)
    history.runs.sort(key=_order)
    return history
