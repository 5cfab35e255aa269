"""A deliberately simple, row-by-row reference of SPEC 1.2-1.4 for the tracker tables.

It shares no code with ``fitness_platform.tracker``: plain Python loops over dicts, written from
the SPEC's sentences alone, slow and obvious on purpose. The property tests run the real
pipeline and this reference on the same random inputs and compare every column.

Scope: the record splitter below handles well-formed RFC 4180 input (a quote opens a quoted
field only at the start of a field; ``""`` inside it is one quote). Malformed quoting is tested
by hand in the unit tests, not through the reference.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

# SPEC 1.1, in the order of its table.
RAW_COLUMNS: tuple[str, ...] = (
    "user_id",
    "age",
    "gender",
    "date",
    "steps",
    "heart_rate_avg",
    "sleep_hours",
    "calories_burned",
    "exercise_minutes",
    "stress_level",
    "weight_kg",
    "bmi",
)
INT_COLUMNS = {"user_id", "age", "steps", "stress_level"}
FLOAT_COLUMNS = {
    "heart_rate_avg",
    "sleep_hours",
    "calories_burned",
    "exercise_minutes",
    "weight_kg",
    "bmi",
}
INT_RE = re.compile(r"[+-]?[0-9]+")
FLOAT_RE = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

NEGATIVE_TO_ZERO = (
    "steps",
    "heart_rate_avg",
    "sleep_hours",
    "calories_burned",
    "exercise_minutes",
    "weight_kg",
    "bmi",
)
RANGES = (
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
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

Row = dict[str, object]


@dataclass
class RefParsed:
    """What the reference makes of one file."""

    rows: list[Row] = field(default_factory=list)
    rejects: list[Row] = field(default_factory=list)
    data_records: int = 0
    failed_reason: str | None = None


# --------------------------------------------------------------------------- bronze


def split_records(text: str) -> list[tuple[str, list[str]]]:
    """Split text into (raw text without terminator, fields), character by character."""
    records: list[tuple[str, list[str]]] = []
    i, n = 0, len(text)
    while i < n:
        start = i
        fields: list[str] = []
        current: list[str] = []
        in_quotes = False
        at_field_start = True
        while i < n:
            ch = text[i]
            if in_quotes:
                if ch == '"' and i + 1 < n and text[i + 1] == '"':
                    current.append('"')
                    i += 2
                elif ch == '"':
                    in_quotes = False
                    i += 1
                else:
                    current.append(ch)
                    i += 1
                continue
            if ch == '"' and at_field_start:
                in_quotes = True
                at_field_start = False
                i += 1
            elif ch == ",":
                fields.append("".join(current))
                current = []
                at_field_start = True
                i += 1
            elif ch in "\r\n":
                break
            else:
                current.append(ch)
                at_field_start = False
                i += 1
        raw = text[start:i]
        fields.append("".join(current))
        if text.startswith("\r\n", i):
            i += 2
        elif i < n:
            i += 1
        records.append((raw, fields))
    return records


def parse_cell(column: str, text: str) -> tuple[bool, object]:
    """(parses, value) of one cell of ``column``; an empty cell is a valid null."""
    cell = text.strip()
    if cell == "":
        return True, None
    if column in INT_COLUMNS:
        if INT_RE.fullmatch(cell):
            value = int(cell)
            if -(2**63) <= value <= 2**63 - 1:
                return True, value
        return False, None
    if column in FLOAT_COLUMNS:
        if FLOAT_RE.fullmatch(cell):
            number = float(cell)
            if math.isfinite(number):
                return True, number
        return False, None
    if column == "date":
        if DATE_RE.fullmatch(cell):
            try:
                return True, date(int(cell[0:4]), int(cell[5:7]), int(cell[8:10]))
            except ValueError:
                return False, None
        return False, None
    return True, cell.upper()  # gender


def header_fault(fields: list[str]) -> str | None:
    """The bad_header reason of a header, or None."""
    names = [f.strip() for f in fields]
    lowered = [n.lower() for n in names]
    missing = [c for c in RAW_COLUMNS if c not in lowered]
    unexpected = [n for n in names if n.lower() not in RAW_COLUMNS]
    repeated = sorted({n for n in lowered if lowered.count(n) > 1})
    parts = []
    if missing:
        parts.append(f"missing {missing!r}")
    if unexpected:
        parts.append(f"unexpected {unexpected!r}")
    if repeated:
        parts.append(f"repeated {repeated!r}")
    return "bad_header: " + "; ".join(parts) if parts else None


def first_physical_line(data: bytes) -> str:
    """The first physical line without BOM and terminator, '' when it is not UTF-8."""
    end = len(data)
    for terminator in (b"\r", b"\n"):
        at = data.find(terminator)
        if at != -1:
            end = min(end, at)
    line = data[:end]
    if line.startswith(b"\xef\xbb\xbf"):
        line = line[3:]
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return ""


def parse_file(
    data: bytes,
    *,
    source_file: str,
    modified_at: datetime,
    ingested_at: datetime,
    max_row_kb: int = 64,
) -> RefParsed:
    """SPEC 1.2 for one file."""

    def failed(reason: str) -> RefParsed:
        reject = {
            "_source_file": source_file,
            "_row_number": 0,
            "raw": first_physical_line(data),
            "stage": "bronze",
            "reason": reason,
        }
        return RefParsed(rejects=[reject], failed_reason=reason)

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return failed("not_utf8")
    if text.startswith("\ufeff"):
        text = text[1:]
    records = [r for r in split_records(text) if r[0].strip() != ""]
    if not records:
        return failed("empty_file")
    header = records[0][1]
    fault = header_fault(header)
    if fault:
        return failed(fault)
    if len(records) == 1:
        return failed("empty_file")
    position = {name.strip().lower(): i for i, name in enumerate(header)}
    out = RefParsed(data_records=len(records) - 1)
    limit = max_row_kb * 1024
    for number, (raw, fields) in enumerate(records[1:], start=1):
        reason = None
        raw_out = raw
        values: Row = {}
        if len(raw.encode("utf-8")) > limit:
            reason = "row_too_long"
            raw_out = raw.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
        elif len(fields) != 12:
            reason = "unparseable:field_count"
        else:
            for column in RAW_COLUMNS:
                ok, value = parse_cell(column, fields[position[column]])
                if not ok:
                    reason = f"unparseable:{column}"
                    break
                values[column] = value
        if reason:
            out.rejects.append(
                {
                    "_source_file": source_file,
                    "_row_number": number,
                    "raw": raw_out,
                    "stage": "bronze",
                    "reason": reason,
                }
            )
        else:
            values.update(
                {
                    "_source_file": source_file,
                    "_row_number": number,
                    "_source_modified_at": modified_at,
                    "_ingested_at": ingested_at,
                }
            )
            out.rows.append(values)
    return out


# --------------------------------------------------------------------------- silver


def clean(bronze: list[Row]) -> tuple[list[Row], list[Row], dict[str, int]]:
    """Steps 1-5: (surviving rows after step 1, rejects with original values, negatives)."""
    negatives = dict.fromkeys(NEGATIVE_TO_ZERO, 0)
    rejects: list[Row] = []
    passed: list[tuple[Row, Row]] = []  # (original, cleaned)
    for original in bronze:
        cleaned = dict(original)
        for column in NEGATIVE_TO_ZERO:
            value = cleaned[column]
            if value is not None and value < 0:
                negatives[column] += 1
                cleaned[column] = 0 if column == "steps" else 0.0
        reason = row_reason(cleaned)
        if reason is None:
            passed.append((original, cleaned))
        else:
            rejects.append({**original, "stage": "silver", "reason": reason})

    groups: dict[tuple[object, object], list[tuple[Row, Row]]] = {}
    for pair in passed:
        groups.setdefault((pair[1]["user_id"], pair[1]["date"]), []).append(pair)
    survivors: list[Row] = []
    for pairs in groups.values():
        best = pairs[0]
        for pair in pairs[1:]:
            if winner_key(pair[1]) > winner_key(best[1]):
                best = pair
        survivors.append(best[1])
        rejects.extend(
            {**original, "stage": "silver", "reason": "duplicate"}
            for original, cleaned in pairs
            if cleaned is not best[1]
        )
    return survivors, rejects, negatives


def row_reason(row: Row) -> str | None:
    """The reason of steps 2-4 for a row whose step-1 values are applied, or None."""
    if row["user_id"] is None or row["date"] is None:
        return "missing_key"
    if row["gender"] not in ("F", "M"):
        return "out_of_range:gender"
    for column, low, high in RANGES:
        value = row[column]
        if value is None or not (low <= value <= high):
            return f"out_of_range:{column}"
    if row["steps"] == 0:
        return "zero_steps"
    return None


def winner_key(row: Row) -> tuple[object, ...]:
    """Greater wins: (_ingested_at, _source_modified_at, _source_file, _row_number)."""
    return (
        row["_ingested_at"],
        row["_source_modified_at"],
        row["_source_file"],
        row["_row_number"],
    )


def features(survivors: list[Row]) -> list[Row]:
    """Every silver feature, one user-day at a time, looking other days up by date."""
    by_user: dict[object, dict[date, Row]] = {}
    for row in survivors:
        by_user.setdefault(row["user_id"], {})[row["date"]] = row
    out: list[Row] = []
    for row in survivors:
        days = by_user[row["user_id"]]
        d: date = row["date"]
        steps, sleep, bmi = row["steps"], row["sleep_hours"], row["bmi"]
        if steps < 5_000:
            level = "sedentary"
        elif steps < 10_000:
            level = "light"
        elif steps < 15_000:
            level = "moderate"
        else:
            level = "active"
        if 0 <= sleep < 6:
            quality = "poor"
        elif 6 <= sleep < 8:
            quality = "fair"
        elif 8 <= sleep < 10:
            quality = "good"
        else:
            quality = "excellent"
        if bmi < 18.5:
            category = "underweight"
        elif bmi < 25:
            category = "normal"
        elif bmi < 30:
            category = "overweight"
        else:
            category = "obese"
        height_m = math.sqrt(row["weight_kg"] / bmi)
        height_cm = 100 * height_m
        bmr = (
            10 * row["weight_kg"]
            + 6.25 * height_cm
            - 5 * row["age"]
            + (5 if row["gender"] == "M" else -161)
        )
        window = [days[day] for day in (d - timedelta(days=k) for k in range(30)) if day in days]
        yesterday = days.get(d - timedelta(days=1))
        month_ago = days.get(d - timedelta(days=30))
        raw_change = None if month_ago is None else row["weight_kg"] - month_ago["weight_kg"]
        out.append(
            {
                **row,
                "activity_level": level,
                "activity_level_sedentary": level == "sedentary",
                "activity_level_light": level == "light",
                "activity_level_moderate": level == "moderate",
                "activity_level_active": level == "active",
                "sleep_quality": quality,
                "bmi_category": category,
                "year": d.year,
                "month": d.month,
                "day": d.day,
                "weekday": WEEKDAY_NAMES[d.weekday()],
                "weekday_num": d.weekday(),
                "is_weekend": d.weekday() in (5, 6),
                "date_key": int(d.strftime("%Y%m%d")),
                "height_m": height_m,
                "height_cm": height_cm,
                "bmr": bmr,
                "caloric_balance": row["calories_burned"] - bmr,
                "ra30_steps": mean([r["steps"] for r in window]),
                "ra30_calories": mean([r["calories_burned"] for r in window]),
                "ra30_ex_minutes": mean([r["exercise_minutes"] for r in window]),
                "ra30_stress": mean([r["stress_level"] for r in window]),
                "ra30_days": len(window),
                "yesterday_stress": None if yesterday is None else yesterday["stress_level"],
                "yesterday_sleep": None if yesterday is None else yesterday["sleep_hours"],
                "weight_change_30d_raw": raw_change,
                "weight_change_30d": (
                    None if raw_change is None else min(5.0, max(-5.0, raw_change))
                ),
                "weight_change_clamped": raw_change is not None and abs(raw_change) > 5,
                "stress_change_30d": (
                    None if month_ago is None else row["stress_level"] - month_ago["stress_level"]
                ),
            }
        )
    return out


def mean(values: list[float]) -> float:
    """Arithmetic mean as a float."""
    return math.fsum(values) / len(values)


@dataclass
class RefSilver:
    """The reference's silver tables."""

    daily_activity: list[Row]
    rejects: list[Row]
    negatives: dict[str, int]


