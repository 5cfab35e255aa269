"""Blocking data-quality checks on ``silver/garmin_activities``; a failure keeps gold stale.

The rules live in :mod:`fitness_platform.garmin.quality`; each check reports how many rows
failed and shows a sample of them. "Now" for the future-start rule is the Garmin resource's
clock, so a fixed ``now_iso`` makes runs reproducible.
"""

from collections.abc import Iterator

import dagster as dg
import pandas as pd
import pyarrow as pa

from fitness_platform.defs.garmin.resources import GarminSourceResource
from fitness_platform.defs.garmin.tables import SILVER_KEY
from fitness_platform.defs.metadata import markdown_preview
from fitness_platform.garmin import quality

SAMPLE_ROWS = 10
SAMPLE_COLUMNS = (
    "activity_id",
    "activity_type",
    "start_time_utc",
    "distance_km",
    "duration_min",
    "moving_min",
    "avg_hr",
    "max_hr",
)

CHECKS: dict[str, str] = {
    "unique_activity_id": "Every activity_id appears once.",
    "non_negative_distance_and_duration": "distance_km, duration_min and moving_min are not "
    "negative (nulls pass).",
    "heart_rate_in_range": f"avg_hr and max_hr lie in {quality.MIN_HEART_RATE:g}-"
    f"{quality.MAX_HEART_RATE:g} bpm when present.",
    "start_not_in_future": "start_time_utc is not later than the run's now (nulls pass).",
}


def check_result(name: str, silver: pd.DataFrame, failing: pd.DataFrame) -> dg.AssetCheckResult:
    """The check result for one rule: pass/fail, rows checked and failing, a failing sample."""
    sample = failing.loc[:, list(SAMPLE_COLUMNS)].head(SAMPLE_ROWS)
    return dg.AssetCheckResult(
        asset_key=SILVER_KEY,
        check_name=name,
        passed=failing.empty,
        severity=dg.AssetCheckSeverity.ERROR,
        description=CHECKS[name],
        metadata={
            "rows_checked": dg.MetadataValue.int(len(silver)),
            "rows_failing": dg.MetadataValue.int(len(failing)),
            "failing_sample": dg.MetadataValue.md(
                markdown_preview(pa.Table.from_pandas(sample, preserve_index=False), SAMPLE_ROWS)
            ),
        },
    )


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(name, asset=SILVER_KEY, description=description, blocking=True)
        for name, description in CHECKS.items()
    ],
    ins={"silver": dg.AssetIn(key=SILVER_KEY)},
)
def garmin_silver_checks(
    garmin: GarminSourceResource, silver: pa.Table
) -> Iterator[dg.AssetCheckResult]:
    """Unique ids, non-negative distance and duration, heart rate 25-250, no future starts."""
    frame = silver.to_pandas()
    for name, failing in quality.run_checks(frame, garmin.now()).items():
        yield check_result(name, frame, failing)
