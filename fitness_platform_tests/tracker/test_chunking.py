"""Silver built in user-range chunks, and bronze typed in slices, equal one pass, whether the
pieces run in one thread or in several at once (``workers``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from fitness_platform.datagen import generate_tracker_files
from fitness_platform.engine.pandas_engine import PANDAS_ENGINE
from fitness_platform.tracker.bronze import parse_tracker_csv
from fitness_platform.tracker.pipeline import (
    build_gold,
    build_silver,
    combine_bronze,
    is_ordered_by_user_and_date,
    user_ranges,
)
from fitness_platform.tracker.schema import RAW_COLUMNS

NOW = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
THREADS = pytest.mark.parametrize("workers", [1, 4])


@THREADS
def test_chunked_silver_equals_silver_at_once(tmp_path: Path, workers: int) -> None:
    generate_tracker_files(tmp_path, users=40, days=80, seed=9, files=2)
    # One row without a user_id: it must be rejected as missing_key in exactly one chunk.
    (tmp_path / "z_extra.csv").write_text(
        ",".join(RAW_COLUMNS) + "\n,30,F,2024-09-10,5000,70,7,2000,30,5,70,22\n"
    )
    parsed = [
        parse_tracker_csv(p.read_bytes(), source_file=p.name, modified_at=NOW, ingested_at=NOW)
        for p in sorted(tmp_path.glob("*.csv"))
    ]
    bronze, _ = combine_bronze(parsed)
    chunks = [user_range.take(bronze) for user_range in user_ranges(bronze, 700)]
    assert len(chunks) >= 4
    assert sum(chunk.num_rows for chunk in chunks) == bronze.num_rows
    owners = [set(pc.unique(chunk["user_id"].drop_null()).to_pylist()) for chunk in chunks]
    assert all(a.isdisjoint(b) for i, a in enumerate(owners) for b in owners[i + 1 :])

    whole = build_silver(bronze, PANDAS_ENGINE, chunk_rows=None)
    chunked = build_silver(bronze, replace(PANDAS_ENGINE, workers=workers), chunk_rows=700)
    assert chunked.daily_activity.equals(whole.daily_activity)
    assert chunked.rejects.equals(whole.rejects)
    assert chunked.negatives_zeroed == whole.negatives_zeroed
    assert "missing_key" in chunked.rejects["reason"].to_pylist()


@THREADS
def test_bronze_parsed_in_slices_equals_one_pass(
    tmp_path: Path, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fitness_platform.tracker import bronze

    generate_tracker_files(tmp_path, users=30, days=40, seed=4)
    data = next(tmp_path.glob("*.csv")).read_bytes()
    one_pass = parse_tracker_csv(data, source_file="f.csv", modified_at=NOW, ingested_at=NOW)
    monkeypatch.setattr(bronze, "BATCH_ROWS", 97)
    sliced = parse_tracker_csv(
        data, source_file="f.csv", modified_at=NOW, ingested_at=NOW, workers=workers
    )
    assert one_pass.rejects.num_rows > 0
    assert sliced.rows.equals(one_pass.rows)
    assert sliced.rejects.equals(one_pass.rejects)
    assert sliced.data_records == one_pass.data_records


def test_gold_is_the_same_from_ordered_and_from_shuffled_silver(tmp_path: Path) -> None:
    """Gold skips re-sorting only when silver is in (user_id, date) order; from rows in any
    other order it sorts, and both give the same tables."""
    generate_tracker_files(tmp_path, users=12, days=50, seed=3)
    parsed = [
        parse_tracker_csv(p.read_bytes(), source_file=p.name, modified_at=NOW, ingested_at=NOW)
        for p in sorted(tmp_path.glob("*.csv"))
    ]
    silver = build_silver(combine_bronze(parsed)[0], PANDAS_ENGINE).daily_activity
    shuffled = silver.take(pa.array(np.random.default_rng(5).permutation(silver.num_rows)))
    assert is_ordered_by_user_and_date(silver)
    assert not is_ordered_by_user_and_date(shuffled)

    from_ordered = build_gold(silver, PANDAS_ENGINE)
    from_shuffled = build_gold(shuffled, PANDAS_ENGINE)

    for name, table in from_ordered.items():
        assert table.equals(from_shuffled[name]), name
    fact = from_ordered["gold/fact_daily"]
    keys = list(zip(fact["user_id"].to_pylist(), fact["date_key"].to_pylist(), strict=True))
    assert keys == sorted(keys) and len(set(keys)) == len(keys)


def test_order_check_needs_strictly_increasing_user_day_keys() -> None:
    def table(users: list[int | None], days: list[int | None]) -> pa.Table:
        dates = [None if d is None else dt.date(2024, 1, 1) + dt.timedelta(days=d) for d in days]
        return pa.table({"user_id": pa.array(users, pa.int64()), "date": pa.array(dates)})

    assert is_ordered_by_user_and_date(table([1, 1, 2], [0, 1, 0]))
    assert is_ordered_by_user_and_date(table([], []))
    assert not is_ordered_by_user_and_date(table([1, 1], [0, 0]))  # a repeated key
    assert not is_ordered_by_user_and_date(table([2, 1], [0, 1]))
    assert not is_ordered_by_user_and_date(table([1, 1], [1, 0]))
    assert not is_ordered_by_user_and_date(table([1, None], [0, 1]))
