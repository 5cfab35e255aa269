"""The tracker transformations as a Spark job on any cluster, reporting back through Dagster Pipes.

Dagster launches this file (``PipesSubprocessClient`` locally, ``PipesEMRServerlessClient`` or
``PipesGlueClient`` in production) with these Pipes extras:

- ``bronze_paths``: the bronze partition files (``bronze/fitness_logs/<key>.parquet``), as
  paths the cluster can read (a local path, ``s3://`` on EMR and Glue, ``s3a://`` elsewhere);
- ``output_root``: where ``silver/<table>.parquet`` and ``gold/<table>.parquet`` are written,
  each as a directory-form Parquet dataset (SPEC 1.6 types) that pandas reads too;
- ``asset_keys``: table (``silver/daily_activity``) -> the Dagster asset key to report;
- ``spark_master`` (optional): start a session on this master with our settings, as the
  local subprocess does; omitted on a cluster, where ``spark-submit`` made the session;
- ``spark_conf`` (optional): extra Spark settings (for example the ``s3a`` endpoint).

The rules are the same narwhals functions the pandas engine runs (``tracker.pipeline``); the
data stays in Spark from the bronze read to the gold write. Silver is written and read back
before gold, as in the asset graph, so gold never recomputes silver's plan.

On Glue, Dagster passes the Pipes bootstrap as job arguments and the context through S3; on
EMR Serverless and locally, through environment variables. Both are detected here.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import narwhals as nw
from dagster_pipes import (
    PipesCliArgsParamsLoader,
    PipesContext,
    PipesS3ContextLoader,
    open_dagster_pipes,
)
from pyspark.sql import DataFrame, SparkSession

from fitness_platform.engine.spark_engine import (
    apply_runtime_settings,
    conform_spark,
    spark_engine,
    start_spark,
)
from fitness_platform.pipes import GOLD_TABLES, SILVER_TABLES, TABLES
from fitness_platform.tracker import silver
from fitness_platform.tracker.bronze import bronze_schema
from fitness_platform.tracker.pipeline import gold_frames, silver_frames
from fitness_platform.tracker.schema import arrow_schema


@dataclass(frozen=True)
class JobParams:
    """What one run of the job reads and writes (the Pipes extras, validated)."""

    bronze_paths: tuple[str, ...]
    output_root: str
    asset_keys: Mapping[str, str]
    spark_master: str | None = None
    spark_conf: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_extras(cls, extras: Mapping[str, Any]) -> JobParams:
        """Validate the extras Dagster sent.

        Raises:
            ValueError: naming the extra that is missing or malformed.
        """
        paths = extras.get("bronze_paths")
        if not isinstance(paths, list) or not all(isinstance(p, str) and p for p in paths):
            raise ValueError("extra 'bronze_paths' must be a list of bronze Parquet paths")
        root = extras.get("output_root")
        if not isinstance(root, str) or not root.strip("/"):
            raise ValueError("extra 'output_root' must be the folder the tables are written to")
        keys = extras.get("asset_keys") or {}
        unknown = sorted(set(keys) - set(TABLES))
        if not isinstance(keys, dict) or unknown:
            raise ValueError(f"extra 'asset_keys' maps unknown tables {unknown}; known: {TABLES}")
        return cls(
            bronze_paths=tuple(paths),
            output_root=root.rstrip("/"),
            asset_keys=dict(keys),
            spark_master=extras.get("spark_master") or None,
            spark_conf=dict(extras.get("spark_conf") or {}),
        )

    def table_path(self, table: str) -> str:
        """Where ``table`` (``silver/daily_activity``) is written: ``<root>/<table>.parquet``."""
        return f"{self.output_root}/{table}.parquet"


@dataclass
class JobResult:
    """Rows written per table and the step-1 counts of silver cleaning."""

    bronze_rows: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    negatives_zeroed: dict[str, int] = field(default_factory=dict)


def write_table(frame: DataFrame, location: str) -> None:
    """Write a directory-form Parquet table: atomically by rename locally, in place on S3."""
    if "://" in location and not location.startswith("file://"):
        frame.write.mode("overwrite").parquet(location)
        return
    # Imported here: the cluster image needs no fsspec/upath for object-store paths.
    from upath import UPath

    from fitness_platform.storage.parquet import write_spark_table

    write_spark_table(frame, UPath(location.removeprefix("file://")))


def run_job(
    spark: SparkSession, params: JobParams, log: Callable[[str], None] = print
) -> JobResult:
    """Bronze -> silver -> gold on ``spark``; returns the rows written per table."""
    result = JobResult()
    bronze = conform_spark(spark.read.parquet(*params.bronze_paths), bronze_schema())
    result.bronze_rows = bronze.count()
    log(f"bronze: {result.bronze_rows} rows from {len(params.bronze_paths)} partition file(s)")
    frame = nw.from_native(bronze)
    result.negatives_zeroed = silver.negative_counts(frame)
    features, rejects = silver_frames(frame)
    for table, lazy in zip(SILVER_TABLES, (features, rejects), strict=True):
        _write_and_count(spark, lazy.to_native(), table, params, result, log)

    silver_table = _read(spark, params.table_path("silver/daily_activity"), SILVER_TABLES[0])
    tables = gold_frames(nw.from_native(silver_table), spark_engine(spark).from_arrow)
    for table in GOLD_TABLES:
        _write_and_count(spark, tables[table].to_native(), table, params, result, log)
    return result


def _read(spark: SparkSession, location: str, table: str) -> DataFrame:
    return conform_spark(spark.read.parquet(location), arrow_schema(table))


def _write_and_count(
    spark: SparkSession,
    frame: DataFrame,
    table: str,
    params: JobParams,
    result: JobResult,
    log: Callable[[str], None],
) -> None:
    location = params.table_path(table)
    write_table(conform_spark(frame, arrow_schema(table)), location)
    # Counted from the written files: what a reader will see, not what the plan promised.
    result.rows[table] = _read(spark, location, table).count()
    log(f"{table}: {result.rows[table]} rows -> {location}")


def report(pipes: PipesContext, params: JobParams, result: JobResult) -> None:
    """One materialisation per table whose asset key Dagster asked for, with row counts."""
    for table in TABLES:
        key = params.asset_keys.get(table)
        if key is None:
            continue
        metadata: dict[str, Any] = {
            "dagster/row_count": result.rows[table],
            "path": params.table_path(table),
            "engine": "spark",
        }
        if table == "silver/daily_activity":
            metadata["bronze_rows"] = result.bronze_rows
            metadata["negatives_set_to_zero"] = {
                "raw_value": result.negatives_zeroed,
                "type": "json",
            }
        pipes.report_asset_materialization(asset_key=key, metadata=metadata)


def session_for(params: JobParams) -> SparkSession:
    """A local session with our settings, or the cluster's own session with our SQL settings."""
    if params.spark_master:
        return start_spark(params.spark_master, params.spark_conf)
    builder = SparkSession.builder
    for key, value in params.spark_conf.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    apply_runtime_settings(session)
    return session


def _pipes_loaders(argv: list[str]) -> dict[str, Any]:
    """Glue passes the bootstrap as ``--dagster-pipes-*`` arguments and the context via S3."""
    if not any(arg.startswith("--dagster-pipes-context") for arg in argv):
        return {}
    import boto3

    return {
        "params_loader": PipesCliArgsParamsLoader(),
        "context_loader": PipesS3ContextLoader(boto3.client("s3")),
    }


def main(argv: list[str] | None = None) -> None:
    """Entry point: open the Pipes session, run the job, report every table."""
    with open_dagster_pipes(**_pipes_loaders(argv if argv is not None else sys.argv)) as pipes:
        params = JobParams.from_extras(pipes.extras)
        spark = session_for(params)
        result = run_job(spark, params, log=pipes.log.info)
        report(pipes, params, result)


if __name__ == "__main__":
    main()
