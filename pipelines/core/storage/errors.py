"""Errors of the storage core.

::

    StorageError                  base class
     ├── InvalidKeyPart (+ValueError)  a site name, run id or date that cannot go into a key
     ├── StoreError               the object store failed; ``reason`` and ``retryable`` say how
     │    └── ObjectNotFound      a read of a key that does not exist
     ├── SpoolError               the local spool cannot be written or read
     └── SpoolBusy                another live process holds the spool run's lock

``StoreError.reason`` is a short bounded word used in stat keys (``failed_count/<reason>``):
``no_such_bucket``, ``access_denied``, ``no_credentials``, ``not_found``, ``connection``,
``timeout``, ``throttled``, ``server_error``, ``client_error``, ``io_error``.
"""

from __future__ import annotations


class StorageError(Exception):
    """Base class of every error raised by ``pipelines.core.storage``."""


class InvalidKeyPart(StorageError, ValueError):
    """A value that would go into an object key is not allowed there."""


class StoreError(StorageError):
    """The object store refused or failed an operation."""

    def __init__(self, message: str, *, reason: str, retryable: bool, store: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.retryable = retryable
        self.store = store


class ObjectNotFound(StoreError):
    """The key does not exist in the store."""

    def __init__(self, message: str, *, store: str) -> None:
        super().__init__(message, reason="not_found", retryable=False, store=store)


class SpoolError(StorageError):
    """The local spool could not be written or read."""


class SpoolBusy(SpoolError):
    """Another live process holds the lock of this spool run."""
