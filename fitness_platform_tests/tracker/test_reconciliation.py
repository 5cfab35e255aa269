"""SPEC 1.3 reconciliation, row by row on (_source_file, _row_number), for every file.

Data records = bronze rows + bronze rejects (files that did not fail as a whole);
bronze rows = silver rows + silver rejects (every file). Nothing is lost, nothing is doubled.
"""

from __future__ import annotations

from collections import Counter

import pytest

from fitness_platform.engine.pandas_engine import PANDAS_ENGINE
from fitness_platform.tracker.bronze import ParsedFile, parse_tracker_csv
from fitness_platform.tracker.pipeline import build_silver, combine_bronze
from fitness_platform_tests.tracker.helpers import HEADER, csv_text, line, parse
from fitness_platform_tests.tracker.randomdata import random_batch


def _keys(table) -> Counter:
    return Counter(
        zip(table["_source_file"].to_pylist(), table["_row_number"].to_pylist(), strict=True)
    )


def _reconcile(parsed: list[ParsedFile]) -> None:
    bronze, bronze_rejects = combine_bronze(parsed)
    silver = build_silver(bronze, PANDAS_ENGINE)
    rows, rejects = _keys(bronze), _keys(bronze_rejects)
    silver_rows, silver_rejects = _keys(silver.daily_activity), _keys(silver.rejects)
    for counter in (rows, rejects, silver_rows, silver_rejects):
        assert max(counter.values(), default=1) == 1, "a record appears twice in one table"
    for file in parsed:
        name = file.source_file
        in_rows = {n for f, n in rows if f == name}
        in_rejects = {n for f, n in rejects if f == name}
        if file.failed:
            assert in_rows == set() and in_rejects == {0}, name
        else:
            assert in_rows.isdisjoint(in_rejects), name
            assert in_rows | in_rejects == set(range(1, file.data_records + 1)), name
            assert len(in_rows) + len(in_rejects) == file.data_records, name
        in_silver = {n for f, n in silver_rows if f == name}
        in_silver_rejects = {n for f, n in silver_rejects if f == name}
        assert in_silver.isdisjoint(in_silver_rejects), name
        assert in_silver | in_silver_rejects == in_rows, name


def test_reconciliation_on_hand_made_files_including_failed_ones() -> None:
    good = csv_text(
        [
            line(user_id=1),
            line(user_id=1),  # duplicate
            line(user_id=2, steps=0),
            line(user_id=3, age="x"),
            line() + ",9",
            "",
            line(user_id=4, bmi=-3),
        ]
    )
    parsed = [
        parse(good, "a.csv"),
        parse(good, "b.csv"),  # the same records again, from another file
        parse(b"", "empty.csv"),
        parse(csv_text([line()], header=HEADER[:-1]), "bad_header.csv"),
        parse(b"\xff\xfe", "utf16.csv"),
        parse(",".join(HEADER) + "\n", "header_only.csv"),
    ]
    _reconcile(parsed)


@pytest.mark.parametrize("seed", [101, 102, 103])
def test_reconciliation_on_random_files(seed: int) -> None:
    files = random_batch(seed, 12)
    parsed = [
        parse_tracker_csv(
            f.data, source_file=f.name, modified_at=f.modified_at, ingested_at=f.ingested_at
        )
        for f in files
    ]
    assert any(p.rejects.num_rows for p in parsed)
    _reconcile(parsed)
