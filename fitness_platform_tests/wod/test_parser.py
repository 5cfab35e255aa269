"""Parser: HTML -> lines -> days -> segments -> records, and the week's dates."""

from __future__ import annotations

from datetime import date

import pytest

from fitness_platform.wod.parser import (
    SESSION_FIELDS,
    DayBlock,
    WodParseError,
    collapse_whitespace,
    html_to_lines,
    parse_post,
    parse_posts,
    session_name,
    session_sort_key,
    split_days,
    split_segments,
    week_range,
    week_range_from_post_date,
    week_range_from_slug,
    week_range_from_title,
)
from fitness_platform_tests.wod.posts import link, make_post, week_post


def by_date(records: list[dict]) -> dict[str, dict]:
    return {r["date"]: r for r in records}


# --- html_to_lines -----------------------------------------------------------------------


def test_html_to_lines_splits_on_br_and_paragraphs_and_keeps_link_text() -> None:
    html = (
        "<p><strong>Monday (Session One)</strong><br />\n"
        f"A.<br />\n{link('Power Clean')} x 1 rep</p>\n<p>Rest 60 seconds</p>"
    )
    assert html_to_lines(html) == [
        "Monday (Session One)",
        "A.",
        "Power Clean x 1 rep",
        "Rest 60 seconds",
    ]


def test_html_to_lines_decodes_entities_and_collapses_nbsp() -> None:
    html = "<p>Sets 1&#8211;3&nbsp;&nbsp;then&nbsp; rest&#8230; don&#8217;t &amp; stop</p>"
    assert html_to_lines(html) == ["Sets 1–3 then rest… don’t & stop"]


def test_html_to_lines_treats_source_newlines_as_spaces_and_drops_comments() -> None:
    html = "<!-- wp:paragraph --><p>Every minute,\n   on the minute</p><!-- /wp:paragraph -->"
    assert html_to_lines(html) == ["Every minute, on the minute"]


# --- days and segments -------------------------------------------------------------------


def test_split_days_starts_only_at_weekday_then_parenthesis_or_end_of_line() -> None:
    lines = [
        "Intro before any day",
        "Monday (Session One)",
        "A.",
        "Sunday: optional walk",
        "Repeat Monday’s complex",
        "Tuesday is lighter",
        "as on Friday (Session Four)",
        "Mondays (not a header)",
        "Thursday (Rest Day)",
        "Sunday",
        "B. extra",
    ]
    assert split_days(lines) == [
        DayBlock(
            "Monday",
            "Session One",
            (
                "A.",
                "Sunday: optional walk",
                "Repeat Monday’s complex",
                "Tuesday is lighter",
                "as on Friday (Session Four)",
                "Mondays (not a header)",
            ),
        ),
        DayBlock("Thursday", "Rest Day", ()),
        DayBlock("Sunday", None, ("B. extra",)),
    ]


def test_split_segments_warm_up_with_and_without_colon_and_a_to_f() -> None:
    lines = [
        "1. Mobility before anything",
        "Suggested Warm-Up:",
        "Row 500m",
        "A.",
        "Snatch x 1",
        "B. Clean x 1",
        "C.",
        "Jerk x 1",
        "D.",
        "Squat",
        "E.",
        "Press",
        "F.",
        "Pull",
    ]
    segments = split_segments(lines)
    assert segments == {
        "warm_up": "Row 500m",
        "segment_a": "Snatch x 1",
        "segment_b": "Clean x 1",
        "segment_c": "Jerk x 1",
        "segment_d": "Squat",
        "segment_e": "Press",
        "segment_f": "Pull",
    }
    assert split_segments(["Suggested Warm-Up", "Bike 5 min"])["warm_up"] == "Bike 5 min"
    assert split_segments(["Suggested Warm-Up: Bike", "5 min"])["warm_up"] == "Bike 5 min"


def test_text_before_first_segment_belongs_to_no_segment() -> None:
    segments = split_segments(["1. Take 5 minutes", "2. More", "A.", "Box Jumps"])
    assert segments["segment_a"] == "Box Jumps"
    assert "Take 5 minutes" not in " ".join(segments.values())


def test_segment_markers_need_a_dot_then_space_or_end() -> None:
    segments = split_segments(["A.", "A.M. session note", "A) not a marker", "G. not a marker"])
    assert segments["segment_a"] == "A.M. session note A) not a marker G. not a marker"


# --- records -------------------------------------------------------------------------------


def test_parse_post_builds_one_record_per_day_with_every_field() -> None:
    records = parse_post(week_post())
    assert [(r["date"], r["weekday"], r["session"]) for r in records] == [
        ("2021-03-08", "Monday", "Session One"),
        ("2021-03-09", "Tuesday", "Session Two"),
        ("2021-03-10", "Wednesday", "Session Three"),
        ("2021-03-11", "Thursday", "Rest Day"),
        ("2021-03-12", "Friday", "Session Four"),
        ("2021-03-13", "Saturday", "Session Five"),
    ]
    for record in records:
        assert tuple(record) == SESSION_FIELDS
        assert record["post_id"] == 1001
        assert record["slug"] == "march-8-14-2021-5-day-weightlifting-program"
        assert (record["week_start"], record["week_end"]) == ("2021-03-08", "2021-03-14")