def silver(bronze: list[Row]) -> RefSilver:
    """SPEC 1.3 on bronze rows."""
    survivors, rejects, negatives = clean(bronze)
    return RefSilver(daily_activity=features(survivors), rejects=rejects, negatives=negatives)


# --------------------------------------------------------------------------- gold


def gold(silver_rows: list[Row]) -> dict[str, list[Row]]:
    """SPEC 1.4: the four star-schema tables. ``avg_*`` are NOT rounded here (see tests)."""
    users: dict[object, list[Row]] = {}
    for row in silver_rows:
        users.setdefault(row["user_id"], []).append(row)
    dim_user = []
    for user_id, rows in users.items():
        latest = max(rows, key=lambda r: r["date"])
        dim_user.append(
            {
                "user_id": user_id,
                "age": latest["age"],
                "gender": latest["gender"],
                "avg_height_cm": mean([r["height_cm"] for r in rows]),
                "avg_weight_kg": mean([r["weight_kg"] for r in rows]),
                "avg_bmi": mean([r["bmi"] for r in rows]),
                "avg_bmr": mean([r["bmr"] for r in rows]),
                "first_date": min(r["date"] for r in rows),
                "last_date": max(r["date"] for r in rows),
                "days_observed": len(rows),
            }
        )
    dim_date = []
    if silver_rows:
        day = min(r["date"] for r in silver_rows)
        last = max(r["date"] for r in silver_rows)
        while day <= last:
            iso_year, iso_week, iso_weekday = day.isocalendar()
            dim_date.append(
                {
                    "date_key": day.year * 10_000 + day.month * 100 + day.day,
                    "date": day,
                    "day": day.day,
                    "month": day.month,
                    "year": day.year,
                    "quarter": (day.month + 2) // 3,
                    "iso_year": iso_year,
                    "iso_week": iso_week,
                    "weekday": WEEKDAY_NAMES[iso_weekday - 1],
                    "weekday_num": iso_weekday - 1,
                    "is_weekend": iso_weekday >= 6,
                }
            )
            day += timedelta(days=1)
    activity_columns = (
        "user_id",
        "date_key",
        "date",
        "steps",
        "exercise_minutes",
        "calories_burned",
        "activity_level",
        "sleep_quality",
    )
    fact_columns = (
        "user_id, date_key, age, gender, sleep_hours, heart_rate_avg, stress_level, steps, "
        "exercise_minutes, calories_burned, weight_kg, bmi, height_cm, bmr, caloric_balance, "
        "ra30_steps, ra30_calories, ra30_ex_minutes, ra30_stress, ra30_days, weight_change_30d, "
        "weight_change_30d_raw, stress_change_30d, yesterday_stress, yesterday_sleep, "
        "activity_level, sleep_quality, bmi_category, month, year, day, weekday, weekday_num, "
        "is_weekend"
    ).split(", ")
    return {
        "gold/dim_user": dim_user,
        "gold/dim_date": dim_date,
        "gold/dim_activity": [{c: r[c] for c in activity_columns} for r in silver_rows],
        "gold/fact_daily": [{c: r[c] for c in fact_columns} for r in silver_rows],
    }
