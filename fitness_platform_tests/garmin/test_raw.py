"""Bronze: the pull window, object keys, and idempotent storage on a local and an S3 lake."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from fitness_platform.garmin.ids import InvalidActivityIdError
from fitness_platform.garmin.raw import (
    activity_key,
    raw_json,
    read_raw_activities,
    select_recent,
    store_raw_activities,
)
from fitness_platform.storage.keys import UnsafeKeyError
from fitness_platform.storage.lake import Lake, s3_storage_options
from fitness_platform_tests.garmin.builders import MISSING, make_activity

NOW = datetime(2025, 3, 12, 12, 0, tzinfo=UTC)


def test_days_back_keeps_the_window_by_start_time_gmt() -> None:
    inside = make_activity(1, start_gmt="2025-03-05 12:00:00")  # exactly 7 days back
    outside = make_activity(2, start_gmt="2025-03-05 11:59:59")
    # Local time says March 6 (inside), but the GMT start is what counts.
    outside_by_gmt = make_activity(3, start_gmt="2025-03-05 11:00:00", utc_offset_hours=14)
    recent = make_activity(4, start_gmt="2025-03-12 11:00:00")
    kept = select_recent([recent, inside, outside, outside_by_gmt], days_back=7, now=NOW)
    assert [a["activityId"] for a in kept] == [4, 1]
    assert [a["activityId"] for a in select_recent([recent, inside], days_back=0, now=NOW)] == []


def test_the_clock_is_injected_not_read() -> None:
    activity = make_activity(1, start_gmt="2020-01-01 08:00:00")
    then = datetime(2020, 1, 2, tzinfo=UTC)
    assert select_recent([activity], days_back=7, now=then) == [activity]
    assert select_recent([activity], days_back=7, now=then + timedelta(days=30)) == []


def test_now_in_another_zone_is_the_same_instant() -> None:
    activity = make_activity(1, start_gmt="2025-03-05 12:00:00")
    same_instant = NOW.astimezone(timezone(timedelta(hours=5, minutes=30)))
    assert select_recent([activity], days_back=7, now=same_instant) == [activity]


def test_future_and_undated_activities_are_passed_on_not_dropped() -> None:
    future = make_activity(1, start_gmt="2025-03-13 08:00:00")
    undated = make_activity(2, startTimeGMT=MISSING)
    garbled = make_activity(3, startTimeGMT="yesterday")
    assert select_recent([future, undated, garbled], days_back=7, now=NOW) == [
        future,
        undated,
        garbled,
    ]


def test_window_arguments_are_validated() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        select_recent([], days_back=7, now=datetime(2025, 3, 12))
    with pytest.raises(ValueError, match="days_back"):
        select_recent([], days_back=-1, now=NOW)


def test_activity_key() -> None:
    assert activity_key(21482825013) == "bronze/garmin/activity_21482825013.json"
    assert (
        activity_key("42", prefix="raw-data/garmin-json/")
        == "raw-data/garmin-json/activity_42.json"
    )


@pytest.mark.parametrize(
    "hostile",
    ["../../etc/passwd", "1/../../2", "42.json", "٤٢", "１２", " 42", "-5", 0, -5, True, 1.5, None],
)
def test_hostile_ids_cannot_make_a_key(hostile: object) -> None:
    with pytest.raises(InvalidActivityIdError):
        activity_key(hostile)


def test_hostile_prefix_is_refused() -> None:
    with pytest.raises(UnsafeKeyError):
        activity_key(1, prefix="../outside")


def store_twice(lake: Lake) -> None:
    activities = [
        make_activity(30000000001, type_key="trail_running", activityName="Sentier – café"),
        make_activity(30000000002, type_key="hiking", start_gmt="2025-03-09 09:00:00"),
        make_activity(30000000003, type_key="stand_up_paddleboarding_v2", steps=MISSING),
    ]
    first = store_raw_activities(lake, activities)
    assert first.written == [
        f"bronze/garmin/activity_{i}.json" for i in (30000000001, 30000000002, 30000000003)
    ]
    assert first.skipped == [] and first.failed == []
    for activity, key in zip(activities, first.written, strict=True):
        stored = lake.read_bytes(key)
        assert stored == raw_json(activity)
        assert json.loads(stored) == activity
        assert list(json.loads(stored)) == list(activity)  # key order as received

    second = store_raw_activities(lake, activities)
    assert second.written == []
    assert second.skipped == first.written
    assert second.failed == []

    # An existing object is never rewritten, even when the activity changed meanwhile.
    changed = dict(activities[0], activityName="renamed later")
    third = store_raw_activities(lake, [changed])
    assert third.skipped == [first.written[0]]
    assert json.loads(lake.read_bytes(first.written[0]))["activityName"] == "Sentier – café"

    read = read_raw_activities(lake)
    assert read.activities == activities and read.failures == []


def test_store_twice_on_a_local_lake(tmp_path: Path) -> None:
    store_twice(Lake(str(tmp_path / "lake")))


def test_store_twice_on_an_s3_lake(s3_bucket: str, aws_env: str) -> None:
    store_twice(Lake(f"s3://{s3_bucket}/lake", s3_storage_options(aws_env)))


def test_bad_activities_are_recorded_and_the_others_written(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path))
    activities = [
        make_activity(30000000001),
        make_activity(30000000002, activityId=MISSING),
        "not an activity",
        make_activity(30000000003, activityId="../../escape"),
        make_activity(30000000004, distance=float("nan")),
        make_activity(30000000005),
        make_activity(30000000005),  # the same activity twice in one batch
    ]
    report = store_raw_activities(lake, activities)
    assert report.written == [
        "bronze/garmin/activity_30000000001.json",
        "bronze/garmin/activity_30000000005.json",
    ]
    assert report.skipped == ["bronze/garmin/activity_30000000005.json"]
    refs = [ref for ref, _ in report.failed]
    assert refs == ["index 1", "index 2", "index 3", 30000000004]
    reasons = dict(report.failed)
    assert reasons["index 1"] == "activityId is missing"
    assert "not an activity object" in reasons["index 2"]
    assert "positive integer" in reasons["index 3"]
    assert "JSON" in reasons[30000000004]
    assert lake.list() == report.written
    assert not (tmp_path.parent / "escape").exists()


def test_unreadable_stored_objects_are_reported(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path))
    store_raw_activities(lake, [make_activity(7)])
    lake.write_text("bronze/garmin/activity_8.json", "{truncated")
    lake.write_text("bronze/garmin/activity_9.json", "[1, 2]")
    lake.write_text("bronze/garmin/ledger.json", "{}")
    read = read_raw_activities(lake)
    assert [a["activityId"] for a in read.activities] == [7]
    assert [key for key, _ in read.failures] == [
        "bronze/garmin/activity_8.json",
        "bronze/garmin/activity_9.json",
    ]
