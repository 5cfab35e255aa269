"""SPEC 1.2, records: BOM, line endings, blank lines, RFC 4180 quoting, headers, numbering."""

from __future__ import annotations

from datetime import date

import pytest

from fitness_platform_tests.tracker.helpers import GOOD, HEADER, csv_text, line, parse


def _users(parsed) -> list[int]:
    return parsed.rows["user_id"].to_pylist()


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_every_line_ending_splits_records(newline: str) -> None:
    parsed = parse(csv_text([line(user_id=1), line(user_id=2), line(user_id=3)], newline=newline))
    assert parsed.failed_reason is None
    assert _users(parsed) == [1, 2, 3]
    assert parsed.rows["_row_number"].to_pylist() == [1, 2, 3]
    assert parsed.data_records == 3
    assert parsed.rejects.num_rows == 0
    # The terminator is never part of a value.
    assert parsed.rows["bmi"].to_pylist() == [23.5] * 3


def test_mixed_line_endings_and_no_final_newline() -> None:
    text = ",".join(HEADER) + "\r\n" + line(user_id=1) + "\n" + line(user_id=2) + "\r"
    text += line(user_id=3)  # the last record has no terminator at all
    parsed = parse(text)
    assert _users(parsed) == [1, 2, 3]
    assert parsed.rows["bmi"].to_pylist() == [23.5] * 3


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_leading_bom_is_accepted_and_not_part_of_the_first_header_name(newline: str) -> None:
    parsed = parse(("\ufeff" + csv_text([line(user_id=5)], newline=newline)).encode("utf-8"))
    assert parsed.failed_reason is None
    assert _users(parsed) == [5]


def test_blank_and_whitespace_only_lines_are_not_records_nor_counted() -> None:
    text = (
        "\n  \n"
        + ",".join(HEADER)
        + "\n\n"
        + line(user_id=1)
        + "\n \t \n\n"
        + line(user_id=2, age="x")
        + "\r\n\u3000\r\n"
        + line(user_id=3)
        + "\n\n   \n"
    )
    parsed = parse(text)
    assert parsed.data_records == 3
    assert list(zip(_users(parsed), parsed.rows["_row_number"].to_pylist(), strict=True)) == [
        (1, 1),
        (3, 3),
    ]
    reject = parsed.rejects.to_pylist()
    assert [(r["_row_number"], r["reason"]) for r in reject] == [(2, "unparseable:age")]
    assert reject[0]["raw"] == line(user_id=2, age="x")


def test_quoted_fields_hold_commas_quotes_and_line_breaks() -> None:
    rows = [
        line(user_id='"1"', gender='"f"'),
        line(user_id=2, gender='"M, ""the"" man"'),
        line(user_id=3, gender='"m\nx"'),
        line(user_id=4, gender='"  m  "'),
    ]
    parsed = parse(csv_text(rows))
    assert parsed.rejects.num_rows == 0
    assert _users(parsed) == [1, 2, 3, 4]
    assert parsed.rows["_row_number"].to_pylist() == [1, 2, 3, 4]
    assert parsed.rows["gender"].to_pylist() == ["F", 'M, "THE" MAN', "M\nX", "M"]


def test_raw_of_a_rejected_multiline_record_keeps_its_inner_line_break() -> None:
    bad = line(user_id=7, steps='"12\r\n34"', heart_rate_avg='"70,5"')
    text = csv_text([line(user_id=6), bad, line(user_id=8)], newline="\r\n")
    parsed = parse(text)
    assert _users(parsed) == [6, 8]
    assert parsed.rows["_row_number"].to_pylist() == [1, 3]
    [reject] = parsed.rejects.to_pylist()
    assert reject["_row_number"] == 2
    assert reject["reason"] == "unparseable:steps"
    assert reject["raw"] == bad
    assert "\r\n" in reject["raw"]
    assert not reject["raw"].endswith(("\r", "\n"))


def test_quoted_comma_in_a_numeric_cell_is_one_unparseable_cell_not_a_field_count() -> None:
    bad = line(heart_rate_avg='"70,5"')
    [reject] = parse(csv_text([bad])).rejects.to_pylist()
    assert reject["reason"] == "unparseable:heart_rate_avg"
    assert reject["raw"] == bad


def test_quoted_blank_line_inside_a_field_belongs_to_the_record() -> None:
    record = line(user_id=9, gender='"F\n\n   \n"')
    parsed = parse(csv_text([record, line(user_id=10)]))
    assert _users(parsed) == [9, 10]
    assert parsed.rows["_row_number"].to_pylist() == [1, 2]
    assert parsed.rows["gender"].to_pylist() == ["F", "F"]  # the cell is trimmed


def test_header_shuffled_mixed_case_space_padded_maps_every_column() -> None:
    header = [
        " BMI ",
        "Weight_KG",
        "\tstress_level",
        "Exercise_Minutes ",
        "CALORIES_BURNED",
        "sleep_hours",
        "Heart_Rate_Avg",
        " steps",
        "DATE",
        "Gender",
        "aGe",
        "User_Id",
    ]
    values = ["21.5", "61.5", "6", "33.5", "2345.5", "8.5", "71.5", "12345", "2024-10-01"]
    values += ["m", "44", "77"]
    parsed = parse(csv_text([",".join(values)], header=header))
    assert parsed.failed_reason is None
    [row] = parsed.rows.to_pylist()
    assert {k: v for k, v in row.items() if not k.startswith("_")} == {
        "user_id": 77,
        "age": 44,
        "gender": "M",
        "date": date(2024, 10, 1),
        "steps": 12345,
        "heart_rate_avg": 71.5,
        "sleep_hours": 8.5,
        "calories_burned": 2345.5,
        "exercise_minutes": 33.5,
        "stress_level": 6,
        "weight_kg": 61.5,
        "bmi": 21.5,
    }


def test_quoted_header_names_are_matched() -> None:
    header = [f'"{name.upper()}"' for name in HEADER]
    parsed = parse(csv_text([line(user_id=3)], header=header))
    assert parsed.failed_reason is None
    assert _users(parsed) == [3]


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (",".join(list(GOOD.values())[:11]), "unparseable:field_count"),
        (line() + ",", "unparseable:field_count"),
        (line() + ",1", "unparseable:field_count"),
        ("just text", "unparseable:field_count"),
        (",,,,,,,,,,,,", "unparseable:field_count"),
    ],
)
def test_wrong_number_of_fields(record: str, reason: str) -> None:
    parsed = parse(csv_text([line(user_id=1), record, line(user_id=3)]))
    assert _users(parsed) == [1, 3]
    assert parsed.rejects.to_pylist() == [
        {
            "_source_file": "raw/log.csv",
            "_row_number": 2,
            "raw": record,
            "stage": "bronze",
            "reason": reason,
        }
    ]


def test_field_count_is_judged_before_cells() -> None:
    record = line(age="x") + ",extra"
    [reject] = parse(csv_text([record])).rejects.to_pylist()
    assert reject["reason"] == "unparseable:field_count"


def test_every_data_record_is_a_row_or_a_reject_once() -> None:
    rows = [line(user_id=i, age="x" if i % 3 == 0 else 30) for i in range(1, 31)]
    rows[10] = line() + ",x"
    parsed = parse(csv_text(rows))
    numbers = parsed.rows["_row_number"].to_pylist() + parsed.rejects["_row_number"].to_pylist()
    assert sorted(numbers) == list(range(1, 31))
    assert parsed.data_records == 30
