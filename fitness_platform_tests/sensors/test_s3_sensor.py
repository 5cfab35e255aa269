"""The S3 sensor against a real moto server over HTTP, in listing mode."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import boto3
import dagster as dg
import pytest

from fitness_platform.defs.tracker.partitions import RAW_FILE_PARTITIONS
from fitness_platform.defs.tracker.sensors import (
    RANGE_END,
    RANGE_START,
    tracker_drop_folder_sensor,
    tracker_s3_sensor,
)
from fitness_platform.settings import Settings
from fitness_platform.storage.lake import Lake, s3_storage_options
from fitness_platform.tracker.ingestion import load_ledger, partition_key_for
from fitness_platform.tracker.sensing import batch_run_key
from fitness_platform_tests.sensors.harness import (
    apply_partitions,
    launch,
    resources_for,
    tick,
)
from fitness_platform_tests.sensors.tracker_csv import tracker_csv


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as test_instance:
        yield test_instance


@pytest.fixture
def s3(aws_env: str):
    return boto3.client("s3", endpoint_url=aws_env, region_name="us-east-1")


@pytest.fixture
def listing_env(monkeypatch: pytest.MonkeyPatch, s3_bucket: str) -> None:
    monkeypatch.setenv("FITNESS_STORAGE_MODE", "s3")
    monkeypatch.setenv("FITNESS_S3_BUCKET", s3_bucket)
    monkeypatch.delenv("FITNESS_S3_EVENTS_QUEUE_URL", raising=False)


def _resources(bucket: str, endpoint: str) -> dict[str, object]:
    return resources_for(f"s3://{bucket}/raw", f"s3://{bucket}", endpoint)


def test_new_object_same_tick_changed_object_and_identical_reupload(
    listing_env: None,
    s3,
    s3_bucket: str,
    aws_env: str,
    instance: dg.DagsterInstance,
    capsys: pytest.CaptureFixture[str],
) -> None:
    resources = _resources(s3_bucket, aws_env)
    s3.put_object(Bucket=s3_bucket, Key="raw/day1.csv", Body=tracker_csv())

    first = tick(tracker_s3_sensor, instance, None, resources, capsys)
    assert first.added_partitions == ["day1.csv"]
    [request] = first.run_requests
    etag = s3.head_object(Bucket=s3_bucket, Key="raw/day1.csv")["ETag"].strip('"')
    assert request.tags[RANGE_START] == request.tags[RANGE_END] == "day1.csv"
    assert request.run_key.startswith("tracker-raw-")
    assert request.run_key == batch_run_key_for({"day1.csv": etag})
    apply_partitions(instance, first)

    again = tick(tracker_s3_sensor, instance, first.cursor, resources, capsys)
    assert again.run_requests == [] and again.added_partitions == []
    assert "no new or changed tracker CSV" in again.skip_message

    # the daemon launches the run: bronze ingests the file and the ledger records it
    settings = Settings(storage_mode="s3", s3_bucket=s3_bucket, aws_endpoint_url=aws_env)
    launch(instance, settings, request)
    lake = Lake(f"s3://{s3_bucket}", s3_storage_options(aws_env))
    assert load_ledger(lake).entries["day1.csv"].rows == 6

    s3.put_object(Bucket=s3_bucket, Key="raw/day1.csv", Body=tracker_csv(users=3))
    changed = tick(tracker_s3_sensor, instance, again.cursor, resources, capsys)
    [rerun] = changed.run_requests
    assert rerun.run_key != request.run_key
    assert changed.added_partitions == []  # the partition exists; only its content changed
    assert rerun.tags[RANGE_START] == rerun.tags[RANGE_END] == "day1.csv"
    launch(instance, settings, rerun)
    assert load_ledger(lake).entries["day1.csv"].rows == 9

    # identical bytes uploaded again, even with a lost cursor: the ledger knows them
    s3.put_object(Bucket=s3_bucket, Key="raw/day1.csv", Body=tracker_csv(users=3))
    same = tick(tracker_s3_sensor, instance, changed.cursor, resources, capsys)
    assert same.run_requests == []
    reset = tick(tracker_s3_sensor, instance, None, resources, capsys)
    assert reset.run_requests == []
    assert any("ledger holds this content" in line for line in reset.logs)


def batch_run_key_for(etags: dict[str, str]) -> str:
    from datetime import UTC, datetime

    from fitness_platform.tracker.sensing import RawObject

    now = datetime.now(tz=UTC)
    return batch_run_key(RawObject(k, e, now) for k, e in etags.items())


def test_1500_objects_are_all_seen_once(
    listing_env: None,
    s3,
    s3_bucket: str,
    aws_env: str,
    instance: dg.DagsterInstance,
    capsys: pytest.CaptureFixture[str],
) -> None:
    keys = [f"raw/batch/file_{i:04d}.csv" for i in range(1500)]
    body = tracker_csv(users=1, days=1)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda k: s3.put_object(Bucket=s3_bucket, Key=k, Body=body), keys))
    s3.put_object(Bucket=s3_bucket, Key="raw/batch/readme.txt", Body=b"not data")
    resources = _resources(s3_bucket, aws_env)

    first = tick(tracker_s3_sensor, instance, None, resources, capsys)
    expected = sorted(partition_key_for(k.removeprefix("raw/")) for k in keys)
    assert sorted(first.added_partitions) == expected
    assert len(set(first.added_partitions)) == 1500
    [request] = first.run_requests
    assert request.tags["fitness/raw_files"] == "1500"
    apply_partitions(instance, first)
    ordered = instance.get_dynamic_partitions(RAW_FILE_PARTITIONS.name)
    assert (request.tags[RANGE_START], request.tags[RANGE_END]) == (ordered[0], ordered[-1])
    assert any("batch/readme.txt: not a .csv file" in line for line in first.logs)

    second = tick(tracker_s3_sensor, instance, first.cursor, resources, capsys)
    assert second.run_requests == [] and second.added_partitions == []
    # a skipped object is named once, not on every tick
    assert not any("readme.txt" in line for line in second.logs)


ODD_KEYS = [
    "raw/with space.csv",
    "raw/Übung ü 日本.csv",
    "raw/" + "long_" * 80 + ".csv",
    "raw/nested/deeper/file.CSV",
    "raw/dots...csv",
]


def test_odd_key_names_get_safe_unique_partitions_and_unsafe_keys_are_skipped(
    listing_env: None,
    s3,
    s3_bucket: str,
    aws_env: str,
    instance: dg.DagsterInstance,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for key in [*ODD_KEYS, "raw/../escape.csv", "raw/a/../b.csv", "raw/notes.json"]:
        s3.put_object(Bucket=s3_bucket, Key=key, Body=tracker_csv(users=1, days=1))
    listed = {o["Key"] for o in s3.list_objects_v2(Bucket=s3_bucket)["Contents"]}
    assert "raw/../escape.csv" in listed  # S3 keeps the key verbatim

    first = tick(tracker_s3_sensor, instance, None, _resources(s3_bucket, aws_env), capsys)
    expected = {partition_key_for(k.removeprefix("raw/")) for k in ODD_KEYS}
    assert set(first.added_partitions) == expected
    apply_partitions(instance, first)  # Dagster accepts every key
    mapping = "\n".join(first.logs)
    for key in ODD_KEYS:
        relative = key.removeprefix("raw/")
        assert f"{partition_key_for(relative)} <- {relative}" in mapping
    assert "../escape.csv: unsafe key" in mapping
    assert "a/../b.csv: unsafe key" in mapping
    assert "notes.json: not a .csv file" in mapping


def test_each_sensor_idles_with_a_reason_outside_its_mode(
    instance: dg.DagsterInstance, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    local = resources_for(str(tmp_path / "raw"), str(tmp_path), None)
    s3_tick = tick(tracker_s3_sensor, instance, None, local, capsys)
    assert "is a local folder" in s3_tick.skip_message
    remote = resources_for("s3://bucket/raw", "s3://bucket", "http://127.0.0.1:9")
    local_tick = tick(tracker_drop_folder_sensor, instance, None, remote, capsys)
    assert "is on S3" in local_tick.skip_message
