"""The bad-input corpus, table-driven: every hostile file either fails as a whole with a
clear reason and leaves no bronze rows, or has its bad records quarantined with the SPEC
reason while reconciliation holds row by row. Nothing crashes, hangs or vanishes.
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import fitness_platform.runner as runner
from fitness_platform.engine.pandas_engine import PANDAS_ENGINE
from fitness_platform.settings import Settings
from fitness_platform.tracker import quality
from fitness_platform.tracker.bronze import ParsedFile, parse_tracker_csv
from fitness_platform.tracker.ingestion import partition_key_for
from fitness_platform.tracker.pipeline import build_silver, combine_bronze
from fitness_platform_tests.quality.corpus import CASES, Case
from fitness_platform_tests.quality.harness import tracker_definitions

EARLIER = datetime(2025, 1, 1, tzinfo=UTC)
LATER = datetime(2025, 1, 2, tzinfo=UTC)


def test_the_corpus_is_big_enough() -> None:
    assert len(CASES) >= 20
    assert len({c.name for c in CASES}) == len(CASES)


def _parse(case: Case) -> list[ParsedFile]:
    files = []
    if case.earlier is not None:
        files.append(
            parse_tracker_csv(
                case.earlier,
                source_file=f"{case.name}_earlier.csv",
                modified_at=EARLIER,
                ingested_at=EARLIER,
            )
        )
    files.append(
        parse_tracker_csv(
            case.data, source_file=f"{case.name}.csv", modified_at=LATER, ingested_at=LATER
        )
    )
    return files


def _reasons(table: pa.Table, source: str) -> dict[str, int]:
    mine = table.filter(pc.equal(table.column("_source_file"), source))
    return dict(Counter(mine.column("reason").to_pylist()))


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input_fails_cleanly_or_is_quarantined(case: Case) -> None:
    parsed = _parse(case)
    target = parsed[-1]
    source = f"{case.name}.csv"
    bronze, bronze_rejects = combine_bronze(parsed)
    silver = build_silver(bronze, PANDAS_ENGINE)

    if case.fails_with is not None:
        # The whole file fails with a reason naming the problem; nothing of it reaches bronze.
        assert target.failed and target.failed_reason == case.fails_with
        assert target.source_file == source
        assert target.rows.num_rows == 0
        assert target.rejects.to_pylist() == [
            {
                "_source_file": source,
                "_row_number": 0,
                "raw": target.rejects.column("raw")[0].as_py(),
                "stage": "bronze",
                "reason": case.fails_with,
            }
        ]
    else:
        assert not target.failed
        assert target.data_records == case.records
        found = Counter(_reasons(bronze_rejects, source)) + Counter(
            _reasons(silver.rejects, source)
        )
        assert dict(found) == case.rejects
        kept = silver.daily_activity.filter(
            pc.equal(silver.daily_activity.column("_source_file"), source)
        )
        assert kept.num_rows == case.records - sum(case.rejects.values())
    if case.earlier is not None:
        earlier = f"{case.name}_earlier.csv"
        assert _reasons(silver.rejects, earlier) == case.earlier_rejects

    files = [quality.FileRecords(p.source_file, p.data_records, failed=p.failed) for p in parsed]
    raw_to_bronze = quality.reconcile(
        quality.expected_record_keys(files), {"rows": bronze, "rejects": bronze_rejects}
    )
    bronze_to_silver = quality.reconcile(
        bronze, {"silver": silver.daily_activity, "rejects": silver.rejects}
    )
    assert raw_to_bronze.passed, raw_to_bronze.reason
    assert bronze_to_silver.passed, bronze_to_silver.reason
    assert quality.check_unique_keys(silver.daily_activity, ("user_id", "date")).passed
    assert quality.check_silver_ranges(silver.daily_activity).passed
    assert quality.check_reject_reasons(bronze_rejects, "bronze").passed
    assert quality.check_reject_reasons(silver.rejects, "silver").passed


def test_negative_measures_are_zeroed_not_rejected() -> None:
    (case,) = [c for c in CASES if c.name == "negative_values"]
    silver = build_silver(combine_bronze(_parse(case))[0], PANDAS_ENGINE)
    assert silver.daily_activity.column("exercise_minutes").to_pylist() == [0.0]
    assert silver.negatives_zeroed["steps"] == 1 and silver.negatives_zeroed["weight_kg"] == 1


def test_row_too_long_keeps_a_cut_raw_text() -> None:
    (case,) = [c for c in CASES if c.name == "one_megabyte_line"]
    (reject,) = _parse(case)[0].rejects.to_pylist()
    assert reject["_row_number"] == 2
    assert len(reject["raw"].encode("utf-8")) == 64 * 1024


@pytest.mark.timeout(300)
def test_whole_corpus_in_one_pipeline_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """All hostile files land at once: the run names every failed file, quarantines the rest
    with their reasons, reconciles row by row, and the reject-rate gate keeps gold unbuilt."""
    raw = tmp_path / "lake" / "raw"
    raw.mkdir(parents=True)
    stamp = 1_735_689_600  # 2025-01-01: earlier files are older, so later ones win duplicates
    for case in CASES:
        if case.earlier is not None:
            earlier = raw / f"{case.name}_earlier.csv"
            earlier.write_bytes(case.earlier)
            os.utime(earlier, (stamp, stamp))
        path = raw / f"{case.name}.csv"
        path.write_bytes(case.data)
        os.utime(path, (stamp + 3_600, stamp + 3_600))
    monkeypatch.setattr(runner, "build_definitions", tracker_definitions)
    settings = Settings(local_root=str(tmp_path / "lake"))
    lines: list[str] = []

    summary = runner.run_tracker(settings, instance=dg.DagsterInstance.ephemeral(), echo=print)
    runner.print_summary(summary, echo=lines.append)

    failing = {f"{c.name}.csv: {c.fails_with}" for c in CASES if c.fails_with}
    assert set(summary.failed_files) == failing
    assert summary.exit_code == 1
    printed = "\n".join(lines)
    for entry in failing:
        assert f"FAILED FILE: {entry}" in printed

    lake = tmp_path / "lake"
    bronze_rejects = pa.concat_tables(
        pq.read_table(p) for p in sorted((lake / "bronze" / "fitness_rejects").glob("*.parquet"))
    )
    silver_rejects = pq.read_table(lake / "silver" / "fitness_rejects.parquet")
    for case in CASES:
        source = f"{case.name}.csv"
        partition = lake / "bronze" / "fitness_logs" / f"{partition_key_for(source)}.parquet"
        rows = pq.read_table(partition).num_rows
        if case.fails_with:
            assert rows == 0, source
            assert _reasons(bronze_rejects, source) == {case.fails_with: 1}
        else:
            found = Counter(_reasons(bronze_rejects, source)) + Counter(
                _reasons(silver_rejects, source)
            )
            assert dict(found) == case.rejects, source

    # Reconciliation holds for every file; the reject rate is what blocks gold.
    for check in ("bronze/fitness_logs:reconciliation", "silver/daily_activity:reconciliation"):
        assert check not in summary.failed_checks + summary.warned_checks
    assert "silver/daily_activity:reject_rate" in summary.failed_checks
    assert {f"gold/{t}" for t in ("fact_daily", "dim_user", "dim_date", "dim_activity")} <= set(
        summary.not_materialized
    )
    assert not (lake / "gold").exists()
    assert all(step.startswith("silver_quality_checks:") for step in summary.failed_steps)
