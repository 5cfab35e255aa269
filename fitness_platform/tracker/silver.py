"""Silver: cleaning and features of ``silver/daily_activity`` (SPEC 1.3), engine-agnostic.

Every function takes and returns narwhals LazyFrames, so the pandas engine and the Spark
engine run these very rules. Dates become an integer day number (days since 1970-01-01),
computed with integer arithmetic only, so calendar windows, lags and weekdays cannot differ
between backends (Spark and pandas number weekdays differently; integers do not).
"""

from __future__ import annotations

from dataclasses import dataclass

import narwhals as nw

from fitness_platform.tracker.schema import (
    ACTIVITY_LEVELS,
    BRONZE_TYPES,
    WEEKDAYS,
)

NEGATIVE_TO_ZERO: tuple[str, ...] = (
    "steps",
    "heart_rate_avg",
    "sleep_hours",
    "calories_burned",
    "exercise_minutes",
    "weight_kg",
    "bmi",
)

# Inclusive ranges checked in this order; the first failure names the reject reason.
RANGES: tuple[tuple[str, float, float], ...] = (
    ("age", 18, 100),
    ("steps", 0, 50_000),
    ("heart_rate_avg", 30, 200),
    ("sleep_hours", 2, 16),
    ("calories_burned", 500, 8_000),
    ("exercise_minutes", 0, 600),
    ("stress_level", 1, 10),
    ("weight_kg", 30, 200),
    ("bmi", 10, 60),
)
GENDERS: tuple[str, ...] = ("F", "M")
WINDOW_DAYS = 30
DAY_NUMBER = "__day_number"
_CLEAN = "__clean_"

BRONZE_COLUMNS: tuple[str, ...] = tuple(BRONZE_TYPES)
DUPLICATE_ORDER: tuple[str, ...] = (
    "_ingested_at",
    "_source_modified_at",
    "_source_file",
    "_row_number",
)


@dataclass(frozen=True)
class CleanResult:
    """Cleaned rows and every removed row with its reason."""

    survivors: nw.LazyFrame
    rejects: nw.LazyFrame


def negative_counts(bronze: nw.LazyFrame) -> dict[str, int]:
    """How many bronze values each negative-to-zero column had below 0 (step 1's metadata)."""
    row = (
        bronze.select([(nw.col(c) < 0).cast(nw.Int64).sum().alias(c) for c in NEGATIVE_TO_ZERO])
        .collect()
        .rows(named=True)[0]
    )
    return {column: int(row[column] or 0) for column in NEGATIVE_TO_ZERO}


def reject_reason() -> nw.Expr:
    """The reason of cleaning steps 2-4 for a row whose step-1 values are in ``__clean_*``."""

    def value(column: str) -> nw.Expr:
        return nw.col(_CLEAN + column) if column in NEGATIVE_TO_ZERO else nw.col(column)

    reason = nw.when(nw.col("user_id").is_null() | nw.col("date").is_null()).then(
        nw.lit("missing_key")
    )
    reason = reason.when(~nw.col("gender").is_in(GENDERS) | nw.col("gender").is_null()).then(
        nw.lit("out_of_range:gender")
    )
    for column, low, high in RANGES:
        outside = value(column).is_null() | ~value(column).is_between(low, high, closed="both")
        reason = reason.when(outside).then(nw.lit(f"out_of_range:{column}"))
    return reason.when(value("steps") == 0).then(nw.lit("zero_steps")).otherwise(nw.lit(None))


