"""Keep credentials out of run documents, logs and reports: stat keys that look like secrets are
left out, URLs lose their ``user:password@``."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

logger = logging.getLogger(__name__)

# A stat or setting name that looks like a credential never goes into a document.
SECRET_NAME_RE = re.compile(
    r"secret|passw|token|api[_-]?key|access[_-]?key|credential|auth(?!or)|private[_-]?key|webhook|cookie|session[_-]?id",
    re.IGNORECASE,
)
_USERINFO_RE = re.compile(r"([a-z][a-z0-9+.-]*://)[^/\s@]+@", re.IGNORECASE)


def redact_uri(uri: str | None) -> str | None:
    """``uri`` without a ``user:password@`` part, which must never reach a document or a log."""
    if not uri:
        return uri
    parts = urlsplit(uri)
    if parts.username is None and parts.password is None:
        return uri
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def redact_text(text: str) -> str:
    """``text`` with the ``user:password@`` of any URL in it removed."""
    return _USERINFO_RE.sub(r"\1", text)


def scrub(raw: Mapping[str, Any]) -> dict[str, Any]:
    """JSON-ready stats without keys that look like credentials; URLs lose their user:password."""
    clean: dict[str, Any] = {}
    for key, value in raw.items():
        if SECRET_NAME_RE.search(str(key)):
            logger.warning(
                "Stats document: left out key %(key)s (looks like a credential)", {"key": key}
            )
            continue
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, str) and "@" in value:
            value = redact_text(value)
        elif not isinstance(value, int | float | str | bool | type(None)):
            value = str(value)
        clean[str(key)] = value
    return dict(sorted(clean.items()))