def test_parse_post_monday_segments_a_to_f_entities_and_links() -> None:
    monday = by_date(parse_post(week_post()))["2021-03-08"]
    assert monday["warm_up"] == (
        "2 Rounds: 10 Goblet Squats, 8 Ring Rows Empty bar: 5 Muscle Snatch, 5 Overhead Squat"
    )
    assert monday["segment_a"] == (
        "Every 2 minutes, for 10 minutes (5 sets): Hang Power Snatch x 2 reps "
        "@ 65–72% of 1-RM Snatch Followed by… Snatch Balance x 3 reps"
    )
    assert monday["segment_b"] == "Back Squat x 5 reps @ 70% of 1RM Back Squat"
    assert monday["segment_c"] == "Clean Pull x 3 reps @ 95-105% of your 1-RM Clean"
    assert monday["segment_d"] == "Clean & Jerk x 1 rep, build to a heavy single"
    assert monday["segment_e"] == "Strict Press x 8 reps then rest"
    assert monday["segment_f"] == "Pull-ups x 10 reps Romanian Deadlift x 8 reps"


def test_parse_post_rest_day_absent_sunday_and_weekday_words_inside_segments() -> None:
    records = by_date(parse_post(week_post()))
    thursday = records["2021-03-11"]
    assert thursday["session"] == "Rest Day"
    assert all(thursday[f] == "" for f in SESSION_FIELDS[3:10])
    assert "2021-03-14" not in records  # no Sunday header: no Sunday record
    tuesday = records["2021-03-09"]
    assert tuesday["warm_up"] == "400m row, easy pace 3 Rounds: 5 Burpees"
    assert tuesday["segment_b"] == (
        "Front Squat x 3 reps Sunday: optional 20 minute walk, not part of the programme"
    )
    assert records["2021-03-10"]["segment_a"].endswith("Repeat Monday’s complex if time allows")
    saturday = records["2021-03-13"]
    assert saturday["warm_up"] == ""
    assert saturday["segment_a"] == "Push Press x 5 reps @ 85-90%"
    assert "mobility" not in " ".join(str(v) for v in saturday.values())


def test_header_without_parenthesis_is_rest_day_when_empty_else_session() -> None:
    html = (
        "<p><strong>Saturday</strong></p>"
        "<p><strong>Sunday</strong><br />A.<br />Easy Snatch x 3</p>"
    )
    records = parse_post(make_post(content=html))
    assert [(r["weekday"], r["session"], r["segment_a"]) for r in records] == [
        ("Saturday", "Rest Day", ""),
        ("Sunday", "Session", "Easy Snatch x 3"),
    ]


def test_repeated_day_and_session_merges_into_one_record() -> None:
    html = (
        "<p><strong>Monday (Session One)</strong><br />A.<br />Snatch</p>"
        "<p><strong>Monday (Session One)</strong><br />A.<br />More snatch<br />B.<br />Squat</p>"
        "<p><strong>Monday (Session Two)</strong><br />A.<br />Jerk</p>"
    )
    records = parse_post(make_post(content=html))
    assert [(r["session"], r["segment_a"], r["segment_b"]) for r in records] == [
        ("Session One", "Snatch More snatch", "Squat"),
        ("Session Two", "Jerk", ""),
    ]


# --- week dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        (
            "december-21-27-2020-5-day-weightlifting-program",
            (date(2020, 12, 21), date(2020, 12, 27)),
        ),
        ("november-30-december-6-2020-program", (date(2020, 11, 30), date(2020, 12, 6))),
        ("december-28-2020-january-3-2021-program", (date(2020, 12, 28), date(2021, 1, 3))),
        ("december-28-january-3-2021-program", (date(2020, 12, 28), date(2021, 1, 3))),
        ("week-of-march-8-2021", (date(2021, 3, 8), date(2021, 3, 14))),
        ("december-20-26-2020-program", None),  # starts on a Sunday: not a Monday week
        ("february-30-march-6-2021", None),  # not a real date
        ("5-day-weightlifting-program", None),
    ],
)
def test_week_range_from_slug(slug: str, expected: tuple[date, date] | None) -> None:
    assert week_range_from_slug(slug) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "December 21-27, 2020 – 5 Day Weightlifting Program",
            (date(2020, 12, 21), date(2020, 12, 27)),
        ),
        ("November 30 - December 6, 2020", (date(2020, 11, 30), date(2020, 12, 6))),
        ("December 28, 2020 - January 3, 2021", (date(2020, 12, 28), date(2021, 1, 3))),
        ("December 28 – January 3, 2021 Program", (date(2020, 12, 28), date(2021, 1, 3))),
        ("Weightlifting Program", None),
    ],
)
def test_week_range_from_title(title: str, expected: tuple[date, date] | None) -> None:
    assert week_range_from_title(title) == expected


