"""Pure helpers of the WOD wiring: check rules, file sync, tables, summary text, settings."""

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from fitness_platform.defs.wod.notify import format_summary
from fitness_platform.settings import SettingsError, load_settings
from fitness_platform.storage.lake import Lake
from fitness_platform.wod import quality
from fitness_platform.wod.files import sync_files
from fitness_platform.wod.parser import parse_posts
from fitness_platform.wod.tables import (
    SESSIONS_SCHEMA,
    WEEKLY_SCHEMA,
    session_records,
    sessions_table,
    weekly_table,
)
from fitness_platform.wod.weekly import weekly_summaries
from fitness_platform_tests.wod_defs.weeks import week_posts


def record(day: str, session: str, weekday: str = "Monday", **extra: Any) -> dict[str, Any]:
    base = {
        "date": day,
        "weekday": weekday,
        "session": session,
        "post_id": 1,
        "week_start": "2021-03-08",
        "week_end": "2021-03-14",
    }
    return base | extra


def test_duplicate_keys_names_the_repeated_pairs() -> None:
    records = [
        record("2021-03-08", "Session One"),
        record("2021-03-08", "Session One"),
        record("2021-03-08", "Session Two"),
    ]
    assert quality.duplicate_keys(records) == [
        {"date": "2021-03-08", "session": "Session One", "records": 2}
    ]
    assert quality.duplicate_keys(records[1:]) == []


def test_dates_outside_week_flags_only_dates_past_either_end() -> None:
    inside = [record("2021-03-08", "Session One"), record("2021-03-14", "Rest Day")]
    before = record("2021-03-07", "Session One")
    after = record("2021-03-15", "Session One")
    found = quality.dates_outside_week([*inside, before, after])
    assert [f["date"] for f in found] == ["2021-03-07", "2021-03-15"]


def test_weekday_collisions_allow_numbered_sessions_only() -> None:
    numbered = [record("2021-03-08", "Session One"), record("2021-03-08", "Session Two")]
    assert quality.weekday_collisions(numbered) == []
    rest_and_work = [
        record("2021-03-11", "Rest Day", "Thursday"),
        record("2021-03-11", "Session Four", "Thursday"),
    ]
    assert quality.weekday_collisions(rest_and_work) == [
        {
            "week_start": "2021-03-08",
            "weekday": "Thursday",
            "sessions": ["Rest Day", "Session Four"],
        }
    ]
    unnamed = [record("2021-03-08", "Session"), record("2021-03-08", "Session One")]
    assert len(quality.weekday_collisions(unnamed)) == 1
    assert quality.is_numbered_session("Session 2")
    assert not quality.is_numbered_session("Session")
    assert not quality.is_numbered_session("Rest Day")


def test_the_fixture_weeks_pass_every_rule() -> None:
    records = parse_posts(week_posts()).records
    assert quality.duplicate_keys(records) == []
    assert quality.dates_outside_week(records) == []
    assert quality.weekday_collisions(records) == []


def test_sync_files_writes_changes_only_and_removes_stale_files(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path))
    lake.write_text("p/2020/old.jsonl", "gone\n")
    lake.write_text("p/notes.txt", "not ours\n")
    first = sync_files(lake, "p", ".jsonl", {"p/2021/a.jsonl": "a\n", "p/2021/b.jsonl": "b\n"})
    assert first.written == ["p/2021/a.jsonl", "p/2021/b.jsonl"]
    assert first.removed == ["p/2020/old.jsonl"]
    assert lake.list("p") == ["p/2021/a.jsonl", "p/2021/b.jsonl", "p/notes.txt"]

    second = sync_files(lake, "p", ".jsonl", {"p/2021/a.jsonl": "a\n", "p/2021/b.jsonl": "B\n"})
    assert second.unchanged == ["p/2021/a.jsonl"]
    assert second.written == ["p/2021/b.jsonl"]
    assert lake.read_text("p/2021/b.jsonl") == "B\n"

    with pytest.raises(ValueError, match="not under p/"):
        sync_files(lake, "p", ".jsonl", {"elsewhere/x.jsonl": ""})


