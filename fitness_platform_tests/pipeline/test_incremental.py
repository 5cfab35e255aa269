"""Incremental runs: two deliveries in two runs give the tables of one run over both.

The second file holds conflicting duplicates of rows of the first and is modified later, so in
one run it wins by ``_source_modified_at`` and across runs by ``_ingested_at``: the winners and
every reject are the same either way. A third run with nothing new changes no byte.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc

from fitness_platform.runner import RunSummary, run_tracker
from fitness_platform.settings import Settings
from fitness_platform.tracker.ingestion import load_ledger, partition_key_for
from fitness_platform.tracker.schema import TABLE_KEYS
from fitness_platform_tests.pipeline.conftest import (
    FIRST_MTIME,
    SECOND_MTIME,
    TABLES,
    Delivery,
    RawCsv,
    assert_reconciles,
    clean_rows,
    csv_bytes,
    local_settings,
    quiet,
    read_tables,
    settings_lake,
    tracker_csv,
)


def canonical(name: str, table: pa.Table) -> pa.Table:
    """The table without ``_ingested_at``, sorted by its unique key."""
    if "_ingested_at" in table.column_names:
        table = table.drop_columns(["_ingested_at"])
    return table.sort_by([(key, "ascending") for key in TABLE_KEYS[name]])


def assert_same_tables(actual: dict[str, pa.Table], expected: dict[str, pa.Table]) -> None:
    """Every table holds the same rows and values, ignoring ``_ingested_at``."""
    for name in TABLES:
        got, want = canonical(name, actual[name]), canonical(name, expected[name])
        assert got.schema == want.schema, name
        assert got.num_rows == want.num_rows, f"{name}: {got.num_rows} rows, want {want.num_rows}"
        for column in got.column_names:
            if not got.column(column).equals(want.column(column)):
                pairs = zip(
                    got.column(column).to_pylist(), want.column(column).to_pylist(), strict=True
                )
                row = next(i for i, (a, b) in enumerate(pairs) if a != b)
                raise AssertionError(
                    f"{name}.{column} differs at sorted row {row}: "
                    f"{got.slice(row, 1).to_pylist()} != {want.slice(row, 1).to_pylist()}"
                )


def day_keys_list(table: pa.Table) -> list[tuple[int, object]]:
    """(user_id, date) of every row."""
    return list(zip(table["user_id"].to_pylist(), table["date"].to_pylist(), strict=True))


def day_keys(table: pa.Table) -> set[tuple[int, object]]:
    """The distinct (user_id, date) of a table."""
    return set(day_keys_list(table))


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes."""
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_two_runs_equal_one_run_and_a_third_changes_nothing(
    tmp_path: Path,
    delivery: Delivery,
    single_run: tuple[Settings, RunSummary],
    instance: dg.DagsterInstance,
) -> None:
    settings = local_settings(tmp_path)
    raw, lake_dir = tmp_path / "raw", tmp_path / "lake"
    delivery.write(raw, second=False)

    first = run_tracker(settings, instance=instance, echo=quiet, ml=False)
    assert first.exit_code == 0, (first.failed_steps, first.failed_checks)
    assert sorted(first.files_ingested) == sorted(r.name for r in delivery.first)
    first_partitions = {
        key: data
        for key, data in snapshot(lake_dir).items()
        if key.startswith("bronze/fitness_") and not key.startswith("bronze/_")
    }

    for late in delivery.second:
        late.write(raw, SECOND_MTIME)
    second = run_tracker(settings, instance=instance, echo=quiet, ml=False)

    assert second.exit_code == 0, (second.failed_steps, second.failed_checks)
    assert second.files_ingested == [r.name for r in delivery.second]
    assert second.refreshed
    after_second = snapshot(lake_dir)
    # Files of the first delivery were not ingested again: their partitions are untouched.
    assert {key: after_second[key] for key in first_partitions} == first_partitions
    second_partition = f"bronze/fitness_logs/{partition_key_for(delivery.second[0].name)}.parquet"
    assert second_partition in after_second

    incremental = read_tables(settings_lake(settings))
    assert_same_tables(incremental, read_tables(settings_lake(single_run[0])))
    # The comparison is not vacuous: the two deliveries carry different run times.
    bronze = incremental["bronze/fitness_logs"]
    stamps = {
        f: set(bronze.filter(pc.equal(bronze["_source_file"], f))["_ingested_at"].to_pylist())
        for f in delivery.records
    }
    # _ingested_at is the start of the bronze run that read the file.
    bronze_runs = instance.get_run_records(dg.RunsFilter(job_name="tracker_bronze_job"))
    starts = sorted(datetime.fromtimestamp(r.start_time, tz=UTC) for r in bronze_runs)
    assert len(starts) == 2
    assert stamps == {
        **{raw.name: {starts[0]} for raw in delivery.first},
        **{raw.name: {starts[1]} for raw in delivery.second},
    }
    # Where both deliveries hold a (user_id, date), the later delivery's row is in silver.
    late_name = delivery.second[0].name
    late_keys = day_keys(bronze.filter(pc.equal(bronze["_source_file"], late_name)))
    early_keys = day_keys(bronze.filter(pc.not_equal(bronze["_source_file"], late_name)))
    contested = late_keys & early_keys
    assert contested, "the deliveries share no (user_id, date); nothing was tested"
    silver = incremental["silver/daily_activity"]
    winners = dict(zip(day_keys_list(silver), silver["_source_file"].to_pylist(), strict=True))
    assert {winners[key] for key in contested} == {late_name}

    # Nothing new: a fresh Dagster instance agrees through the ledger in the lake.
    with dg.DagsterInstance.ephemeral() as fresh_instance:
        third = run_tracker(settings, instance=fresh_instance, echo=quiet, ml=False)
    assert third.exit_code == 0
    assert third.files_ingested == []
    assert not third.refreshed
    assert snapshot(lake_dir) == after_second


