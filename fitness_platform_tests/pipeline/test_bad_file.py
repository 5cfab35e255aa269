"""A file with a bad header fails alone: the good files still reach gold (SPEC 1.2)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from fitness_platform.runner import run_tracker
from fitness_platform.storage.parquet import read_table
from fitness_platform.tracker.ingestion import load_ledger, partition_key_for
from fitness_platform_tests.pipeline.conftest import (
    RawCsv,
    assert_reconciles,
    assert_spec_schemas,
    clean_rows,
    csv_bytes,
    local_settings,
    quiet,
    read_tables,
    settings_lake,
    tracker_csv,
)

BAD_HEADER = [
    "User_ID",
    "age",
    "gender",
    "date",
    "step_count",
    "heart_rate_avg",
    "sleep_hours",
    "calories_burned",
    "exercise_minutes",
    "stress_level",
    "Weight_kg",
    "weight_KG",
]
BAD_REASON = (
    "bad_header: missing ['steps', 'bmi']; unexpected ['step_count']; repeated ['weight_kg']"
)


def test_a_bad_header_fails_its_file_only(tmp_path: Path, instance: dg.DagsterInstance) -> None:
    raw = tmp_path / "raw"
    good = [
        tracker_csv("a_good.csv", range(0, 4), 45, seed=21, defects=False),
        tracker_csv("z_good.csv", range(4, 8), 45, seed=22, defects=False),
    ]
    rows = clean_rows(range(8, 10), 45, seed=23)
    # A BOM before the header is accepted, and not part of the header line the reject quotes.
    body = csv_bytes(rows)
    bad_bytes = ("\ufeff" + ",".join(BAD_HEADER)).encode() + body[body.index(b"\n") :]
    bad = RawCsv("drop/m_bad.csv", bad_bytes, len(rows))
    for raw_file in [*good, bad]:
        raw_file.write(raw)
    settings = local_settings(tmp_path)

    summary = run_tracker(settings, instance=instance, echo=quiet, ml=False)

    assert summary.exit_code != 0
    assert summary.failed_files == [f"{bad.name}: {BAD_REASON}"]
    assert not summary.failed_steps
    assert not summary.not_materialized
    lake = settings_lake(settings)
    tables = read_tables(lake)
    assert_spec_schemas(tables)
    assert_reconciles(tables, {g.name: g.records for g in good}, failed=[bad.name])
    users = set(tables["gold/dim_user"].column("user_id").to_pylist())
    assert users == set(range(8))
    assert set(tables["gold/fact_daily"].column("user_id").to_pylist()) == users

    entry = load_ledger(lake).entries[bad.name]
    assert (entry.status, entry.reason, entry.rows) == ("failed", BAD_REASON, 0)
    assert (entry.size, entry.partition_key) == (len(bad.data), partition_key_for(bad.name))
    assert {e.status for name, e in load_ledger(lake).entries.items() if name != bad.name} == {
        "ingested"
    }

    rejects = tables["bronze/fitness_rejects"].to_pylist()
    file_level = [r for r in rejects if r["_source_file"] == bad.name]
    assert file_level == [
        {
            "_source_file": bad.name,
            "_row_number": 0,
            "raw": ",".join(BAD_HEADER),
            "stage": "bronze",
            "reason": BAD_REASON,
        }
    ]
    partition = f"bronze/fitness_logs/{partition_key_for(bad.name)}.parquet"
    assert lake.exists(partition), "the failed file's bronze partition was not written"
    assert read_table(lake.path(partition)).num_rows == 0
    assert bad.name not in tables["silver/fitness_rejects"].column("_source_file").to_pylist()


def test_a_lake_of_only_a_failed_file_has_empty_typed_tables(
    tmp_path: Path, instance: dg.DagsterInstance
) -> None:
    RawCsv("only.csv", b"", 0).write(tmp_path / "raw")
    settings = local_settings(tmp_path)

    summary = run_tracker(settings, instance=instance, echo=quiet, ml=False)

    assert summary.exit_code == 1
    assert summary.failed_files == ["only.csv: empty_file"]
    assert not summary.failed_steps
    tables = read_tables(settings_lake(settings))
    assert_spec_schemas(tables)
    assert {name: t.num_rows for name, t in tables.items() if t.num_rows} == {
        "bronze/fitness_rejects": 1
    }
    assert tables["bronze/fitness_rejects"].to_pylist() == [
        {
            "_source_file": "only.csv",
            "_row_number": 0,
            "raw": "",
            "stage": "bronze",
            "reason": "empty_file",
        }
    ]
