"""The tracker graph with ``FITNESS_ENGINE=spark``, and the Spark job through Dagster Pipes.

One delivery of generated raw files (every defect kind, gaps, cross-file duplicates) is run
through ``run_tracker`` on pandas (the reference) and on Spark (local mode, in process); the
Pipes job then rebuilds silver and gold from the pandas run's bronze in a subprocess with its
own local Spark and reports its row counts back to Dagster.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pyarrow as pa
import pytest
from pyspark.sql import SparkSession
from upath import UPath

from fitness_platform.definitions import build_definitions
from fitness_platform.pipes import TABLES
from fitness_platform.runner import RunSummary, run_tracker
from fitness_platform.settings import Settings, load_settings
from fitness_platform.storage.parquet import read_table
from fitness_platform_tests.spark.compare import assert_same_table
from fitness_platform_tests.spark.conftest import LOCAL_MASTER, generate

pytestmark = pytest.mark.spark


def _settings(root: Path, raw: Path, engine: str) -> Settings:
    return load_settings(
        {
            "FITNESS_LOCAL_ROOT": str(root),
            "FITNESS_RAW_PATH": str(raw),
            "FITNESS_ENGINE": engine,
            "FITNESS_SPARK_MASTER": LOCAL_MASTER,
        }
    )


def _run(settings: Settings) -> RunSummary:
    with dg.DagsterInstance.ephemeral() as instance:
        return run_tracker(settings, instance=instance, echo=lambda _: None, ml=False)


def _tables(root: str, prefix: str = "") -> dict[str, pa.Table]:
    return {name: read_table(UPath(f"{root}/{prefix}{name}.parquet")) for name in TABLES}


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20 users x 60 days in two files."""
    folder = tmp_path_factory.mktemp("raw")
    generate(folder, users=20, days=60, seed=8)
    return folder


@pytest.fixture(scope="module")
def pandas_run(tmp_path_factory: pytest.TempPathFactory, raw: Path) -> tuple[Settings, RunSummary]:
    """The reference: the whole graph on the pandas engine."""
    settings = _settings(tmp_path_factory.mktemp("pandas_lake"), raw, "pandas")
    summary = _run(settings)
    assert summary.exit_code == 0, (summary.failed_steps, summary.failed_checks)
    return settings, summary


def test_full_graph_on_spark_gives_the_pandas_tables(
    spark: SparkSession,
    tmp_path: Path,
    raw: Path,
    pandas_run: tuple[Settings, RunSummary],
) -> None:
    reference, reference_summary = pandas_run
    settings = _settings(tmp_path / "lake", raw, "spark")
    tracker = spark.sparkContext.statusTracker()
    jobs_before = len(tracker.getJobIdsForGroup(None))
    summary = _run(settings)
    assert summary.exit_code == 0, (summary.failed_steps, summary.failed_checks)
    assert not summary.not_materialized
    # The rules really ran on this session: Spark jobs were submitted during the run.
    assert len(tracker.getJobIdsForGroup(None)) > jobs_before
    assert summary.table_rows == reference_summary.table_rows
    assert summary.rejects_by_reason == reference_summary.rejects_by_reason

    expected, actual = _tables(reference.lake_root), _tables(settings.lake_root)
    silver = expected["silver/daily_activity"]
    for name in TABLES:
        # ``_ingested_at`` is each run's start; every other column must be equal.
        ignore = ("_ingested_at",) if "_ingested_at" in actual[name].column_names else ()
        assert_same_table(name, actual[name], expected[name], silver, ignore)
        if ignore:
            assert len(set(actual[name]["_ingested_at"].to_pylist())) == 1, name


def test_pipes_subprocess_job_materialises_silver_and_gold_with_pandas_row_counts(
    pandas_run: tuple[Settings, RunSummary],
) -> None:
    reference, summary = pandas_run
    defs = build_definitions(reference)
    with dg.DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("tracker_spark_job").execute_in_process(instance=instance)
        assert result.success
        events = result.get_asset_materialization_events()
        reported = {
            e.asset_key.to_user_string(): e.materialization.metadata["dagster/row_count"].value
            for e in events
        }
        logs = [
            str(record.user_message)
            for record in instance.all_logs(result.run_id)
            if "bronze:" in str(record.user_message)
        ]
    assert reported == {f"spark/{name}": summary.table_rows[name] for name in TABLES}
    assert all(count > 0 for count in reported.values())
    assert logs, "the job's log lines reach Dagster through Pipes"

    expected = _tables(reference.lake_root)
    actual = _tables(reference.lake_root, prefix="spark/")
    for name in TABLES:
        assert Path(f"{reference.lake_root}/spark/{name}.parquet").is_dir()
        assert_same_table(name, actual[name], expected[name], expected["silver/daily_activity"])
