"""Comparison of tracker tables built by two engines (or two paths through Dagster)."""

from __future__ import annotations

import pyarrow as pa

from fitness_platform.tracker.schema import arrow_schema
from fitness_platform_tests.tracker.helpers import assert_rows_match, rounded_2_matches

KEYS: dict[str, tuple[str, ...]] = {
    "silver/daily_activity": ("user_id", "date"),
    "silver/fitness_rejects": ("_source_file", "_row_number"),
    "gold/dim_user": ("user_id",),
    "gold/dim_date": ("date_key",),
    "gold/dim_activity": ("user_id", "date_key"),
    "gold/fact_daily": ("user_id", "date_key"),
}
AVERAGES = {
    "avg_height_cm": "height_cm",
    "avg_weight_kg": "weight_kg",
    "avg_bmi": "bmi",
    "avg_bmr": "bmr",
}


def canonical(table: pa.Table, name: str) -> pa.Table:
    """``table`` in its SPEC 1.6 column order and types (order of columns carries no meaning)."""
    schema = arrow_schema(name)
    assert sorted(table.column_names) == sorted(schema.names), name
    return table.select(schema.names).cast(schema)


def assert_same_table(
    name: str,
    actual: pa.Table,
    expected: pa.Table,
    silver: pa.Table,
    ignore: tuple[str, ...] = (),
) -> None:
    """Same keys, ints/strings/bools/dates exact, floats within 1e-9 relative.

    ``ignore`` names columns not compared (``_ingested_at`` of two different runs).

    ``dim_user`` averages are rounded to 2 decimals by each engine; they must both be the
    rounded exact mean (from ``silver``), so they can differ only where the mean is a tie.
    """
    actual, expected = canonical(actual, name), canonical(expected, name)
    assert actual.num_rows == expected.num_rows, name
    skip = (tuple(AVERAGES) if name == "gold/dim_user" else ()) + ignore
    assert_rows_match(actual.to_pylist(), expected.to_pylist(), KEYS[name], context=name, skip=skip)
    if name != "gold/dim_user":
        return
    rows = silver.select(["user_id", *AVERAGES.values()]).to_pylist()
    by_user: dict[int, list[dict[str, object]]] = {}
    for row in rows:
        by_user.setdefault(row["user_id"], []).append(row)
    expected_by_user = {r["user_id"]: r for r in expected.to_pylist()}
    for user in actual.to_pylist():
        mine = by_user[user["user_id"]]
        for column, source in AVERAGES.items():
            exact = sum(r[source] for r in mine) / len(mine)
            for side, value in (
                ("actual", user[column]),
                ("expected", expected_by_user[user["user_id"]][column]),
            ):
                assert rounded_2_matches(value, exact), (name, side, user["user_id"], column)
