"""The raw asset: idempotent storage through the resource's client, locally and on S3 (moto)."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import dagster as dg
import pytest

from fitness_platform.defs.garmin.raw import garmin_raw_activities
from fitness_platform.defs.garmin.resources import GarminSourceResource
from fitness_platform.garmin.raw import raw_json
from fitness_platform_tests.garmin.builders import make_activity
from fitness_platform_tests.garmin_defs.helpers import (
    NOW_ISO,
    FakeGarminSource,
    materialization_metadata,
    resources,
)

ACTIVITIES = [
    make_activity(41, type_key="trail_running", start_gmt="2025-03-11 07:00:00"),
    make_activity(42, type_key="hiking", start_gmt="2025-03-09 07:00:00"),
    make_activity(43, type_key="stand_up_paddleboarding_v2", start_gmt="2025-03-06 07:00:00"),
    make_activity(44, type_key="running", start_gmt="2025-03-01 07:00:00"),  # outside 7 days
    make_activity(activity_id="../../escape", start_gmt="2025-03-10 07:00:00"),  # bad id
]
STORED = [41, 42, 43]


def fake_source(**fields: object) -> FakeGarminSource:
    return FakeGarminSource(fake_activities_json=json.dumps(ACTIVITIES), now_iso=NOW_ISO, **fields)


def run_raw(root: str, garmin: GarminSourceResource, endpoint_url: str | None = None):
    return dg.materialize(
        [garmin_raw_activities],
        resources=resources(root, garmin, endpoint_url),
        raise_on_error=False,
    )


def assert_counts(result: dg.ExecuteInProcessResult, **expected: int) -> dict:
    assert result.success
    metadata = materialization_metadata(result)
    assert {name: metadata[name] for name in expected} == expected
    return metadata


def test_second_run_writes_nothing_and_skips_all_locally(tmp_path: Path) -> None:
    root = str(tmp_path / "lake")
    first = assert_counts(
        run_raw(root, fake_source()), fetched=5, in_window=4, written=3, skipped=0, failed=1
    )
    assert first["failures"][0]["activity"] == "index 1"  # newest first: 41, bad, 42, 43
    assert "activityId" in first["failures"][0]["reason"]
    folder = tmp_path / "lake" / "bronze" / "garmin"
    names = sorted(p.name for p in folder.iterdir())
    assert names == [f"activity_{i}.json" for i in STORED]
    by_id = {a["activityId"]: a for a in ACTIVITIES}
    for activity_id in STORED:
        stored = (folder / f"activity_{activity_id}.json").read_bytes()
        assert stored == raw_json(by_id[activity_id])

    # An object that exists is never rewritten, whatever it holds now.
    marker = folder / "activity_41.json"
    marker.write_bytes(b'{"activityId": 41, "kept": true}')
    assert_counts(run_raw(root, fake_source()), written=0, skipped=3, failed=1)
    assert marker.read_bytes() == b'{"activityId": 41, "kept": true}'
    assert sorted(p.name for p in folder.iterdir()) == names


def test_prefix_and_window_come_from_resource_and_config(tmp_path: Path) -> None:
    root = str(tmp_path / "lake")
    result = dg.materialize(
        [garmin_raw_activities],
        resources=resources(root, fake_source(bronze_prefix="raw-data/garmin-json")),
        run_config={
            "ops": {"bronze__garmin__raw_activities": {"config": {"days_back": 30, "limit": 3}}}
        },
    )
    assert_counts(result, fetched=3, in_window=3, written=2, failed=1)
    stored = sorted(p.name for p in (tmp_path / "lake" / "raw-data" / "garmin-json").iterdir())
    assert stored == ["activity_41.json", "activity_42.json"]


def test_second_run_writes_nothing_and_skips_all_on_s3(aws_env: str, s3_bucket: str) -> None:
    root = f"s3://{s3_bucket}/lake"
    assert_counts(run_raw(root, fake_source(), aws_env), written=3, skipped=0, failed=1)
    s3 = boto3.client("s3", endpoint_url=aws_env)

    def objects() -> dict[str, str]:
        listing = s3.list_objects_v2(Bucket=s3_bucket, Prefix="lake/bronze/garmin/")
        return {o["Key"]: o["ETag"] for o in listing.get("Contents", [])}

    before = objects()
    assert sorted(before) == [f"lake/bronze/garmin/activity_{i}.json" for i in STORED]
    body = s3.get_object(Bucket=s3_bucket, Key="lake/bronze/garmin/activity_42.json")["Body"]
    assert json.loads(body.read()) == ACTIVITIES[1]

    assert_counts(run_raw(root, fake_source(), aws_env), written=0, skipped=3, failed=1)
    assert objects() == before


def test_without_a_source_the_step_fails_once_with_a_clear_message(tmp_path: Path) -> None:
    result = run_raw(str(tmp_path / "lake"), GarminSourceResource(now_iso=NOW_ISO))
    assert not result.success
    failures = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    assert len(failures) == 1
    assert "No Garmin source is configured" in failures[0].step_failure_data.error.message
    assert "FITNESS_GARMIN_SOURCE" in failures[0].step_failure_data.error.message
    retries = [
        e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY
    ]
    assert retries == []
    assert not (tmp_path / "lake" / "bronze").exists()


@pytest.mark.parametrize("config", [{"limit": 0}, {"limit": 1001}, {"days_back": -1}])
def test_bad_pull_config_fails_without_retry(tmp_path: Path, config: dict) -> None:
    result = dg.materialize(
        [garmin_raw_activities],
        resources=resources(str(tmp_path), fake_source()),
        run_config={"ops": {"bronze__garmin__raw_activities": {"config": config}}},
        raise_on_error=False,
    )
    assert not result.success
    message = next(
        e.step_failure_data.error.message
        for e in result.all_events
        if e.event_type == dg.DagsterEventType.STEP_FAILURE
    )
    assert "limit must be 1-1000 and days_back 0 or more" in message
