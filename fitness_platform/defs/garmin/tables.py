"""Silver and gold Garmin tables, built from the stored raw activity JSON."""

from collections.abc import Sequence

import dagster as dg
import pyarrow as pa

from fitness_platform import plots
from fitness_platform.defs.garmin.policies import OWNERS, REMOTE_RETRY
from fitness_platform.defs.garmin.raw import RAW_ACTIVITIES_KEY
from fitness_platform.defs.garmin.resources import GarminSourceResource
from fitness_platform.defs.metadata import markdown_preview, table_metadata
from fitness_platform.defs.resources import LakeResource
from fitness_platform.garmin.columns import GARMIN_COLUMN_DESCRIPTIONS
from fitness_platform.garmin.raw import read_raw_activities
from fitness_platform.garmin.transform import (
    GOLD_DAILY_SCHEMA,
    SILVER_SCHEMA,
    build_silver,
    gold_daily,
    to_arrow,
)

SILVER_KEY = dg.AssetKey(["silver", "garmin_activities"])
GOLD_KEY = dg.AssetKey(["gold", "garmin_daily"])
LISTED_ROWS = 50


def _problems(rows: Sequence[tuple[object, ...]], names: tuple[str, ...]) -> dg.MetadataValue:
    shown = [dict(zip(names, map(str, row), strict=True)) for row in rows[:LISTED_ROWS]]
    table = pa.Table.from_pylist(shown) if shown else pa.table({n: [] for n in names})
    more = f"\n\n_and {len(rows) - LISTED_ROWS} more_" if len(rows) > LISTED_ROWS else ""
    return dg.MetadataValue.md(markdown_preview(table, LISTED_ROWS) + more)


@dg.asset(
    key=SILVER_KEY,
    deps=[RAW_ACTIVITIES_KEY],
    group_name="garmin",
    kinds={"pandas", "parquet"},
    owners=OWNERS,
    retry_policy=REMOTE_RETRY,
)
def garmin_activities(
    context: dg.AssetExecutionContext, garmin: GarminSourceResource, lake: LakeResource
) -> dg.MaterializeResult:
    """One row per Garmin activity_id with the SPEC 2 columns in metric units (km, minutes,
    km/h); ``date`` is the local date of startTimeLocal. Built from every stored raw object;
    a missing field is null, and a value that is not a number is null and listed."""
    raw = read_raw_activities(lake.lake(), garmin.bronze_prefix)
    result = build_silver(raw.activities)
    table = to_arrow(result.frame, SILVER_SCHEMA)
    for key, reason in raw.failures:
        context.log.warning(f"raw Garmin object {key} not read: {reason}")
    return dg.MaterializeResult(
        value=table,
        metadata={
            **table_metadata(table, GARMIN_COLUMN_DESCRIPTIONS),
            "raw_objects_read": dg.MetadataValue.int(len(raw.activities)),
            "unreadable_raw_objects": _problems(raw.failures, ("key", "reason")),
            "records_dropped": _problems(result.dropped, ("record", "reason")),
            "values_nulled": _problems(result.invalid_values, ("activity_id", "field", "value")),
            "values_nulled_count": dg.MetadataValue.int(len(result.invalid_values)),
        },
    )


@dg.asset(
    key=GOLD_KEY,
    ins={"silver": dg.AssetIn(key=SILVER_KEY)},
    group_name="garmin",
    kinds={"pandas", "parquet"},
    owners=OWNERS,
    retry_policy=REMOTE_RETRY,
)
def garmin_daily(silver: pa.Table) -> dg.MaterializeResult:
    """One row per local date: the number of activities, total distance_km, duration_min,
    calories and steps, and the dominant activity_type (most minutes that day)."""
    table = to_arrow(gold_daily(silver.to_pandas()), GOLD_DAILY_SCHEMA)
    return dg.MaterializeResult(
        value=table,
        metadata={
            **table_metadata(table, GARMIN_COLUMN_DESCRIPTIONS),
            "weekly_chart": dg.MetadataValue.md(weekly_chart(table)),
        },
    )


def weekly_chart(daily: pa.Table) -> str:
    """Distance and moving time per ISO week, as a small bar chart."""
    weeks: dict[str, list[float]] = {}
    for row in daily.select(["date", "distance_km", "duration_min"]).to_pylist():
        if row["date"] is None:
            continue
        year, week, _ = row["date"].isocalendar()
        totals = weeks.setdefault(f"{year}-W{week:02}", [0.0, 0.0])
        totals[0] += row["distance_km"] or 0.0
        totals[1] += row["duration_min"] or 0.0
    labels = sorted(weeks)
    return plots.weekly_bars(
        labels,
        {"distance km": [weeks[w][0] for w in labels], "minutes": [weeks[w][1] for w in labels]},
        "Garmin per week",
    )