def test_tables_have_explicit_types_and_round_trip() -> None:
    records = parse_posts(week_posts()).records
    table = sessions_table(records)
    assert table.schema == SESSIONS_SCHEMA
    assert table.schema.field("date").type == pa.date32()
    assert table.schema.field("post_id").type == pa.int64()
    assert session_records(table) == records
    empty = sessions_table([])
    assert empty.schema == SESSIONS_SCHEMA and empty.num_rows == 0

    weekly = weekly_table(weekly_summaries(records))
    assert weekly.schema == WEEKLY_SCHEMA
    assert weekly.num_rows == 3
    # A week without any "% of 1-RM" keeps a typed null rather than an untyped column.
    assert weekly_table([]).schema.field("max_pct_1rm").type == pa.float64()


def test_summary_lists_each_week_written() -> None:
    counts = {
        "posts_fetched": 2,
        "posts_written": 1,
        "posts_updated": 1,
        "posts_skipped": 0,
        "posts_rejected": 0,
        "sessions": 12,
        "rejects": 0,
        "weeks": 2,
        "weeks_written": [
            {"week_start": "2021-03-08", "week_end": "2021-03-14", "sessions": 5, "rest_days": 1},
            {"week_start": "2021-03-15", "week_end": "2021-03-21", "sessions": 4, "rest_days": 2},
        ],
        "sessions_written": 9,
        "rest_days_written": 3,
        "dynamodb_table": "wod-sessions-dev",
        "dynamodb_items_written": 12,
    }
    subject, body = format_summary("run-1", counts)
    assert subject == "[fitness_platform] WOD run complete: 2 week(s), 9 session(s), 3 rest day(s)"
    assert "2021-03-08 to 2021-03-14: 5 session(s), 1 rest day(s)" in body
    assert "2021-03-15 to 2021-03-21: 4 session(s), 2 rest day(s)" in body
    assert "wod-sessions-dev: 12 item(s)" in body
    assert "run-1" in body


def test_wordpress_settings_are_validated() -> None:
    settings = load_settings(
        {
            "FITNESS_WORDPRESS_URL": "https://example.org",
            "FITNESS_WORDPRESS_PER_PAGE": "20",
            "FITNESS_WORDPRESS_MAX_POSTS": "50",
            "FITNESS_WORDPRESS_MAX_PAGES": "3",
        }
    )
    assert (settings.wordpress_per_page, settings.wordpress_max_posts) == (20, 50)
    assert settings.wordpress_max_pages == 3
    assert settings.wordpress_auth is False
    defaults = load_settings({})
    assert defaults.wordpress_base_url is None and defaults.wordpress_per_page == 100
    assert defaults.wordpress_max_posts is None and defaults.wordpress_max_pages is None

    with pytest.raises(SettingsError, match="FITNESS_WORDPRESS_PER_PAGE"):
        load_settings({"FITNESS_WORDPRESS_PER_PAGE": "101"})
    with pytest.raises(SettingsError, match="FITNESS_WORDPRESS_MAX_PAGES"):
        load_settings({"FITNESS_WORDPRESS_MAX_PAGES": "0"})
    with pytest.raises(SettingsError, match="FITNESS_WORDPRESS_URL") as bad:
        load_settings({"FITNESS_WORDPRESS_URL": "https://coach:hunter2@example.org"})
    assert "hunter2" not in str(bad.value)
    with pytest.raises(SettingsError, match="FITNESS_WORDPRESS_URL"):
        load_settings({"FITNESS_WORDPRESS_URL": "ftp://example.org"})
    with pytest.raises(SettingsError, match="INVICTUS_USER and INVICTUS_PASS"):
        load_settings({"INVICTUS_USER": "coach"})
    assert load_settings({"INVICTUS_USER": "coach", "INVICTUS_PASS": "x"}).wordpress_auth
