"""Silver and gold for Garmin: one typed row per activity, and one row per day.

``silver/garmin_activities`` turns Garmin's activity summaries into the columns of SPEC 2 with
metric units (metres to km, seconds to minutes, m/s to km/h). ``date`` is the calendar date of
``startTimeLocal``, the wall clock where the activity happened, so a run at 23:30 local time
counts for that evening even when ``startTimeGMT`` is already the next day. Without a readable
``startTimeLocal`` the ``date`` is null. A missing field is null; a field holding something that
is not a number where a number belongs is null too, and is listed in
:attr:`SilverResult.invalid_values`.

``gold/garmin_daily`` adds up each local day's activities.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd
import pyarrow as pa

from fitness_platform.garmin import shape
from fitness_platform.garmin.identity import SourcedActivity, merge_activities
from fitness_platform.garmin.ids import InvalidActivityIdError, parse_activity_id
from fitness_platform.garmin.shape import Source, activity_source, parse_garmin_time, type_key

INT = pa.int64()
FLOAT = pa.float64()
STRING = pa.string()

SILVER_SCHEMA = pa.schema(
    [
        ("activity_id", INT),
        ("activity_name", STRING),
        ("activity_type", STRING),
        ("start_time_local", pa.timestamp("us")),
        ("start_time_utc", pa.timestamp("us", tz="UTC")),
        ("date", pa.date32()),
        ("date_key", INT),
        ("distance_km", FLOAT),
        ("duration_min", FLOAT),
        ("moving_min", FLOAT),
        ("elevation_gain_m", FLOAT),
        ("avg_speed_kmh", FLOAT),
        ("max_speed_kmh", FLOAT),
        ("avg_hr", FLOAT),
        ("max_hr", FLOAT),
        ("calories", FLOAT),
        ("steps", INT),
        ("training_load", FLOAT),
        ("source", STRING),
    ]
)
SILVER_COLUMNS: tuple[str, ...] = tuple(SILVER_SCHEMA.names)

GOLD_DAILY_SCHEMA = pa.schema(
    [
        ("date", pa.date32()),
        ("date_key", INT),
        ("activities", INT),
        ("distance_km", FLOAT),
        ("duration_min", FLOAT),
        ("calories", FLOAT),
        ("steps", INT),
        ("dominant_activity_type", STRING),
    ]
)
GOLD_DAILY_COLUMNS: tuple[str, ...] = tuple(GOLD_DAILY_SCHEMA.names)

# silver column -> (Garmin field, factor to the silver unit)
_MEASURES: dict[str, tuple[str, float]] = {
    "distance_km": (shape.DISTANCE, 1 / 1000),
    "duration_min": (shape.DURATION, 1 / 60),
    "moving_min": (shape.MOVING_DURATION, 1 / 60),
    "elevation_gain_m": (shape.ELEVATION_GAIN, 1.0),
    "avg_speed_kmh": (shape.AVERAGE_SPEED, 3.6),
    "max_speed_kmh": (shape.MAX_SPEED, 3.6),
    "avg_hr": (shape.AVERAGE_HR, 1.0),
    "max_hr": (shape.MAX_HR, 1.0),
    "calories": (shape.CALORIES, 1.0),
    "training_load": (shape.TRAINING_LOAD, 1.0),
}
_FLOAT_COLUMNS = tuple(_MEASURES)
_PANDAS_DTYPES: dict[str, str] = {
    "activity_id": "int64",
    "activities": "int64",
    "start_time_local": "datetime64[us]",
    "start_time_utc": "datetime64[us, UTC]",
    "date_key": "Int64",
    "steps": "Int64",
    **dict.fromkeys(_FLOAT_COLUMNS, "float64"),
}


@dataclass(frozen=True)
class SilverResult:
    """Silver rows plus everything that did not make it in unchanged.

    Attributes:
        frame: one row per ``activity_id`` with exactly :data:`SILVER_COLUMNS`.
        dropped: ``(ref, reason)`` for input records that gave no row: no valid
            ``activityId`` (``ref`` is ``"index <n>"``) or another record of the same activity
            was kept (``ref`` is the id).
        invalid_values: ``(activity_id, garmin_field, value)`` for values that were present
            but unusable and became null.
    """

    frame: pd.DataFrame
    dropped: list[tuple[int | str, str]] = field(default_factory=list)
    invalid_values: list[tuple[int, str, str]] = field(default_factory=list)


def date_key(day: date) -> int:
    """The int ``YYYYMMDD`` of a date."""
    return day.year * 10000 + day.month * 100 + day.day


def _number(
    activity: Mapping[str, Any], name: str, problems: list[tuple[str, object]]
) -> float | None:
    value = activity.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        problems.append((name, value))
        return None
    return float(value)


def _steps(activity: Mapping[str, Any], problems: list[tuple[str, object]]) -> int | None:
    value = _number(activity, shape.STEPS, problems)
    if value is None:
        return None
    if not value.is_integer():
        problems.append((shape.STEPS, activity.get(shape.STEPS)))
        return None
    return int(value)


def _time(
    activity: Mapping[str, Any], name: str, *, utc: bool, problems: list[tuple[str, object]]
) -> datetime | None:
    value = activity.get(name)
    parsed = parse_garmin_time(value, utc=utc)
    if parsed is None and value is not None:
        problems.append((name, value))
    return parsed


def _row(record: SourcedActivity, problems: list[tuple[str, object]]) -> dict[str, Any]:
    activity = record.activity
    name = activity.get(shape.NAME)
    if name is not None and not isinstance(name, str):
        problems.append((shape.NAME, name))
        name = None
    local = _time(activity, shape.START_LOCAL, utc=False, problems=problems)
    utc = _time(activity, shape.START_GMT, utc=True, problems=problems)
    day = local.date() if local is not None else None
    row: dict[str, Any] = {
        "activity_id": record.activity_id,
        "activity_name": name,
        "activity_type": type_key(activity),
        "start_time_local": local,
        "start_time_utc": utc,
        "date": day,
        "date_key": date_key(day) if day is not None else None,
        "steps": _steps(activity, problems),
        "source": record.source,
    }
    for column, (garmin_field, factor) in _MEASURES.items():
        value = _number(activity, garmin_field, problems)
        row[column] = value * factor if value is not None else None
    return row


def _typed(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(columns))
    for column in columns:
        dtype = _PANDAS_DTYPES.get(column)
        if dtype is None:
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
        elif dtype.startswith("datetime64"):
            frame[column] = pd.to_datetime(frame[column], utc="UTC" in dtype).astype(dtype)
        else:
            frame[column] = frame[column].astype(dtype)
    return frame


def build_silver(
    raw_activities: Iterable[Mapping[str, Any]], source: Source | None = None
) -> SilverResult:
    """Build ``silver/garmin_activities`` and report what was dropped or nulled.

    Args:
        raw_activities: activity summaries in Garmin's JSON shape (as stored in bronze).
        source: ``"api"`` or ``"fit"`` for every record, or ``None`` to take it from each
            record (``fit`` when it carries :data:`~fitness_platform.garmin.shape.FIT_FILE_KEY`,
            else ``api``).

    Records of the same activity collapse into one row by the rules of
    :mod:`fitness_platform.garmin.identity` (``api`` before ``fit``, then the more complete
    record, then the smallest canonical JSON), so the result does not depend on input order.
    Rows are sorted by ``activity_id``.
    """
    if source is not None and source not in shape.SOURCES:
        raise ValueError(f"source must be one of {shape.SOURCES} or None, got {source!r}")
    records: list[SourcedActivity] = []
    dropped: list[tuple[int | str, str]] = []
    for index, activity in enumerate(raw_activities):
        if not isinstance(activity, Mapping):
            dropped.append((f"index {index}", f"not an activity object: {type(activity).__name__}"))
            continue
        try:
            activity_id = parse_activity_id(activity.get(shape.ID))
        except InvalidActivityIdError as exc:
            dropped.append((f"index {index}", str(exc)))
            continue
        records.append(SourcedActivity(activity_id, source or activity_source(activity), activity))
    merged = merge_activities(records)
    dropped.extend(merged.dropped)

    rows: list[dict[str, Any]] = []
    invalid: list[tuple[int, str, str]] = []
    for record in merged.kept:
        problems: list[tuple[str, object]] = []
        rows.append(_row(record, problems))
        invalid.extend((record.activity_id, name, repr(value)[:200]) for name, value in problems)
    return SilverResult(_typed(rows, SILVER_COLUMNS), dropped, invalid)


def silver_activities(
    raw_activities: Iterable[Mapping[str, Any]], source: Source | None = None
) -> pd.DataFrame:
    """The ``silver/garmin_activities`` frame alone (see :func:`build_silver`)."""
    return build_silver(raw_activities, source).frame


def _dominant_types(silver: pd.DataFrame) -> pd.Series:
    typed = silver[silver["activity_type"].notna()]
    per_type = (
        typed.assign(duration=typed["duration_min"].fillna(0.0))
        .groupby(["date", "activity_type"], as_index=False)["duration"]
        .sum()
        .sort_values(["date", "duration", "activity_type"], ascending=[True, False, True])
    )
    return per_type.drop_duplicates("date").set_index("date")["activity_type"]


def gold_daily(silver: pd.DataFrame) -> pd.DataFrame:
    """Build ``gold/garmin_daily``: one row per local date of silver.

    ``activities`` counts the day's activities; ``distance_km``, ``duration_min``,
    ``calories`` and ``steps`` add up the values that are known, and are null only when no
    activity of the day has that measure (a yoga day has no distance, not zero distance).
    ``dominant_activity_type`` is the type with the most total ``duration_min`` that day (a
    missing duration counts as 0); a tie goes to the alphabetically first type key; activities
    without a type take no part, and it is null when none of the day's activities has one.
    Silver rows without a ``date`` cannot be placed on a day and are not counted.
    """
    dated = silver[silver["date"].notna()]
    if dated.empty:
        return _typed([], GOLD_DAILY_COLUMNS)
    days = dated.groupby("date", sort=True)
    gold = pd.DataFrame(
        {
            "activities": days.size(),
            "distance_km": days["distance_km"].sum(min_count=1),
            "duration_min": days["duration_min"].sum(min_count=1),
            "calories": days["calories"].sum(min_count=1),
            "steps": days["steps"].sum(min_count=1),
        }
    )
    gold["dominant_activity_type"] = _dominant_types(dated).reindex(gold.index)
    gold = gold.rename_axis("date").reset_index()
    gold["date_key"] = [date_key(day) for day in gold["date"]]
    return _typed(gold.to_dict("records"), GOLD_DAILY_COLUMNS)


def to_arrow(frame: pd.DataFrame, schema: pa.Schema = SILVER_SCHEMA) -> pa.Table:
    """Convert a silver (default) or gold frame to Arrow with its explicit schema.

    The frame must have exactly the schema's columns (any order); a column that is all null
    keeps its declared type.
    """
    missing = [name for name in schema.names if name not in frame.columns]
    extra = [name for name in frame.columns if name not in schema.names]
    if missing or extra:
        raise ValueError(f"columns do not match the schema: missing {missing}; unexpected {extra}")
    return pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)
