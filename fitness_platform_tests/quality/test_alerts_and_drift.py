"""Alert messages from a run's event log, log-only alerts, schema drift across runs and the
schema check on stored files — each on a real (ephemeral) Dagster instance or real files."""

from __future__ import annotations

import logging
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fitness_platform.aws.sns import SNSAlertsResource
from fitness_platform.defs.alerts.messages import failed_error_checks, publish_alerts, run_alerts
from fitness_platform.defs.metadata import table_metadata
from fitness_platform.defs.tracker.checks import drift_outcome, schema_outcome
from fitness_platform.storage.lake import Lake
from fitness_platform.tracker.schema import arrow_schema

KEY = dg.AssetKey(["gold", "dim_user"])


def _gated_job_run(instance: dg.DagsterInstance) -> str:
    @dg.asset(key=KEY)
    def table() -> int:
        return 1

    @dg.asset(deps=[KEY])
    def downstream() -> None:
        raise AssertionError("must not run: the blocking check failed")

    @dg.asset_check(asset=KEY, blocking=True)
    def keys() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(
            passed=False,
            description="2 row(s) sharing 1 duplicated (user_id) value(s)",
            metadata={"rows_checked": 10, "rows_failing": 2},
        )

    @dg.asset_check(asset=KEY)
    def drift() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.WARN)

    defs = dg.Definitions(assets=[table, downstream], asset_checks=[keys, drift])
    result = defs.get_implicit_global_asset_job_def().execute_in_process(
        instance=instance, raise_on_error=False
    )
    assert not result.success
    return result.run_id


def test_run_alerts_name_the_failed_error_check_and_the_failed_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    instance = dg.DagsterInstance.ephemeral()
    run_id = _gated_job_run(instance)
    assert [e.check_name for e in failed_error_checks(instance, run_id)] == ["keys"]

    alerts = run_alerts(instance, run_id)
    assert [subject for subject, _ in alerts] == [
        "[fitness_platform] Check failed: gold/dim_user keys",
        "[fitness_platform] Run failed: __ASSET_JOB at gold__dim_user_keys",
    ]
    check_body = alerts[0][1]
    for expected in ("Rows checked: 10", "Rows failing: 2 (20.00%)", run_id, "duplicated"):
        assert expected in check_body

    with caplog.at_level(logging.WARNING, logger="fitness_platform.alerts"):
        ids = publish_alerts(SNSAlertsResource(topic_arn=None), alerts)
    assert ids == [None, None]
    logged = [r.getMessage() for r in caplog.records]
    assert len(logged) == 2 and all("logged only: no SNS topic configured" in m for m in logged)
    assert "gold/dim_user keys" in logged[0]


def _materialize(instance: dg.DagsterInstance, schema: pa.Schema) -> None:
    @dg.asset(key=KEY)
    def table() -> dg.MaterializeResult:
        return dg.MaterializeResult(metadata=table_metadata(schema.empty_table()))

    dg.materialize([table], instance=instance)


def test_drift_compares_with_the_previous_runs_column_schema() -> None:
    instance = dg.DagsterInstance.ephemeral()
    schema = arrow_schema("gold/dim_user")
    current = schema.empty_table()
    assert drift_outcome(instance, "gold/dim_user", current).reason.startswith("no previous")

    _materialize(instance, schema)
    _materialize(instance, schema)
    same = drift_outcome(instance, "gold/dim_user", current)
    assert same.passed, same.reason

    changed = schema.remove(schema.get_field_index("avg_bmr")).set(
        0, pa.field("user_id", pa.string())
    )
    _materialize(instance, changed)
    drift = drift_outcome(instance, "gold/dim_user", changed.empty_table())
    assert not drift.passed
    assert {(r["column"], r["change"]) for r in drift.sample.to_pylist()} == {
        ("avg_bmr", "removed"),
        ("user_id", "retyped"),
    }


def test_schema_check_reads_the_stored_files_not_the_loaded_table(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path))
    schema = arrow_schema("gold/dim_date")
    (tmp_path / "gold").mkdir()
    pq.write_table(schema.empty_table(), tmp_path / "gold" / "dim_date.parquet")
    assert schema_outcome(lake, "gold/dim_date").passed

    narrow = schema.set(schema.get_field_index("day"), pa.field("day", pa.int32()))
    pq.write_table(narrow.empty_table(), tmp_path / "gold" / "dim_date.parquet")
    result = schema_outcome(lake, "gold/dim_date")
    assert not result.passed
    assert result.sample.to_pylist() == [
        {
            "file": "gold/dim_date.parquet",
            "column": "day",
            "expected": "int64",
            "actual": "int32",
            "problem": "wrong type",
        }
    ]

    # A partitioned table is checked file by file.
    folder = tmp_path / "bronze" / "fitness_logs"
    folder.mkdir(parents=True)
    bronze = arrow_schema("bronze/fitness_logs")
    pq.write_table(bronze.empty_table(), folder / "a.csv.parquet")
    pq.write_table(bronze.remove(0).empty_table(), folder / "b.csv.parquet")
    files = schema_outcome(lake, "bronze/fitness_logs")
    assert not files.passed and files.details["files_checked"] == 2
    assert {r["file"] for r in files.sample.to_pylist()} == {"bronze/fitness_logs/b.csv.parquet"}
