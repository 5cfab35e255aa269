"""Small S3 helpers over a boto3 client, for sensors, idempotent bronze writes and tests.

Listing new objects is ``dagster_aws.s3.sensor.get_objects``'s job and table I/O is the
storage package's; these cover what neither does.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}


def split_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/some/key`` -> ``("bucket", "some/key")`` (the key may be empty)."""
    parsed = urlparse(uri)
    if parsed.scheme not in ("s3", "s3a") or not parsed.netloc:
        raise ValueError(f"not an s3:// URI: {uri!r}")
    return parsed.netloc, parsed.path.lstrip("/")


def _error_code(error: Exception) -> str:
    return str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))


def head_etag(client: Any, bucket: str, key: str) -> str | None:
    """The object's ETag without quotes, or None when there is no such object.

    A HEAD response has no error body, so a missing bucket also reads as None; other
    errors (403 and the like) propagate.
    """
    try:
        response = client.head_object(Bucket=bucket, Key=key)
    except client.exceptions.ClientError as error:
        if _error_code(error) in _NOT_FOUND:
            return None
        raise
    return response["ETag"].strip('"')


def put_object_if_absent(client: Any, bucket: str, key: str, body: bytes, **extra: Any) -> bool:
    """Write ``body`` only if ``key`` does not exist yet; True when this call wrote it.

    Uses S3's conditional write (``If-None-Match: *``), so two writers racing for one key
    cannot both win and an existing object is never rewritten. A 409
    ``ConditionalRequestConflict`` (another conditional write still in flight) propagates so
    the caller retries rather than assuming the other write succeeded. ``extra`` is passed
    to ``put_object`` (e.g. ``ContentType``).
    """
    try:
        client.put_object(Bucket=bucket, Key=key, Body=body, IfNoneMatch="*", **extra)
    except client.exceptions.ClientError as error:
        if _error_code(error) in ("PreconditionFailed", "412"):
            return False
        raise
    return True
