"""Gold: the star schema over silver (SPEC 1.4), engine-agnostic.

``fact_daily`` and ``dim_activity`` are projections of silver (grain user-day), ``dim_user``
aggregates per user and ``dim_date`` is a contiguous calendar between the earliest and the
latest silver date. The calendar is tiny, so it is built in plain Python and handed to the
engine through ``from_arrow``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import narwhals as nw
import pyarrow as pa

from fitness_platform.tracker.schema import (
    DIM_ACTIVITY_TYPES,
    DIM_DATE_TYPES,
    FACT_DAILY_COLUMNS,
    WEEKDAYS,
)

FromArrow = Callable[[pa.Table], nw.LazyFrame]
AVERAGED: dict[str, str] = {
    "avg_height_cm": "height_cm",
    "avg_weight_kg": "weight_kg",
    "avg_bmi": "bmi",
    "avg_bmr": "bmr",
}


def fact_daily(silver: nw.LazyFrame) -> nw.LazyFrame:
    """``gold/fact_daily``: one row per (user_id, date_key) with the SPEC's measures."""
    return silver.select(FACT_DAILY_COLUMNS)


def dim_activity(silver: nw.LazyFrame) -> nw.LazyFrame:
    """``gold/dim_activity``: the seed's activity dimension at grain user-day."""
    return silver.select(tuple(DIM_ACTIVITY_TYPES))


def dim_user(silver: nw.LazyFrame) -> nw.LazyFrame:
    """``gold/dim_user``: one row per user; age and gender from the user's latest date."""
    stats = silver.group_by("user_id").agg(
        *[nw.col(source).mean().alias(name) for name, source in AVERAGED.items()],
        nw.col("date").min().alias("first_date"),
        nw.col("date").max().alias("last_date"),
        nw.col("date").count().alias("days_observed"),
    )
    latest = silver.select("user_id", nw.col("date").alias("last_date"), "age", "gender")
    return (
        stats.join(latest, on=["user_id", "last_date"], how="left")
        .with_columns([nw.col(name).round(2) for name in AVERAGED])
        .with_columns(nw.col("days_observed").cast(nw.Int64))
        .select("user_id", "age", "gender", *AVERAGED, "first_date", "last_date", "days_observed")
    )


def date_span(silver: nw.LazyFrame) -> tuple[date, date] | None:
    """The earliest and latest silver date, or None when silver is empty."""
    row = (
        silver.select(nw.col("date").min().alias("low"), nw.col("date").max().alias("high"))
        .collect()
        .rows(named=True)[0]
    )
    if row["low"] is None:
        return None
    return _as_date(row["low"]), _as_date(row["high"])


def calendar(span: tuple[date, date] | None) -> pa.Table:
    """``gold/dim_date`` rows: every day from the first to the last date, inclusive."""
    days: list[date] = []
    if span is not None:
        low, high = span
        days = [low + timedelta(days=offset) for offset in range((high - low).days + 1)]
    iso = [d.isocalendar() for d in days]
    columns = {
        "date_key": [d.year * 10_000 + d.month * 100 + d.day for d in days],
        "date": days,
        "day": [d.day for d in days],
        "month": [d.month for d in days],
        "year": [d.year for d in days],
        "quarter": [(d.month - 1) // 3 + 1 for d in days],
        "iso_year": [i.year for i in iso],
        "iso_week": [i.week for i in iso],
        "weekday": [WEEKDAYS[d.weekday()] for d in days],
        "weekday_num": [d.weekday() for d in days],
        "is_weekend": [d.weekday() >= 5 for d in days],
    }
    return pa.table(columns, schema=pa.schema(list(DIM_DATE_TYPES.items())))


def dim_date(silver: nw.LazyFrame, from_arrow: FromArrow) -> nw.LazyFrame:
    """``gold/dim_date``: the contiguous calendar spanned by silver."""
    return from_arrow(calendar(date_span(silver)))


def gold_tables(silver: nw.LazyFrame, from_arrow: FromArrow) -> dict[str, nw.LazyFrame]:
    """All four gold tables keyed by their lake path (``gold/<table>``)."""
    return {
        "gold/dim_user": dim_user(silver),
        "gold/dim_date": dim_date(silver, from_arrow),
        "gold/dim_activity": dim_activity(silver),
        "gold/fact_daily": fact_daily(silver),
    }


def _as_date(value: object) -> date:
    # pandas hands back Timestamps, Spark datetime.date; both become a plain date.
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise TypeError(f"expected a date from the engine, got {type(value).__name__}: {value!r}")
