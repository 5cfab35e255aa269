"""Resources of the code location, built from validated settings."""

from __future__ import annotations

from functools import cached_property

import dagster as dg

from fitness_platform.engine import Engine
from fitness_platform.engine.pandas_engine import PANDAS_ENGINE
from fitness_platform.storage.lake import Lake, s3_storage_options


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

    def raw_lake(self) -> Lake:
        """The drop folder or S3 raw prefix as a :class:`Lake`."""
        options = s3_storage_options(self.endpoint_url) if self.raw_root.startswith("s3://") else {}
        return Lake(self.raw_root, options)


class EngineResource(dg.ConfigurableResource):
    """The dataframe engine the tracker rules run on: ``pandas`` (default) or ``spark``."""

    name: str = "pandas"
    spark_master: str = "local[*]"

    @cached_property
    def _engine(self) -> Engine:
        if self.name == "spark":
            from fitness_platform.engine.spark_engine import spark_engine, start_spark

            return spark_engine(start_spark(self.spark_master))
        return PANDAS_ENGINE

    def engine(self) -> Engine:
        """The configured engine."""
        return self._engine
