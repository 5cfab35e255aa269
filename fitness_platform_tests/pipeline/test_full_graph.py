"""The whole tracker graph through ``run_tracker``, locally and on a moto S3 server.

Generated files with every defect kind (bad cells, out-of-range values, negatives, zero steps,
exact and conflicting duplicates across files, missing days) plus one hand-written file with a
shuffled, mixed-case header, blank lines and a record with a surplus field, in a sub-folder.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import boto3
import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc

from fitness_platform.runner import RunSummary, run_tracker
from fitness_platform.settings import Settings, load_settings
from fitness_platform.tracker.ingestion import LEDGER_KEY, load_ledger, partition_key_for
from fitness_platform_tests.pipeline.conftest import (
    FIRST_MTIME,
    SECOND_MTIME,
    Delivery,
    RawCsv,
    assert_reconciles,
    assert_rows_match_records,
    assert_spec_schemas,
    put_s3_objects,
    quiet,
    read_tables,
    settings_lake,
    tracker_csv,
)


def modified_at(tables: dict[str, pa.Table]) -> dict[str, datetime]:
    """The one ``_source_modified_at`` of each source file in bronze."""
    bronze = tables["bronze/fitness_logs"]
    files, stamps = bronze["_source_file"].to_pylist(), bronze["_source_modified_at"].to_pylist()
    pairs = set(zip(files, stamps, strict=True))
    found = dict(pairs)
    assert len(found) == len(pairs), "a file has more than one _source_modified_at"
    return found


def check_lake(
    settings: Settings, summary: RunSummary, files: Sequence[RawCsv], reasons: Counter[str]
) -> dict[str, pa.Table]:
    """Everything a successful full run over ``files`` must leave in the lake."""
    records = {raw.name: raw.records for raw in files}
    assert summary.exit_code == 0, (
        summary.failed_files,
        summary.failed_steps,
        summary.failed_checks,
    )
    assert not summary.not_materialized
    tables = read_tables(settings_lake(settings))
    assert_spec_schemas(tables)
    assert_reconciles(tables, records)
    assert_rows_match_records(tables, files)
    found = Counter(tables["bronze/fitness_rejects"].column("reason").to_pylist())
    found.update(tables["silver/fitness_rejects"].column("reason").to_pylist())
    assert found == reasons
    assert set(tables["bronze/fitness_rejects"].column("stage").to_pylist()) <= {"bronze"}
    assert set(tables["silver/fitness_rejects"].column("stage").to_pylist()) == {"silver"}
    assert {name: t.num_rows for name, t in tables.items()} == summary.table_rows

    silver, fact = tables["silver/daily_activity"], tables["gold/fact_daily"]
    assert fact.num_rows == silver.num_rows == tables["gold/dim_activity"].num_rows
    users = set(silver.column("user_id").to_pylist())
    assert set(tables["gold/dim_user"].column("user_id").to_pylist()) == users
    date_keys = tables["gold/dim_date"].column("date_key").to_pylist()
    assert set(fact.column("date_key").to_pylist()) <= set(date_keys)
    dates = tables["gold/dim_date"].column("date").to_pylist()
    assert len(dates) == (max(dates) - min(dates)).days + 1 == len(set(dates))
    # Gaps are missing days, not zeros: windows count 1..30 surviving rows.
    assert (
        1
        <= pc.min(silver.column("ra30_days")).as_py()
        <= pc.max(silver.column("ra30_days")).as_py()
        <= 30
    )
    ledger = load_ledger(settings_lake(settings))
    assert {e.source_file: e.status for e in ledger.entries.values()} == dict.fromkeys(
        records, "ingested"
    )
    return tables


def test_full_graph_locally(single_run: tuple[Settings, RunSummary], delivery: Delivery) -> None:
    settings, summary = single_run
    assert sorted(summary.files_ingested) == sorted(delivery.records)
    tables = check_lake(settings, summary, delivery.files, delivery.expected_reasons())
    # _source_modified_at is the file's modification time, in UTC.
    assert modified_at(tables) == {
        **{raw.name: datetime.fromtimestamp(FIRST_MTIME, tz=UTC) for raw in delivery.first},
        **{raw.name: datetime.fromtimestamp(SECOND_MTIME, tz=UTC) for raw in delivery.second},
    }
    # The ledger lives under the lake root, next to bronze.
    assert (Path(settings.lake_root) / LEDGER_KEY).is_file()
    key = partition_key_for("extra/shuffled.csv")
    assert key.startswith("extra__shuffled.csv-")
    assert Path(settings.lake_root, f"bronze/fitness_logs/{key}.parquet").is_file()


def test_full_graph_on_s3_then_a_new_object(
    aws_env: str, s3_bucket: str, delivery: Delivery, instance: dg.DagsterInstance
) -> None:
    put_s3_objects(aws_env, s3_bucket, "incoming", delivery.files)
    settings = load_settings(
        {
            "FITNESS_STORAGE_MODE": "s3",
            "FITNESS_S3_BUCKET": s3_bucket,
            "FITNESS_S3_PREFIX": "lake",
            "FITNESS_RAW_PATH": f"s3://{s3_bucket}/incoming",
            "AWS_ENDPOINT_URL": aws_env,
        }
    )

    first = run_tracker(settings, instance=instance, echo=quiet, ml=False)

    # Objects uploaded in one second tie on LastModified; the greater name then wins, as the
    # generator's expected rejects assume.
    tables = check_lake(settings, first, delivery.files, delivery.expected_reasons())
    # _source_modified_at is the object's LastModified.
    client = boto3.client("s3", endpoint_url=aws_env, region_name="us-east-1")
    assert modified_at(tables) == {
        raw.name: client.head_object(Bucket=s3_bucket, Key=f"incoming/{raw.name}")["LastModified"]
        for raw in delivery.files
    }
    lake = settings_lake(settings)
    assert lake.exists(LEDGER_KEY)
    # Unpartitioned tables are folder locations of part files, as Glue and Athena need.
    for table in ("silver/daily_activity", "gold/fact_daily"):
        assert lake.list(f"{table}.parquet", suffix=".parquet"), f"no part file of {table}"

    # An object that lands after the first run is seen by the next one (no stale listing).
    late = tracker_csv("late/new_users.csv", range(200, 204), 40, seed=9, defects=False)
    put_s3_objects(aws_env, s3_bucket, "incoming", [late])
    second = run_tracker(settings, instance=instance, echo=quiet, ml=False)

    assert second.files_ingested == [late.name]
    files = [*delivery.files, late]
    tables = check_lake(settings, second, files, delivery.expected_reasons())
    assert set(range(200, 204)) <= set(tables["gold/dim_user"].column("user_id").to_pylist())
