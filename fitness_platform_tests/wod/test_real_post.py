"""Conformance: the real Invictus post of the week of 2020-12-21 (read from shared/, not copied).

Skipped when ``shared/fixtures/real/`` is not beside the repository.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fitness_platform.wod.bronze import raw_post_key
from fitness_platform.wod.dynamo_items import item_to_record, record_to_item
from fitness_platform.wod.parser import (
    SEGMENT_FIELDS,
    html_to_lines,
    parse_posts,
    week_range_from_slug,
    week_range_from_title,
)
from fitness_platform.wod.posts import post_title_text
from fitness_platform.wod.weekly import sessions_to_jsonl, weekly_summaries

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "real"
POST_FILE = REAL / "invictus_post_2020-12-21.json"


@pytest.fixture(scope="module")
def post() -> dict[str, Any]:
    if not POST_FILE.is_file():
        pytest.skip(f"real sample {POST_FILE} is absent (shared/fixtures/real not beside the repo)")
    return json.loads(POST_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def records(post: dict[str, Any]) -> list[dict[str, Any]]:
    result = parse_posts([post])
    assert result.rejects == []
    return result.records


def test_real_post_days_and_sessions(records: list[dict[str, Any]]) -> None:
    assert [(r["date"], r["weekday"], r["session"]) for r in records] == [
        ("2020-12-21", "Monday", "Session One"),
        ("2020-12-22", "Tuesday", "Session Two"),
        ("2020-12-23", "Wednesday", "Session Three"),
        ("2020-12-24", "Thursday", "Rest Day"),
        ("2020-12-25", "Friday", "Session Four"),
        ("2020-12-26", "Saturday", "Session Five"),
    ]
    assert {(r["post_id"], r["week_start"], r["week_end"]) for r in records} == {
        (94860, "2020-12-21", "2020-12-27")
    }


def test_real_post_segments(records: list[dict[str, Any]]) -> None:
    filled = {r["weekday"]: [f for f in ("warm_up", *SEGMENT_FIELDS) if r[f]] for r in records}
    a_to_e = ["segment_a", "segment_b", "segment_c", "segment_d", "segment_e"]
    assert filled == {
        "Monday": ["warm_up", *a_to_e],
        "Tuesday": ["warm_up", *a_to_e],
        "Wednesday": ["warm_up", *a_to_e],
        "Thursday": [],
        "Friday": ["warm_up", *a_to_e],
        # Saturday has no "Suggested Warm-Up"; its numbered notes precede A. and belong nowhere.
        "Saturday": a_to_e,
    }
    monday, tuesday = records[0], records[1]
    assert monday["warm_up"].startswith("Single Arm DB or KB Overhead Walking Lunge (Light)")
    assert monday["segment_a"].startswith(
        "Every minute, on the minute, for 3 minutes (3 sets): Snatch Press from Receiving x 4 reps"
    )
    assert monday["segment_d"] == "In 24 minutes, establish a 1-RM Back Squat"
    assert "don’t go over" in tuesday["segment_a"]
    assert "Followed by… Every 2 minutes" in tuesday["segment_a"]
    assert "@ 70% of 1-RM Clean & Jerk" in tuesday["segment_b"]
    assert "Take 5 minutes" not in json.dumps(records[5], ensure_ascii=False)
    for record in records:
        for name in ("warm_up", *SEGMENT_FIELDS):
            text = record[name]
            assert "<" not in text and "&#" not in text and "\xa0" not in text
            assert "  " not in text and text == text.strip()


def test_real_post_week_sources_agree(post: dict[str, Any]) -> None:
    week = week_range_from_slug(post["slug"])
    assert week is not None
    assert week_range_from_title(post_title_text(post)) == week
    assert html_to_lines(post["content"]["rendered"])[0] == "Monday (Session One)"


def test_real_post_weekly_summary_and_outputs(
    post: dict[str, Any], records: list[dict[str, Any]]
) -> None:
    (row,) = weekly_summaries(records)
    assert row == {
        "week_start": "2020-12-21",
        "week_end": "2020-12-27",
        "iso_year": 2020,
        "iso_week": 52,
        "sessions": 5,
        "rest_days": 1,
        "segments": 25,
        # Counted by hand in segments A-E, e.g. pull = 4 "Slow Pull", 1 "High Pull",
        # 1 "Pull-Ups"; deadlift = Tuesday D's "Deadlift ... of your 1-RM Deadlift".
        "lift_snatch": 23,
        "lift_clean": 14,
        "lift_jerk": 9,
        "lift_squat": 6,
        "lift_deadlift": 2,
        "lift_press": 4,
        "lift_pull": 6,
        # Saturday C: "83-88% of 1-RM Power Snatch"; Saturday D's "85-90%" names no 1-RM.
        "max_pct_1rm": 88.0,
    }
    assert list(sessions_to_jsonl(records)) == [
        "silver/wod/sessions/2020/week_52--2020-12-21__2020-12-27.jsonl"
    ]
    assert raw_post_key(post) == (
        "bronze/wod/raw/2020/12/"
        "2020-12-20__december-21-27-2020-5-day-weightlifting-program__raw.json"
    )
    assert [item_to_record(record_to_item(r)) for r in records] == records
