"""Settings of the health monitors, the notifications and the Prometheus metrics (declarations
only: light to import; see :mod:`crawler.config`)."""

from __future__ import annotations

from dataclasses import dataclass

from crawler.config import Options, setting


@dataclass(frozen=True, kw_only=True)
class MonitorOptions(Options):
    """Thresholds of the monitors (:mod:`crawler.monitoring.monitors`) and the switch of the
    ``MonitorStats`` extension that counts what they judge."""

    enabled: bool = setting(
        "SYNDICRAWL_MONITOR_ENABLED", True, "run the health monitors at the end of each run"
    )
    max_error_rate: float = setting(
        "SYNDICRAWL_MONITOR_MAX_ERROR_RATE",
        0.2,
        "failed fetches / attempted, per site",
        low=0,
        high=1,
    )
    drop_ratio: float = setting(
        "SYNDICRAWL_MONITOR_DROP_RATIO",
        0.5,
        "a site whose articles fall below this share of its recent median fails",
        low=0,
        high=1,
    )
    history_runs: int = setting(
        "SYNDICRAWL_MONITOR_HISTORY_RUNS",
        10,
        "runs that make that median (a site's previous runs with articles)",
        low=1,
    )
    min_history_runs: int = setting(
        "SYNDICRAWL_MONITOR_MIN_HISTORY_RUNS",
        3,
        "the drop monitor judges only with this many earlier runs",
        low=1,
    )
    max_undated_share: float = setting(
        "SYNDICRAWL_MONITOR_MAX_UNDATED_SHARE",
        0.5,
        "share of a site's articles without a date that fails (layout change)",
        low=0,
        high=1,
    )
    max_text_loss_share: float = setting(
        "SYNDICRAWL_MONITOR_MAX_TEXT_LOSS_SHARE",
        0.5,
        "share of a site's articles without text that fails (layout change)",
        low=0,
        high=1,
    )
    min_sample: int = setting(
        "SYNDICRAWL_MONITOR_MIN_SAMPLE",
        3,
        "with fewer articles, the share monitors do not judge (one odd page is not a trend)",
        low=1,
    )


@dataclass(frozen=True, kw_only=True)
class NotifyOptions(Options):
    """:func:`crawler.monitoring.notify.notify`: each hook runs when its settings are set."""

    slack_webhook: str = setting(
        "SYNDICRAWL_NOTIFY_SLACK_WEBHOOK", "", "POST failed monitors to this Slack webhook"
    )
    email_to: str = setting(
        "SYNDICRAWL_NOTIFY_EMAIL_TO", "", "comma-separated addresses to mail failed monitors to"
    )
    email_from: str = setting(
        "SYNDICRAWL_NOTIFY_EMAIL_FROM", "syndicrawl@localhost", "sender of those mails"
    )
    smtp_host: str = setting("SYNDICRAWL_NOTIFY_SMTP_HOST", "", "`host[:port]` of the SMTP server")


@dataclass(frozen=True, kw_only=True)
class PrometheusOptions(Options):
    """:func:`crawler.monitoring.metrics.publish_metrics`."""

    textfile: str = setting(
        "SYNDICRAWL_PROMETHEUS_TEXTFILE",
        "",
        "write metrics here for node_exporter's textfile collector",
    )
    pushgateway: str = setting(
        "SYNDICRAWL_PROMETHEUS_PUSHGATEWAY", "", "push metrics to this Pushgateway URL"
    )
    job: str = setting("SYNDICRAWL_PROMETHEUS_JOB", "syndicrawl", "Pushgateway job label")
