"""Items of the DynamoDB table ``user-daily-summary-{stage}`` and their change detection.

One item per (user_id, date) holds that day's steps, sleep_hours, stress_level,
activity_level and sleep_quality, plus the latest predictions when they exist. A content hash
per item lets an incremental run write only the items whose content changed: a later file can
change an old day through duplicate resolution, and nothing else should be rewritten.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

TABLE_BASE_NAME = "user-daily-summary"
KEY_SCHEMA: list[tuple[str, str, str]] = [("user_id", "N", "HASH"), ("date", "S", "RANGE")]
DAY_FIELDS = ("steps", "sleep_hours", "stress_level", "activity_level", "sleep_quality")
PREDICTION_FIELDS = (
    "model_version",
    "predicted_stress_trend",
    "predicted_stress_trend_proba",
    "predicted_sleep_quality",
    "predicted_weight_change_30d",
)
HASHES_SCHEMA = pa.schema(
    [("user_id", pa.int64()), ("date", pa.string()), ("content_hash", pa.string())]
)


def summary_rows(fact_daily: pa.Table, predictions: pa.Table | None) -> pa.Table:
    """One row per (user_id, date) with the day's values and the latest predictions."""
    date_key = fact_daily.column("date_key")
    dates = pc.strptime(pc.cast(date_key, pa.string()), format="%Y%m%d", unit="s")
    base = pa.table(
        {
            "user_id": fact_daily.column("user_id"),
            "date_key": date_key,
            "date": pc.strftime(dates, format="%Y-%m-%d"),
            **{name: fact_daily.column(name) for name in DAY_FIELDS},
        }
    )
    if predictions is None or predictions.num_rows == 0:
        return base
    latest = predictions.select(["user_id", "date_key", *PREDICTION_FIELDS])
    return base.join(latest, keys=["user_id", "date_key"], join_type="left outer").sort_by(
        [("user_id", "ascending"), ("date_key", "ascending")]
    )


def content_hash(row: dict[str, Any]) -> str:
    """A stable digest of an item's content (keys and values, nulls left out)."""
    present = {k: v for k, v in sorted(row.items()) if v is not None and k != "date_key"}
    return hashlib.sha256(json.dumps(present, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class SummaryDiff:
    """The items to write and the new hash table to store after they are written."""

    changed: list[dict[str, Any]]
    unchanged: int
    hashes: pa.Table


def diff_against(rows: pa.Table, previous_hashes: pa.Table | None) -> SummaryDiff:
    """Compare each row's content hash with the hashes of the last successful write."""
    records = rows.drop_columns(["date_key"]).to_pylist() if rows.num_rows else []
    hashes = [content_hash(r) for r in records]
    known: dict[tuple[int, str], str] = {}
    if previous_hashes is not None:
        for prev in previous_hashes.to_pylist():
            known[(prev["user_id"], prev["date"])] = prev["content_hash"]
    changed = [
        r for r, h in zip(records, hashes, strict=True) if known.get((r["user_id"], r["date"])) != h
    ]
    table = pa.table(
        {
            "user_id": pa.array([r["user_id"] for r in records], pa.int64()),
            "date": pa.array([r["date"] for r in records], pa.string()),
            "content_hash": pa.array(hashes, pa.string()),
        },
        schema=HASHES_SCHEMA,
    )
    return SummaryDiff(changed=changed, unchanged=len(records) - len(changed), hashes=table)
