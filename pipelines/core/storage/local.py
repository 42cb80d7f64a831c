"""``LocalSink``: the export written to a local directory, each object replaced atomically."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from pipelines.core.storage.errors import ObjectNotFound, StoreError
from pipelines.core.storage.sink import ObjectInfo

_TMP_MARK = ".tmp-"


class LocalSink:
    """Writes ``key`` to ``root/key``; a reader never sees a half-written file."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def describe(self) -> str:
        return str(self.root)

    def _path(self, key: str) -> Path:
        if key.startswith("/") or ".." in key.split("/"):
            raise ValueError(f"key {key!r} escapes the sink root {self.root}")
        return self.root / key

    def _error(self, exc: OSError, action: str, key: str) -> StoreError:
        denied = isinstance(exc, PermissionError)
        return StoreError(
            f"{action} {key!r} in {self.root} failed: {exc}",
            reason="access_denied" if denied else "io_error",
            retryable=not denied,
            store=self.describe(),
        )

    def _replace(self, key: str, write: Callable[[Path], object]) -> None:
        target = self._path(key)
        tmp = target.with_name(f"{target.name}{_TMP_MARK}{os.getpid()}")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            write(tmp)
            os.replace(tmp, target)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise self._error(exc, "writing", key) from exc

    def put_file(self, path: Path, key: str, *, content_type: str) -> None:
        self._replace(key, lambda tmp: shutil.copyfile(path, tmp))

    def put_bytes(self, data: bytes, key: str, *, content_type: str) -> None:
        self._replace(key, lambda tmp: tmp.write_bytes(data))

    def get_bytes(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise ObjectNotFound(
                f"{key!r} does not exist in {self.root}", store=self.describe()
            ) from exc
        except OSError as exc:
            raise self._error(exc, "reading", key) from exc

    def list_objects(self, prefix: str) -> Iterator[ObjectInfo]:
        base = self.root / prefix.rsplit("/", 1)[0] if "/" in prefix else self.root
        if not base.is_dir():
            return
        found = []
        for path in base.rglob("*"):
            if not path.is_file() or _TMP_MARK in path.name:
                continue
            key = path.relative_to(self.root).as_posix()
            if key.startswith(prefix):
                found.append(ObjectInfo(key, path.stat().st_size))
        yield from sorted(found, key=lambda info: info.key)
