"""Notifications of an unhealthy run: a Slack-style webhook (JSON POST) and e-mail over SMTP.

Each hook runs only when its setting is set. A hook that fails is logged at ERROR and reported back
as a problem; it never hides the run's own outcome. The webhook URL is a credential: it is never
logged or written into a document.
"""

from __future__ import annotations

import json
import logging
import smtplib
import urllib.request
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

logger = logging.getLogger(__name__)

SLACK_WEBHOOK = "SYNDICRAWL_NOTIFY_SLACK_WEBHOOK"
EMAIL_TO = "SYNDICRAWL_NOTIFY_EMAIL_TO"
EMAIL_FROM = "SYNDICRAWL_NOTIFY_EMAIL_FROM"
SMTP_HOST = "SYNDICRAWL_NOTIFY_SMTP_HOST"
DEFAULT_FROM = "syndicrawl@localhost"
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


def notify(subject: str, text: str, settings: Mapping[str, Any]) -> list[str]:
    """Send ``text`` through every configured hook; returns what failed, in plain words."""
    problems: list[str] = []
    webhook = settings.get(SLACK_WEBHOOK)
    if webhook:
        try:
            status = post_webhook(str(webhook), f"{subject}\n{text}")
            logger.info("Notify: webhook answered HTTP %(status)d", {"status": status})
        except (
            Exception
        ) as exc:  # any failure of a hook is reported, never raised: the run's outcome stands
            logger.error(
                "Notify (webhook): POST to %(setting)s failed: %(error)s",
                {"setting": SLACK_WEBHOOK, "error": _no_url(exc)},
            )
            problems.append(f"notification to {SLACK_WEBHOOK} failed: {_no_url(exc)}")
    to, host = settings.get(EMAIL_TO), settings.get(SMTP_HOST)
    if to and host:
        recipients = [a.strip() for a in str(to).split(",") if a.strip()]
        try:
            send_email(
                str(host), recipients, str(settings.get(EMAIL_FROM) or DEFAULT_FROM), subject, text
            )
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
