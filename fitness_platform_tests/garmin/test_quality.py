"""Quality checks return exactly the failing silver rows."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from fitness_platform.garmin.quality import (
    duplicate_activity_ids,
    heart_rate_out_of_range,
    negative_distance_or_duration,
    run_checks,
    start_in_future,
)
from fitness_platform.garmin.transform import silver_activities
from fitness_platform_tests.garmin.builders import MISSING, make_activity

NOW = datetime(2025, 3, 12, 12, 0, tzinfo=UTC)


def ids(frame: pd.DataFrame) -> list[int]:
    return sorted(frame["activity_id"].tolist())


@pytest.fixture
def silver() -> pd.DataFrame:
    return silver_activities(
        [
            make_activity(1),
            make_activity(2, distance=-10.0),
            make_activity(3, duration=-1.0),
            make_activity(4, movingDuration=-5.0),
            make_activity(5, averageHR=24.0),
            make_activity(6, maxHR=251.0),
            make_activity(7, averageHR=25.0, maxHR=250.0),
            make_activity(8, averageHR=MISSING, maxHR=None, distance=None, duration=MISSING),
            make_activity(9, start_gmt="2025-03-12 12:00:01"),
            make_activity(10, start_gmt="2025-03-12 12:00:00"),
            make_activity(11, startTimeGMT=MISSING),
        ]
    )


def test_clean_silver_has_no_duplicates(silver: pd.DataFrame) -> None:
    assert duplicate_activity_ids(silver).empty


def test_duplicate_ids_return_every_copy(silver: pd.DataFrame) -> None:
    doubled = pd.concat([silver, silver[silver["activity_id"] == 3]], ignore_index=True)
    assert ids(duplicate_activity_ids(doubled)) == [3, 3]


def test_negative_distance_or_duration(silver: pd.DataFrame) -> None:
    assert ids(negative_distance_or_duration(silver)) == [2, 3, 4]


def test_heart_rate_range_is_inclusive_and_nulls_pass(silver: pd.DataFrame) -> None:
    assert ids(heart_rate_out_of_range(silver)) == [5, 6]


def test_future_start_is_relative_to_the_injected_now(silver: pd.DataFrame) -> None:
    assert ids(start_in_future(silver, NOW)) == [9]
    assert ids(start_in_future(silver, datetime(2025, 3, 1, tzinfo=UTC))) == list(range(1, 11))
    with pytest.raises(ValueError, match="timezone-aware"):
        start_in_future(silver, datetime(2025, 3, 12))


def test_run_checks_names_every_check(silver: pd.DataFrame) -> None:
    results = run_checks(silver, NOW)
    assert {name: ids(rows) for name, rows in results.items()} == {
        "unique_activity_id": [],
        "non_negative_distance_and_duration": [2, 3, 4],
        "heart_rate_in_range": [5, 6],
        "start_not_in_future": [9],
    }
    assert all(rows.columns.tolist() == silver.columns.tolist() for rows in results.values())


def test_checks_pass_on_an_empty_table() -> None:
    empty = silver_activities([])
    assert all(rows.empty for rows in run_checks(empty, NOW).values())
