"""Forward labels by calendar lookup (SPEC 1.5), on small hand-made frames."""

from __future__ import annotations

import math

import pandas as pd

from fitness_platform.ml.features import (
    SLEEP_QUALITY_LABEL,
    STRESS_TREND_LABEL,
    WEIGHT_CHANGE_LABEL,
)
from fitness_platform.ml.targets import forward_labels, stress_trend, value_on

DAY0 = pd.Timestamp("2025-01-01")


def _frame(rows: list[tuple[int, int, float, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user_id": [r[0] for r in rows],
            "date": [DAY0 + pd.Timedelta(days=r[1]) for r in rows],
            "stress_level": [r[2] for r in rows],
            "sleep_quality": [r[3] for r in rows],
            "weight_kg": [r[4] for r in rows],
        }
    )


def test_stress_trend_thresholds_are_inclusive() -> None:
    deltas = pd.Series([3.0, 2.0, -2.0, -3.0, 9.0, float("nan")])
    assert stress_trend(deltas).tolist() == [
        "more_stress",
        "no_changes",
        "no_changes",
        "less_stress",
        "more_stress",
        None,
    ]


def test_labels_use_the_calendar_day_not_the_next_row() -> None:
    frame = _frame(
        [
            (1, 0, 2.0, "fair", 80.0),
            (1, 2, 4.0, "poor", 79.0),  # day 1 is missing: day 0 has no next-day label
            (1, 3, 6.0, "good", 78.5),
            (1, 30, 5.0, "excellent", 78.0),
            (1, 32, 1.0, "fair", 81.0),
            (2, 1, 9.0, "good", 60.0),  # another user on day 31 must not be matched
            (2, 31, 6.0, "poor", 61.5),
        ]
    )
    labels = forward_labels(frame)
    assert labels[STRESS_TREND_LABEL].tolist() == [
        "more_stress",
        "less_stress",
        None,
        None,
        None,
        "less_stress",
        None,
    ]
    assert labels[SLEEP_QUALITY_LABEL].tolist() == [None, "good", None, None, None, None, None]
    weights = labels[WEIGHT_CHANGE_LABEL].tolist()
    assert weights[0] == -2.0 and weights[1] == 2.0 and weights[5] == 1.5
    assert all(math.isnan(weights[i]) for i in (2, 3, 4, 6))


def test_value_on_keeps_the_frame_index() -> None:
    frame = _frame([(1, 0, 2.0, "fair", 80.0), (1, 1, 3.0, "good", 81.0)]).set_axis([10, 20])
    looked_up = value_on(frame, "stress_level", 1)
    assert looked_up.index.tolist() == [10, 20]
    assert looked_up.loc[10] == 3.0 and math.isnan(looked_up.loc[20])
