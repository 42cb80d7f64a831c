"""Notifications of an unhealthy run: a Slack-style webhook (JSON POST) and e-mail over SMTP.

Each hook runs only when its settings are set (:class:`~crawler.monitoring.options.NotifyOptions`). A hook that fails is logged at ERROR and reported back
as a problem; it never hides the run's own outcome. The webhook URL is a credential: it is never
logged or written into a document.
"""

from __future__ import annotations

import json
import logging
import smtplib
import urllib.request
from email.message import EmailMessage

from crawler.config import setting_name
from crawler.monitoring.options import NotifyOptions

logger = logging.getLogger(__name__)

# Named in problems and warnings (the webhook's value is a secret: only its name is shown).
SLACK_WEBHOOK = setting_name(NotifyOptions, "slack_webhook")
EMAIL_TO = setting_name(NotifyOptions, "email_to")
SMTP_HOST = setting_name(NotifyOptions, "smtp_host")
TIMEOUT_SECONDS = 10.0


def post_webhook(url: str, text: str, *, timeout: float = TIMEOUT_SECONDS) -> int:
    """POST ``{"text": text}`` as JSON (the Slack incoming-webhook format); returns the HTTP status."""
    body = json.dumps({"text": text}).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(
        request, timeout=timeout
    ) as response:  # an HTTP error status raises HTTPError
        return int(response.status)


def send_email(
    host: str,
    recipients: list[str],
    sender: str,
    subject: str,
    text: str,
    *,
    timeout: float = TIMEOUT_SECONDS,
) -> None:
    """Send a plain-text mail through ``host`` (``name`` or ``name:port``, port 25 by default)."""
    name, _, port = host.partition(":")
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message.set_content(text)
    with smtplib.SMTP(name, int(port or 25), timeout=timeout) as smtp:
        smtp.send_message(message)


def notify(subject: str, text: str, options: NotifyOptions) -> list[str]:
    """Send ``text`` through every configured hook; returns what failed, in plain words."""
    problems: list[str] = []
    webhook = options.slack_webhook
    if webhook:
        try:
            status = post_webhook(webhook, f"{subject}\n{text}")
            logger.info("Notify: webhook answered HTTP %(status)d", {"status": status})
        except (
            Exception
        ) as exc:  # any failure of a hook is reported, never raised: the run's outcome stands
            logger.error(
                "Notify (webhook): POST to %(setting)s failed: %(error)s",
                {"setting": SLACK_WEBHOOK, "error": _no_url(exc)},
            )
            problems.append(f"notification to {SLACK_WEBHOOK} failed: {_no_url(exc)}")
    to, host = options.email_to, options.smtp_host
    if to and host:
        recipients = [a.strip() for a in to.split(",") if a.strip()]
        try:
            send_email(host, recipients, options.email_from, subject, text)
            logger.info("Notify: mailed %(to)s through %(host)s", {"to": recipients, "host": host})
        except (OSError, smtplib.SMTPException) as exc:
            logger.error(
                "Notify (email): sending to %(to)s through %(host)s failed: %(error)s",
                {"to": recipients, "host": host, "error": exc},
            )
            problems.append(f"e-mail to {recipients} through {host} failed: {exc}")
    elif to or host:
        logger.warning(
            "Notify (email): %(to)s and %(host)s must both be set; no mail sent",
            {"to": EMAIL_TO, "host": SMTP_HOST},
        )
    return problems


def _no_url(exc: Exception) -> str:
    """The error without the webhook URL (its path is the secret)."""
    reason = getattr(exc, "reason", None)
    code = getattr(exc, "code", None)
    if code is not None:
        return f"HTTP {code}"
    return f"{type(exc).__name__}: {reason}" if reason is not None else type(exc).__name__
