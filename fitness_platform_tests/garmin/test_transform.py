"""Silver activities and the gold daily table: units, local dates, nulls, identity, schemas."""

from __future__ import annotations

import datetime as dt
import math
from datetime import UTC

import pandas as pd
import pyarrow as pa
import pytest

from fitness_platform.garmin.fit import parse_fit_activity
from fitness_platform.garmin.transform import (
    GOLD_DAILY_SCHEMA,
    SILVER_SCHEMA,
    build_silver,
    gold_daily,
    silver_activities,
    to_arrow,
)
from fitness_platform_tests.garmin.builders import MISSING, make_activity, write_fit_activity

SPEC_COLUMNS = [
    "activity_id",
    "activity_name",
    "activity_type",
    "start_time_local",
    "start_time_utc",
    "date",
    "date_key",
    "distance_km",
    "duration_min",
    "moving_min",
    "elevation_gain_m",
    "avg_speed_kmh",
    "max_speed_kmh",
    "avg_hr",
    "max_hr",
    "calories",
    "steps",
    "training_load",
    "source",
]


def only_row(frame: pd.DataFrame) -> pd.Series:
    assert len(frame) == 1
    return frame.iloc[0]


def test_columns_are_exactly_the_spec() -> None:
    frame = silver_activities([make_activity()])
    assert list(frame.columns) == SPEC_COLUMNS
    assert SILVER_SCHEMA.names == SPEC_COLUMNS


def test_units_are_converted() -> None:
    row = only_row(
        silver_activities(
            [
                make_activity(
                    distance=4261.5,
                    duration=2223.0,
                    movingDuration=2216.4,
                    averageSpeed=1.917,
                    maxSpeed=2.762,
                    elevationGain=151.0,
                    averageHR=142.0,
                    maxHR=162.0,
                    calories=390.0,
                    steps=5310,
                    activityTrainingLoad=50.886444091796875,
                )
            ]
        )
    )
    assert row["distance_km"] == pytest.approx(4.2615)
    assert row["duration_min"] == pytest.approx(37.05)
    assert row["moving_min"] == pytest.approx(36.94)
    assert row["avg_speed_kmh"] == pytest.approx(6.9012)
    assert row["max_speed_kmh"] == pytest.approx(9.9432)
    assert row["elevation_gain_m"] == 151.0
    assert (row["avg_hr"], row["max_hr"], row["calories"]) == (142.0, 162.0, 390.0)
    assert row["steps"] == 5310
    assert row["training_load"] == pytest.approx(50.886444091796875)
    assert row["activity_type"] == "trail_running"
    assert row["source"] == "api"


def test_date_is_the_local_calendar_date_not_the_gmt_one() -> None:
    # 22:30 in UTC-6 on March 10 is already 04:30 on March 11 in GMT.
    late_evening = make_activity(1, start_gmt="2025-03-11 04:30:00", utc_offset_hours=-6)
    # 00:30 in UTC+9 on March 11 is still 15:30 on March 10 in GMT.
    after_midnight = make_activity(2, start_gmt="2025-03-10 15:30:00", utc_offset_hours=9)
    frame = silver_activities([late_evening, after_midnight]).set_index("activity_id")
    assert frame.loc[1, "start_time_local"] == pd.Timestamp("2025-03-10 22:30:00")
    assert frame.loc[1, "start_time_utc"] == pd.Timestamp("2025-03-11 04:30:00", tz="UTC")
    assert frame.loc[1, "date"] == dt.date(2025, 3, 10)
    assert frame.loc[1, "date_key"] == 20250310
    assert frame.loc[2, "date"] == dt.date(2025, 3, 11)
    assert frame.loc[2, "date_key"] == 20250311


def test_missing_fields_are_null_not_errors() -> None:
    sup = make_activity(
        3,
        type_key="stand_up_paddleboarding_v2",
        steps=MISSING,
        elevationGain=None,
        movingDuration=MISSING,
        averageHR=MISSING,
        maxHR=MISSING,
    )
    bare = {"activityId": 4}
    result = build_silver([sup, bare])
    frame = result.frame.set_index("activity_id")
    assert frame.loc[3, "activity_type"] == "stand_up_paddleboarding_v2"
    for column in ("steps", "elevation_gain_m", "moving_min", "avg_hr", "max_hr"):
        assert pd.isna(frame.loc[3, column])
    assert frame.loc[4].drop("source").isna().all()
    assert frame.loc[4, "source"] == "api"
    assert result.dropped == [] and result.invalid_values == []


