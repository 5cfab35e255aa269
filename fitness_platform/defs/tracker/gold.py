"""Gold assets: the star schema fact_daily, dim_user, dim_date and dim_activity."""

from datetime import datetime

import dagster as dg
import pyarrow as pa

from fitness_platform import plots
from fitness_platform.defs.metadata import table_metadata
from fitness_platform.defs.resources import EngineResource
from fitness_platform.defs.tracker.checks import GOLD_FRESHNESS_POLICY
from fitness_platform.defs.tracker.policies import GOLD_POOL, LAKE_RETRY
from fitness_platform.tracker.pipeline import build_gold

OWNERS = ["team:analytics"]
GOLD_DESCRIPTIONS: dict[str, str] = {
    "fact_daily": "Fact table at grain (user_id, date_key): the day's measures, 30-day "
    "means, lags, deltas and categories. Resolves to dim_user and dim_date.",
    "dim_user": "One row per user: age and gender on the latest date, average height, "
    "weight, BMI and BMR, first and last date, days observed.",
    "dim_date": "Contiguous calendar from the earliest to the latest silver date with "
    "quarter, ISO year and week, weekday and weekend flag.",
    "dim_activity": "Activity dimension at grain user-day (steps, exercise, calories, "
    "activity level, sleep quality), kept for BI compatibility with the seed.",
}


@dg.multi_asset(
    outs={
        name: dg.AssetOut(
            key=["gold", name],
            description=description,
            kinds={"pandas", "parquet"},
            owners=OWNERS,
            automation_condition=dg.AutomationCondition.eager(),
            freshness_policy=GOLD_FRESHNESS_POLICY,
        )
        for name, description in GOLD_DESCRIPTIONS.items()
    },
    ins={"silver": dg.AssetIn(key=["silver", "daily_activity"])},
    group_name="tracker",
    can_subset=False,
    pool=GOLD_POOL,
    retry_policy=LAKE_RETRY,
)
def gold_star_schema(context: dg.AssetExecutionContext, silver: pa.Table, engine: EngineResource):
    """Build the four star-schema tables from silver/daily_activity (SPEC 1.4)."""
    tables = build_gold(silver, engine.engine())
    for path, table in tables.items():
        name = path.split("/", 1)[1]
        metadata = table_metadata(table)
        if name == "fact_daily":
            metadata["daily_averages"] = dg.MetadataValue.md(daily_averages_chart(table))
        yield dg.Output(table, output_name=name, metadata=metadata)


def daily_averages_chart(fact_daily: pa.Table) -> str:
    """Average steps and sleep per calendar day over all users."""
    daily = (
        fact_daily.group_by("date_key")
        .aggregate([("steps", "mean"), ("sleep_hours", "mean")])
        .sort_by("date_key")
    )
    days = [datetime.strptime(str(k), "%Y%m%d").date() for k in daily["date_key"].to_pylist()]
    return plots.time_series(
        days,
        {
            "avg steps": daily["steps_mean"].to_pylist(),
            "avg sleep_hours": daily["sleep_hours_mean"].to_pylist(),
        },
        "daily averages",
    )
