"""Arrow schemas of the WOD tables and conversions between session records and tables.

No Dagster here. Stored types follow the platform's rules (SPEC 1.6 by analogy): dates are
``date32``, counts ``int64``, the percentage ``float64``, text ``string``. The JSON Lines,
JSON and DynamoDB forms keep ISO date strings, as the parser produces them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import pyarrow as pa

from fitness_platform.wod.parser import SESSION_FIELDS, TEXT_FIELDS
from fitness_platform.wod.weekly import LIFT_STEMS, WEEKLY_FIELDS

_DATE_FIELDS = ("date", "week_start", "week_end")

SESSIONS_SCHEMA = pa.schema(
    [
        pa.field("date", pa.date32(), nullable=False),
        pa.field("weekday", pa.string()),
        pa.field("session", pa.string(), nullable=False),
        *(pa.field(name, pa.string()) for name in TEXT_FIELDS),
        pa.field("post_id", pa.int64()),
        pa.field("slug", pa.string()),
        pa.field("week_start", pa.date32()),
        pa.field("week_end", pa.date32()),
    ]
)

WEEKLY_SCHEMA = pa.schema(
    [
        pa.field("week_start", pa.date32(), nullable=False),
        pa.field("week_end", pa.date32(), nullable=False),
        *(pa.field(name, pa.int64()) for name in ("iso_year", "iso_week")),
        *(pa.field(name, pa.int64()) for name in ("sessions", "rest_days", "segments")),
        *(pa.field(f"lift_{stem}", pa.int64()) for stem in LIFT_STEMS),
        pa.field("max_pct_1rm", pa.float64()),
    ]
)

SESSION_DESCRIPTIONS: dict[str, str] = {
    "date": "Calendar day of the session: the week's Monday plus the weekday's offset.",
    "weekday": "English weekday name from the post's day header (Monday ... Sunday).",
    "session": "Session One ... (as numbered in the post), Session, or Rest Day.",
    "warm_up": "Text of the Suggested Warm-Up segment; empty when the day has none.",
    **{
        f"segment_{letter}": f"Text of segment {letter.upper()}; empty string when absent."
        for letter in "abcdef"
    },
    "post_id": "WordPress id of the post the session comes from.",
    "slug": "WordPress slug of that post.",
    "week_start": "Monday of the post's week (from slug, title or publication date).",
    "week_end": "Sunday of the post's week.",
}

WEEKLY_DESCRIPTIONS: dict[str, str] = {
    "week_start": "Monday of the week.",
    "week_end": "Sunday of the week.",
    "iso_year": "ISO year of week_start.",
    "iso_week": "ISO week number of week_start.",
    "sessions": "Records of the week that are not a Rest Day.",
    "rest_days": "Rest Day records of the week.",
    "segments": "Non-empty segments A-F of the week (the warm-up excluded).",
    **{
        f"lift_{stem}": f"Words starting with '{stem}' in segments A-F (case-insensitive)."
        for stem in LIFT_STEMS
    },
    "max_pct_1rm": "Largest N of 'N% of 1-RM' or 'M-N% of 1-RM' in segments A-F; null if none.",
}


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def sessions_table(records: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Session records (ISO date strings) as a table with :data:`SESSIONS_SCHEMA`."""
    rows = [
        {
            name: date.fromisoformat(str(record[name])) if name in _DATE_FIELDS else record[name]
            for name in SESSION_FIELDS
        }
        for record in records
    ]
    return pa.Table.from_pylist(rows, schema=SESSIONS_SCHEMA)


def session_records(table: pa.Table) -> list[dict[str, Any]]:
    """The rows of a sessions table as parser-shaped records (dates as ISO strings)."""
    return [
        {name: _iso(value) if name in _DATE_FIELDS else value for name, value in row.items()}
        for row in table.select(list(SESSION_FIELDS)).to_pylist()
    ]


def weekly_table(summaries: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Weekly summary rows as a table with :data:`WEEKLY_SCHEMA`."""
    rows = [
        {
            name: date.fromisoformat(str(row[name])) if name in _DATE_FIELDS else row[name]
            for name in WEEKLY_FIELDS
        }
        for row in summaries
    ]
    return pa.Table.from_pylist(rows, schema=WEEKLY_SCHEMA)