def test_week_range_prefers_slug_then_title_then_post_date() -> None:
    slug_and_title = week_post(title="January 4-10, 2021")
    assert week_range(slug_and_title) == (date(2021, 3, 8), date(2021, 3, 14))
    title_only = week_post(slug="weightlifting", title="December 28, 2020 &#8211; January 3, 2021")
    assert week_range(title_only) == (date(2020, 12, 28), date(2021, 1, 3))
    records = parse_post(title_only)
    assert records[0]["date"] == "2020-12-28"
    assert records[-1]["date"] == "2021-01-02"  # Saturday of a week crossing the year end


def test_week_range_falls_back_to_post_date_monday_or_next_monday() -> None:
    monday = week_post(slug="program", title="Program", date="2021-03-08T06:00:00")
    assert week_range(monday) == (date(2021, 3, 8), date(2021, 3, 14))
    sunday = week_post(slug="program", title="Program", date="2021-03-07T17:00:00")
    assert week_range(sunday) == (date(2021, 3, 8), date(2021, 3, 14))
    tuesday = week_post(slug="program", title="Program", date="2021-03-09T23:59:59")
    assert week_range(tuesday) == (date(2021, 3, 15), date(2021, 3, 21))
    assert week_range_from_post_date(date(2020, 12, 31)) == (date(2021, 1, 4), date(2021, 1, 10))


def test_post_without_week_or_date_is_a_clear_error() -> None:
    post = week_post(slug="program", title="Program")
    del post["date"]
    with pytest.raises(WodParseError, match=r"post 1001 .*'date' is missing"):
        parse_post(post)


# --- many posts ----------------------------------------------------------------------------


def test_parse_posts_reports_everything_left_out() -> None:
    old = week_post(1001, modified="2021-03-05T10:00:00")
    edited = week_post(1001, modified="2021-03-06T09:00:00")
    edited["content"]["rendered"] = edited["content"]["rendered"].replace(
        "Bike x 5 minutes", "Bike x 8 minutes"
    )
    overlapping = make_post(
        1002,
        modified="2021-03-01T00:00:00",
        content="<p><strong>Monday (Session One)</strong><br />A.<br />Other</p>"
        "<p><strong>Sunday (Session Six)</strong><br />A.<br />Extra</p>",
    )
    no_days = make_post(1003, content="<p>Announcement: the gym is closed.</p>")
    broken = make_post(1004)
    del broken["id"]

    result = parse_posts([old, overlapping, edited, no_days, broken])

    assert {r["date"]: r["post_id"] for r in result.records} == {
        "2021-03-08": 1001,
        "2021-03-09": 1001,
        "2021-03-10": 1001,
        "2021-03-11": 1001,
        "2021-03-12": 1001,
        "2021-03-13": 1001,
        "2021-03-14": 1002,
    }
    assert by_date(result.records)["2021-03-10"]["warm_up"] == "Bike x 8 minutes"
    reasons = sorted(
        (r["post_id"] or 0, r["session"], r["reason"].split(":")[0]) for r in result.rejects
    )
    assert reasons == [
        (0, "", "unparseable"),
        (1001, "", "older_copy_of_post"),
        (1002, "Session One", "duplicate_session"),
        (1003, "", "no_day_headers"),
    ]
    older = next(r for r in result.rejects if r["reason"] == "older_copy_of_post")
    assert older["slug"] == old["slug"]
    duplicate = next(r for r in result.rejects if r["post_id"] == 1002)
    assert duplicate["reason"] == "duplicate_session: post 1001 is newer"
    assert duplicate["date"] == "2021-03-08"


@pytest.mark.parametrize(
    ("label", "has_content", "expected"),
    [
        ("Session One", True, "Session One"),
        ("session  two", True, "Session Two"),
        ("REST DAY", False, "Rest Day"),
        ("Rest", False, "Rest Day"),
        ("Optional Extra Work", True, "Optional Extra Work"),
        (None, True, "Session"),
        (None, False, "Rest Day"),
    ],
)
def test_session_name(label: str | None, has_content: bool, expected: str) -> None:
    assert session_name(collapse_whitespace(label) if label else None, has_content=has_content) == (
        expected
    )


def test_sessions_sort_naturally_within_a_day() -> None:
    names = ["Session Ten", "Rest Day", "Session Two", "Session 3", "Session One"]
    assert sorted(names, key=session_sort_key) == [
        "Session One",
        "Session Two",
        "Session 3",
        "Session Ten",
        "Rest Day",
    ]
