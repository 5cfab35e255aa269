"""Data-quality checks on ``silver/garmin_activities``.

Each check is a pure function that returns the failing rows (an empty frame means it passed),
so an asset check can report how many rows failed and show a sample of them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pandas as pd

MIN_HEART_RATE = 25.0
MAX_HEART_RATE = 250.0


def duplicate_activity_ids(silver: pd.DataFrame) -> pd.DataFrame:
    """Rows whose ``activity_id`` appears more than once (every copy is returned)."""
    return silver[silver["activity_id"].duplicated(keep=False)]


def negative_distance_or_duration(silver: pd.DataFrame) -> pd.DataFrame:
    """Rows with a negative ``distance_km``, ``duration_min`` or ``moving_min`` (nulls pass)."""
    negative = (
        (silver["distance_km"] < 0) | (silver["duration_min"] < 0) | (silver["moving_min"] < 0)
    )
    return silver[negative.fillna(False)]


def heart_rate_out_of_range(
    silver: pd.DataFrame, low: float = MIN_HEART_RATE, high: float = MAX_HEART_RATE
) -> pd.DataFrame:
    """Rows whose ``avg_hr`` or ``max_hr`` is present and outside ``[low, high]`` bpm."""
    outside = pd.Series(False, index=silver.index)
    for column in ("avg_hr", "max_hr"):
        values = silver[column]
        outside |= (values.notna() & ((values < low) | (values > high))).fillna(False)
    return silver[outside]


def start_in_future(silver: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """Rows whose ``start_time_utc`` is later than ``now`` (timezone-aware; nulls pass)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (for example datetime.now(UTC))")
    future = silver["start_time_utc"] > pd.Timestamp(now).tz_convert("UTC")
    return silver[future.fillna(False)]


def run_checks(silver: pd.DataFrame, now: datetime) -> dict[str, pd.DataFrame]:
    """Every check by name, with its failing rows."""
    checks: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
        "unique_activity_id": duplicate_activity_ids,
        "non_negative_distance_and_duration": negative_distance_or_duration,
        "heart_rate_in_range": heart_rate_out_of_range,
        "start_not_in_future": lambda frame: start_in_future(frame, now),
    }
    return {name: check(silver) for name, check in checks.items()}
