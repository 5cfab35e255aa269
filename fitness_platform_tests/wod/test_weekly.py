"""Weekly summaries: lift mentions, the highest %1-RM, and the per-week file keys."""

from __future__ import annotations

import json
from datetime import date

import pytest

from fitness_platform.wod.parser import SESSION_FIELDS, parse_post
from fitness_platform.wod.weekly import (
    LIFT_STEMS,
    WEEKLY_FIELDS,
    count_lifts,
    max_pct_1rm,
    sessions_jsonl_key,
    sessions_to_jsonl,
    weekly_json_key,
    weekly_summaries,
    weekly_to_json,
)
from fitness_platform_tests.wod.posts import make_post, week_post


def only(**counts: int) -> dict[str, int]:
    return {stem: counts.get(stem, 0) for stem in LIFT_STEMS}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Clean & Jerk x 1", only(clean=1, jerk=1)),
        ("Strict Pull-ups x 8", only(pull=1)),
        ("Clean Pull x 3", only(clean=1, pull=1)),
        ("Deadlift x 5 @ 60% of 1-RM Deadlift", only(deadlift=2)),
        ("Snatch-Grip Deadlift", only(snatch=1, deadlift=1)),
        ("SNATCHES, cleans and Front Squats", only(snatch=1, clean=1, squat=1)),
        ("Push Press, Sots Press, Press in Split", only(press=3)),
        ("compression socks, an unclean bar, impressive lifting", only()),
        ("(Slow Pull Clean + Jerk) @ 70% of 1-RM Clean & Jerk", only(clean=2, jerk=2, pull=1)),
    ],
)
def test_count_lifts(text: str, expected: dict[str, int]) -> None:
    assert count_lifts(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Snatch @ 75-80% of 1-RM Snatch", 80.0),
        ("Squat @ 85 % of 1RM", 85.0),
        ("keep under 55% of your 1-RM Snatch", 55.0),
        ("Front Squat @ 72.5% of 1 RM", 72.5),
        ("Jerk @ 70%-78% of 1-rm Jerk", 78.0),
        ("Pulls @ 100–105% of 1-Rep Max", 105.0),
        ("@ 60% of 1-RM, then 90% of 1-RM, then 85% of 1-RM", 90.0),
        ("Back Squat @ 85-90%", None),
        ("establish a 1-RM Back Squat", None),
        ("", None),
    ],
)
def test_max_pct_1rm(text: str, expected: float | None) -> None:
    assert max_pct_1rm(text) == expected


def test_weekly_summary_of_the_fixture_week() -> None:
    (row,) = weekly_summaries(parse_post(week_post()))
    assert tuple(row) == WEEKLY_FIELDS
    assert row == {
        "week_start": "2021-03-08",
        "week_end": "2021-03-14",
        "iso_year": 2021,
        "iso_week": 10,
        "sessions": 5,
        "rest_days": 1,
        # Monday A-F, Tuesday A-B, Wednesday, Friday and Saturday A; warm-ups excluded.
        "segments": 11,
        # Warm-up mentions (Goblet Squats, Muscle Snatch, Overhead Squat) are not counted.
        "lift_snatch": 5,
        "lift_clean": 3,
        "lift_jerk": 3,
        "lift_squat": 3,
        "lift_deadlift": 3,
        "lift_press": 2,
        "lift_pull": 2,
        # 95-105% of your 1-RM Clean; Saturday's 85-90% has no "of 1-RM".
        "max_pct_1rm": 105.0,
    }


def test_weekly_summaries_one_row_per_week_in_order() -> None:
    across_year = make_post(
        2002,
        slug="december-28-2020-january-3-2021-program",
        title="x",
        content="<p><strong>Friday (Session One)</strong><br />A.<br />Snatch</p>",
    )
    rows = weekly_summaries(parse_post(week_post()) + parse_post(across_year))
    assert [(r["week_start"], r["iso_year"], r["iso_week"], r["sessions"]) for r in rows] == [
        ("2020-12-28", 2020, 53, 1),
        ("2021-03-08", 2021, 10, 5),
    ]
    assert rows[0]["max_pct_1rm"] is None


@pytest.mark.parametrize(
    ("start", "end", "year", "week"),
    [
        (date(2020, 12, 21), date(2020, 12, 27), "2020", "52"),
        (date(2020, 12, 28), date(2021, 1, 3), "2020", "53"),
        (date(2021, 1, 4), date(2021, 1, 10), "2021", "01"),
        (date(2024, 12, 30), date(2025, 1, 5), "2025", "01"),
    ],
)
def test_week_keys(start: date, end: date, year: str, week: str) -> None:
    stem = f"{year}/week_{week}--{start}__{end}"
    assert sessions_jsonl_key(start, end) == f"silver/wod/sessions/{stem}.jsonl"
    assert weekly_json_key(start.isoformat(), end.isoformat()) == f"gold/wod/weekly/{stem}.json"


def test_week_keys_refuse_reversed_or_bad_dates() -> None:
    with pytest.raises(ValueError, match="before week_start"):
        sessions_jsonl_key("2021-03-14", "2021-03-08")
    with pytest.raises(ValueError):
        weekly_json_key("2021-02-30", "2021-03-07")


def test_sessions_to_jsonl_groups_per_week_sorted() -> None:
    across_year = make_post(
        2002,
        slug="december-28-2020-january-3-2021-program",
        content="<p><strong>Saturday (Session Two)</strong><br />A.<br />Jerk</p>"
        "<p><strong>Monday (Session One)</strong><br />A.<br />Clean</p>",
    )
    records = parse_post(week_post()) + parse_post(across_year)
    files = sessions_to_jsonl(reversed(records))
    assert sorted(files) == [
        "silver/wod/sessions/2020/week_53--2020-12-28__2021-01-03.jsonl",
        "silver/wod/sessions/2021/week_10--2021-03-08__2021-03-14.jsonl",
    ]
    text = files["silver/wod/sessions/2020/week_53--2020-12-28__2021-01-03.jsonl"]
    assert text.endswith("\n")
    lines = [json.loads(line) for line in text.splitlines()]
    assert [(r["date"], r["session"]) for r in lines] == [
        ("2020-12-28", "Session One"),
        ("2021-01-02", "Session Two"),
    ]
    assert all(tuple(r) == SESSION_FIELDS for r in lines)
    march = files["silver/wod/sessions/2021/week_10--2021-03-08__2021-03-14.jsonl"]
    assert "Followed by…" in march  # UTF-8 text kept, not \\u escapes
    assert len(march.splitlines()) == 6


def test_weekly_to_json_one_file_per_week() -> None:
    rows = weekly_summaries(parse_post(week_post()))
    files = weekly_to_json(rows)
    key = "gold/wod/weekly/2021/week_10--2021-03-08__2021-03-14.json"
    assert list(files) == [key]
    assert json.loads(files[key]) == rows[0]
