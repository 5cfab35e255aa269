"""Silver assets: cleaned daily activity with features, and every removed row with its reason."""

import dagster as dg
import pyarrow as pa

from fitness_platform import plots
from fitness_platform.defs.metadata import table_metadata
from fitness_platform.defs.resources import EngineResource
from fitness_platform.defs.tracker.policies import LAKE_RETRY, SILVER_POOL
from fitness_platform.tracker.pipeline import build_silver

OWNERS = ["team:data-platform"]


def silver_distributions(table: pa.Table) -> str:
    """Histograms of steps, sleep and stress of the cleaned rows."""
    columns = {
        name: table.column(name).to_numpy(zero_copy_only=False)
        for name in ("steps", "sleep_hours", "stress_level")
    }
    return plots.histograms(columns, "silver distributions")


@dg.multi_asset(
    outs={
        "daily_activity": dg.AssetOut(
            key=["silver", "daily_activity"],
            description="One cleaned row per user and day with categories, date parts, body "
            "measures, 30-calendar-day means, lags and 30-day deltas (SPEC 1.3).",
            kinds={"pandas", "parquet"},
            owners=OWNERS,
            automation_condition=dg.AutomationCondition.eager(),
        ),
        "fitness_rejects": dg.AssetOut(
            key=["silver", "fitness_rejects"],
            description="Bronze rows removed by cleaning (missing_key, out_of_range:<column>, "
            "zero_steps, duplicate), with their bronze values as they were.",
            kinds={"parquet"},
            owners=OWNERS,
            automation_condition=dg.AutomationCondition.eager(),
        ),
    },
    ins={"bronze": dg.AssetIn(key=["bronze", "fitness_logs"])},
    group_name="tracker",
    can_subset=False,
    pool=SILVER_POOL,
    retry_policy=LAKE_RETRY,
)
def silver_tracker_tables(
    context: dg.AssetExecutionContext, bronze: pa.Table, engine: EngineResource
):
    """Clean every bronze partition in SPEC order and compute the silver features."""
    # Compact strings keep the table small while the step holds it; the IO manager stores
    # the SPEC's plain strings.
    result = build_silver(bronze, engine.engine(), compact=True)
    reasons = result.rejects.group_by("reason").aggregate([("reason", "count")]).to_pylist()
    yield dg.Output(
        result.daily_activity,
        output_name="daily_activity",
        metadata={
            **table_metadata(result.daily_activity),
            "bronze_rows": bronze.num_rows,
            "negatives_set_to_zero": dg.MetadataValue.json(result.negatives_zeroed),
            "distributions": dg.MetadataValue.md(silver_distributions(result.daily_activity)),
        },
    )
    yield dg.Output(
        result.rejects,
        output_name="fitness_rejects",
        metadata={
            **table_metadata(result.rejects),
            "rejects_by_reason": dg.MetadataValue.json(
                {r["reason"]: r["reason_count"] for r in sorted(reasons, key=str)}
            ),
            "rejects_chart": dg.MetadataValue.md(
                plots.bar_counts(
                    {r["reason"]: r["reason_count"] for r in reasons}, "silver rejects by reason"
                )
            ),
        },
    )
