"""Helpers for sensor tests: evaluate a tick, then do what the sensor daemon would do."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import dagster as dg
import pytest

from fitness_platform.defs.resources import LakeResource, TrackerIngestResource
from fitness_platform.defs.tracker.bronze import bronze_tracker_files
from fitness_platform.defs.tracker.jobs import tracker_bronze_job
from fitness_platform.defs.tracker.partitions import RAW_FILE_PARTITIONS
from fitness_platform.defs.tracker.sensors import RUN_KEY_TAG
from fitness_platform.settings import Settings
from fitness_platform.storage.io_manager import ParquetIOManager


@dataclass
class Tick:
    """One evaluated tick: its result, and the log lines it wrote."""

    result: dg.SensorResult | dg.SkipReason
    logs: list[str] = field(default_factory=list)

    @property
    def run_requests(self) -> list[dg.RunRequest]:
        """The tick's run requests (none for a skip)."""
        if isinstance(self.result, dg.SkipReason):
            return []
        return list(self.result.run_requests or [])

    @property
    def added_partitions(self) -> list[str]:
        """Partition keys the tick asks to add."""
        if isinstance(self.result, dg.SkipReason):
            return []
        return [
            key
            for request in self.result.dynamic_partitions_requests or []
            for key in request.partition_keys
        ]

    @property
    def cursor(self) -> str | None:
        """The cursor the tick leaves for the next one."""
        return None if isinstance(self.result, dg.SkipReason) else self.result.cursor

    @property
    def skip_message(self) -> str:
        """The tick's skip reason text, empty when it requested a run."""
        if isinstance(self.result, dg.SkipReason):
            return self.result.skip_message or ""
        reason = self.result.skip_reason
        return (reason.skip_message or "") if reason else ""


def resources_for(raw_root: str, lake_root: str, endpoint: str | None) -> dict[str, object]:
    """The resources the sensors need, as definitions.py binds them."""
    return {
        "ingest": TrackerIngestResource(
            raw_root=raw_root,
            endpoint_url=endpoint if raw_root.startswith("s3://") else None,
            # As definitions.py binds it from settings (the SQS tests set the variable).
            events_queue_url=os.environ.get("FITNESS_S3_EVENTS_QUEUE_URL") or None,
        ),
        "lake": LakeResource(
            root=lake_root, endpoint_url=endpoint if lake_root.startswith("s3://") else None
        ),
    }


def tick(
    sensor: dg.SensorDefinition,
    instance: dg.DagsterInstance,
    cursor: str | None,
    resources: dict[str, object],
    capsys: pytest.CaptureFixture[str],
) -> Tick:
    """Evaluate one tick with ``build_sensor_context``, capturing its log (written to stderr)."""
    capsys.readouterr()
    with dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources) as ctx:
        result = sensor(ctx)
    return Tick(result=result, logs=capsys.readouterr().err.splitlines())


def apply_partitions(instance: dg.DagsterInstance, done: Tick) -> None:
    """Register the tick's new dynamic partitions, as the daemon does before launching."""
    if done.added_partitions:
        instance.add_dynamic_partitions(RAW_FILE_PARTITIONS.name, done.added_partitions)


def bronze_definitions(settings: Settings) -> dg.Definitions:
    """Bronze, its job and the resources it needs, as definitions.py binds them for tracker."""
    endpoint = settings.aws_endpoint_url if settings.storage_mode == "s3" else None
    return dg.Definitions(
        assets=[bronze_tracker_files],
        jobs=[tracker_bronze_job],
        resources={
            "io_manager": ParquetIOManager(base_dir=settings.lake_root, endpoint_url=endpoint),
            **resources_for(settings.raw_root, settings.lake_root, settings.aws_endpoint_url),
        },
    )


def launch(instance: dg.DagsterInstance, settings: Settings, request: dg.RunRequest) -> None:
    """Run the request's bronze job in process with its tags and run key, like the daemon."""
    job = bronze_definitions(settings).resolve_job_def("tracker_bronze_job")
    result = job.execute_in_process(
        instance=instance,
        tags={**request.tags, RUN_KEY_TAG: request.run_key},
        raise_on_error=True,
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
    )
    assert result.success
