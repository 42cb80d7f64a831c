"""Run documents on disk (the state dir, a local output) and in an S3 store, written atomically."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.monitoring.document import RUNS_FOLDER, DocumentError, RunDocument


def document_name(run_id: str) -> str:
    return f"run={run_id}.json"


def output_key(run_id: str) -> str:
    """Key of the document next to the export, relative to the output prefix."""
    return f"{RUNS_FOLDER}/run={run_id}/stats.json"


def dumps(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)  # a reader (report, runs) never sees half a document


def is_s3(uri: str | None) -> bool:
    return bool(uri) and str(uri).startswith("s3://")


def local_output_dir(output_uri: str) -> Path:
    parts = urlsplit(output_uri)
    return Path(parts.path) if parts.scheme == "file" else Path(output_uri)


def write_document(doc: Mapping[str, Any], state_dir: str | Path, output_uri: str | None) -> Path:
    """Write ``STATE_DIR/runs/run=RUNID.json`` and, for a local output, ``OUTPUT/runs/run=RUNID/stats.json``.

    Returns the state-dir path. S3 outputs are handled by :func:`upload_document`.
    """
    text = dumps(doc)
    run_id = str(doc["run_id"])
    path = Path(state_dir) / RUNS_FOLDER / document_name(run_id)
    _write_atomic(path, text)
    if output_uri and not is_s3(output_uri):
        _write_atomic(local_output_dir(output_uri) / output_key(run_id), text)
    return path


def upload_document(
    doc: Mapping[str, Any],
    output_uri: str,
    endpoint_url: str | None = None,
    *,
    region: str | None = None,
) -> str:
    """Put the document at ``s3://BUCKET/PREFIX/runs/run=RUNID/stats.json``; returns that URI.

    Credentials come from boto3's standard chain only. Errors (botocore) propagate to the caller.
    """
    import boto3
    from botocore.config import Config

    parts = urlsplit(output_uri)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"output URI {output_uri!r}: expected s3://bucket[/prefix]")
    prefix = parts.path.strip("/")
    key = f"{prefix}/{output_key(str(doc['run_id']))}" if prefix else output_key(str(doc["run_id"]))
    config = Config(
        region_name=region,
        connect_timeout=10,
        read_timeout=30,
        retries={"total_max_attempts": 3, "mode": "standard"},
        s3={"addressing_style": "path"} if endpoint_url else None,
    )
    client = boto3.session.Session().client("s3", endpoint_url=endpoint_url, config=config)
    client.put_object(
        Bucket=parts.netloc,
        Key=key,
        Body=dumps(doc).encode("utf-8"),
        ContentType="application/json",
    )
    return f"s3://{parts.netloc}/{key}"


def load_document(path: str | Path) -> RunDocument:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DocumentError(f"{path}: cannot read stats document: {exc}") from exc
    if not isinstance(data, dict):
        raise DocumentError(f"{path}: a stats document is a JSON object, got {type(data).__name__}")
    return RunDocument.from_json(data, source=str(path))
