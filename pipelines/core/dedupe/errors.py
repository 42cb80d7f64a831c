"""Errors of the syndication core.

SyndicationError
 +-- IndexUnavailable      the index file/server cannot be opened or used
 +-- BadSyndicationOptions a setting has a value outside its allowed range (also ValueError)
"""

from __future__ import annotations


class SyndicationError(Exception):
    """Base class of the syndication core's errors."""


class IndexUnavailable(SyndicationError):
    """The index cannot be opened or used (path, URL and cause in the message)."""


class BadSyndicationOptions(SyndicationError, ValueError):
    """An option is outside its allowed range: the message names the setting, value and range."""
