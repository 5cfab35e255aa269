"""Item 4: running again on the same inputs, or re-uploading an identical file, changes nothing.

Garmin and WOD reruns are proven where those domains are tested:
``garmin_defs/test_garmin_run.py::test_configured_folder_materialises_all_and_reruns_write_nothing``,
``garmin_defs/test_raw_asset.py::test_second_run_writes_nothing_and_skips_all_on_s3`` and
``wod_defs/test_run_wod.py::test_run_wod_materialises_everything_then_stores_nothing_new``.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import pytest

from fitness_platform.definitions import build_definitions
from fitness_platform.runner import run_tracker
from fitness_platform.settings import Settings
from fitness_platform.tracker.ingestion import LEDGER_KEY
from fitness_platform_tests.reliability.helpers import (
    GOLD_KEYS,
    QUIET,
    gold_tables,
    lake_of,
    local_settings,
    s3_client,
    s3_settings,
    sample_csv_bytes,
)

pytestmark = pytest.mark.slow


def _gold_bytes(settings: Settings) -> dict[str, bytes]:
    lake = lake_of(settings)
    return {key: lake.read_bytes(key) for key in lake.list("gold")}


def _assert_unique_grain(settings: Settings) -> None:
    for name, table in gold_tables(lake_of(settings)).items():
        keys = list(zip(*(table.column(k).to_pylist() for k in GOLD_KEYS[name]), strict=True))
        assert len(keys) == len(set(keys)), f"{name} has duplicate rows"


def test_run_twice_reupload_identical_and_refresh_again_change_nothing(tmp_path: Path) -> None:
    root = tmp_path / "lake"
    (root / "raw").mkdir(parents=True)
    (root / "raw" / "a.csv").write_bytes(sample_csv_bytes(tmp_path, users=3, days=70, seed=1))
    (root / "raw" / "b.csv").write_bytes(
        sample_csv_bytes(tmp_path, users=2, days=70, seed=2).replace(b"\n0,", b"\n5,")
    )
    settings = local_settings(root)
    quiet = {"echo": lambda line: None, "ml": False}

    with dg.instance_for_test() as instance:
        first = run_tracker(settings, instance=instance, **quiet)
        assert first.exit_code == 0 and len(first.files_ingested) == 2
        gold, ledger = _gold_bytes(settings), lake_of(settings).read_text(LEDGER_KEY)
        tables = gold_tables(lake_of(settings))

        second = run_tracker(settings, instance=instance, **quiet)
        assert second.files_ingested == [] and not second.refreshed
        assert _gold_bytes(settings) == gold

        # An identical re-upload: same bytes, a newer modification time.
        later = (root / "raw" / "a.csv").stat().st_mtime + 3600
        (root / "raw" / "a.csv").write_bytes((root / "raw" / "a.csv").read_bytes())
        os.utime(root / "raw" / "a.csv", (later, later))
        third = run_tracker(settings, instance=instance, **quiet)
        assert third.files_ingested == [] and third.exit_code == 0
        assert lake_of(settings).read_text(LEDGER_KEY) == ledger
        assert _gold_bytes(settings) == gold

        # Silver and gold rebuilt from the same bronze give the same rows and values.
        refresh = build_definitions(settings).resolve_job_def("tracker_refresh_job")
        assert refresh.execute_in_process(instance=instance, run_config=QUIET).success

    again = gold_tables(lake_of(settings))
    for name, table in tables.items():
        assert again[name].equals(table), name
    _assert_unique_grain(settings)

    # A fresh Dagster instance pointed at the same lake ingests nothing either.
    with dg.instance_for_test() as fresh:
        fourth = run_tracker(settings, instance=fresh, **quiet)
    assert fourth.files_ingested == []
    assert lake_of(settings).read_text(LEDGER_KEY) == ledger


def test_reuploading_an_identical_object_to_s3_changes_nothing(
    tmp_path: Path, aws_env: str, s3_bucket: str
) -> None:
    body = sample_csv_bytes(tmp_path, users=3, days=70, seed=3)
    s3 = s3_client(aws_env)
    s3.put_object(Bucket=s3_bucket, Key="lake/raw/day.csv", Body=body)
    settings = s3_settings(s3_bucket, aws_env)
    with dg.instance_for_test() as instance:
        first = run_tracker(settings, instance=instance, echo=lambda line: None, ml=False)
        assert first.exit_code == 0 and first.files_ingested == ["day.csv"]
        gold, ledger = _gold_bytes(settings), lake_of(settings).read_text(LEDGER_KEY)

        s3.put_object(Bucket=s3_bucket, Key="lake/raw/day.csv", Body=body)  # same ETag
        second = run_tracker(settings, instance=instance, echo=lambda line: None, ml=False)

    assert second.files_ingested == [] and not second.refreshed
    assert lake_of(settings).read_text(LEDGER_KEY) == ledger
    assert _gold_bytes(settings) == gold
    _assert_unique_grain(settings)
