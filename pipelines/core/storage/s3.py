"""``S3Sink``: the export written to an S3-compatible bucket (AWS S3, MinIO, R2, Ceph) with boto3.

Credentials come only from boto3's standard chain (environment, shared files, instance role) and
are never passed around or logged. botocore's own retries are off: the uploader retries with
backoff and counts each retry.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipelines.core.storage.errors import ObjectNotFound, StorageError, StoreError
from pipelines.core.storage.sink import DEFAULT_MULTIPART_THRESHOLD, ObjectInfo

_DENIED = {
    "AccessDenied",
    "Forbidden",
    "AllAccessDisabled",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
}
_THROTTLED = {
    "SlowDown",
    "Throttling",
    "ThrottlingException",
    "RequestTimeout",
    "ServiceUnavailable",
}


class S3Sink:
    """Writes ``key`` to ``s3://bucket/prefix/key``; large files go up as multipart uploads."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        multipart_threshold: int = DEFAULT_MULTIPART_THRESHOLD,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
    ) -> None:
        try:
            import boto3
            from boto3.s3.transfer import TransferConfig
            from botocore.config import Config
        except ImportError as exc:
            raise StorageError("s3:// output needs the boto3 library: pip install boto3") from exc
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.endpoint_url = endpoint_url
        config = Config(
            region_name=region,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries={"total_max_attempts": 1, "mode": "standard"},
            # S3-compatible servers (MinIO, Ceph, moto) are usually reached by path, not subdomain.
            s3={"addressing_style": "path"} if endpoint_url else None,
        )
        self._client: Any = boto3.session.Session().client(
            "s3", endpoint_url=endpoint_url, config=config
        )
        self._transfer = TransferConfig(
            multipart_threshold=multipart_threshold,
            multipart_chunksize=max(multipart_threshold // 2, 5 * 1024 * 1024),
        )

    def describe(self) -> str:
        where = f"s3://{self.bucket}/{self.prefix}"
        return f"{where} (endpoint {self.endpoint_url})" if self.endpoint_url else where

    def _error(self, exc: Exception, action: str, key: str) -> StoreError:
        from botocore.exceptions import (
            ClientError,
            ConnectionClosedError,
            ConnectTimeoutError,
            EndpointConnectionError,
            NoCredentialsError,
            PartialCredentialsError,
            ReadTimeoutError,
        )

        cause: BaseException = exc
        # upload_file wraps the ClientError in S3UploadFailedError (as its __context__).
        while not isinstance(cause, ClientError) and (cause.__cause__ or cause.__context__):
            cause = cause.__cause__ or cause.__context__  # type: ignore[assignment]
        reason, retryable = "client_error", False
        if isinstance(cause, ClientError):
            code = str(cause.response.get("Error", {}).get("Code", ""))
            status = int(cause.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
            if code == "NoSuchBucket":
                reason = "no_such_bucket"
            elif code in _DENIED or status == 403:
                reason = "access_denied"
            elif code in _THROTTLED or status in (429, 503):
                reason, retryable = "throttled", True
            elif status >= 500:
                reason, retryable = "server_error", True
        elif isinstance(cause, NoCredentialsError | PartialCredentialsError):
            reason = "no_credentials"
        elif isinstance(cause, ConnectTimeoutError | ReadTimeoutError):
            reason, retryable = "timeout", True
        elif isinstance(cause, EndpointConnectionError | ConnectionClosedError | OSError):
            reason, retryable = "connection", True
        detail = cause if isinstance(cause, ClientError) else exc  # skip boto3's wrapper text
        return StoreError(
            f"{action} {self.prefix}{key} in bucket {self.bucket} failed: {detail}",
            reason=reason,
            retryable=retryable,
            store=self.describe(),
        )

    def put_file(self, path: Path, key: str, *, content_type: str) -> None:
        try:
            self._client.upload_file(
                str(path),
                self.bucket,
                self.prefix + key,
                ExtraArgs={"ContentType": content_type},
                Config=self._transfer,
            )
        except Exception as exc:  # boto3 raises many unrelated types; all are mapped to a reason
            raise self._error(exc, "uploading", key) from exc

    def put_bytes(self, data: bytes, key: str, *, content_type: str) -> None:
        try:
            self._client.put_object(
                Bucket=self.bucket, Key=self.prefix + key, Body=data, ContentType=content_type
            )
        except Exception as exc:
            raise self._error(exc, "uploading", key) from exc

    def get_bytes(self, key: str) -> bytes:
        try:
            response = self._client.get_object(Bucket=self.bucket, Key=self.prefix + key)
            data: bytes = response["Body"].read()
        except Exception as exc:
            error = self._error(exc, "reading", key)
            code = getattr(exc, "response", {}).get("Error", {}).get("Code")
            if code in ("NoSuchKey", "404"):
                raise ObjectNotFound(str(error), store=self.describe()) from exc
            raise error from exc
        return data

    def list_objects(self, prefix: str) -> Iterator[ObjectInfo]:
        paginator = self._client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
                for entry in page.get("Contents", []):
                    yield ObjectInfo(entry["Key"][len(self.prefix) :], int(entry["Size"]))
        except Exception as exc:
            raise self._error(exc, "listing", prefix) from exc
