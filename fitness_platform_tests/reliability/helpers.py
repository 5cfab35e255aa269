"""Shared helpers of the reliability tests: settings, sample files, reading tables back."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import dagster as dg
import pyarrow as pa

from fitness_platform.settings import Settings, load_settings
from fitness_platform.storage.lake import Lake
from fitness_platform.storage.parquet import read_table
from fitness_platform_tests.support.aws import REGION
from fitness_platform_tests.ui.sample import write_sample_csv

GOLD_KEYS: dict[str, tuple[str, ...]] = {
    "gold/fact_daily": ("user_id", "date_key"),
    "gold/dim_user": ("user_id",),
    "gold/dim_date": ("date_key",),
    "gold/dim_activity": ("user_id", "date_key"),
}
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def s3_settings(bucket: str, endpoint: str, **extra: str) -> Settings:
    """Settings of an s3-mode lake ``s3://<bucket>/lake`` behind ``endpoint``."""
    return load_settings(
        {
            "FITNESS_STORAGE_MODE": "s3",
            "FITNESS_S3_BUCKET": bucket,
            "FITNESS_S3_PREFIX": "lake",
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_REGION": REGION,
            **extra,
        }
    )


def local_settings(root: Path, **extra: str) -> Settings:
    """Settings of a local lake at ``root`` (drop folder ``root/raw``)."""
    return load_settings({"FITNESS_LOCAL_ROOT": str(root), **extra})


def lake_of(settings: Settings) -> Lake:
    """The settings' lake root."""
    return Lake(settings.lake_root, settings.storage_options)


def sample_csv_bytes(tmp_path: Path, users: int, days: int, seed: int) -> bytes:
    """A clean tracker CSV (no defects) as bytes."""
    path = tmp_path / f"sample-{users}-{days}-{seed}.csv"
    write_sample_csv(path, users=users, days=days, seed=seed)
    return path.read_bytes()


def s3_client(endpoint: str) -> Any:
    """A boto3 S3 client on ``endpoint``."""
    return boto3.client("s3", endpoint_url=endpoint, region_name=REGION)


def read_sorted(lake: Lake, table: str, keys: tuple[str, ...]) -> pa.Table:
    """An unpartitioned table read back, rows sorted by ``keys`` (order carries no meaning)."""
    table_data = read_table(lake.path(f"{table}.parquet"))
    return table_data.sort_by([(k, "ascending") for k in keys])


def gold_tables(lake: Lake) -> dict[str, pa.Table]:
    """The four gold tables, each sorted by its grain."""
    return {name: read_sorted(lake, name, keys) for name, keys in GOLD_KEYS.items()}


def step_events(
    instance: dg.DagsterInstance, run_id: str, event_type: dg.DagsterEventType
) -> list[dg.EventLogEntry]:
    """The run's events of one type."""
    return list(instance.all_logs(run_id, of_type=event_type))


def runs_of(instance: dg.DagsterInstance, job_name: str) -> list[dg.DagsterRun]:
    """Runs of ``job_name``, oldest first."""
    runs = instance.get_runs(filters=dg.RunsFilter(job_name=job_name))
    return list(reversed(runs))


@contextmanager
def on_step_retry(
    instance: dg.DagsterInstance, step_key: str, action: Callable[[], None]
) -> Iterator[list[str]]:
    """Call ``action`` once, as soon as any run of ``instance`` puts ``step_key`` up for retry.

    Yields the list that receives the run id whose retry triggered the action. The watcher
    reads the instance's event log, as an operator watching the UI would.
    """
    fired: list[str] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            for run in instance.get_runs():
                retries = step_events(instance, run.run_id, dg.DagsterEventType.STEP_UP_FOR_RETRY)
                if any(e.step_key == step_key for e in retries):
                    fired.append(run.run_id)
                    action()
                    return
            time.sleep(0.2)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield fired
    finally:
        done.set()
        watcher.join(timeout=30)
