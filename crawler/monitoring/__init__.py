"""Run monitoring: stats documents, health monitors, Prometheus metrics, notifications, reports.

The runner calls :func:`finalize_run` once the crawl is over; ``syndicrawl report`` and
``syndicrawl runs`` read the documents it writes.
"""

from __future__ import annotations

from crawler.monitoring.finalize import RunHealth, finalize_run

__all__ = ["RunHealth", "finalize_run"]
