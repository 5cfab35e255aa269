"""Unit tests of the pure data-quality rules (no Dagster, no servers)."""

from __future__ import annotations

from datetime import date, timedelta

import pyarrow as pa
import pytest

from fitness_platform.engine.pandas_engine import PANDAS_ENGINE
from fitness_platform.tracker import quality
from fitness_platform.tracker.quality import FileRecords
from fitness_platform.tracker.schema import arrow_schema


def _silver(rows: int = 3) -> pa.Table:
    """A schema-true silver table from clean bronze rows run through the real rules."""
    from fitness_platform.tracker.pipeline import build_silver

    return build_silver(_bronze(rows), PANDAS_ENGINE).daily_activity


def _bronze(rows: int, source: str = "a.csv") -> pa.Table:
    from datetime import UTC, datetime

    stamp = datetime(2025, 1, 1, tzinfo=UTC)
    columns = {
        "user_id": [1] * rows,
        "age": [30] * rows,
        "gender": ["F"] * rows,
        "date": [date(2024, 9, 6) + timedelta(days=i) for i in range(rows)],
        "steps": [8_000] * rows,
        "heart_rate_avg": [70.0] * rows,
        "sleep_hours": [7.0] * rows,
        "calories_burned": [2_200.0] * rows,
        "exercise_minutes": [30.0] * rows,
        "stress_level": [4] * rows,
        "weight_kg": [70.0] * rows,
        "bmi": [22.9] * rows,
        "_source_file": [source] * rows,
        "_row_number": list(range(1, rows + 1)),
        "_source_modified_at": [stamp] * rows,
        "_ingested_at": [stamp] * rows,
    }
    return pa.table(columns, schema=arrow_schema("bronze/fitness_logs"))


def test_schema_accepts_the_spec_spellings_and_bookkeeping_columns() -> None:
    expected = arrow_schema("bronze/fitness_logs")
    spelled = pa.schema(
        [
            pa.field(f.name, pa.large_string())
            if f.type == pa.string()
            else pa.field(f.name, pa.timestamp("us", tz="Etc/UTC"))
            if pa.types.is_timestamp(f.type)
            else f
            for f in expected
        ]
    ).append(pa.field("_batch", pa.int64()))
    result = quality.check_schema(
        {"p.parquet": spelled}, expected, rows_by_file={"p.parquet": 7}, bookkeeping_allowed=True
    )
    assert result.passed, result.reason
    assert result.rows_checked == 7 and result.rows_failing == 0


def test_schema_names_missing_unexpected_and_mistyped_columns() -> None:
    expected = arrow_schema("gold/dim_user")
    wrong = pa.schema(
        [
            pa.field("user_id", pa.int32()),  # smaller ints are forbidden by SPEC 1.6
            *[f for f in expected if f.name not in ("user_id", "avg_bmi")],
            pa.field("_extra", pa.string()),  # gold allows no bookkeeping columns
        ]
    )
    good = expected
    result = quality.check_schema(
        {"bad.parquet": wrong, "good.parquet": good},
        expected,
        rows_by_file={"bad.parquet": 4, "good.parquet": 6},
    )
    assert not result.passed
    problems = {(r["file"], r["column"], r["problem"]) for r in result.sample.to_pylist()}
    assert problems == {
        ("bad.parquet", "user_id", "wrong type"),
        ("bad.parquet", "avg_bmi", "missing"),
        ("bad.parquet", "_extra", "unexpected"),
    }
    assert (result.rows_checked, result.rows_failing) == (10, 4)


def test_drift_reports_added_removed_and_retyped_columns() -> None:
    previous = {"a": "int64", "b": "string", "c": "double"}
    current = {"a": "int64", "b": "large_string", "c": "int64", "d": "bool"}
    result = quality.schema_drift(current, previous, rows=5)
    assert not result.passed and result.severity == quality.WARN
    changes = {(r["column"], r["change"]) for r in result.sample.to_pylist()}
    assert changes == {("c", "retyped"), ("d", "added")}
    removed = quality.schema_drift({"a": "int64"}, previous, rows=5)
    assert {r["column"] for r in removed.sample.to_pylist()} == {"b", "c"}
    assert quality.schema_drift(current, None, rows=5).passed


