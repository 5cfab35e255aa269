"""Weekly WOD summaries (gold ``gold/wod_weekly``) and the per-week silver/gold file keys.

Decisions (SPEC 3 leaves them open):

- ``sessions`` counts records whose session is not ``Rest Day``; ``rest_days`` counts the
  ``Rest Day`` records.
- ``segments`` counts non-empty ``segment_a`` ... ``segment_f`` texts; the warm-up is not a
  segment of the programme and is **excluded**.
- Lift counts and ``max_pct_1rm`` read the same texts, segments A-F only: the prescribed work,
  not the empty-bar warm-up drills ("8 Back Squat, 8 Deadlift, 8 Press") that repeat daily.
- A lift is counted once per word that starts with its stem, case-insensitively, at a word
  boundary: ``Snatches`` is a snatch, ``Pull-ups`` one pull, ``Clean & Jerk`` one clean and one
  jerk, ``Clean Pull`` one clean and one pull, ``Deadlift`` one deadlift and nothing else
  (``lift`` is not a stem, and ``dead...`` is no other stem), ``Push Press`` one press; a stem
  inside a word (``compress``, ``unclean``) is not a lift. These are textual mentions, so the
  lift named in ``@ 80% of 1-RM Power Clean`` counts too.
- ``max_pct_1rm`` is the largest N of ``N%`` or ``M-N%`` (also ``M%-N%``, en dash) followed by
  ``of 1-RM``, where spacing is free, an article may stand between (``of your 1-RM``) and the
  RM may be written ``1RM``, ``1 RM``, ``1-RM``, ``one-RM`` or ``1-rep max``, any case. A
  percentage not tied to a 1-RM (``@ 85-90%``) does not count. ``None`` when the week has none.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from fitness_platform.wod.parser import REST_DAY, SEGMENT_FIELDS, record_sort_key

LIFT_STEMS: tuple[str, ...] = ("snatch", "clean", "jerk", "squat", "deadlift", "press", "pull")
LIFT_FIELDS: tuple[str, ...] = tuple(f"lift_{stem}" for stem in LIFT_STEMS)
WEEKLY_FIELDS: tuple[str, ...] = (
    "week_start",
    "week_end",
    "iso_year",
    "iso_week",
    "sessions",
    "rest_days",
    "segments",
    *LIFT_FIELDS,
    "max_pct_1rm",
)
SESSIONS_PREFIX = "silver/wod/sessions"
WEEKLY_PREFIX = "gold/wod/weekly"

_LIFT = re.compile(r"\b(" + "|".join(LIFT_STEMS) + r")\w*", re.IGNORECASE)
_NUMBER = r"\d+(?:\.\d+)?"
_DASH = "[-\u2010\u2011\u2012\u2013\u2014]"
_PCT_OF_1RM = re.compile(
    rf"(?:(?P<low>{_NUMBER})\s*%?\s*{_DASH}\s*)?(?P<high>{_NUMBER})\s*%\s*"
    rf"of\s+(?:(?:your|the|their|a|an)\s+)?(?:1|one)\s*{_DASH}?\s*(?:rm\b|rep\s*max)",
    re.IGNORECASE,
)


def count_lifts(text: str) -> dict[str, int]:
    """Mentions of each lift stem in ``text`` (rules in the module docstring).

    Args:
        text: Any text, e.g. one segment.

    Returns:
        ``{stem: count}`` for every stem of :data:`LIFT_STEMS`, zeros included.
    """
    counts = dict.fromkeys(LIFT_STEMS, 0)
    for match in _LIFT.finditer(text):
        counts[match.group(1).lower()] += 1
    return counts


def max_pct_1rm(text: str) -> float | None:
    """The largest percentage of a 1-RM prescribed in ``text``, or ``None``.

    Args:
        text: Any text, e.g. one segment.

    Returns:
        The largest N of ``N% of 1-RM`` / ``M-N% of 1-RM`` (the larger of M and N), as a float.
    """
    values = [
        float(number)
        for match in _PCT_OF_1RM.finditer(text)
        for number in (match.group("low"), match.group("high"))
        if number is not None
    ]
    return max(values) if values else None


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _week_stem(week_start: date | str, week_end: date | str) -> tuple[str, str]:
    start, end = _as_date(week_start), _as_date(week_end)
    if end < start:
        raise ValueError(f"week_end {end} is before week_start {start}")
    iso = start.isocalendar()
    return str(iso.year), f"week_{iso.week:02d}--{start.isoformat()}__{end.isoformat()}"


def sessions_jsonl_key(week_start: date | str, week_end: date | str) -> str:
    """``silver/wod/sessions/{iso_year}/week_{iso_week:02}--{week_start}__{week_end}.jsonl``.

    ISO year and week are those of ``week_start``.
    """
    year, stem = _week_stem(week_start, week_end)
    return f"{SESSIONS_PREFIX}/{year}/{stem}.jsonl"


def weekly_json_key(week_start: date | str, week_end: date | str) -> str:
    """``gold/wod/weekly/{iso_year}/week_{iso_week:02}--{week_start}__{week_end}.json``."""
    year, stem = _week_stem(week_start, week_end)
    return f"{WEEKLY_PREFIX}/{year}/{stem}.json"


def group_by_week(
    records: Iterable[Mapping[str, Any]],
) -> dict[tuple[str, str], list[Mapping[str, Any]]]:
    """Records grouped by (week_start, week_end), weeks in date order, records sorted."""
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for record in records:
        groups[(str(record["week_start"]), str(record["week_end"]))].append(record)
    return {week: sorted(groups[week], key=record_sort_key) for week in sorted(groups)}


def summarise_week(
    week_start: str, week_end: str, records: Iterable[Mapping[str, Any]]
) -> dict[str, Any]:
    """The gold row of one week (fields of :data:`WEEKLY_FIELDS`).

    Args:
        week_start: ISO date of the week's Monday.
        week_end: ISO date of the week's Sunday.
        records: That week's session records.

    Returns:
        One summary row.
    """
    iso = _as_date(week_start).isocalendar()
    sessions = rest_days = segments = 0
    lifts = dict.fromkeys(LIFT_STEMS, 0)
    best: float | None = None
    for record in records:
        if record["session"] == REST_DAY:
            rest_days += 1
        else:
            sessions += 1
        for name in SEGMENT_FIELDS:
            text = str(record.get(name) or "")
            if not text:
                continue
            segments += 1
            for stem, count in count_lifts(text).items():
                lifts[stem] += count
            pct = max_pct_1rm(text)
            if pct is not None and (best is None or pct > best):
                best = pct
    return {
        "week_start": week_start,
        "week_end": week_end,
        "iso_year": iso.year,
        "iso_week": iso.week,
        "sessions": sessions,
        "rest_days": rest_days,
        "segments": segments,
        **{f"lift_{stem}": count for stem, count in lifts.items()},
        "max_pct_1rm": best,
    }


def weekly_summaries(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One summary row per week of session records, weeks in date order.

    Args:
        records: Silver session records (from :func:`fitness_platform.wod.parser.parse_posts`).

    Returns:
        Rows with the fields of :data:`WEEKLY_FIELDS` (see the module docstring for the rules).
    """
    return [
        summarise_week(start, end, week_records)
        for (start, end), week_records in group_by_week(records).items()
    ]


def sessions_to_jsonl(records: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """The silver JSON Lines files: ``{key: text}``, one file per week.

    Each line is one record (``json.dumps``, UTF-8 text kept as is), sorted by date and
    session; every file ends with a newline.
    """
    return {
        sessions_jsonl_key(start, end): "".join(
            json.dumps(dict(record), ensure_ascii=False) + "\n" for record in week_records
        )
        for (start, end), week_records in group_by_week(records).items()
    }


def weekly_to_json(summaries: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """The gold JSON files: ``{key: text}``, one indented JSON object per week."""
    return {
        weekly_json_key(row["week_start"], row["week_end"]): json.dumps(
            dict(row), ensure_ascii=False, indent=2
        )
        + "\n"
        for row in summaries
    }