def test_unusable_values_become_null_and_are_listed() -> None:
    result = build_silver(
        [
            make_activity(
                5,
                distance="far",
                steps=12.5,
                averageHR=True,
                startTimeLocal="soon",
                activityName=["x"],
            )
        ]
    )
    row = only_row(result.frame)
    assert pd.isna(row["distance_km"]) and pd.isna(row["steps"]) and pd.isna(row["avg_hr"])
    assert pd.isna(row["date"]) and pd.isna(row["start_time_local"])
    assert row["start_time_utc"] == pd.Timestamp("2025-03-10 14:00:00", tz="UTC")
    assert {(ref, name) for ref, name, _ in result.invalid_values} == {
        (5, "distance"),
        (5, "steps"),
        (5, "averageHR"),
        (5, "startTimeLocal"),
        (5, "activityName"),
    }


def test_records_without_an_id_are_dropped_with_a_reason() -> None:
    result = build_silver([make_activity(activityId=MISSING), "text", make_activity(6)])
    assert list(result.frame["activity_id"]) == [6]
    assert result.dropped == [
        ("index 0", "activityId is missing"),
        ("index 1", "not an activity object: str"),
    ]


def test_duplicates_resolve_deterministically() -> None:
    full = make_activity(7)
    sparse = make_activity(7, averageHR=MISSING, calories=None)
    other_name = make_activity(7, activityName="Zz")
    orders = [[full, sparse, other_name], [other_name, sparse, full], [sparse, full, other_name]]
    frames = [silver_activities(order) for order in orders]
    for frame in frames[1:]:
        pd.testing.assert_frame_equal(frame, frames[0])
    row = only_row(frames[0])
    assert row["avg_hr"] == 141.0  # a complete record beat the sparse one
    assert row["activity_name"] == "Test trail running"  # then the smaller canonical JSON won


def test_api_record_wins_over_fit_record_of_the_same_id() -> None:
    fit_record = make_activity(8, fitFile="x/8_ACTIVITY.fit", distance=1.0)
    api_record = make_activity(8, distance=MISSING)
    result = build_silver([fit_record, api_record])
    row = only_row(result.frame)
    assert row["source"] == "api" and pd.isna(row["distance_km"])
    assert result.dropped[0][0] == 8


def test_json_and_fit_of_the_same_activity_are_one_row() -> None:
    start = dt.datetime(2025, 3, 11, 4, 30, tzinfo=UTC)
    api_record = make_activity(
        30000000001, start_gmt="2025-03-11 04:30:00", utc_offset_hours=-6, distance=5012.0
    )
    named = parse_fit_activity(write_fit_activity(start_utc=start), "30000000001_ACTIVITY.fit")
    unnamed = parse_fit_activity(write_fit_activity(start_utc=start), "watch/run.fit")
    assert unnamed["activityId"] != 30000000001
    result = build_silver([named, unnamed, api_record])
    row = only_row(result.frame)
    assert row["activity_id"] == 30000000001
    assert row["source"] == "api"
    assert row["distance_km"] == pytest.approx(5.012)
    assert len(result.dropped) == 2


def test_fit_only_activity_has_source_fit() -> None:
    start = dt.datetime(2025, 3, 11, 4, 30, tzinfo=UTC)
    fit_record = parse_fit_activity(write_fit_activity(start_utc=start), "run.fit")
    row = only_row(silver_activities([fit_record]))
    assert row["source"] == "fit"
    assert row["date"] == dt.date(2025, 3, 10)
    assert row["distance_km"] == 5.0 and row["duration_min"] == 30.0 and row["steps"] == 5200
    assert row["avg_speed_kmh"] == pytest.approx(10.0008)


