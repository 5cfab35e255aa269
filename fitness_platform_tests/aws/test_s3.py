from __future__ import annotations

from typing import Any

import pytest

from fitness_platform.aws.s3 import head_etag, put_object_if_absent, split_s3_uri


def test_split_s3_uri() -> None:
    assert split_s3_uri("s3://lake/gold/x.parquet") == ("lake", "gold/x.parquet")
    assert split_s3_uri("s3://lake") == ("lake", "")
    with pytest.raises(ValueError):
        split_s3_uri("/tmp/lake")


def test_head_etag(s3: Any, s3_bucket: str) -> None:
    assert head_etag(s3, s3_bucket, "raw/missing.csv") is None
    etag = s3.put_object(Bucket=s3_bucket, Key="raw/a.csv", Body=b"a,b\n")["ETag"].strip('"')
    assert head_etag(s3, s3_bucket, "raw/a.csv") == etag


def test_put_object_if_absent_never_rewrites(s3: Any, s3_bucket: str) -> None:
    key = "bronze/garmin/activity_1.json"
    assert put_object_if_absent(s3, s3_bucket, key, b"{}", ContentType="application/json") is True
    assert put_object_if_absent(s3, s3_bucket, key, b'{"changed": 1}') is False
    stored = s3.get_object(Bucket=s3_bucket, Key=key)
    assert stored["Body"].read() == b"{}"
    assert stored["ContentType"] == "application/json"


def test_head_etag_of_a_missing_bucket_is_none(s3: Any) -> None:
    # HEAD responses carry no error body, so S3 answers a bare 404 for both cases.
    assert head_etag(s3, "no-such-bucket-anywhere", "k") is None
