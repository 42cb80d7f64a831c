"""URL normalisation: one article, one key.

Tracking parameters are removed (by name or prefix, which w3lib's ``url_query_cleaner`` cannot
match), the default port is dropped, then w3lib's ``canonicalize_url`` lower-cases scheme and host,
sorts the query, drops the fragment and normalises percent-encoding.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Parameters that identify a campaign or a click, never the article.
TRACKING_PARAMS: tuple[str, ...] = (
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "utm_id",
    "utm_name",
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "yclid",
    "mc_cid",
    "mc_eid",
    "igshid",
    "ref_src",
    "_ga",
    "_gl",
    "cmpid",
    "ito",
    "ocid",
    "spm",
    "share",
    "at_medium",
    "at_campaign",
)
_TRACKING_NAMES = frozenset(TRACKING_PARAMS)
_TRACKING_PREFIX = re.compile(r"^(utm_|at_|pk_|mtm_)")


def normalize_url(url: str) -> str:
    """The key of ``url``: tracking parameters and fragment removed, canonical form."""
    parts = urlsplit(url.strip())
    query = "&".join(pair for pair in parts.query.split("&") if pair and not _is_tracking(pair))
    netloc = parts.netloc.lower()
    if (parts.scheme.lower(), parts.port) in (("http", 80), ("https", 443)):
        netloc = netloc.rsplit(":", 1)[0]
    return canonicalize_url(
        urlunsplit(parts._replace(netloc=netloc, query=query)), keep_fragments=False
    )


def _is_tracking(pair: str) -> bool:
    name = pair.split("=", 1)[0].lower()
    return name in _TRACKING_NAMES or _TRACKING_PREFIX.match(name) is not None
