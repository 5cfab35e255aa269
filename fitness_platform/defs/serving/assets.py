"""Serving assets: the DynamoDB user-daily summary and the Glue catalog of gold tables."""

import dagster as dg
import pyarrow as pa

from fitness_platform.aws.dynamodb import DynamoDBResource, to_attribute_values
from fitness_platform.aws.glue import GlueCatalogResource
from fitness_platform.defs.resources import LakeResource
from fitness_platform.serving.user_summary import (
    HASHES_SCHEMA,
    KEY_SCHEMA,
    TABLE_BASE_NAME,
    diff_against,
    summary_rows,
)
from fitness_platform.storage.parquet import read_table, write_table
from fitness_platform.tracker.schema import arrow_schema

OWNERS = ["team:data-platform"]
GOLD_TABLES = ("fact_daily", "dim_user", "dim_date", "dim_activity", "fact_predictions")
HASHES_KEY = "serving/user_daily_summary/_content_hashes.parquet"
AWS_RETRY = dg.RetryPolicy(
    max_retries=3, delay=2, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)


@dg.asset(
    key=["serving", "user_daily_summary"],
    ins={"fact_daily": dg.AssetIn(key=["gold", "fact_daily"])},
    deps=[dg.AssetKey(["gold", "fact_predictions"])],
    group_name="serving",
    kinds={"dynamodb"},
    owners=OWNERS,
    retry_policy=AWS_RETRY,
    automation_condition=dg.AutomationCondition.eager(),
)
def user_daily_summary(
    context: dg.AssetExecutionContext,
    fact_daily: pa.Table,
    lake: LakeResource,
    dynamodb: DynamoDBResource,
) -> dg.MaterializeResult:
    """Upsert one DynamoDB item per user and day (``user-daily-summary-{stage}``, PK user_id N,
    SK date S) with the day's values and the latest predictions, writing only changed items."""
    store = lake.lake()
    predictions_path = store.path("gold/fact_predictions.parquet")
    predictions = (
        read_table(predictions_path, arrow_schema("gold/fact_predictions"))
        if predictions_path.exists()
        else None
    )
    rows = summary_rows(fact_daily, predictions)
    hashes_path = store.path(HASHES_KEY)
    previous = read_table(hashes_path, HASHES_SCHEMA) if hashes_path.exists() else None
    diff = diff_against(rows, previous)
    items = (to_attribute_values(r, number_fields=("user_id",)) for r in diff.changed)
    report = dynamodb.upsert(TABLE_BASE_NAME, KEY_SCHEMA, items)
    # Hashes are saved only after every changed item landed, so a failed run retries them.
    write_table(diff.hashes, hashes_path)
    return dg.MaterializeResult(
        metadata={
            "table": dynamodb.table_name(TABLE_BASE_NAME),
            "items_total": rows.num_rows,
            "items_written": report.written,
            "items_unchanged": diff.unchanged,
            "unprocessed_retried": report.retried_unprocessed,
            "with_predictions": predictions is not None,
        }
    )


@dg.asset(
    key=["catalog", "glue_tables"],
    deps=[dg.AssetKey(["gold", name]) for name in GOLD_TABLES],
    group_name="serving",
    kinds={"glue", "athena"},
    owners=OWNERS,
    retry_policy=AWS_RETRY,
)
def glue_tables(
    context: dg.AssetExecutionContext, lake: LakeResource, glue: GlueCatalogResource
) -> dg.MaterializeResult:
    """Register every gold table in the Glue Data Catalog (Parquet SerDe, columns from the
    Arrow schema, S3 folder location) so Athena and QuickSight can query the star schema.
    Create or update, idempotent; skipped with a reason in local mode."""
    store = lake.lake()
    if store.is_local:
        reason = "local storage mode: Glue can only catalog tables stored in S3"
        context.log.info(f"skipped: {reason}")
        return dg.MaterializeResult(metadata={"skipped": True, "reason": reason})
    outcomes: dict[str, str] = {}
    for name in GOLD_TABLES:
        if not store.path(f"gold/{name}.parquet").exists():
            outcomes[name] = "absent (not materialised yet)"
            continue
        schema: pa.Schema = arrow_schema(f"gold/{name}")
        location = store.uri(f"gold/{name}.parquet") + "/"
        outcomes[name] = glue.register_parquet_table(name, schema, location)
    return dg.MaterializeResult(
        metadata={"database": glue.database, "tables": dg.MetadataValue.json(outcomes)}
    )
