"""The ``ArticleSink`` protocol and ``open_sink``, which picks a sink from an output URI.

Keys passed to a sink are relative to its root (the ``PREFIX`` of the output URI), with ``/`` as
separator. Every failure is a :class:`~pipelines.core.storage.errors.StoreError` with a reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

DEFAULT_MULTIPART_THRESHOLD = 64 * 1024 * 1024
MIN_MULTIPART_THRESHOLD = 5 * 1024 * 1024  # S3's smallest allowed part size


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    key: str
    size: int


class ArticleSink(Protocol):
    """Where exported files go: a directory or an S3-compatible bucket."""

    def describe(self) -> str:
        """Where the sink writes, for log lines (never credentials)."""
        ...

    def put_file(self, path: Path, key: str, *, content_type: str) -> None:
        """Store the file at ``path`` under ``key``, replacing any object already there."""
        ...

    def put_bytes(self, data: bytes, key: str, *, content_type: str) -> None:
        """Store ``data`` under ``key``, replacing any object already there."""
        ...

    def get_bytes(self, key: str) -> bytes:
        """The content of ``key``; ``ObjectNotFound`` if it does not exist."""
        ...

    def list_objects(self, prefix: str) -> Iterator[ObjectInfo]:
        """Every object whose key starts with ``prefix``, in key order."""
        ...


def open_sink(
    uri: str,
    *,
    endpoint_url: str | None = None,
    region: str | None = None,
    multipart_threshold: int = DEFAULT_MULTIPART_THRESHOLD,
) -> ArticleSink:
    """The sink for ``uri``: ``s3://bucket[/prefix]``, ``file:///dir`` or a local path."""
    parts = urlsplit(uri)
    if parts.scheme == "s3":
        from pipelines.core.storage.s3 import S3Sink

        if not parts.netloc:
            raise ValueError(f"output URI {uri!r} has no bucket: use s3://bucket[/prefix]")
        return S3Sink(
            parts.netloc,
            parts.path,
            endpoint_url=endpoint_url,
            region=region,
            multipart_threshold=multipart_threshold,
        )
    from pipelines.core.storage.local import LocalSink

    if parts.scheme == "file":
        return LocalSink(Path(parts.path))
    if parts.scheme and len(parts.scheme) > 1:  # a one-letter scheme is a Windows drive
        raise ValueError(
            f"output URI {uri!r} has scheme {parts.scheme!r}: use s3://, file:// or a local path"
        )
    return LocalSink(Path(uri))


def normalise_uri(uri: str) -> str:
    """A canonical form of an output URI, to tell whether two runs write to the same place."""
    parts = urlsplit(uri)
    if parts.scheme == "s3":
        return f"s3://{parts.netloc}/{parts.path.strip('/')}".rstrip("/")
    path = Path(parts.path) if parts.scheme == "file" else Path(uri)
    return str(path.expanduser().resolve())
