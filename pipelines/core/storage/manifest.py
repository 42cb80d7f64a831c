"""The per-run manifest, ``manifests/run=RUNID.json``: written after every part of the run.

::

    {
      "manifest_version": 1,
      "run_id": "20261127T083000Z-a1b2c3",
      "schema_version": "1.0",            # crawler/schemas/article.v1.json
      "started_at": "2026-11-27T08:30:00+00:00",
      "ended_at": "2026-11-27T09:10:04+00:00",   # null when the run was killed
      "complete": true,                   # false: the run was killed, unfinished batches are lost
      "written_at": "2026-11-27T09:10:05+00:00",
      "compression": "gzip",
      "files": [{"key": "articles/dt=.../site=.../part-...-00000.jsonl.gz",
                 "records": 500, "bytes": 81234, "sha256": "..."}],
      "totals": {"files": 1, "records": 500, "bytes": 81234}
    }

Keys are relative to the output prefix, so a copied export keeps a valid manifest.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pipelines.core.storage.spool import PartInfo

MANIFEST_VERSION = 1


def build_manifest(
    *,
    run_id: str,
    schema_version: str,
    started_at: str,
    ended_at: str | None,
    written_at: str,
    compression: str,
    parts: Sequence[PartInfo],
) -> dict[str, Any]:
    files = [part.as_dict() for part in sorted(parts, key=lambda p: p.key)]
    return {
        "manifest_version": MANIFEST_VERSION,
        "run_id": run_id,
        "schema_version": schema_version,
        "started_at": started_at,
        "ended_at": ended_at,
        "complete": ended_at is not None,
        "written_at": written_at,
        "compression": compression,
        "files": files,
        "totals": {
            "files": len(files),
            "records": sum(part.records for part in parts),
            "bytes": sum(part.bytes for part in parts),
        },
    }


def encode_manifest(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode(
        "utf-8"
    )


def parse_manifest(data: bytes, key: str) -> tuple[dict[str, Any], list[PartInfo]]:
    """The manifest and its file entries; ``ValueError`` naming ``key`` and the bad field."""
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{key}: not a JSON document: {exc}") from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        raise ValueError(f"{key}: expected an object with a 'files' list")
    parts = []
    for index, entry in enumerate(manifest["files"]):
        try:
            parts.append(
                PartInfo(
                    str(entry["key"]),
                    int(entry["records"]),
                    int(entry["bytes"]),
                    str(entry["sha256"]),
                )
            )
        except (TypeError, KeyError, ValueError) as exc:
            raise ValueError(
                f"{key}: files[{index}] needs key, records, bytes and sha256: {exc!r}"
            ) from exc
    return manifest, parts
