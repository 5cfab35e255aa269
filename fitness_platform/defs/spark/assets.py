"""The tracker silver and gold tables built by the Spark Pipes job (local, EMR or Glue).

They live under ``spark/`` in the lake (asset keys ``["spark", "silver", ...]``), next to the
in-process tables, so the cluster path can run beside the pandas/Spark engine path and be
compared with it. The Pipes client is chosen by ``FITNESS_PIPES_BACKEND``.
"""

import warnings
from collections.abc import Iterator
from typing import Any

import dagster as dg

from fitness_platform.defs.resources import EngineResource, LakeResource
from fitness_platform.defs.spark.resources import SparkPipesResource
from fitness_platform.pipes import TABLES
from fitness_platform.settings import load_pipes_settings

KEY_PREFIX = "spark"
BRONZE = "bronze/fitness_logs"
OWNERS = ["team:data-platform"]
DESCRIPTIONS = {
    "silver/daily_activity": "silver/daily_activity built on Spark by the Pipes job.",
    "silver/fitness_rejects": "silver/fitness_rejects built on Spark by the Pipes job.",
    "gold/fact_daily": "gold/fact_daily built on Spark by the Pipes job.",
    "gold/dim_user": "gold/dim_user built on Spark by the Pipes job.",
    "gold/dim_date": "gold/dim_date built on Spark by the Pipes job.",
    "gold/dim_activity": "gold/dim_activity built on Spark by the Pipes job.",
}
SPARK_PIPES = SparkPipesResource.from_settings(load_pipes_settings())
"""Bound here, from ``FITNESS_PIPES_*``, so the rest of the code location needs no change."""


def asset_key(table: str) -> str:
    """The asset key (as a path string) of a table built by the Spark job."""
    return f"{KEY_PREFIX}/{table}"


def job_extras(
    lake: LakeResource, engine: EngineResource, spark_pipes: SparkPipesResource, bronze: list[str]
) -> dict[str, Any]:
    """The Pipes extras of one run: input files, output root, asset keys, Spark settings.

    A local Spark gets ``s3a://`` paths (and the endpoint, when one is configured); EMR and
    Glue read ``s3://`` natively. A local lake cannot be read from AWS.

    Raises:
        ValueError: for a local lake with an AWS backend, or when bronze is empty.
    """
    root = lake.root.rstrip("/")
    on_s3 = root.startswith("s3://")
    if spark_pipes.on_aws and not on_s3:
        raise ValueError(
            f"the {spark_pipes.backend} backend cannot read a local lake ({root}); "
            "use FITNESS_STORAGE_MODE=s3 or FITNESS_PIPES_BACKEND=subprocess"
        )
    if not bronze:
        raise ValueError(f"no {BRONZE} partitions under {root}; materialise bronze first")
    scheme_root = root
    spark_conf: dict[str, str] = dict(engine.spark_conf)
    if on_s3 and not spark_pipes.on_aws:
        scheme_root = "s3a://" + root.removeprefix("s3://")
        if lake.endpoint_url:
            spark_conf |= {
                "spark.hadoop.fs.s3a.endpoint": lake.endpoint_url,
                "spark.hadoop.fs.s3a.path.style.access": "true",
            }
    return {
        "bronze_paths": [f"{scheme_root}/{key}" for key in bronze],
        "output_root": f"{scheme_root}/{KEY_PREFIX}",
        "asset_keys": {table: asset_key(table) for table in TABLES},
        "spark_master": None if spark_pipes.on_aws else engine.spark_master,
        "spark_conf": spark_conf,
    }


def _tracker_spark_tables(
    context: dg.AssetExecutionContext,
    lake: LakeResource,
    engine: EngineResource,
    spark_pipes: SparkPipesResource,
) -> Iterator[dg.MaterializeResult]:
    """Run the tracker rules on Spark over every bronze partition through Dagster Pipes."""
    bronze = lake.lake().list(BRONZE, suffix=".parquet")
    extras = job_extras(lake, engine, spark_pipes, bronze)
    context.log.info(
        f"Spark job via {spark_pipes.backend}: {len(bronze)} bronze file(s) -> "
        f"{extras['output_root']}"
    )
    yield from spark_pipes.run(context, extras).get_results()


with warnings.catch_warnings():
    # ``resource_defs`` on assets is marked beta; it keeps this resource out of the shared
    # resource map, so the code location needs no other change for it.
    warnings.simplefilter("ignore", dg.BetaWarning)
    tracker_spark_tables = dg.multi_asset(
        name="tracker_spark_tables",
        specs=[
            dg.AssetSpec(
                key=dg.AssetKey([KEY_PREFIX, *table.split("/")]),
                deps=[dg.AssetKey(BRONZE.split("/"))],
                description=DESCRIPTIONS[table],
                kinds={"spark", "parquet"},
                owners=OWNERS,
            )
            for table in TABLES
        ],
        group_name="tracker_spark",
        can_subset=False,
        resource_defs={"spark_pipes": SPARK_PIPES},
    )(_tracker_spark_tables)


tracker_spark_job = dg.define_asset_job(
    name="tracker_spark_job",
    selection=dg.AssetSelection.groups("tracker_spark"),
    description="Build silver and gold on Spark through Dagster Pipes (local, EMR or Glue).",
)
