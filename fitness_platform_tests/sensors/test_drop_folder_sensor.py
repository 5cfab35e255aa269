"""The drop-folder sensor on a real local folder, with an in-process bronze run."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from fitness_platform.defs.tracker.partitions import RAW_FILE_PARTITIONS
from fitness_platform.defs.tracker.sensors import (
    RANGE_END,
    RANGE_START,
    tracker_drop_folder_sensor,
)
from fitness_platform.settings import Settings
from fitness_platform.storage.lake import Lake
from fitness_platform.tracker.ingestion import load_ledger, partition_key_for
from fitness_platform_tests.sensors.harness import apply_partitions, launch, resources_for, tick
from fitness_platform_tests.sensors.tracker_csv import tracker_csv


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as test_instance:
        yield test_instance


def test_drop_folder_new_same_changed_and_many(
    tmp_path: Path, instance: dg.DagsterInstance, capsys: pytest.CaptureFixture[str]
) -> None:
    lake_root, raw = tmp_path / "lake", tmp_path / "lake" / "raw"
    raw.mkdir(parents=True)
    resources = resources_for(str(raw), str(lake_root), None)
    settings = Settings(local_root=str(lake_root))

    staged = tmp_path / "staged.csv"
    staged.write_bytes(tracker_csv())
    shutil.copy2(staged, raw / "my day.csv")  # copy2 keeps the old mtime, like `cp -p`
    (raw / "notes.md").write_text("not data")
    first = tick(tracker_drop_folder_sensor, instance, None, resources, capsys)
    key = partition_key_for("my day.csv")
    assert first.added_partitions == [key]
    [request] = first.run_requests
    assert request.tags[RANGE_START] == request.tags[RANGE_END] == key
    assert any("notes.md: not a .csv file" in line for line in first.logs)
    apply_partitions(instance, first)

    same = tick(tracker_drop_folder_sensor, instance, first.cursor, resources, capsys)
    assert same.run_requests == [] and same.added_partitions == []

    launch(instance, settings, request)
    assert load_ledger(Lake(str(lake_root))).entries["my day.csv"].rows == 6

    (raw / "my day.csv").write_bytes(tracker_csv(users=4))
    for i in range(1200):
        (raw / f"bulk_{i:04d}.csv").write_bytes(tracker_csv(users=1, days=1, first_user=i))
    burst = tick(tracker_drop_folder_sensor, instance, same.cursor, resources, capsys)
    [many] = burst.run_requests
    assert many.tags["fitness/raw_files"] == "1201"  # 1,200 new files and the changed one
    assert len(burst.added_partitions) == 1200
    apply_partitions(instance, burst)
    ordered = instance.get_dynamic_partitions(RAW_FILE_PARTITIONS.name)
    assert (many.tags[RANGE_START], many.tags[RANGE_END]) == (key, ordered[-1])

    quiet = tick(tracker_drop_folder_sensor, instance, burst.cursor, resources, capsys)
    assert quiet.run_requests == []


def test_missing_drop_folder_is_a_clear_skip(
    tmp_path: Path, instance: dg.DagsterInstance, capsys: pytest.CaptureFixture[str]
) -> None:
    resources = resources_for(str(tmp_path / "nowhere"), str(tmp_path), None)
    result = tick(tracker_drop_folder_sensor, instance, None, resources, capsys)
    assert "does not exist yet" in result.skip_message
