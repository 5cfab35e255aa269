"""Item 6: oversize files are refused before they are read; over-long rows are quarantined."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import psutil
import pytest

from fitness_platform.runner import run_tracker
from fitness_platform.storage.lake import Lake
from fitness_platform.storage.parquet import read_table
from fitness_platform.tracker.ingestion import RawFile, ingest_raw_file, load_ledger
from fitness_platform_tests.reliability.helpers import lake_of, local_settings, sample_csv_bytes

MIB = 1024 * 1024


def test_a_600_mb_file_is_refused_without_reading_its_bytes(tmp_path: Path) -> None:
    big = tmp_path / "raw" / "huge.csv"
    big.parent.mkdir()
    with big.open("wb") as handle:
        handle.truncate(600 * MIB)  # sparse: 600 MiB long, no disk blocks
    raw = RawFile("huge.csv", big.stat().st_size, datetime.now(tz=UTC), checksum="not-read")
    process = psutil.Process()
    chars_before = process.io_counters().read_chars  # every byte read(2) returned

    parsed = ingest_raw_file(
        Lake(str(big.parent)),
        raw,
        ingested_at=datetime.now(tz=UTC),
        max_row_kb=64,
        max_file_mb=512,  # the default of FITNESS_MAX_FILE_MB
    )

    assert process.io_counters().read_chars - chars_before < MIB
    assert parsed.failed
    assert parsed.failed_reason == "file_too_large: 629145600 bytes > FITNESS_MAX_FILE_MB=512"
    assert parsed.rows.num_rows == 0
    [reject] = parsed.rejects.to_pylist()
    assert (reject["_source_file"], reject["_row_number"], reject["reason"]) == (
        "huge.csv",
        0,
        parsed.failed_reason,
    )


@pytest.mark.slow
def test_oversize_file_fails_alone_and_a_long_row_is_quarantined(tmp_path: Path) -> None:
    raw = tmp_path / "lake" / "raw"
    raw.mkdir(parents=True)
    good = sample_csv_bytes(tmp_path, users=2, days=70, seed=4)
    header, first, *rest = good.decode().splitlines()
    long_row = first.replace(",F,", "," + "F" * (70 * 1024) + ",", 1)  # a 70 KiB record
    (raw / "long_row.csv").write_text("\n".join([header, long_row, *rest]) + "\n")
    big = sample_csv_bytes(tmp_path, users=60, days=365, seed=5)
    assert len(big) > MIB
    (raw / "too_big.csv").write_bytes(big)
    settings = local_settings(tmp_path / "lake", FITNESS_MAX_FILE_MB="1")

    with dg.instance_for_test() as instance:
        summary = run_tracker(settings, instance=instance, echo=lambda line: None, ml=False)

    lake = lake_of(settings)
    assert summary.exit_code == 1
    assert summary.failed_files == [
        f"too_big.csv: file_too_large: {len(big)} bytes > FITNESS_MAX_FILE_MB=1"
    ]
    ledger = load_ledger(lake).entries
    assert ledger["too_big.csv"].status == "failed" and ledger["too_big.csv"].rows == 0
    assert read_table(lake.path("bronze/fitness_logs/too_big.csv.parquet")).num_rows == 0

    rejects = read_table(lake.path("bronze/fitness_rejects/long_row.csv.parquet")).to_pylist()
    [quarantined] = [r for r in rejects if r["reason"] == "row_too_long"]
    assert quarantined["_row_number"] == 1
    assert len(quarantined["raw"].encode()) == 64 * 1024
    bronze = read_table(lake.path("bronze/fitness_logs/long_row.csv.parquet"))
    assert 1 not in bronze.column("_row_number").to_pylist()
    assert bronze.num_rows == 2 * 70 - 1
    silver = read_table(lake.path("silver/daily_activity.parquet"))
    assert set(silver.column("_source_file").to_pylist()) == {"long_row.csv"}


def test_oversize_local_file_is_identified_without_reading_it(tmp_path, monkeypatch) -> None:
    from pathlib import Path

    from fitness_platform.storage.lake import Lake
    from fitness_platform.storage.raw_files import list_raw_files
    from fitness_platform.tracker import sensing

    big = Path(tmp_path) / "huge.csv"
    with big.open("wb") as handle:
        handle.truncate(3 * 1024 * 1024)

    def no_reads(*_args: object) -> None:
        raise AssertionError("an oversize file must not be hashed")

    monkeypatch.setattr(sensing.hashlib, "sha256", no_reads)
    listing = list_raw_files(Lake(str(tmp_path)), max_bytes=1024 * 1024)
    (raw,) = listing.files
    assert raw.checksum.startswith("oversize-3145728-")
    objects, _ = sensing.list_local_objects(Path(tmp_path), sensing.SensorCursor(), 1024 * 1024)
    assert objects[0].checksum == raw.checksum
