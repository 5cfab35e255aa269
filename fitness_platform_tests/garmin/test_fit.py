"""FIT files: session mapping, ids, local time, and files that must be refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from fitness_platform.garmin.fit import (
    FitFileError,
    export_activity_id,
    fit_type_key,
    parse_fit_activity,
    read_fit,
    session_to_activity,
)
from fitness_platform.garmin.ids import SYNTHETIC_ID_BASE, synthetic_fit_activity_id
from fitness_platform_tests.garmin.builders import write_fit_activity

START = datetime(2025, 3, 11, 4, 30, tzinfo=UTC)


def session_fields(**overrides: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "timestamp": START + timedelta(minutes=40),
        "start_time": START,
        "sport": "hiking",
        "sub_sport": "generic",
        "total_elapsed_time": 2460.0,
        "total_timer_time": 2400.0,
        "total_distance": 4200.5,
        "total_moving_time": 2300.0,
        "total_ascent": 210,
        "total_descent": 205,
        "avg_speed": 1.75,
        "max_speed": 2.9,
        "avg_heart_rate": 128,
        "max_heart_rate": 151,
        "total_calories": 330,
        "training_load_peak": 40.25,
        "total_training_effect": 2.4,
        "sport_profile_name": "Hike",
    }
    fields.update(overrides)
    return fields


def test_session_fields_map_to_garmin_names_and_units() -> None:
    activity = session_to_activity(
        session_fields(), fit_file="exports/hike.fit", local_offset=timedelta(hours=-6)
    )
    assert activity["activityName"] == "Hike"
    assert activity["activityType"] == {"typeKey": "hiking"}
    assert activity["startTimeGMT"] == "2025-03-11 04:30:00"
    assert activity["startTimeLocal"] == "2025-03-10 22:30:00"
    assert activity["beginTimestamp"] == int(START.timestamp() * 1000)
    assert activity["distance"] == 4200.5
    assert activity["duration"] == 2400.0
    assert activity["elapsedDuration"] == 2460.0
    assert activity["movingDuration"] == 2300.0
    assert activity["elevationGain"] == 210
    assert activity["elevationLoss"] == 205
    assert activity["averageSpeed"] == 1.75
    assert activity["maxSpeed"] == 2.9
    assert (activity["averageHR"], activity["maxHR"]) == (128, 151)
    assert activity["calories"] == 330
    assert activity["activityTrainingLoad"] == 40.25
    assert activity["aerobicTrainingEffect"] == 2.4
    assert activity["steps"] is None  # a hiking session names no strides
    assert activity["fitFile"] == "exports/hike.fit"


def test_enhanced_speed_wins_and_strides_become_steps() -> None:
    activity = session_to_activity(
        session_fields(
            sport="running",
            sub_sport="trail",
            enhanced_avg_speed=2.801,
            enhanced_max_speed=4.25,
            total_strides=2500,
        ),
        fit_file="run.fit",
        activity_id=42,
    )
    assert activity["activityId"] == 42
    assert activity["activityType"]["typeKey"] == "trail_running"
    assert (activity["averageSpeed"], activity["maxSpeed"]) == (2.801, 4.25)
    assert activity["steps"] == 5000


def test_missing_session_fields_are_none_and_name_falls_back() -> None:
    activity = session_to_activity(
        {"start_time": START, "sport": "stand_up_paddleboarding"},
        fit_file="sup.fit",
        sport_name=None,
    )
    assert activity["activityType"]["typeKey"] == "stand_up_paddleboarding_v2"
    assert activity["activityName"] == "Stand Up Paddleboarding V2"
    for name in ("distance", "duration", "averageHR", "calories", "steps", "elevationGain"):
        assert activity[name] is None
    # No activity.local_timestamp: the local time is UTC.
    assert activity["startTimeLocal"] == activity["startTimeGMT"] == "2025-03-11 04:30:00"


def test_session_without_start_time_is_refused() -> None:
    with pytest.raises(FitFileError, match="start_time"):
        session_to_activity({"sport": "running"}, fit_file="x.fit")


@pytest.mark.parametrize(
    ("sport", "sub_sport", "expected"),
    [
        ("running", "trail", "trail_running"),
        ("running", "generic", "running"),
        ("hiking", "generic", "hiking"),
        ("stand_up_paddleboarding", "generic", "stand_up_paddleboarding_v2"),
        ("training", "yoga", "yoga"),
        ("cycling", "road", "road_biking"),
        ("generic", "generic", "other"),
        (250, None, "other"),
    ],
)
def test_fit_sport_to_garmin_type_key(sport: object, sub_sport: object, expected: str) -> None:
    assert fit_type_key(sport, sub_sport) == expected


def test_export_name_gives_the_garmin_id() -> None:
    assert export_activity_id("exports/2025/30000000001_ACTIVITY.fit") == 30000000001
    assert export_activity_id("30000000001_activity.FIT") == 30000000001
    assert export_activity_id("garmin_12129115726_ACTIVITY.fit") == 12129115726
    assert export_activity_id("watch-7_ACTIVITY.fit") == 7
    assert export_activity_id("morning_run.fit") is None
    assert export_activity_id("30000000001_ACTIVITY.fit.bak") is None
    assert export_activity_id("0_ACTIVITY.fit") is None
    assert export_activity_id(f"{2**63}_ACTIVITY.fit") is None
    assert export_activity_id("x30000000001_ACTIVITY.fit") is None


def test_synthetic_id_is_stable_and_outside_garmin_ids() -> None:
    first = synthetic_fit_activity_id(START, "running")
    same_instant = START.astimezone(timezone(timedelta(hours=-6)))
    assert first == synthetic_fit_activity_id(same_instant, "running")
    assert SYNTHETIC_ID_BASE <= first < 2**63
    assert first != synthetic_fit_activity_id(START + timedelta(seconds=1), "running")
    assert first != synthetic_fit_activity_id(START, "cycling")


def test_written_fit_file_parses_with_local_time_from_activity_message() -> None:
    data = write_fit_activity(start_utc=START, utc_offset=timedelta(hours=-6))
    activity = parse_fit_activity(data, "drop/30000000009_ACTIVITY.fit")
    assert activity["activityId"] == 30000000009
    assert activity["startTimeGMT"] == "2025-03-11 04:30:00"
    assert activity["startTimeLocal"] == "2025-03-10 22:30:00"
    assert activity["activityType"]["typeKey"] == "trail_running"
    assert activity["distance"] == 5000.0
    assert activity["duration"] == 1800.0
    assert activity["movingDuration"] == 1750.0
    assert activity["averageSpeed"] == 2.778
    assert (activity["averageHR"], activity["maxHR"]) == (150, 175)
    assert activity["steps"] == 5200
    assert activity["activityTrainingLoad"] == 55.5


def test_fit_file_without_export_name_gets_the_synthetic_id() -> None:
    data = write_fit_activity(start_utc=START, utc_offset=None)
    activity = parse_fit_activity(data, "drop/morning.fit")
    assert activity["activityId"] == synthetic_fit_activity_id(START, "running")
    assert activity["startTimeLocal"] == "2025-03-11 04:30:00"


def test_file_without_session_is_refused() -> None:
    data = write_fit_activity(start_utc=START, sessions=0, utc_offset=None)
    with pytest.raises(FitFileError, match="no session message"):
        read_fit(data)


def test_multisport_file_is_refused_with_a_reason() -> None:
    data = write_fit_activity(start_utc=START, sessions=2)
    with pytest.raises(FitFileError, match="2 sessions"):
        read_fit(data)


@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        (lambda data: data[:-7], "not a readable FIT file"),
        (lambda data: data[:40] + bytes([data[40] ^ 0xFF]) + data[41:], "not a readable FIT"),
        (lambda data: b"this is not a fit file at all", "not a readable FIT file"),
    ],
    ids=["truncated", "bad-crc", "garbage"],
)
def test_broken_fit_files_are_refused(mangle: object, reason: str) -> None:
    data = write_fit_activity(start_utc=START)
    with pytest.raises(FitFileError, match=reason):
        read_fit(mangle(data))  # type: ignore[operator]