def clean(bronze: nw.LazyFrame) -> CleanResult:
    """Apply cleaning steps 1-5 in order (SPEC 1.3).

    Rejected rows keep their bronze values exactly as they were before step 1, with
    ``stage`` = ``silver`` and a ``reason``. Among the rows that survive steps 1-4, one row
    per (user_id, date) wins: the greatest (``_ingested_at``, ``_source_modified_at``,
    ``_source_file``, ``_row_number``); the others are rejected as ``duplicate``.
    """
    staged = bronze.with_columns(
        [nw.col(c).clip(lower_bound=0).alias(_CLEAN + c) for c in NEGATIVE_TO_ZERO]
    ).with_columns(reason=reject_reason())

    ruled_out = staged.filter(~nw.col("reason").is_null())
    passed = staged.filter(nw.col("reason").is_null()).with_columns(
        __rows=nw.col("_row_number").count().over("user_id", "date"),
    )
    # Only keys logged more than once need the ordered ranking (a sort over four columns);
    # they are a tiny share of the rows, so the common case skips it.
    contested = passed.filter(nw.col("__rows") > 1).with_columns(
        __rank=nw.col("_row_number").cum_count().over("user_id", "date", order_by=DUPLICATE_ORDER),
    )
    duplicates = contested.filter(nw.col("__rank") < nw.col("__rows")).with_columns(
        reason=nw.lit("duplicate")
    )
    staged_columns = [*BRONZE_COLUMNS, *(_CLEAN + c for c in NEGATIVE_TO_ZERO)]
    winners = nw.concat(
        [
            passed.filter(nw.col("__rows") == 1).select(staged_columns),
            contested.filter(nw.col("__rank") == nw.col("__rows")).select(staged_columns),
        ],
        how="vertical",
    )

    reject_columns = [*BRONZE_COLUMNS, "stage", "reason"]
    rejects = nw.concat(
        [
            frame.with_columns(stage=nw.lit("silver")).select(reject_columns)
            for frame in (ruled_out, duplicates)
        ],
        how="vertical",
    )
    survivors = winners.with_columns(
        [nw.col(_CLEAN + c).alias(c) for c in NEGATIVE_TO_ZERO]
    ).select(BRONZE_COLUMNS)
    return CleanResult(survivors=survivors, rejects=rejects)


