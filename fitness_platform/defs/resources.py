"""Resources of the code location, built from validated settings."""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING

import dagster as dg
from pydantic import Field

from fitness_platform.engine import Engine
from fitness_platform.engine.pandas_engine import PANDAS_ENGINE
from fitness_platform.storage.lake import Lake, s3_storage_options

if TYPE_CHECKING:
    # pyspark is the optional ``spark`` extra: imported only when the engine is spark.
    from dagster_pyspark import LazyPySparkResource


class LakeResource(dg.ConfigurableResource):
    """The lake root (local folder or ``s3://bucket/prefix``) for files that are not tables,
    such as the ingestion ledger, raw JSON and JSON Lines exports."""

    root: str
    endpoint_url: str | None = None

    def lake(self, root: str | None = None) -> Lake:
        """A :class:`Lake` at the lake root, or at another root with the same options."""
        target = root or self.root
        options = s3_storage_options(self.endpoint_url) if target.startswith("s3://") else {}
        return Lake(target, options)


class TrackerIngestResource(dg.ConfigurableResource):
    """Where raw tracker files land and the input limits applied to them."""

    raw_root: str
    endpoint_url: str | None = None
    region_name: str = "us-east-1"
    events_queue_url: str | None = None
    """SQS queue of S3 event notifications; when set the S3 sensor reads it instead of listing."""
    max_row_kb: int = 64
    max_file_mb: int = 512
    threads: int | None = None
    """Threads typing the slices of a large file; None: one per usable CPU."""

    def raw_lake(self) -> Lake:
        """The drop folder or S3 raw prefix as a :class:`Lake`."""
        options = s3_storage_options(self.endpoint_url) if self.raw_root.startswith("s3://") else {}
        return Lake(self.raw_root, options)


class EngineResource(dg.ConfigurableResource):
    """The dataframe engine the tracker rules run on: ``pandas`` (default) or ``spark``.

    With ``spark`` the session comes from dagster-pyspark's ``LazyPySparkResource``, configured
    by :func:`~fitness_platform.engine.spark_engine.spark_config` (UTC, Arrow, no UI, few
    shuffle partitions for a local master), so the JVM starts only when a step first asks for
    the engine, and runs that never touch the tracker tables never pay for it. Assets still
    exchange Arrow tables through the IO manager; see ``docs/spark.md`` for why.
    """

    name: str = "pandas"
    spark_master: str = "local[*]"
    threads: int | None = None
    """Threads of the pandas engine for user-range chunks; None: one per usable CPU."""
    spark_conf: dict[str, str] = Field(default_factory=dict)
    """Extra Spark settings (for example executor memory on a cluster); they win over ours."""

    def pyspark(self) -> LazyPySparkResource:
        """The dagster-pyspark resource that owns the session of this engine."""
        from dagster_pyspark import LazyPySparkResource

        from fitness_platform.engine.spark_engine import spark_config

        return LazyPySparkResource(spark_config=spark_config(self.spark_master, self.spark_conf))

    @cached_property
    def _engine(self) -> Engine:
        if self.name == "spark":
            from fitness_platform.engine.spark_engine import (
                apply_runtime_settings,
                prepare_local_environment,
                spark_engine,
            )

            prepare_local_environment(self.spark_master)
            session = self.pyspark().spark_session
            # getOrCreate may return a session someone else configured: pin what results
            # depend on (UTC, Arrow, Parquet timestamps).
            apply_runtime_settings(session)
            return spark_engine(session)
        return replace(PANDAS_ENGINE, workers=self.threads)

    def engine(self) -> Engine:
        """The configured engine."""
        return self._engine