def test_unique_keys_flags_nulls_and_every_row_of_a_duplicate() -> None:
    table = pa.table({"user_id": [1, 1, None, 2, 3], "date_key": [10, 10, 11, 12, None]})
    result = quality.check_unique_keys(table, ("user_id", "date_key"))
    assert not result.passed
    assert result.rows_failing == 4
    assert result.details == {"null_keys": 2, "duplicate_rows": 2, "duplicate_keys": 1}
    assert quality.check_unique_keys(table.slice(2, 2), ("date_key",)).passed


def test_silver_rules_pass_on_real_silver_and_fail_on_each_broken_value() -> None:
    silver = _silver(35)
    for rule in (
        quality.check_silver_ranges,
        quality.check_categories,
        quality.check_ra30_days,
        quality.check_weight_change,
    ):
        assert rule(silver).passed, rule.__name__

    def broken(column: str, value: object) -> pa.Table:
        values = silver.column(column).to_pylist()
        values[3] = value
        index = silver.column_names.index(column)
        return silver.set_column(index, column, pa.array(values, silver.schema.field(column).type))

    cases = [
        (quality.check_silver_ranges, "age", 101, "out_of_range:age"),
        (quality.check_silver_ranges, "bmi", None, "out_of_range:bmi"),
        (quality.check_silver_ranges, "steps", 0, "zero_steps"),
        (quality.check_categories, "sleep_quality", "awful", "bad_sleep_quality"),
        (quality.check_categories, "gender", "X", "bad_gender"),
        (quality.check_ra30_days, "ra30_days", 31, "ra30_days_outside_1_30"),
        (quality.check_ra30_days, "ra30_days", 0, "ra30_days_outside_1_30"),
        (quality.check_weight_change, "weight_change_30d", -5.01, "weight_change_30d_unclamped"),
    ]
    for rule, column, value, problem in cases:
        result = rule(broken(column, value))
        assert not result.passed and result.rows_failing == 1, (column, value)
        (row,) = result.sample.to_pylist()
        assert row["problem"] == problem and row["_row_number"] == 4
    assert quality.check_weight_change(broken("weight_change_30d", None)).passed


def test_reconcile_names_missing_unexpected_and_duplicated_rows_per_file() -> None:
    files = [FileRecords("a.csv", 4), FileRecords("b.csv", 0, failed=True)]
    expected = quality.expected_record_keys(files)
    rows = pa.table({"_source_file": ["a.csv", "a.csv", "a.csv"], "_row_number": [1, 2, 3]})
    rejects = pa.table({"_source_file": ["a.csv", "b.csv", "c.csv"], "_row_number": [3, 0, 9]})
    result = quality.reconcile(expected, {"rows": rows, "rejects": rejects})
    assert not result.passed
    problems = {
        (r["_source_file"], r["_row_number"], r["problem"]) for r in result.sample.to_pylist()
    }
    assert problems == {
        ("a.csv", 3, "placed 2 times in rejects, rows"),
        ("a.csv", 4, "missing"),
        ("c.csv", 9, "unexpected in rejects"),
    }
    per_file = {r["_source_file"]: r for r in result.details["per_file"]}
    assert per_file["a.csv"]["failing"] == 2 and per_file["b.csv"]["failing"] == 0
    assert per_file["c.csv"]["unexpected"] == 1
    good = quality.reconcile(
        expected,
        {
            "rows": rows.slice(0, 2),
            "rejects": pa.table(
                {"_source_file": ["a.csv"] * 2 + ["b.csv"], "_row_number": [3, 4, 0]}
            ),
        },
    )
    assert good.passed and good.rows_checked == 5


def test_reconcile_is_row_by_row_not_by_counts() -> None:
    # Same count, wrong rows: a count comparison would pass, the anti-join does not.
    expected = quality.expected_record_keys([FileRecords("a.csv", 2)])
    shifted = pa.table({"_source_file": ["a.csv", "a.csv"], "_row_number": [2, 3]})
    result = quality.reconcile(expected, {"rows": shifted})
    assert not result.passed and result.rows_failing == 2


