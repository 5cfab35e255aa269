"""Item 1: S3 faults in the middle of a run are retried; a failed write leaves the old table.

The lake is on a moto server reached over HTTP through a TCP proxy (``faults.FaultProxy``):
the test stops and restarts the real server, or cuts chosen uploads in the middle of their
body, and the platform's own s3fs/boto3 clients meet the fault.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from fitness_platform.runner import run_tracker
from fitness_platform.storage.parquet import read_table
from fitness_platform.tracker.ingestion import load_ledger
from fitness_platform_tests.reliability.faults import (
    FaultProxy,
    RestartableMoto,
    is_put_to,
    restartable_moto,
)
from fitness_platform_tests.reliability.helpers import (
    lake_of,
    on_step_retry,
    runs_of,
    s3_client,
    s3_settings,
    sample_csv_bytes,
    step_events,
)

pytestmark = pytest.mark.slow

SILVER_PART = "silver/daily_activity.parquet/part-00000.parquet"


@pytest.fixture
def moto(aws_env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[RestartableMoto]:
    """A moto server of this test only, so stopping it touches no other test."""
    with restartable_moto() as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL", server.endpoint)
        yield server


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    """A SQLite instance in a temporary folder, open for the whole test."""
    with dg.instance_for_test() as test_instance:
        yield test_instance


@pytest.fixture
def proxy(moto: RestartableMoto) -> Iterator[FaultProxy]:
    """The fault-injecting proxy in front of the test's moto server."""
    fault_proxy = FaultProxy(moto.port)
    yield fault_proxy
    fault_proxy.close()


def _bucket_with_raw(moto: RestartableMoto, tmp_path: Path, files: dict[str, bytes]) -> str:
    bucket = f"reliability-{uuid.uuid4().hex[:10]}"
    s3 = s3_client(moto.endpoint)
    s3.create_bucket(Bucket=bucket)
    for name, data in files.items():
        s3.put_object(Bucket=bucket, Key=f"lake/raw/{name}", Body=data)
    return bucket


def _step_messages(
    instance: dg.DagsterInstance, run_id: str, event_type: dg.DagsterEventType, step: str
) -> list[str]:
    # A retry wraps the step's own error: keep the whole cause chain.
    messages = []
    for entry in step_events(instance, run_id, event_type):
        if entry.step_key != step or entry.dagster_event is None:
            continue
        error, text = entry.dagster_event.event_specific_data.error, []
        while error is not None:
            text.append(error.message)
            error = error.cause
        messages.append("\n".join(text))
    return messages


def test_moto_stopped_mid_run_the_step_retries_and_succeeds_after_restart(
    tmp_path: Path,
    moto: RestartableMoto,
    proxy: FaultProxy,
    instance: dg.DagsterInstance,
) -> None:
    bucket = _bucket_with_raw(
        moto, tmp_path, {"day1.csv": sample_csv_bytes(tmp_path, users=3, days=40, seed=1)}
    )
    settings = s3_settings(bucket, proxy.endpoint)

    def outage(head: bytes) -> None:
        # Silver has read bronze and starts writing its table: S3 goes away right now.
        if is_put_to("silver/daily_activity")(head) and moto.running and moto.stops == 0:
            proxy.cut = is_put_to("")  # the request in flight is lost too
            moto.stop()

    def recover() -> None:
        proxy.cut = lambda head: False
        moto.start()

    proxy.on_request = outage
    with on_step_retry(instance, "silver_tracker_tables", recover) as fired:
        summary = run_tracker(settings, instance=instance, echo=lambda line: None, ml=False)

    assert moto.stops == 1 and moto.running, "the server was stopped once and is back"
    assert proxy.cut_requests, "the upload in flight was lost with the server"
    assert summary.exit_code == 0, (summary.failed_steps, summary.failed_checks)
    [refresh] = runs_of(instance, "tracker_refresh_job")
    assert fired == [refresh.run_id]
    retried = _step_messages(
        instance, refresh.run_id, dg.DagsterEventType.STEP_UP_FOR_RETRY, "silver_tracker_tables"
    )
    assert retried, "the failed attempt was put up for retry by the RetryPolicy"
    assert any("silver/daily_activity.parquet" in m for m in retried), retried
    restarted = step_events(instance, refresh.run_id, dg.DagsterEventType.STEP_RESTARTED)
    assert any(e.step_key == "silver_tracker_tables" for e in restarted)
    assert instance.get_run_by_id(refresh.run_id).status == dg.DagsterRunStatus.SUCCESS

    lake = lake_of(s3_settings(bucket, moto.endpoint))
    assert read_table(lake.path("silver/daily_activity.parquet")).num_rows == 120
    assert read_table(lake.path("gold/fact_daily.parquet")).num_rows == 120


