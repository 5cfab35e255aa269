"""SPEC 1.3, cleaning steps 1-5: negatives, missing keys, ranges, zero steps, duplicates."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pyarrow as pa
import pytest

from fitness_platform_tests.tracker.helpers import (
    HEADER,
    INGESTED,
    MODIFIED,
    csv_text,
    line,
    parse,
    silver_of,
)

NEGATIVE_TO_ZERO = (
    "steps",
    "heart_rate_avg",
    "sleep_hours",
    "calories_burned",
    "exercise_minutes",
    "weight_kg",
    "bmi",
)


def _clean(*lines: str):
    return silver_of(parse(csv_text(lines)))


def _reasons(silver) -> dict[int, str]:
    return dict(
        zip(
            silver.rejects["_row_number"].to_pylist(),
            silver.rejects["reason"].to_pylist(),
            strict=True,
        )
    )


def test_negatives_become_zero_are_counted_per_column_and_are_not_rejects() -> None:
    silver = _clean(
        line(user_id=1, exercise_minutes="-5.5"),  # 0 is inside 0-600: the row survives
        line(user_id=2, exercise_minutes="-1", steps="-3"),  # steps 0 -> zero_steps
        line(user_id=3, heart_rate_avg="-70"),  # 0 is outside 30-200
        line(user_id=4, sleep_hours="-0.0"),  # not below 0: neither zeroed nor counted
        line(user_id=5, weight_kg="-1", bmi="-2", calories_burned="-3", sleep_hours="-4"),
        line(user_id="", bmi="-9"),  # rejected for a missing key, still counted
    )
    assert silver.negatives_zeroed == {
        "steps": 1,
        "heart_rate_avg": 1,
        "sleep_hours": 1,
        "calories_burned": 1,
        "exercise_minutes": 2,
        "weight_kg": 1,
        "bmi": 2,
    }
    [survivor] = silver.daily_activity.to_pylist()
    assert (survivor["user_id"], survivor["exercise_minutes"]) == (1, 0.0)
    assert _reasons(silver) == {
        2: "zero_steps",
        3: "out_of_range:heart_rate_avg",
        4: "out_of_range:sleep_hours",  # -0.0 stays -0.0, below the 2-16 range
        5: "out_of_range:sleep_hours",
        6: "missing_key",
    }


def test_negative_counts_cover_every_column_even_with_no_negatives() -> None:
    silver = _clean(line())
    assert silver.negatives_zeroed == dict.fromkeys(NEGATIVE_TO_ZERO, 0)


def test_rejects_hold_the_original_bronze_values_before_step_1() -> None:
    bronze_line = line(user_id=9, steps="-3", exercise_minutes="-2.5", weight_kg="-1")
    parsed = parse(csv_text([bronze_line]), source_file="in/a.csv")
    silver = silver_of(parsed)
    [reject] = silver.rejects.to_pylist()
    [bronze] = parsed.rows.to_pylist()
    # weight 0 after step 1 is out of range, checked before zero steps.
    assert reject == {**bronze, "stage": "silver", "reason": "out_of_range:weight_kg"}
    assert (reject["steps"], reject["exercise_minutes"], reject["weight_kg"]) == (-3, -2.5, -1.0)


REASON_CASES: list[tuple[dict[str, str], str | None]] = [
    ({"user_id": ""}, "missing_key"),
    ({"date": ""}, "missing_key"),
    ({"user_id": "", "date": ""}, "missing_key"),
    ({"user_id": "", "age": "5", "steps": "0"}, "missing_key"),
    ({"gender": "X", "age": "5"}, "out_of_range:gender"),
    ({"gender": ""}, "out_of_range:gender"),
    ({"gender": "FM"}, "out_of_range:gender"),
    ({"gender": '"F\nM"'}, "out_of_range:gender"),
    ({"age": "5", "bmi": "99"}, "out_of_range:age"),
    ({"gender": "", "age": ""}, "out_of_range:gender"),
    ({"steps": "0", "bmi": "99"}, "out_of_range:bmi"),
    ({"steps": "0", "age": ""}, "out_of_range:age"),
    ({"stress_level": "0", "weight_kg": "0"}, "out_of_range:stress_level"),
    ({"heart_rate_avg": "", "sleep_hours": ""}, "out_of_range:heart_rate_avg"),
    ({"calories_burned": "1", "exercise_minutes": "601"}, "out_of_range:calories_burned"),
    ({"weight_kg": "201", "bmi": "0"}, "out_of_range:weight_kg"),
    ({"steps": "0"}, "zero_steps"),
    ({"steps": "-1"}, "zero_steps"),
    ({"steps": "+0"}, "zero_steps"),
    ({"gender": " f "}, None),
    ({"gender": "m"}, None),
]


def test_reject_reasons_and_their_order() -> None:
    # Every case is its own user, so none of them is a duplicate of another.
    lines = [line(**{"user_id": 100 + i, **cells}) for i, (cells, _) in enumerate(REASON_CASES)]
    silver = _clean(*lines)
    expected = {i + 1: reason for i, (_, reason) in enumerate(REASON_CASES) if reason}
    assert _reasons(silver) == expected
    survivors = silver.daily_activity.to_pylist()
    assert [(r["user_id"], r["gender"]) for r in survivors] == [(119, "F"), (120, "M")]
    assert set(silver.rejects["stage"].to_pylist()) == {"silver"}


RANGES = [
    ("age", "18", "100", "17", "101"),
    ("steps", "1", "50000", None, "50001"),
    ("heart_rate_avg", "30", "200", "29.999999", "200.000001"),
    ("sleep_hours", "2", "16", "1.999999", "16.000001"),
    ("calories_burned", "500", "8000", "499.99", "8000.01"),
    ("exercise_minutes", "0", "600", None, "600.000001"),
    ("stress_level", "1", "10", "0", "11"),
    ("weight_kg", "30", "200", "29.99", "200.01"),
    ("bmi", "10", "60", "9.999", "60.001"),
]


def test_ranges_are_inclusive_and_a_null_fails_its_range() -> None:
    lines, expected = [], {}
    for column, low, high, below, above in RANGES:
        cases = [(low, None), (high, None), (above, column), ("", column), ("  ", column)]
        if below is not None:
            cases.append((below, column))
        for text, failing in cases:
            lines.append(line(user_id=len(lines) + 1, **{column: text}))
            if failing:
                expected[len(lines)] = f"out_of_range:{failing}"
    silver = _clean(*lines)
    assert _reasons(silver) == expected
    assert len(silver.daily_activity) == len(lines) - len(expected)
    survivors = silver.daily_activity.to_pylist()
    assert {r["steps"] for r in survivors} >= {1, 50_000}
    assert {r["exercise_minutes"] for r in survivors} >= {0.0, 600.0}


def _file(name: str, lines: list[str], *, ingested: datetime, modified: datetime):
    return parse(csv_text(lines), source_file=name, modified_at=modified, ingested_at=ingested)


LATER = timedelta(hours=1)

# (first file, second file, expected winner); a file is (name, ingested +h, modified +h).
CROSS_FILE_CASES = [
    (("b.csv", 0, 1), ("a.csv", 1, 0), "a.csv"),  # a later ingestion beats everything
    (("z.csv", 0, 0), ("a.csv", 0, 1), "a.csv"),  # same run: the later modification
    (("a.csv", 0, 0), ("b.csv", 0, 0), "b.csv"),  # same times: the later name
    (("dir/z.csv", 0, 0), ("e.csv", 0, 0), "e.csv"),  # names compare as whole strings
    (("B.csv", 0, 0), ("a.csv", 0, 0), "a.csv"),  # code-point order: "a" > "B"
    (("z.csv", 0, 0), ("é.csv", 0, 0), "é.csv"),  # and "é" (U+00E9) > "z"
]


@pytest.mark.parametrize("reverse", [False, True], ids=["listed-in-order", "listed-reversed"])
def test_cross_file_duplicate_winner(reverse: bool) -> None:
    # One build judges every case: case k is user k with its own two files.
    files = []
    for user, (first, second, _) in enumerate(CROSS_FILE_CASES):
        pair = []
        for index, (name, ingested, modified) in enumerate((first, second)):
            record = line(user_id=user, steps=1000 * (user + 1) + index)
            pair.append(
                _file(
                    f"case{user}/{name}",
                    [record],
                    ingested=INGESTED + ingested * LATER,
                    modified=MODIFIED + modified * LATER,
                )
            )
        files.extend(reversed(pair) if reverse else pair)
    silver = silver_of(*files)
    winners = {r["user_id"]: r["_source_file"] for r in silver.daily_activity.to_pylist()}
    assert winners == {u: f"case{u}/{case[2]}" for u, case in enumerate(CROSS_FILE_CASES)}
    losers = {r["user_id"]: r for r in silver.rejects.to_pylist()}
    assert set(losers) == set(winners)
    for user, loser in losers.items():
        assert (loser["reason"], loser["stage"]) == ("duplicate", "silver")
        assert loser["_source_file"] != winners[user]


def test_within_a_file_the_highest_row_number_wins_and_every_loser_is_a_duplicate() -> None:
    silver = _clean(
        line(user_id=1, steps=1001),
        line(user_id=2, steps=2001),
        line(user_id=1, steps=1002, exercise_minutes="-4"),
        line(user_id=1, steps=1003),
        line(user_id=1, date="2024-09-07", steps=1004),
    )
    rows = {(r["user_id"], r["date"]): r["steps"] for r in silver.daily_activity.to_pylist()}
    assert rows == {
        (1, date(2024, 9, 6)): 1003,
        (2, date(2024, 9, 6)): 2001,
        (1, date(2024, 9, 7)): 1004,
    }
    assert _reasons(silver) == {1: "duplicate", 3: "duplicate"}
    losers = {r["_row_number"]: r for r in silver.rejects.to_pylist()}
    assert losers[3]["exercise_minutes"] == -4.0  # the original value, before step 1


def test_only_rows_that_survive_steps_1_to_4_compete_and_later_ingestion_wins_outright() -> None:
    early = _file("a.csv", [line(user_id=1, steps=1111)], ingested=INGESTED, modified=MODIFIED)
    late_bad = _file(
        "b.csv",
        [line(user_id=1, steps=0), line(user_id=1, steps=2222, bmi=99)],
        ingested=INGESTED + LATER,
        modified=MODIFIED,
    )
    older = _file(
        "z.csv",
        [line(user_id=2, steps=s) for s in (1, 2, 3)],
        ingested=INGESTED,
        modified=MODIFIED + LATER,
    )
    newer = _file(
        "c.csv",
        [line(user_id=2, steps=7)],
        ingested=INGESTED + timedelta(microseconds=1),
        modified=MODIFIED,
    )
    silver = silver_of(early, late_bad, older, newer)
    winners = {
        r["user_id"]: (r["_source_file"], r["_row_number"], r["steps"])
        for r in silver.daily_activity.to_pylist()
    }
    assert winners == {1: ("a.csv", 1, 1111), 2: ("c.csv", 1, 7)}
    assert sorted(
        zip(
            silver.rejects["_source_file"].to_pylist(),
            silver.rejects["reason"].to_pylist(),
            strict=True,
        )
    ) == [
        ("b.csv", "out_of_range:bmi"),
        ("b.csv", "zero_steps"),
        ("z.csv", "duplicate"),
        ("z.csv", "duplicate"),
        ("z.csv", "duplicate"),
    ]


def test_silver_rejects_schema_is_bronze_plus_stage_and_reason() -> None:
    silver = _clean(line(steps=0), line(user_id=""))
    raw_types = dict.fromkeys(HEADER, pa.float64()) | {
        "user_id": pa.int64(),
        "age": pa.int64(),
        "gender": pa.string(),
        "date": pa.date32(),
        "steps": pa.int64(),
        "stress_level": pa.int64(),
    }
    expected = raw_types | {
        "_source_file": pa.string(),
        "_row_number": pa.int64(),
        "_source_modified_at": pa.timestamp("us", tz="UTC"),
        "_ingested_at": pa.timestamp("us", tz="UTC"),
        "stage": pa.string(),
        "reason": pa.string(),
    }
    actual = {f.name: f.type for f in silver.rejects.schema}
    assert set(actual) == set(expected)
    for name, kind in expected.items():
        assert _same_type(actual[name], kind), name
    assert silver.rejects["stage"].to_pylist() == ["silver", "silver"]
    stamps = silver.rejects["_ingested_at"].to_pylist()
    assert stamps == [INGESTED, INGESTED]
    assert all(stamp.utcoffset() == timedelta(0) for stamp in stamps)


def _same_type(actual: pa.DataType, expected: pa.DataType) -> bool:
    if pa.types.is_string(expected):
        return pa.types.is_string(actual) or pa.types.is_large_string(actual)
    if pa.types.is_timestamp(expected):
        return (
            pa.types.is_timestamp(actual)
            and actual.unit == "us"
            and actual.tz in ("UTC", "Etc/UTC", "+00:00")
        )
    return actual == expected