def _rejects(source: str, reasons: list[str], stage: str) -> pa.Table:
    return pa.table(
        {
            "_source_file": pa.array([source] * len(reasons), pa.string()),
            "_row_number": pa.array(range(1, len(reasons) + 1), pa.int64()),
            "reason": pa.array(reasons, pa.string()),
            "stage": pa.array([stage] * len(reasons), pa.string()),
        }
    )


@pytest.mark.parametrize(
    ("bronze", "silver", "passed", "severity"),
    [
        (1, 0, True, quality.ERROR),  # 1.0% is not above 1%
        (1, 1, False, quality.WARN),  # 2%
        (3, 2, False, quality.WARN),  # 5% is not above 5%
        (3, 3, False, quality.ERROR),  # 6%
    ],
)
def test_reject_rate_bounds(bronze: int, silver: int, passed: bool, severity: str) -> None:
    files = [FileRecords("a.csv", 100)]
    result = quality.check_reject_rate(
        files,
        _rejects("a.csv", ["unparseable:steps"] * bronze, "bronze"),
        _rejects("a.csv", ["out_of_range:age"] * silver, "silver"),
    )
    assert (result.passed, result.severity) == (passed, severity)
    assert result.rows_checked == 100


def test_reject_rate_ignores_duplicates_and_failed_files_and_takes_bounds() -> None:
    files = [FileRecords("a.csv", 10), FileRecords("bad.csv", 0, failed=True)]
    bronze = _rejects("bad.csv", ["bad_header: missing ['bmi']"], "bronze").set_column(
        1, "_row_number", pa.array([0])
    )
    silver = _rejects("a.csv", ["duplicate"] * 9, "silver")
    result = quality.check_reject_rate(files, bronze, silver)
    assert result.passed
    assert result.details["failed_files_not_rated"] == ["bad.csv"]
    one_bad = _rejects("a.csv", ["zero_steps"], "silver")
    lenient = quality.check_reject_rate(files, bronze, one_bad, warn_above=0.2, error_above=0.5)
    assert lenient.passed
    strict = quality.check_reject_rate(files, bronze, one_bad, warn_above=0.01, error_above=0.05)
    assert not strict.passed and strict.severity == quality.ERROR
    assert strict.sample.to_pylist()[0]["_source_file"] == "a.csv"


def test_referential_integrity_and_contiguous_calendar() -> None:
    fact = pa.table({"user_id": [1, 2, 9], "date_key": [20240906, 20240907, 20240999]})
    users = pa.table({"user_id": [1, 2]})
    days = [date(2024, 9, 6), date(2024, 9, 7), date(2024, 9, 10)]
    dim_date = pa.table({"date_key": [20240906, 20240907, 20240910], "date": days})
    result = quality.check_referential_integrity(fact, users, dim_date)
    assert not result.passed and result.rows_failing == 1
    assert result.sample.to_pylist()[0]["problem"] == (
        "user_id not in dim_user; date_key not in dim_date"
    )
    gaps = quality.check_contiguous_dates(dim_date)
    assert not gaps.passed and gaps.rows_failing == 2
    assert gaps.sample.to_pylist() == [
        {"after": date(2024, 9, 7), "before": date(2024, 9, 10), "missing_days": 2}
    ]
    assert quality.check_contiguous_dates(dim_date.slice(0, 2)).passed


def test_reject_reasons_follow_the_spec_vocabulary() -> None:
    ok = _rejects(
        "a.csv", ["row_too_long", "unparseable:bmi", "bad_header: missing ['bmi']"], "bronze"
    )
    assert quality.check_reject_reasons(ok, "bronze").passed
    bad = _rejects("a.csv", ["unparseable:colour", "out_of_range:age"], "bronze")
    result = quality.check_reject_reasons(bad, "bronze")
    assert not result.passed and result.rows_failing == 2
    silver = _rejects("a.csv", ["duplicate", "out_of_range:gender", "zero_steps"], "silver")
    assert quality.check_reject_reasons(silver, "silver").passed
    assert not quality.check_reject_reasons(silver, "bronze").passed