def test_a_failed_s3_write_leaves_the_previous_table_and_no_partial_object(
    tmp_path: Path,
    moto: RestartableMoto,
    proxy: FaultProxy,
    instance: dg.DagsterInstance,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One botocore attempt per PUT: the RetryPolicy's four step attempts are what this test is
    # about, not botocore's own resends (five per request by default), which only add minutes.
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    bucket = _bucket_with_raw(
        moto, tmp_path, {"day1.csv": sample_csv_bytes(tmp_path, users=3, days=40, seed=1)}
    )
    settings = s3_settings(bucket, proxy.endpoint)
    first = run_tracker(settings, instance=instance, echo=lambda line: None, ml=False)
    assert first.exit_code == 0
    lake = lake_of(s3_settings(bucket, moto.endpoint))
    before = lake.read_bytes(SILVER_PART)

    # New data arrives; every upload of silver is now cut half-way, on every attempt.
    s3_client(moto.endpoint).put_object(
        Bucket=bucket,
        Key="lake/raw/day2.csv",
        Body=sample_csv_bytes(tmp_path, users=5, days=40, seed=2).replace(b"\n0,", b"\n7,"),
    )
    proxy.cut = is_put_to("silver/daily_activity")
    second = run_tracker(settings, instance=instance, echo=lambda line: None, ml=False)

    assert second.exit_code == 1
    [failure] = [f for f in second.failed_steps if f.startswith("silver_tracker_tables")]
    assert "Exceeded max_retries of 3" in failure, failure
    assert "silver/daily_activity.parquet" in failure, failure  # names the object it lost
    assert len(proxy.cut_requests) >= 4, "first attempt and three retries were all cut"
    assert "gold/fact_daily" in second.not_materialized

    # The previous version is intact and readable, and nothing partial sits next to it.
    assert lake.read_bytes(SILVER_PART) == before
    assert lake.list("silver/daily_activity.parquet") == [SILVER_PART]
    assert read_table(lake.path("silver/daily_activity.parquet")).num_rows == 120
    uploads = s3_client(moto.endpoint).list_multipart_uploads(Bucket=bucket)
    assert uploads.get("Uploads", []) == []


def test_a_bronze_partition_write_that_fails_is_retried_and_the_file_is_not_lost(
    tmp_path: Path,
    moto: RestartableMoto,
    proxy: FaultProxy,
    instance: dg.DagsterInstance,
) -> None:
    bucket = _bucket_with_raw(
        moto, tmp_path, {"day1.csv": sample_csv_bytes(tmp_path, users=3, days=40, seed=1)}
    )
    settings = s3_settings(bucket, proxy.endpoint)
    proxy.cut = is_put_to("bronze/fitness_logs/")

    def heal() -> None:
        proxy.cut = lambda head: False

    with on_step_retry(instance, "bronze_tracker_files", heal) as fired:
        summary = run_tracker(settings, instance=instance, echo=lambda line: None, ml=False)

    assert fired and proxy.cut_requests
    assert summary.exit_code == 0, (summary.failed_steps, summary.failed_checks)
    lake = lake_of(s3_settings(bucket, moto.endpoint))
    # The ledger is written only after the partitions, so the retry ingested the file again
    # instead of skipping it as "unchanged" with no partition on disk.
    assert lake.list("bronze/fitness_logs") == ["bronze/fitness_logs/day1.csv.parquet"]
    assert load_ledger(lake).entries["day1.csv"].rows == 120
    assert read_table(lake.path("silver/daily_activity.parquet")).num_rows == 120
