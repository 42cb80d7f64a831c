"""Uploads with retries and exponential backoff, and a breaker that stops after the first failure.

Once one upload has failed for good (retries used up, or a permanent refusal such as a missing
bucket or 403), every later upload of the run is skipped: the files stay in the spool and the next
run uploads them. Retrying each file against a store that is down would only stretch the crawl.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from pathlib import Path

from pipelines.core.storage.errors import StoreError
from pipelines.core.storage.layout import content_type
from pipelines.core.storage.sink import ArticleSink

logger = logging.getLogger(__name__)

EventCallback = Callable[[str, str | None, int], None]
"""``(outcome, detail, value)``, e.g. ``("uploaded", "part", 1)``; the adapter turns it into stats."""


def _no_event(outcome: str, detail: str | None, value: int) -> None:
    return None


class Uploader:
    """Puts files into ``sink``; ``failure`` holds the error that stopped it, if any."""

    def __init__(
        self,
        sink: ArticleSink,
        *,
        retries: int,
        backoff_seconds: float,
        backoff_max_seconds: float = 60.0,
        on_event: EventCallback = _no_event,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.sink = sink
        self.retries = retries
        self.backoff_seconds = backoff_seconds
        self.backoff_max_seconds = backoff_max_seconds
        self.on_event = on_event
        self.sleep = sleep
        self.failure: StoreError | None = None

    def put_file(self, path: Path, key: str, kind: str) -> bool:
        """Upload ``path`` as ``key``; False if it failed or the breaker is open."""
        size = path.stat().st_size
        ok = self._attempt(
            lambda: self.sink.put_file(path, key, content_type=content_type(key)), key
        )
        self._count(ok, kind, size)
        return ok

    def put_bytes(self, data: bytes, key: str, kind: str) -> bool:
        ok = self._attempt(
            lambda: self.sink.put_bytes(data, key, content_type=content_type(key)), key
        )
        self._count(ok, kind, len(data))
        return ok

    def _count(self, ok: bool, kind: str, size: int) -> None:
        if ok:
            self.on_event("uploaded", kind, 1)
            self.on_event("uploaded_bytes", None, size)

    def _delay(self, attempt: int) -> float:
        delay = min(self.backoff_max_seconds, self.backoff_seconds * 2**attempt)
        return delay * random.uniform(0.5, 1.0)  # jitter, so parallel runs do not retry in step

    def _attempt(self, action: Callable[[], None], key: str) -> bool:
        if self.failure is not None:
            return False
        for attempt in range(self.retries + 1):
            try:
                action()
            except StoreError as exc:
                if not exc.retryable or attempt == self.retries:
                    self.failure = exc
                    self.on_event("failed", exc.reason, 1)
                    logger.warning(
                        "Export: giving up on %(key)s after %(attempts)d attempt(s) (%(reason)s); "
                        "later uploads of this run are skipped: %(error)s",
                        {"key": key, "attempts": attempt + 1, "reason": exc.reason, "error": exc},
                    )
                    return False
                delay = self._delay(attempt)
                self.on_event("retries", exc.reason, 1)
                logger.warning(
                    "Export: upload of %(key)s failed (%(reason)s), retry %(retry)d/%(retries)d in %(delay).1fs: %(error)s",
                    {
                        "key": key,
                        "reason": exc.reason,
                        "retry": attempt + 1,
                        "retries": self.retries,
                        "delay": delay,
                        "error": exc,
                    },
                )
                self.sleep(delay)
            else:
                logger.debug("Export: uploaded %(key)s", {"key": key})
                return True
        return False  # unreachable: the loop returns on its last attempt
