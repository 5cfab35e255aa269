"""Serving: the silver sessions upserted into the DynamoDB table ``wod-sessions-{stage}``."""

import dagster as dg
import pyarrow as pa

from fitness_platform.aws.dynamodb import DynamoDBResource
from fitness_platform.defs.wod.common import (
    EXTERNAL_RETRY,
    GROUP,
    OWNERS,
    SESSIONS,
    SESSIONS_DYNAMODB,
)
from fitness_platform.wod.dynamo_items import (
    KEY_ATTRIBUTES,
    TABLE_PREFIX,
    DynamoItemError,
    record_to_item,
)
from fitness_platform.wod.tables import session_records


@dg.asset(
    key=SESSIONS_DYNAMODB,
    ins={"sessions": dg.AssetIn(key=SESSIONS)},
    group_name=GROUP,
    owners=OWNERS,
    kinds={"dynamodb"},
    retry_policy=EXTERNAL_RETRY,
)
def wod_sessions_dynamodb(
    context: dg.AssetExecutionContext, sessions: pa.Table, dynamodb: DynamoDBResource
) -> dg.MaterializeResult:
    """The WOD sessions in DynamoDB ``wod-sessions-{stage}`` (PK ``date``, SK ``session``).

    Creates the table if it is missing, then writes every silver record as an idempotent
    upsert in batches of 25, retrying ``UnprocessedItems`` with backoff. Items of sessions that
    left silver are not deleted (see docs/wod.md).
    """
    items, bad = [], []
    for record in session_records(sessions):
        try:
            items.append(record_to_item(record))
        except DynamoItemError as exc:
            bad.append(str(exc))
    if bad:
        # The same records would fail again on a retry.
        raise dg.Failure(
            description=f"{len(bad)} WOD session(s) cannot become DynamoDB items: {bad[:5]}",
            allow_retries=False,
        )
    table = dynamodb.table_name(TABLE_PREFIX)
    report = dynamodb.upsert(TABLE_PREFIX, KEY_ATTRIBUTES, items)  # type: ignore[arg-type]
    context.log.info(f"{report.written} WOD item(s) upserted into {table}")
    return dg.MaterializeResult(
        metadata={
            "table": dg.MetadataValue.text(table),
            "items_written": dg.MetadataValue.int(report.written),
            "batches": dg.MetadataValue.int(report.batches),
            "retried_unprocessed": dg.MetadataValue.int(report.retried_unprocessed),
        }
    )
