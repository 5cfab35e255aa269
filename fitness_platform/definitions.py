"""The code location: every definition under ``defs/``, bound to resources built from settings."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from fitness_platform.aws.dynamodb import DynamoDBResource
from fitness_platform.aws.glue import GlueCatalogResource
from fitness_platform.aws.sns import SNSAlertsResource
from fitness_platform.defs.garmin.resources import garmin_source_resource
from fitness_platform.defs.resources import EngineResource, LakeResource, TrackerIngestResource
from fitness_platform.defs.wod.resources import wordpress_resource
from fitness_platform.settings import Settings, load_settings
from fitness_platform.storage.io_manager import ParquetIOManager


def build_resources(settings: Settings) -> dict[str, object]:
    """Resources for the configured storage mode and engine; only configuration differs."""
    endpoint = settings.aws_endpoint_url if settings.storage_mode == "s3" else None
    raw_endpoint = settings.aws_endpoint_url if settings.raw_root.startswith("s3://") else None
    return {
        "io_manager": ParquetIOManager(
            base_dir=settings.lake_root,
            endpoint_url=endpoint,
            layout="directory" if settings.storage_mode == "s3" else "file",
        ),
        "lake": LakeResource(root=settings.lake_root, endpoint_url=endpoint),
        "ingest": TrackerIngestResource(
            raw_root=settings.raw_root,
            endpoint_url=raw_endpoint,
            region_name=settings.aws_region,
            events_queue_url=settings.s3_events_queue_url,
            max_row_kb=settings.max_row_kb,
            max_file_mb=settings.max_file_mb,
            threads=settings.threads,
        ),
        "engine": EngineResource(
            name=settings.engine, spark_master=settings.spark_master, threads=settings.threads
        ),
        "alerts": SNSAlertsResource(
            topic_arn=settings.alert_topic_arn,
            region_name=settings.aws_region,
            endpoint_url=settings.aws_endpoint_url,
        ),
        "garmin": garmin_source_resource(settings),
        "wordpress": wordpress_resource(settings),
        "dynamodb": DynamoDBResource(
            region_name=settings.aws_region,
            endpoint_url=settings.aws_endpoint_url,
            stage=settings.stage,
        ),
        "glue": GlueCatalogResource(
            region_name=settings.aws_region,
            endpoint_url=settings.aws_endpoint_url,
            database=settings.glue_database,
        ),
    }


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    """All definitions of the code location for ``settings`` (read from the environment)."""
    settings = settings or load_settings()
    project_defs = dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
    # One process per run, not per step: steps here are short and mostly I/O, and a process
    # per step costs seconds of start-up each (see docs/performance.md).
    return dg.Definitions.merge(
        project_defs,
        dg.Definitions(resources=build_resources(settings), executor=dg.in_process_executor),
    )


@dg.definitions
def defs() -> dg.Definitions:
    """Entry point of ``dagster dev`` and Dagster+: settings are validated here, once."""
    return build_definitions()
