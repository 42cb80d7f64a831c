"""Imported once by the pool's forkserver (:func:`pipelines.runtime.pool.worker_context`): warms up the
stage cores' libraries there (trafilatura, the language identifier's model, dateparser's data), so
every worker forked from it starts warm in milliseconds instead of ~1.3 s of CPU, and shares those
read-only pages with its siblings. A failed warm-up is logged and each worker warms up itself.
"""

from __future__ import annotations

from pipelines.runtime.pool import WorkerConfig, WorkerState

WorkerState(WorkerConfig()).warm_up()