def day_number(year: nw.Expr, month: nw.Expr, day: nw.Expr) -> nw.Expr:
    """Days since 1970-01-01 from civil date parts, in integer arithmetic only.

    Howard Hinnant's ``days_from_civil``; all operands stay non-negative for years >= 1, so
    floor division means the same on every backend.
    """
    shifted_year = year - (month <= 2).cast(nw.Int64)
    era = shifted_year // 400
    year_of_era = shifted_year - era * 400
    month_from_march = month + 9 - ((month + 9) // 12) * 12
    day_of_year = (153 * month_from_march + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146_097 + day_of_era - 719_468


def _label(expr_cases: list[tuple[nw.Expr, str]], default: str) -> nw.Expr:
    first, label = expr_cases[0]
    chained = nw.when(first).then(nw.lit(label))
    for condition, name in expr_cases[1:]:
        chained = chained.when(condition).then(nw.lit(name))
    return chained.otherwise(nw.lit(default))


def row_features(survivors: nw.LazyFrame) -> nw.LazyFrame:
    """Per-row silver features: categories, one-hots, date parts and body measures."""
    steps, sleep, bmi = nw.col("steps"), nw.col("sleep_hours"), nw.col("bmi")
    frame = survivors.with_columns(
        activity_level=_label(
            [(steps < 5_000, "sedentary"), (steps < 10_000, "light"), (steps < 15_000, "moderate")],
            "active",
        ),
        sleep_quality=_label(
            [(sleep < 6, "poor"), (sleep < 8, "fair"), (sleep < 10, "good")], "excellent"
        ),
        bmi_category=_label(
            [(bmi < 18.5, "underweight"), (bmi < 25, "normal"), (bmi < 30, "overweight")], "obese"
        ),
        year=nw.col("date").dt.year().cast(nw.Int64),
        month=nw.col("date").dt.month().cast(nw.Int64),
        day=nw.col("date").dt.day().cast(nw.Int64),
        height_m=(nw.col("weight_kg") / bmi).sqrt(),
    )
    frame = frame.with_columns(
        [
            (nw.col("activity_level") == level).alias(f"activity_level_{level}")
            for level in ACTIVITY_LEVELS
        ],
    ).with_columns(
        date_key=nw.col("year") * 10_000 + nw.col("month") * 100 + nw.col("day"),
        height_cm=nw.col("height_m") * 100,
        **{DAY_NUMBER: day_number(nw.col("year"), nw.col("month"), nw.col("day"))},
    )
    # 1970-01-01 was a Thursday (3); adding 7 * 10**6 keeps the operand non-negative.
    shifted = nw.col(DAY_NUMBER) + (3 + 7 * 10**6)
    frame = frame.with_columns(weekday_num=shifted - (shifted // 7) * 7)
    return frame.with_columns(
        weekday=_label(
            [(nw.col("weekday_num") == i, name) for i, name in enumerate(WEEKDAYS[:-1])],
            WEEKDAYS[-1],
        ),
        is_weekend=nw.col("weekday_num") >= 5,
        bmr=10 * nw.col("weight_kg")
        + 6.25 * nw.col("height_cm")
        - 5 * nw.col("age")
        + nw.when(nw.col("gender") == "M").then(nw.lit(5)).otherwise(nw.lit(-161)),
    ).with_columns(caloric_balance=nw.col("calories_burned") - nw.col("bmr"))


WINDOW_SOURCES: dict[str, str] = {
    "ra30_steps": "steps",
    "ra30_calories": "calories_burned",
    "ra30_ex_minutes": "exercise_minutes",
    "ra30_stress": "stress_level",
}


def calendar_windows(frame: nw.LazyFrame) -> nw.LazyFrame:
    """Add the 30-calendar-day means and ``ra30_days`` over [d-29, d] for each user.

    Each row gets a probe at day d-30 and both are cumulated in one ordered pass per user; the
    window sum is the row's running total minus its probe's (everything on or before d-30).
    Absent days therefore count as missing, not zero, and only one sort per user is needed,
    which scales on pandas and on Spark alike (no per-user apply, no dense grid).
    """
    sources = list(WINDOW_SOURCES.values())
    keys = ["user_id", DAY_NUMBER]
    real = frame.select(*keys, *sources, __probe=nw.lit(0, nw.Int64), __one=nw.lit(1, nw.Int64))
    probes = frame.select(
        "user_id",
        (nw.col(DAY_NUMBER) - WINDOW_DAYS).alias(DAY_NUMBER),
        *[(nw.col(s) * 0).alias(s) for s in sources],
        __probe=nw.lit(1, nw.Int64),
        __one=nw.lit(0, nw.Int64),
    )
    # One expression over all five columns: backends then order the rows once, not per column.
    running = nw.concat([real, probes], how="vertical").with_columns(
        nw.col(*sources, "__one").cum_sum().over("user_id", order_by=[DAY_NUMBER, "__probe"])
    )
    totals = running.filter(nw.col("__probe") == 0).drop("__probe")
    before = running.filter(nw.col("__probe") == 1).select(
        "user_id",
        (nw.col(DAY_NUMBER) + WINDOW_DAYS).alias(DAY_NUMBER),
        *[nw.col(c).alias(f"__before_{c}") for c in [*sources, "__one"]],
    )
    windows = totals.join(before, on=keys, how="inner").select(
        *keys,
        ra30_days=nw.col("__one") - nw.col("__before___one"),
        **{
            name: (nw.col(source) - nw.col(f"__before_{source}")).cast(nw.Float64)
            / (nw.col("__one") - nw.col("__before___one")).cast(nw.Float64)
            for name, source in WINDOW_SOURCES.items()
        },
    )
    return frame.join(windows, on=keys, how="left")


def calendar_lags(frame: nw.LazyFrame) -> nw.LazyFrame:
    """Add values of day d-1 and the deltas against day d-30; null where that day is absent."""
    lookup = frame.select("user_id", DAY_NUMBER, "stress_level", "sleep_hours", "weight_kg")

    def shifted(days: int, names: dict[str, str]) -> nw.LazyFrame:
        return lookup.select(
            "user_id",
            (nw.col(DAY_NUMBER) + days).alias(DAY_NUMBER),
            *[nw.col(source).alias(alias) for source, alias in names.items()],
        )

    yesterday = shifted(1, {"stress_level": "yesterday_stress", "sleep_hours": "yesterday_sleep"})
    month_ago = shifted(30, {"stress_level": "__stress_30", "weight_kg": "__weight_30"})
    keys = ["user_id", DAY_NUMBER]
    joined = frame.join(yesterday, on=keys, how="left").join(month_ago, on=keys, how="left")
    raw_change = nw.col("weight_kg") - nw.col("__weight_30")
    return joined.with_columns(
        weight_change_30d_raw=raw_change,
        weight_change_30d=raw_change.clip(lower_bound=-5, upper_bound=5),
        weight_change_clamped=(raw_change.abs() > 5).fill_null(value=False),
        stress_change_30d=nw.col("stress_level") - nw.col("__stress_30"),
    ).drop("__stress_30", "__weight_30")


def silver_features(survivors: nw.LazyFrame) -> nw.LazyFrame:
    """Every silver feature of SPEC 1.3 on cleaned rows (one row per user and date)."""
    with_rows = row_features(survivors)
    return calendar_lags(calendar_windows(with_rows)).drop(DAY_NUMBER)
