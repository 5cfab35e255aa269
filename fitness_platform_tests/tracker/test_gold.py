"""SPEC 1.4 gold star schema and SPEC 1.6 stored types of every tracker table."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from fitness_platform_tests.tracker.helpers import (
    csv_text,
    gold_of,
    line,
    parse,
    silver_of,
)

# SPEC 1.4, copied column by column.
FACT_DAILY = (
    "user_id, date_key, age, gender, sleep_hours, heart_rate_avg, stress_level, steps, "
    "exercise_minutes, calories_burned, weight_kg, bmi, height_cm, bmr, caloric_balance, "
    "ra30_steps, ra30_calories, ra30_ex_minutes, ra30_stress, ra30_days, weight_change_30d, "
    "weight_change_30d_raw, stress_change_30d, yesterday_stress, yesterday_sleep, "
    "activity_level, sleep_quality, bmi_category, month, year, day, weekday, weekday_num, "
    "is_weekend"
).split(", ")
DIM_USER = (
    "user_id age gender avg_height_cm avg_weight_kg avg_bmi avg_bmr first_date last_date "
    "days_observed"
).split()
DIM_DATE = (
    "date_key date day month year quarter iso_year iso_week weekday weekday_num is_weekend"
).split()
DIM_ACTIVITY = (
    "user_id date_key date steps exercise_minutes calories_burned activity_level sleep_quality"
).split()

# SPEC 1.6, by column name.
INT64 = set(
    "user_id age steps stress_level date_key year month day quarter iso_year iso_week "
    "weekday_num ra30_days days_observed _row_number stress_change_30d yesterday_stress".split()
)
BOOL = {
    "is_weekend",
    "weight_change_clamped",
    "activity_level_sedentary",
    "activity_level_light",
    "activity_level_moderate",
    "activity_level_active",
}
DATE32 = {"date", "first_date", "last_date"}
TIMESTAMP = {"_ingested_at", "_source_modified_at"}
STRING = set(
    "gender activity_level sleep_quality bmi_category weekday _source_file raw stage reason".split()
)
FLOAT64 = set(
    "heart_rate_avg sleep_hours calories_burned exercise_minutes weight_kg bmi height_m "
    "height_cm bmr caloric_balance ra30_steps ra30_calories ra30_ex_minutes ra30_stress "
    "yesterday_sleep weight_change_30d weight_change_30d_raw avg_height_cm avg_weight_kg "
    "avg_bmi avg_bmr".split()
)


def assert_spec_types(table: pa.Table, name: str) -> None:
    """Every column of ``table`` has its SPEC 1.6 stored type."""
    for field in table.schema:
        column, kind = field.name, field.type
        if column in INT64:
            assert kind == pa.int64(), (name, column, kind)
        elif column in FLOAT64:
            assert kind == pa.float64(), (name, column, kind)
        elif column in BOOL:
            assert kind == pa.bool_(), (name, column, kind)
        elif column in DATE32:
            assert kind == pa.date32(), (name, column, kind)
        elif column in TIMESTAMP:
            assert pa.types.is_timestamp(kind) and kind.unit == "us", (name, column, kind)
            assert kind.tz in ("UTC", "Etc/UTC", "+00:00"), (name, column, kind)
        else:
            assert column in STRING, (name, column, "has no SPEC 1.6 type")
            assert pa.types.is_string(kind) or pa.types.is_large_string(kind), (name, column)


@pytest.fixture(scope="module")
def star() -> dict[str, pa.Table]:
    """Gold over three users with gaps, a year end and age/gender changing over time."""
    lines = [
        # User 7: rows out of date order; the latest date (2025-01-02) says 41 / M.
        line(user_id=7, date="2024-12-31", age=40, gender="F", weight_kg=80, bmi=25),
        line(user_id=7, date="2025-01-02", age=41, gender="M", weight_kg=81, bmi=25),
        line(user_id=7, date="2024-12-28", age=40, gender="F", weight_kg="80.5", bmi="24.9"),
        # User 3: one day only; every lag and delta null.
        line(user_id=3, date="2024-12-30", age=25, gender="f", weight_kg="55.555", bmi="20.123"),
        # User 9: two days far apart (the calendar fills the gap between all users' dates).
        line(user_id=9, date="2024-12-20", age=60, weight_kg=90, bmi=30),
        line(user_id=9, date="2025-01-05", age=60, weight_kg="90.4", bmi="30.2"),
    ]
    silver = silver_of(parse(csv_text(lines)))
    tables = gold_of(silver)
    tables["silver/daily_activity"] = silver.daily_activity
    tables["silver/fitness_rejects"] = silver.rejects
    return tables


def test_gold_tables_have_exactly_the_spec_columns(star: dict[str, pa.Table]) -> None:
    assert set(star) >= {"gold/dim_user", "gold/dim_date", "gold/dim_activity", "gold/fact_daily"}
    assert sorted(star["gold/fact_daily"].column_names) == sorted(FACT_DAILY)
    assert sorted(star["gold/dim_user"].column_names) == sorted(DIM_USER)
    assert sorted(star["gold/dim_date"].column_names) == sorted(DIM_DATE)
    assert sorted(star["gold/dim_activity"].column_names) == sorted(DIM_ACTIVITY)
    for name, table in star.items():
        assert len(set(table.column_names)) == table.num_columns, name


SILVER_FEATURES = (
    "activity_level activity_level_sedentary activity_level_light activity_level_moderate "
    "activity_level_active sleep_quality bmi_category year month day weekday weekday_num "
    "is_weekend date_key height_m height_cm bmr caloric_balance ra30_steps ra30_calories "
    "ra30_ex_minutes ra30_stress ra30_days yesterday_stress yesterday_sleep "
    "weight_change_30d_raw weight_change_30d weight_change_clamped stress_change_30d"
).split()
RAW = (
    "user_id age gender date steps heart_rate_avg sleep_hours calories_burned exercise_minutes "
    "stress_level weight_kg bmi"
).split()
BOOKKEEPING = ["_source_file", "_row_number", "_source_modified_at", "_ingested_at"]


def test_silver_columns_are_bronze_columns_then_the_features(star: dict[str, pa.Table]) -> None:
    columns = star["silver/daily_activity"].column_names
    assert sorted(c for c in columns if not c.startswith("_")) == sorted(RAW + SILVER_FEATURES)
    assert set(BOOKKEEPING) <= set(columns)
    rejects = star["silver/fitness_rejects"].column_names
    assert sorted(c for c in rejects if not c.startswith("_")) == sorted([*RAW, "stage", "reason"])
    assert set(BOOKKEEPING) <= set(rejects)


def test_every_table_has_the_spec_stored_types(star: dict[str, pa.Table]) -> None:
    for name, table in star.items():
        assert_spec_types(table, name)


def test_dim_user(star: dict[str, pa.Table]) -> None:
    users = {r["user_id"]: r for r in star["gold/dim_user"].to_pylist()}
    silver = star["silver/daily_activity"].to_pylist()
    assert sorted(users) == [3, 7, 9]
    seven = users[7]
    assert (seven["age"], seven["gender"]) == (41, "M")
    assert (seven["first_date"], seven["last_date"]) == (date(2024, 12, 28), date(2025, 1, 2))
    assert seven["days_observed"] == 3
    assert seven["avg_weight_kg"] == round((80 + 81 + 80.5) / 3, 2) == 80.5
    assert seven["avg_bmi"] == round((25 + 25 + 24.9) / 3, 2) == 24.97
    for user, row in users.items():
        mine = [r for r in silver if r["user_id"] == user]
        for name, source in (("avg_height_cm", "height_cm"), ("avg_bmr", "bmr")):
            exact = sum(r[source] for r in mine) / len(mine)
            assert row[name] == pytest.approx(round(exact, 2), abs=1e-9), (user, name)
            assert row[name] == pytest.approx(round(row[name], 2), abs=1e-12)
    three = users[3]
    assert (three["age"], three["gender"], three["days_observed"]) == (25, "F", 1)
    assert three["avg_weight_kg"] == 55.56 and three["avg_bmi"] == 20.12
    assert three["first_date"] == three["last_date"] == date(2024, 12, 30)


def test_dim_date_is_contiguous_with_iso_weeks_across_the_year_end(
    star: dict[str, pa.Table],
) -> None:
    rows = star["gold/dim_date"].to_pylist()
    dates = [r["date"] for r in rows]
    assert dates[0] == date(2024, 12, 20) and dates[-1] == date(2025, 1, 5)
    assert len(rows) == 17 == len(set(dates))
    assert sorted(dates) == [date(2024, 12, 20 + k) for k in range(12)] + [
        date(2025, 1, k) for k in range(1, 6)
    ]
    by_date = {r["date"]: r for r in rows}
    assert by_date[date(2024, 12, 30)] == {
        "date_key": 20241230,
        "date": date(2024, 12, 30),
        "day": 30,
        "month": 12,
        "year": 2024,
        "quarter": 4,
        "iso_year": 2025,
        "iso_week": 1,
        "weekday": "Monday",
        "weekday_num": 0,
        "is_weekend": False,
    }
    assert by_date[date(2024, 12, 29)]["iso_year"] == 2024
    assert by_date[date(2024, 12, 29)]["iso_week"] == 52
    sunday = by_date[date(2025, 1, 5)]
    assert (sunday["weekday"], sunday["weekday_num"], sunday["is_weekend"]) == ("Sunday", 6, True)
    assert (sunday["quarter"], sunday["iso_year"], sunday["iso_week"]) == (1, 2025, 1)
    for row in rows:
        d = row["date"]
        assert row["date_key"] == d.year * 10000 + d.month * 100 + d.day
        assert row["quarter"] == (d.month - 1) // 3 + 1
        assert (row["iso_year"], row["iso_week"]) == tuple(d.isocalendar())[:2]


QUARTER_AND_ISO = {
    date(2021, 1, 3): (1, 2020, 53),
    date(2026, 3, 31): (1, 2026, 14),
    date(2026, 4, 1): (2, 2026, 14),
    date(2026, 9, 30): (3, 2026, 40),
    date(2026, 10, 1): (4, 2026, 40),
    date(2026, 12, 31): (4, 2026, 53),
}


def test_dim_date_quarters_and_iso_weeks() -> None:
    lines = [line(user_id=i, date=d) for i, d in enumerate(QUARTER_AND_ISO)]
    rows = {
        r["date"]: r
        for r in gold_of(silver_of(parse(csv_text(lines))))["gold/dim_date"].to_pylist()
    }
    assert len(rows) == (date(2026, 12, 31) - date(2021, 1, 3)).days + 1
    for day, expected in QUARTER_AND_ISO.items():
        row = rows[day]
        assert (row["quarter"], row["iso_year"], row["iso_week"]) == expected, day


def test_dim_activity_and_fact_daily_are_silver_projections(star: dict[str, pa.Table]) -> None:
    silver = {(r["user_id"], r["date_key"]): r for r in star["silver/daily_activity"].to_pylist()}
    for name, columns in (("gold/dim_activity", DIM_ACTIVITY), ("gold/fact_daily", FACT_DAILY)):
        rows = star[name].to_pylist()
        keys = [(r["user_id"], r["date_key"]) for r in rows]
        assert len(keys) == len(set(keys)) == len(silver), name
        for row in rows:
            source = silver[(row["user_id"], row["date_key"])]
            assert row == {c: source[c] for c in columns}, name


def test_referential_integrity(star: dict[str, pa.Table]) -> None:
    users = set(star["gold/dim_user"]["user_id"].to_pylist())
    date_keys = set(star["gold/dim_date"]["date_key"].to_pylist())
    for name in ("gold/fact_daily", "gold/dim_activity"):
        assert set(star[name]["user_id"].to_pylist()) <= users
        assert set(star[name]["date_key"].to_pylist()) <= date_keys
    assert len(users) == star["gold/dim_user"].num_rows


def test_all_null_columns_keep_their_types_in_silver_and_gold() -> None:
    # One day per user: every lag and delta is null in every row.
    lines = [line(user_id=u, date=f"2024-09-{u:02d}") for u in (1, 3, 5)]
    silver = silver_of(parse(csv_text(lines)))
    gold = gold_of(silver)
    for table in (silver.daily_activity, gold["gold/fact_daily"]):
        for column in ("yesterday_stress", "stress_change_30d"):
            assert table[column].null_count == table.num_rows == 3
            assert table.schema.field(column).type == pa.int64()
        for column in ("yesterday_sleep", "weight_change_30d_raw", "weight_change_30d"):
            assert table[column].null_count == 3
            assert table.schema.field(column).type == pa.float64()
    assert silver.daily_activity["weight_change_clamped"].to_pylist() == [False] * 3
    assert silver.rejects.num_rows == 0
    assert_spec_types(silver.rejects, "silver/fitness_rejects")


def test_no_silver_rows_gives_empty_typed_tables() -> None:
    silver = silver_of(parse(csv_text([line(steps=0), line(user_id="")])))
    assert silver.daily_activity.num_rows == 0
    assert silver.rejects.num_rows == 2
    assert_spec_types(silver.daily_activity, "silver/daily_activity")
    gold = gold_of(silver)
    for name, columns in (
        ("gold/dim_user", DIM_USER),
        ("gold/dim_date", DIM_DATE),
        ("gold/dim_activity", DIM_ACTIVITY),
        ("gold/fact_daily", FACT_DAILY),
    ):
        assert gold[name].num_rows == 0, name
        assert sorted(gold[name].column_names) == sorted(columns)
        assert_spec_types(gold[name], name)
