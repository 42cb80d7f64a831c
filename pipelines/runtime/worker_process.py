"""One pool worker process and its two pipes, driven from the crawl's event loop.

The crawl process writes each task to the worker's task pipe and reads each result when the
result pipe is readable, in the reactor's own event loop (``loop.add_reader`` / ``add_writer``):
no helper thread, no wake-up of the reactor from another thread. That is why the pool is not
:class:`concurrent.futures.ProcessPoolExecutor`: with two workers on the 3,000-article bench, its
queue-feeder and manager threads cost the crawl process ~1 ms of CPU per page (of ~9 ms: 0.23 ms
feeder, 0.8 ms manager, plus the self-pipe wake-ups of the loop), and the crawl process is the
pool's shared bottleneck (``syndicrawl bench``; figures in the README's performance section).

Messages are framed as :class:`multiprocessing.connection.Connection` frames them (a 4-byte
signed big-endian length, then the bytes), so the worker uses a plain ``Connection``
(``recv_bytes`` / ``send_bytes``, blocking) and this side reads and writes the raw file
descriptors without blocking. Results come back in the order the tasks were sent (a worker runs
one task at a time), so each worker keeps a FIFO of the futures in flight.

A worker that dies (end of file on its result pipe, or a broken task pipe) fails every future in
flight on it with :class:`WorkerDied`; the pool counts it and starts another worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import struct
from collections import deque
from collections.abc import Callable
from multiprocessing.context import BaseContext
from typing import Any

logger = logging.getLogger(__name__)

_LENGTH = struct.Struct("!i")
_LONG_LENGTH = struct.Struct("!Q")  # after a -1 length: frames over 2 GiB (never sent here)
_PIPE_BYTES = 1 << 20  # a whole ~115 KB page (and its neighbours) fits: one write, one read
_READ_BYTES = 1 << 20


class WorkerDied(Exception):
    """The worker process ended with tasks in flight (or could not be written to)."""


def _widen_pipe(fd: int) -> None:
    """Raise the pipe's buffer to 1 MiB where Linux allows it (fewer partial writes and reads)."""
    setter = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setter is not None:
        with contextlib.suppress(OSError):  # above /proc/sys/fs/pipe-max-size: keep the default
            fcntl.fcntl(fd, setter, _PIPE_BYTES)


class WorkerProcess:
    """A started worker process: ``target(*args, tasks, results)`` runs in it."""

    def __init__(
        self,
        context: BaseContext,
        target: Callable[..., None],
        args: tuple[Any, ...],
        name: str,
    ) -> None:
        # Pipe(duplex=False) gives (receiving end, sending end)
        tasks_in, tasks_out = context.Pipe(duplex=False)
        results_in, results_out = context.Pipe(duplex=False)
        self.process = context.Process(  # type: ignore[attr-defined]
            target=target, args=(*args, tasks_in, results_out), name=name, daemon=True
        )
        self.process.start()
        # the worker has its ends now; closing ours lets an exit show as end of file
        tasks_in.close()
        results_out.close()
        self._tasks = tasks_out
        self._results = results_in
        self._task_fd = tasks_out.fileno()
        self._result_fd = results_in.fileno()
        for fd in (self._task_fd, self._result_fd):
            _widen_pipe(fd)
            os.set_blocking(fd, False)
        self.in_flight: deque[asyncio.Future[bytes]] = deque()
        self._outbox: deque[memoryview] = deque()
        self._inbox = bytearray()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.dead = False
        self.replies = 0
        """Results received: a worker that dies with none never got to work (a broken start)."""

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def submit(self, data: bytes, loop: asyncio.AbstractEventLoop) -> asyncio.Future[bytes]:
        """Send one task; the future gets the worker's reply bytes, or :class:`WorkerDied`."""
        future: asyncio.Future[bytes] = loop.create_future()
        if self.dead:
            future.set_exception(WorkerDied(self._why()))
            return future
        self._attach(loop)
        self.in_flight.append(future)
        self._outbox.append(memoryview(_LENGTH.pack(len(data)) + data))
        self._write()
        return future

    def _attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Watch the result pipe in ``loop`` (tests run one event loop after another)."""
        if self._loop is loop:
            return
        self._detach()
        self._loop = loop
        loop.add_reader(self._result_fd, self._read)

    def _detach(self) -> None:
        loop, self._loop = self._loop, None
        if loop is not None and not loop.is_closed():
            loop.remove_reader(self._result_fd)
            loop.remove_writer(self._task_fd)

    def _write(self) -> None:
        """Write what the pipe takes now; the rest when it is writable again."""
        while self._outbox:
            head = self._outbox[0]
            try:
                written = os.write(self._task_fd, head)
            except BlockingIOError:
                break
            except OSError as exc:  # EPIPE: the worker is gone
                self._died(f"cannot send it a task: {exc!r}")
                return
            if written == len(head):
                self._outbox.popleft()
            else:
                self._outbox[0] = head[written:]
        assert self._loop is not None
        if self._outbox:
            self._loop.add_writer(self._task_fd, self._write)
        else:
            self._loop.remove_writer(self._task_fd)

    def _read(self) -> None:
        try:
            chunk = os.read(self._result_fd, _READ_BYTES)
        except BlockingIOError:
            return
        except OSError as exc:
            self._died(f"cannot read its result: {exc!r}")
            return
        if not chunk:
            self._died("it exited")
            return
        self._inbox += chunk
        while (reply := self._next_frame()) is not None:
            self.replies += 1
            future = self.in_flight.popleft()
            if not future.done():  # a cancelled caller: the reply is dropped
                future.set_result(reply)

    def _next_frame(self) -> bytes | None:
        inbox = self._inbox
        if len(inbox) < _LENGTH.size:
            return None
        (size,) = _LENGTH.unpack_from(inbox)
        start = _LENGTH.size
        if size == -1:
            if len(inbox) < start + _LONG_LENGTH.size:
                return None
            (size,) = _LONG_LENGTH.unpack_from(inbox, start)
            start += _LONG_LENGTH.size
        end = start + size
        if len(inbox) < end:
            return None
        reply = bytes(inbox[start:end])
        del inbox[:end]
        return reply

    def _why(self) -> str:
        self.process.join(timeout=1.0)
        return f"worker pid {self.pid} exit code {self.process.exitcode}"

    def _died(self, what: str) -> None:
        self.dead = True
        self._detach()
        self._outbox.clear()
        error = WorkerDied(f"{what} ({self._why()})")
        while self.in_flight:
            future = self.in_flight.popleft()
            if not future.done():
                future.set_exception(error)

    def close(self, timeout: float = 10.0) -> None:
        """Close the task pipe (the worker finishes its task and exits), then wait for it; a
        worker still running after ``timeout`` seconds is terminated."""
        self.dead = True
        self._detach()
        self._tasks.close()
        self.process.join(timeout)
        if self.process.is_alive():
            logger.warning(
                "pool: worker pid %(pid)s did not exit in %(timeout)ss; terminating it",
                {"pid": self.pid, "timeout": timeout},
            )
            self.process.terminate()
            self.process.join(5.0)
        self._results.close()
        error = WorkerDied("the stage pool is shut down")
        while self.in_flight:
            future = self.in_flight.popleft()
            if not future.done() and not future.get_loop().is_closed():
                future.set_exception(error)
