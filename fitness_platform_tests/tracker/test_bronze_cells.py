"""SPEC 1.2, cells: strict int/float/date parsing, trimming, nulls, gender, first bad column,
row_too_long, and the bookkeeping columns with their stored types."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pyarrow as pa
import pytest

from fitness_platform.tracker.bronze import parse_tracker_csv
from fitness_platform_tests.tracker.helpers import (
    HEADER,
    INGESTED,
    MODIFIED,
    csv_text,
    line,
    parse,
)

INT_COLUMNS = ("user_id", "age", "steps", "stress_level")
FLOAT_COLUMNS = (
    "heart_rate_avg",
    "sleep_hours",
    "calories_burned",
    "exercise_minutes",
    "weight_kg",
    "bmi",
)


def _cells(text: str, columns: tuple[str, ...]) -> dict[str, tuple[object, str | None]]:
    """{column: (value, reject reason)} of ``text`` placed in each column of a good record.

    One file holds one record per column, so a single parse judges every column.
    """
    parsed = parse(csv_text([line(**{column: text}) for column in columns]))
    assert parsed.data_records == len(columns)
    rows = {r["_row_number"]: r for r in parsed.rows.to_pylist()}
    rejects = {r["_row_number"]: r["reason"] for r in parsed.rejects.to_pylist()}
    out = {}
    for number, column in enumerate(columns, start=1):
        if number in rows:
            out[column] = (rows[number][column], None)
        else:
            out[column] = (None, rejects[number])
    return out


def _cell(column: str, text: str) -> tuple[object, str | None]:
    return _cells(text, (column,))[column]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("7", 7),
        ("+7", 7),
        ("-7", -7),
        ("007", 7),
        ("-0", 0),
        (" 12\t", 12),
        ("9223372036854775807", 2**63 - 1),
        ("-9223372036854775808", -(2**63)),
    ],
)
def test_int_cells_that_parse(text: str, value: int) -> None:
    assert _cells(text, INT_COLUMNS) == dict.fromkeys(INT_COLUMNS, (value, None))


@pytest.mark.parametrize(
    "text",
    [
        "7.0",
        "5.5",
        "1_000",
        "٣",  # Arabic-Indic three: a digit to Python's int(), not to the SPEC
        "１２",  # full-width digits
        "9223372036854775808",
        "-9223372036854775809",
        "99999999999999999999999",
        "1e3",
        "0x1A",
        "--1",
        "+",
        "1 000",
        "7\u200b",  # a zero-width space is not whitespace to str.strip()
    ],
)
def test_int_cells_that_do_not_parse(text: str) -> None:
    assert _cells(text, INT_COLUMNS) == {c: (None, f"unparseable:{c}") for c in INT_COLUMNS}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1e3", 1000.0),
        ("1E3", 1000.0),
        (".5", 0.5),
        ("5.", 5.0),
        ("+1.5", 1.5),
        ("-2.5e-1", -0.25),
        ("+.5E+2", 50.0),
        ("42", 42.0),
        ("1e-400", 0.0),  # underflows to 0.0, which is finite
        ("4.9e-324", 5e-324),
        ("1.7976931348623157e308", 1.7976931348623157e308),
        # Correct rounding: halfway and just-off-halfway decimal inputs.
        ("9007199254740993", 9007199254740992.0),
        ("9007199254740993.0000000001", 9007199254740994.0),
        ("0.1000000000000000055511151231257827021181583404541015625", 0.1),
        ("1.00000000000000011102230246251565404236316680908203125", 1.0),  # tie: to even
        ("1.00000000000000011102230246251565404236316680908203126", 1.0000000000000002),
        ("2.2250738585072011e-308", 2.225073858507201e-308),
        ("123456789012345678901234567890", 1.2345678901234568e29),
    ],
)
def test_float_cells_that_parse_correctly_rounded(text: str, value: float) -> None:
    assert value == float(text)
    for column, (parsed, reason) in _cells(text, FLOAT_COLUMNS).items():
        assert reason is None, column
        assert parsed == value, column
        assert type(parsed) is float


@pytest.mark.parametrize(
    "text",
    [
        "nan",
        "NaN",
        "inf",
        "-inf",
        "Infinity",
        "NA",
        "1e309",
        "-1e309",
        "1.7976931348623159e308",
        "1,5",
        "e3",
        "1e",
        ".",
        "+-1",
        "0x10",
        "1.5.2",
        "١.٥",
        "1_0.5",
        "5 kg",
    ],
)
def test_float_cells_that_do_not_parse(text: str) -> None:
    quoted = f'"{text}"'  # quoted so "1,5" stays one cell
    assert _cells(quoted, FLOAT_COLUMNS) == {c: (None, f"unparseable:{c}") for c in FLOAT_COLUMNS}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2024-02-29", date(2024, 2, 29)),
        ("2000-02-29", date(2000, 2, 29)),
        ("2024-12-31", date(2024, 12, 31)),
        (" 2024-09-06 ", date(2024, 9, 6)),
    ],
)
def test_dates_that_parse(text: str, value: date) -> None:
    assert _cell("date", text) == (value, None)


@pytest.mark.parametrize(
    "text",
    [
        "2024-9-6",
        "2024-02-30",
        "06/09/2024",
        "2023-02-29",
        "1900-02-29",
        "2024-13-01",
        "2024-00-10",
        "2024-01-00",
        "2024-06-31",
        "20240906",
        "2024-09-06T00:00",
        "2024-09-06 00:00:00",
        "２０２４-09-06",
        "24-09-06",
        "0000-01-01",
    ],
)
def test_dates_that_do_not_parse(text: str) -> None:
    assert _cell("date", text) == (None, "unparseable:date")


@pytest.mark.parametrize("text", ["", "   ", "\t", '""', '"  "'])
def test_empty_cell_is_null(text: str) -> None:
    assert _cells(text, HEADER) == dict.fromkeys(HEADER, (None, None))


@pytest.mark.parametrize(
    "padding",
    [" ", "\t", "\u00a0", "\u2003", "\u3000", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\u2028"],
)
def test_cells_are_trimmed_like_python_str_strip(padding: str) -> None:
    assert padding.strip() == ""
    record = line(
        steps=f"{padding}8000{padding}",
        weight_kg=f"{padding}64.5",
        date=f"2024-09-06{padding}",
        gender=f"{padding}f{padding}",
    )
    parsed = parse(csv_text([record]))
    assert parsed.rejects.num_rows == 0, parsed.rejects.to_pylist()
    [row] = parsed.rows.to_pylist()
    assert (row["steps"], row["weight_kg"], row["date"], row["gender"]) == (
        8000,
        64.5,
        date(2024, 9, 6),
        "F",
    )


@pytest.mark.parametrize(
    ("text", "value"),
    [("f", "F"), ("M", "M"), (" m ", "M"), ("x", "X"), ("female", "FEMALE"), ("ß", "SS")],
)
def test_gender_is_upper_cased_and_any_text_parses_in_bronze(text: str, value: str) -> None:
    assert _cell("gender", text) == (value, None)


def test_each_column_can_be_the_one_named() -> None:
    columns = tuple(c for c in HEADER if c != "gender")
    assert _cells("x?", columns) == {c: (None, f"unparseable:{c}") for c in columns}


def test_first_bad_column_follows_spec_order_not_header_order() -> None:
    header = list(reversed(HEADER))
    cells = {"bmi": "bad", "weight_kg": "bad", "age": "bad", "steps": "bad"}
    values = [cells.get(name, line().split(",")[HEADER.index(name)]) for name in header]
    [reject] = parse(csv_text([",".join(values)], header=header)).rejects.to_pylist()
    assert reject["reason"] == "unparseable:age"
    values[header.index("age")] = "31"
    [reject] = parse(csv_text([",".join(values)], header=header)).rejects.to_pylist()
    assert reject["reason"] == "unparseable:steps"


def _long_record(total_bytes: int, tail: str = "") -> str:
    """A record (wrong field count unless cut) of exactly ``total_bytes`` UTF-8 bytes."""
    head = line() + ","
    filler = total_bytes - len(head.encode()) - len(tail.encode())
    return head + "a" * filler + tail


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_row_of_exactly_the_limit_is_not_too_long(newline: str) -> None:
    record = _long_record(1024)
    assert len(record.encode()) == 1024
    parsed = parse(csv_text([record], newline=newline), max_row_kb=1)
    assert parsed.rejects["reason"].to_pylist() == ["unparseable:field_count"]


def test_row_one_byte_over_the_limit_is_too_long_and_beats_field_count() -> None:
    record = _long_record(1025)
    parsed = parse(csv_text([line(user_id=1), record, line(user_id=3)]), max_row_kb=1)
    assert parsed.rows["_row_number"].to_pylist() == [1, 3]
    [reject] = parsed.rejects.to_pylist()
    assert (reject["_row_number"], reject["reason"]) == (2, "row_too_long")
    assert reject["raw"] == record[:1024]


@pytest.mark.parametrize(
    ("char", "overlap"), [("é", 1), ("€", 1), ("€", 2), ("😀", 1), ("😀", 2), ("😀", 3)]
)
def test_row_too_long_is_cut_at_a_character_boundary(char: str, overlap: int) -> None:
    width = len(char.encode())
    # The multi-byte character starts ``width - overlap`` bytes before the 1024-byte cut.
    head = line() + ","
    before = 1024 - (width - overlap) - len(head.encode())
    record = head + "a" * before + char * 3
    parsed = parse(csv_text([record]), max_row_kb=1)
    [reject] = parsed.rejects.to_pylist()
    assert reject["reason"] == "row_too_long"
    assert reject["raw"] == head + "a" * before
    assert record.startswith(reject["raw"])
    assert len(reject["raw"].encode()) == 1024 - (width - overlap)


def test_row_too_long_counts_bytes_not_characters() -> None:
    # 400 characters, 1,600 bytes: too long at 1 KiB although short in characters.
    record = line(gender="😀" * 400)
    assert len(record) < 1024 < len(record.encode())
    [reject] = parse(csv_text([record]), max_row_kb=1).rejects.to_pylist()
    assert reject["reason"] == "row_too_long"
    # "1,30," is 5 bytes; 254 four-byte characters fill 1,021 bytes, a 255th would not fit.
    assert reject["raw"] == "1,30," + "😀" * 254


def test_default_limit_is_64_kib_and_quoted_line_breaks_count() -> None:
    exact = line(gender='"' + "m" * 10 + "\n" + "x" * 10 + '"')
    pad = 64 * 1024 - len(exact.encode())
    at_limit = line(gender='"' + "m" * 10 + "\n" + "x" * (10 + pad) + '"')
    over = line(gender='"' + "m" * 10 + "\n" + "x" * (11 + pad) + '"')
    assert len(at_limit.encode()) == 65536 and len(over.encode()) == 65537
    # The parser's own default, not the helper's argument.
    parsed = parse_tracker_csv(
        csv_text([at_limit, over], newline="\r\n").encode(),
        source_file="big.csv",
        modified_at=MODIFIED,
        ingested_at=INGESTED,
    )
    assert parsed.rows["_row_number"].to_pylist() == [1]
    [reject] = parsed.rejects.to_pylist()
    assert (reject["_row_number"], reject["reason"]) == (2, "row_too_long")
    assert reject["raw"] == over[:65536]
    assert "\n" in reject["raw"]


BRONZE_TYPES = {
    "user_id": pa.int64(),
    "age": pa.int64(),
    "gender": pa.string(),
    "date": pa.date32(),
    "steps": pa.int64(),
    "heart_rate_avg": pa.float64(),
    "sleep_hours": pa.float64(),
    "calories_burned": pa.float64(),
    "exercise_minutes": pa.float64(),
    "stress_level": pa.int64(),
    "weight_kg": pa.float64(),
    "bmi": pa.float64(),
    "_source_file": pa.string(),
    "_row_number": pa.int64(),
    "_source_modified_at": pa.timestamp("us", tz="UTC"),
    "_ingested_at": pa.timestamp("us", tz="UTC"),
}


def test_bookkeeping_columns_values_and_types() -> None:
    modified = datetime(2024, 9, 10, 10, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    ingested = datetime(2024, 9, 11, 0, 0, tzinfo=UTC)
    parsed = parse(
        csv_text([line(user_id=1), "", line(user_id=2)]),
        source_file="2024/09/log one.csv",
        modified_at=modified,
        ingested_at=ingested,
    )
    assert {f.name: f.type for f in parsed.rows.schema} == BRONZE_TYPES
    rows = parsed.rows.to_pylist()
    assert [r["_source_file"] for r in rows] == ["2024/09/log one.csv"] * 2
    assert [r["_row_number"] for r in rows] == [1, 2]
    for row in rows:
        assert row["_source_modified_at"] == datetime(2024, 9, 10, 8, 0, 0, 123456, tzinfo=UTC)
        assert row["_source_modified_at"].utcoffset() == timedelta(0)
        assert row["_ingested_at"] == ingested


def test_bronze_rejects_types_and_stage() -> None:
    parsed = parse(csv_text([line(age="x"), line() + ",1"]))
    assert {f.name: f.type for f in parsed.rejects.schema} == {
        "_source_file": pa.string(),
        "_row_number": pa.int64(),
        "raw": pa.string(),
        "stage": pa.string(),
        "reason": pa.string(),
    }
    assert parsed.rejects["stage"].to_pylist() == ["bronze", "bronze"]
    failed = parse(b"")
    assert failed.rejects.schema == parsed.rejects.schema
    assert {f.name: f.type for f in failed.rows.schema} == BRONZE_TYPES


def test_an_all_null_record_parses_with_typed_nulls() -> None:
    parsed = parse(csv_text([",,,,,,,,,,,"]))
    [row] = parsed.rows.to_pylist()
    assert all(row[c] is None for c in HEADER)
    assert {f.name: f.type for f in parsed.rows.schema} == BRONZE_TYPES