def test_source_can_be_forced_and_is_validated() -> None:
    assert only_row(silver_activities([make_activity(9)], source="fit"))["source"] == "fit"
    with pytest.raises(ValueError, match="source"):
        silver_activities([make_activity(9)], source="csv")  # type: ignore[arg-type]


def test_arrow_schema_is_explicit_even_for_all_null_columns() -> None:
    frame = silver_activities([{"activityId": 10}, make_activity(11, steps=MISSING)])
    table = to_arrow(frame)
    assert table.schema.equals(SILVER_SCHEMA)
    assert table.column("steps").null_count == 2
    assert table.column("date").type == pa.date32()
    assert table.column("start_time_utc").type == pa.timestamp("us", tz="UTC")
    assert table.column("start_time_local").type == pa.timestamp("us")
    assert to_arrow(silver_activities([])).schema.equals(SILVER_SCHEMA)
    with pytest.raises(ValueError, match="unexpected \\['extra'\\]"):
        to_arrow(frame.assign(extra=1))


def test_gold_daily_sums_and_dominant_type() -> None:
    silver = silver_activities(
        [
            # March 10 (local): 40 min trail run + 60 min hike (the hike dominates).
            make_activity(
                1,
                type_key="trail_running",
                start_gmt="2025-03-10 14:00:00",
                duration=2400.0,
                distance=6000.0,
                calories=400.0,
                steps=6000,
            ),
            make_activity(
                2,
                type_key="hiking",
                start_gmt="2025-03-10 20:00:00",
                duration=3600.0,
                distance=4000.0,
                calories=350.0,
                steps=MISSING,
            ),
            # 22:30 local on March 10, 04:30 GMT on March 11: still a March 10 activity.
            make_activity(
                3,
                type_key="yoga",
                start_gmt="2025-03-11 04:30:00",
                duration=600.0,
                distance=MISSING,
                calories=50.0,
                steps=MISSING,
            ),
            # March 12: a tie on duration; alphabetical order decides.
            make_activity(
                4,
                type_key="trail_running",
                start_gmt="2025-03-12 14:00:00",
                duration=1800.0,
                distance=MISSING,
                calories=None,
                steps=MISSING,
            ),
            make_activity(
                5,
                type_key="hiking",
                start_gmt="2025-03-12 18:00:00",
                duration=1800.0,
                distance=MISSING,
                calories=None,
                steps=MISSING,
            ),
            # No local start: no day to count it on.
            make_activity(6, startTimeLocal=MISSING),
        ]
    )
    gold = gold_daily(silver)
    assert list(gold.columns) == GOLD_DAILY_SCHEMA.names
    assert list(gold["date"]) == [dt.date(2025, 3, 10), dt.date(2025, 3, 12)]
    assert list(gold["date_key"]) == [20250310, 20250312]
    assert list(gold["activities"]) == [3, 2]
    assert list(gold["distance_km"][:1]) == [10.0] and math.isnan(gold["distance_km"][1])
    assert list(gold["duration_min"]) == [110.0, 60.0]
    assert gold["calories"][0] == 800.0 and math.isnan(gold["calories"][1])
    assert gold["steps"][0] == 6000 and pd.isna(gold["steps"][1])
    assert list(gold["dominant_activity_type"]) == ["hiking", "hiking"]
    assert to_arrow(gold, GOLD_DAILY_SCHEMA).schema.equals(GOLD_DAILY_SCHEMA)


def test_gold_daily_of_nothing_is_an_empty_typed_table() -> None:
    gold = gold_daily(silver_activities([]))
    assert gold.empty and list(gold.columns) == GOLD_DAILY_SCHEMA.names
    assert to_arrow(gold, GOLD_DAILY_SCHEMA).schema.equals(GOLD_DAILY_SCHEMA)


def test_dominant_type_ignores_untyped_activities() -> None:
    silver = silver_activities(
        [
            make_activity(1, activityType=MISSING, duration=9000.0),
            make_activity(2, type_key="running", duration=60.0, start_gmt="2025-03-10 16:00:00"),
            make_activity(3, activityType=None, start_gmt="2025-03-12 10:00:00"),
        ]
    )
    gold = gold_daily(silver)
    assert gold["dominant_activity_type"].tolist() == ["running", None]
