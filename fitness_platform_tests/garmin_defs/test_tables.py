"""Silver, gold and the checks materialised from a folder of exported Garmin JSON files."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fitness_platform.defs.garmin.checks import garmin_silver_checks
from fitness_platform.defs.garmin.resources import GarminSourceResource
from fitness_platform.defs.garmin.tables import GOLD_KEY, SILVER_KEY, garmin_activities
from fitness_platform.garmin.transform import GOLD_DAILY_SCHEMA, SILVER_SCHEMA
from fitness_platform_tests.garmin.builders import write_fit_activity
from fitness_platform_tests.garmin_defs.helpers import (
    FIXTURES,
    GARMIN_ASSETS,
    NOW_ISO,
    check_outcomes,
    materialization_metadata,
    resources,
)

SILVER_EXPECTED = pd.DataFrame(
    {
        "activity_id": [30000000101, 30000000102, 30000000103, 30000000104],
        "activity_type": ["trail_running", "hiking", "stand_up_paddleboarding_v2", "yoga"],
        "date": [date(2025, 3, 10), date(2025, 3, 10), date(2025, 3, 11), date(2025, 3, 12)],
        "date_key": [20250310, 20250310, 20250311, 20250312],
        "distance_km": [12.0, 8.0, 3.5, None],
        "duration_min": [90.0, 180.0, 60.0, 30.0],
        "moving_min": [85.0, 150.0, 55.0, 30.0],
        "elevation_gain_m": [650.0, 400.0, 0.0, None],
        "avg_speed_kmh": [9.0, 2.88, 3.6, None],
        "max_speed_kmh": [14.4, 5.4, 7.2, None],
        "avg_hr": [150.0, 110.0, None, 85.0],
        "max_hr": [178.0, 140.0, None, 110.0],
        "calories": [980.0, 700.0, 300.0, 120.0],
        "steps": [14000, 15000, None, None],
        "training_load": [160.5, None, None, None],
        "source": ["api"] * 4,
    }
)
GOLD_EXPECTED = [
    {
        "date": date(2025, 3, 10),
        "date_key": 20250310,
        "activities": 2,
        "distance_km": 20.0,
        "duration_min": 270.0,
        "calories": 1680.0,
        "steps": 29000,
        "dominant_activity_type": "hiking",
    },
    {
        "date": date(2025, 3, 11),
        "date_key": 20250311,
        "activities": 1,
        "distance_km": 3.5,
        "duration_min": 60.0,
        "calories": 300.0,
        "steps": None,
        "dominant_activity_type": "stand_up_paddleboarding_v2",
    },
    {
        "date": date(2025, 3, 12),
        "date_key": 20250312,
        "activities": 1,
        "distance_km": None,
        "duration_min": 30.0,
        "calories": 120.0,
        "steps": None,
        "dominant_activity_type": "yoga",
    },
]


def materialize_folder(source: Path, lake: Path) -> dg.ExecuteInProcessResult:
    garmin = GarminSourceResource(source_path=str(source), now_iso=NOW_ISO)
    return dg.materialize(
        GARMIN_ASSETS, resources=resources(str(lake), garmin), raise_on_error=False
    )


def test_silver_and_gold_from_exported_json(tmp_path: Path) -> None:
    result = materialize_folder(FIXTURES / "exports", tmp_path)
    assert result.success
    raw = materialization_metadata(result)
    assert (raw["fetched"], raw["in_window"], raw["written"], raw["skipped"]) == (5, 4, 4, 0)

    silver = pq.read_table(tmp_path / "silver" / "garmin_activities.parquet")
    assert silver.schema == SILVER_SCHEMA
    frame = silver.to_pandas()
    actual = frame[list(SILVER_EXPECTED.columns)].astype(object).where(frame.notna(), None)
    expected = SILVER_EXPECTED.astype(object).where(SILVER_EXPECTED.notna(), None)
    pd.testing.assert_frame_equal(
        actual.reset_index(drop=True), expected, check_dtype=False, atol=1e-9
    )
    # startTimeLocal gives the date: the hike started 05:30 GMT on the 11th, 23:30 local on the 10th.
    hike = frame[frame["activity_id"] == 30000000102].iloc[0]
    assert hike["start_time_local"] == pd.Timestamp("2025-03-10 23:30:00")
    assert hike["start_time_utc"] == pd.Timestamp("2025-03-11 05:30:00", tz="UTC")
    assert frame["activity_name"].tolist() == ["Morning trail", "Night hike", "Lake SUP", "Yoga"]

    gold = pq.read_table(tmp_path / "gold" / "garmin_daily.parquet")
    assert gold.schema == GOLD_DAILY_SCHEMA
    assert gold.to_pylist() == GOLD_EXPECTED

    silver_meta = materialization_metadata(result, SILVER_KEY)
    assert silver_meta["dagster/row_count"] == 4
    columns = {c.name: c.description for c in silver_meta["dagster/column_schema"].columns}
    assert list(columns) == SILVER_SCHEMA.names
    assert "kilometres" in columns["distance_km"] and all(columns.values())
    assert materialization_metadata(result, GOLD_KEY)["dagster/row_count"] == 3
    assert check_outcomes(result) == {
        "unique_activity_id": True,
        "non_negative_distance_and_duration": True,
        "heart_rate_in_range": True,
        "start_not_in_future": True,
    }


def test_checks_fail_on_bad_data_and_block_gold(tmp_path: Path) -> None:
    result = materialize_folder(FIXTURES / "bad", tmp_path)
    assert check_outcomes(result) == {
        "unique_activity_id": True,
        "non_negative_distance_and_duration": False,
        "heart_rate_in_range": False,
        "start_not_in_future": False,
    }
    failing = {
        e.check_name: e.metadata["rows_failing"].value for e in result.get_asset_check_evaluations()
    }
    assert failing["non_negative_distance_and_duration"] == 1
    assert failing["heart_rate_in_range"] == 1
    assert failing["start_not_in_future"] == 1
    samples = {
        e.check_name: e.metadata["failing_sample"].value
        for e in result.get_asset_check_evaluations()
    }
    assert "30000000202" in samples["heart_rate_in_range"]
    assert "30000000203" in samples["start_not_in_future"]
    # Blocking checks: gold is not built from data that failed them.
    assert not (tmp_path / "gold" / "garmin_daily.parquet").exists()
    assert not [
        m
        for m in result.get_asset_materialization_events()
        if m.materialization.asset_key == GOLD_KEY
    ]


def test_unique_id_check_fails_on_duplicated_silver_rows(tmp_path: Path) -> None:
    first = materialize_folder(FIXTURES / "exports", tmp_path)
    assert first.success
    path = tmp_path / "silver" / "garmin_activities.parquet"
    silver = pq.read_table(path)
    pq.write_table(pa.concat_tables([silver, silver.slice(0, 1)]), path)
    garmin = GarminSourceResource(source_path=str(FIXTURES / "exports"), now_iso=NOW_ISO)
    result = dg.materialize(
        [garmin_activities.to_source_asset(), garmin_silver_checks],
        resources=resources(str(tmp_path), garmin),
        selection=dg.AssetSelection.checks_for_assets(SILVER_KEY),
        raise_on_error=False,
    )
    assert check_outcomes(result)["unique_activity_id"] is False
    evaluation = next(
        e for e in result.get_asset_check_evaluations() if e.check_name == "unique_activity_id"
    )
    assert evaluation.metadata["rows_failing"].value == 2


def test_the_clock_decides_what_is_in_the_future(tmp_path: Path) -> None:
    # The same stored data passes when "now" is after the skewed start.
    source = tmp_path / "source"
    shutil.copytree(FIXTURES / "bad", source)
    garmin = GarminSourceResource(source_path=str(source), now_iso="2025-03-14T00:00:00+00:00")
    result = dg.materialize(
        GARMIN_ASSETS, resources=resources(str(tmp_path / "lake"), garmin), raise_on_error=False
    )
    assert check_outcomes(result)["start_not_in_future"] is True


def test_fit_files_and_unreadable_files_in_the_source_folder(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(FIXTURES / "exports", source)
    fit = write_fit_activity(start_utc=datetime(2025, 3, 9, 7, 0, tzinfo=UTC), sport="hiking")
    (source / "55500001_ACTIVITY.fit").write_bytes(fit)
    (source / "broken.json").write_text('{"activityId": 1, ', encoding="utf-8")
    (source / "notes.txt").write_text("exported from Garmin Connect\n", encoding="utf-8")
    result = materialize_folder(source, tmp_path / "lake")
    assert result.success
    raw = materialization_metadata(result)
    assert (raw["written"], raw["failed"], raw["source_file_failures"]) == (5, 0, 2)
    reasons = {row["file"]: row["reason"] for row in raw["source_file_failure_list"]}
    assert "not valid JSON" in reasons["broken.json"]
    assert "unsupported file type" in reasons["notes.txt"]
    silver = pq.read_table(tmp_path / "lake" / "silver" / "garmin_activities.parquet")
    fit_rows = [row for row in silver.to_pylist() if row["source"] == "fit"]
    assert [row["activity_id"] for row in fit_rows] == [55500001]
    assert fit_rows[0]["date"] == date(2025, 3, 9)  # 07:00 UTC, 01:00 local at -6 h
    assert fit_rows[0]["distance_km"] == pytest.approx(5.0)
