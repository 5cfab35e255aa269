"""Forward labels (SPEC 1.5) by calendar lookup on (user_id, d + horizon).

A label of day d needs the same user's row of day d + horizon; when that day is absent (not
logged, rejected, or still in the future) the label is null. Rows are never shifted by
position, so a missing day can never pull a later day's value into the window.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fitness_platform.ml.features import (
    SLEEP_QUALITY_LABEL,
    STRESS_TREND_LABEL,
    WEIGHT_CHANGE_LABEL,
)

STRESS_TREND_THRESHOLD = 3  # points over 30 days; SPEC: >= 3 more_stress, <= -3 less_stress


def value_on(frame: pd.DataFrame, column: str, days_ahead: int) -> pd.Series:
    """The same user's ``column`` on ``date + days_ahead``, aligned to ``frame``'s index.

    Args:
        frame: Rows with ``user_id``, ``date`` (datetime64) and ``column``; at most one row per
            user and date.
        column: The column to look up.
        days_ahead: Calendar offset in days.

    Returns:
        The looked-up values; missing where that user has no row on that day.
    """
    lookup = frame[["user_id", "date", column]].rename(columns={column: "_value"})
    lookup = lookup.assign(date=lookup["date"] - pd.Timedelta(days=days_ahead))
    keys = frame[["user_id", "date"]]
    merged = keys.merge(lookup, on=["user_id", "date"], how="left", validate="one_to_one")
    return pd.Series(merged["_value"].to_numpy(), index=frame.index, name=column)


def stress_trend(delta: pd.Series) -> pd.Series:
    """Classify a 30-day stress change: >= 3 more_stress, <= -3 less_stress, else no_changes."""
    labels = np.select(
        [delta >= STRESS_TREND_THRESHOLD, delta <= -STRESS_TREND_THRESHOLD],
        ["more_stress", "less_stress"],
        "no_changes",
    ).astype(object)
    labels[delta.isna().to_numpy()] = None
    return pd.Series(labels, index=delta.index, dtype=object)


def forward_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """The three SPEC 1.5 labels for every row of ``frame`` (null where the future is unknown).

    Args:
        frame: One row per (``user_id``, ``date``) with ``stress_level`` (float),
            ``sleep_quality`` (str) and ``weight_kg`` (float).

    Returns:
        A frame with the label columns, aligned to ``frame``'s index.
    """
    stress_delta = value_on(frame, "stress_level", 30) - frame["stress_level"]
    next_sleep = value_on(frame, "sleep_quality", 1).astype(object)
    next_sleep = next_sleep.where(next_sleep.notna(), None)
    weight_delta = value_on(frame, "weight_kg", 30) - frame["weight_kg"]
    return pd.DataFrame(
        {
            STRESS_TREND_LABEL: stress_trend(stress_delta),
            SLEEP_QUALITY_LABEL: next_sleep,
            WEIGHT_CHANGE_LABEL: weight_delta.astype(np.float64),
        },
        index=frame.index,
    )