def test_a_changed_file_is_ingested_again_and_replaces_its_rows(
    tmp_path: Path, instance: dg.DagsterInstance
) -> None:
    """A corrected re-delivery of ``a.csv`` plus a new ``c.csv``: the run's partition range
    spans the unchanged ``b.csv`` too, which the ledger skips."""
    settings = local_settings(tmp_path)
    raw, lake_dir = tmp_path / "raw", tmp_path / "lake"
    original = tracker_csv("a.csv", range(3), 35, seed=41, defects=False)
    unchanged = tracker_csv("b.csv", range(3, 5), 35, seed=42, defects=False)
    original.write(raw, FIRST_MTIME)
    unchanged.write(raw, FIRST_MTIME)
    assert run_tracker(settings, instance=instance, echo=quiet, ml=False).exit_code == 0
    b_partition = "bronze/fitness_logs/b.csv.parquet"
    b_before = snapshot(lake_dir)[b_partition]

    rows = clean_rows(range(3), 30, seed=43)
    corrected = RawCsv("a.csv", csv_bytes(rows), len(rows))
    corrected.write(raw, SECOND_MTIME)
    new = tracker_csv("c.csv", range(5, 7), 35, seed=44, defects=False)
    new.write(raw, SECOND_MTIME)
    second = run_tracker(settings, instance=instance, echo=quiet, ml=False)

    assert second.exit_code == 0, (second.failed_steps, second.failed_checks)
    assert second.files_ingested == ["a.csv", "c.csv"]
    assert snapshot(lake_dir)[b_partition] == b_before
    lake = settings_lake(settings)
    tables = read_tables(lake)
    # Reconciliation also proves no row of the first version is left in bronze.
    records = {"a.csv": corrected.records, "b.csv": unchanged.records, "c.csv": new.records}
    assert_reconciles(tables, records)
    silver = tables["silver/daily_activity"]
    from_a = silver.filter(pc.equal(silver["_source_file"], "a.csv"))
    steps = dict(zip(day_keys_list(from_a), from_a["steps"].to_pylist(), strict=True))
    assert steps == {(int(row[0]), date.fromisoformat(row[3])): int(row[4]) for row in rows}
    assert set(from_a["_source_modified_at"].to_pylist()) == {
        datetime.fromtimestamp(SECOND_MTIME, tz=UTC)
    }
    entry = load_ledger(lake).entries["a.csv"]
    assert entry.checksum == hashlib.sha256(corrected.data).hexdigest()
    assert entry.rows == corrected.records
