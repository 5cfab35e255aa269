"""Property test: the real pipeline against the row-by-row reference on random defective data.

150 random cases (6 seeds x 25 cases; each case 1-3 users over up to 75 days with gaps, 2-3
files with equal or different ingested/modified times, conflicting duplicates, negatives,
out-of-range values, nulls, zero steps, bad cells). Cases have disjoint users and files, so
one build per seed judges 25 cases at once. Every column of every table is compared; floats
with a relative tolerance of 1e-9.
"""

from __future__ import annotations

import pytest

from fitness_platform.engine.pandas_engine import PANDAS_ENGINE
from fitness_platform.tracker.bronze import parse_tracker_csv
from fitness_platform.tracker.pipeline import build_gold, build_silver, combine_bronze
from fitness_platform_tests.tracker import reference
from fitness_platform_tests.tracker.helpers import assert_rows_match, rounded_2_matches
from fitness_platform_tests.tracker.randomdata import random_batch

SEEDS = range(6)
CASES_PER_SEED = 25
ROW_KEY = ("_source_file", "_row_number")


@pytest.mark.parametrize("seed", SEEDS)
def test_pipeline_matches_reference(seed: int) -> None:
    files = random_batch(seed, CASES_PER_SEED)
    parsed, expected_bronze, expected_rejects = [], [], []
    for raw in files:
        real = parse_tracker_csv(
            raw.data,
            source_file=raw.name,
            modified_at=raw.modified_at,
            ingested_at=raw.ingested_at,
        )
        ref = reference.parse_file(
            raw.data,
            source_file=raw.name,
            modified_at=raw.modified_at,
            ingested_at=raw.ingested_at,
        )
        assert real.data_records == ref.data_records, raw.name
        assert real.failed_reason == ref.failed_reason, raw.name
        parsed.append(real)
        expected_bronze.extend(ref.rows)
        expected_rejects.extend(ref.rejects)

    bronze, bronze_rejects = combine_bronze(parsed)
    assert_rows_match(bronze.to_pylist(), expected_bronze, ROW_KEY, context="bronze")
    assert_rows_match(
        bronze_rejects.to_pylist(), expected_rejects, ROW_KEY, context="bronze rejects"
    )

    silver = build_silver(bronze, PANDAS_ENGINE)
    expected = reference.silver(expected_bronze)
    assert silver.negatives_zeroed == expected.negatives
    assert_rows_match(
        silver.daily_activity.to_pylist(),
        expected.daily_activity,
        ("user_id", "date"),
        context="silver",
    )
    assert_rows_match(silver.rejects.to_pylist(), expected.rejects, ROW_KEY, context="rejects")
    reasons = {r["reason"] for r in expected.rejects}
    assert "duplicate" in reasons, "the generator must exercise the duplicate rule"

    gold = build_gold(silver.daily_activity, PANDAS_ENGINE)
    expected_gold = reference.gold(expected.daily_activity)
    averages = ("avg_height_cm", "avg_weight_kg", "avg_bmi", "avg_bmr")
    assert_rows_match(
        gold["gold/dim_user"].to_pylist(),
        expected_gold["gold/dim_user"],
        ("user_id",),
        context="dim_user",
        skip=averages,
    )
    users = {r["user_id"]: r for r in gold["gold/dim_user"].to_pylist()}
    for want in expected_gold["gold/dim_user"]:
        for name in averages:
            got = users[want["user_id"]][name]
            assert rounded_2_matches(got, want[name]), (want["user_id"], name, got, want[name])
    for name, key in (
        ("gold/dim_date", ("date_key",)),
        ("gold/dim_activity", ("user_id", "date_key")),
        ("gold/fact_daily", ("user_id", "date_key")),
    ):
        assert_rows_match(gold[name].to_pylist(), expected_gold[name], key, context=name)
