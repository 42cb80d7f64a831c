"""Run monitoring: stats documents, health monitors, Prometheus metrics, notifications, reports.

The runner calls :func:`crawler.monitoring.finalize.finalize_run` once the crawl is over;
``syndicrawl report`` and ``syndicrawl runs`` read the documents it writes. Nothing is imported
here: ``crawler/settings.py`` imports :mod:`crawler.monitoring.options`, which must stay light.
"""
