"""SPEC 1.2, file-level faults: not_utf8, empty_file, bad_header, their order and record."""

from __future__ import annotations

import pytest

from fitness_platform.engine.pandas_engine import PANDAS_ENGINE
from fitness_platform.tracker.pipeline import build_silver, combine_bronze
from fitness_platform_tests.tracker.helpers import HEADER, csv_text, line, parse

HEADER_LINE = ",".join(HEADER)


def _assert_failed(parsed, reason: str, raw: str, source_file: str = "raw/log.csv") -> None:
    assert parsed.failed_reason == reason
    assert parsed.failed
    assert parsed.rows.num_rows == 0
    assert parsed.data_records == 0
    assert parsed.rejects.to_pylist() == [
        {
            "_source_file": source_file,
            "_row_number": 0,
            "raw": raw,
            "stage": "bronze",
            "reason": reason,
        }
    ]


@pytest.mark.parametrize(
    ("data", "raw"),
    [
        ((HEADER_LINE + "\n" + line(gender="é") + "\n").encode("latin-1"), HEADER_LINE),
        ((HEADER_LINE + "\r\n").encode() + b"1,30,\xff\r\n", HEADER_LINE),
        (b"\xef\xbb\xbf" + HEADER_LINE.encode() + b"\r\n1,\xc3\x28\n", HEADER_LINE),
        (b"user\xff_id,age\n1,2\n", ""),
        (b"\xef\xbb\xbfuser\xfe\r\nmore", ""),
        (b"\xff", ""),
        (b"\xef\xbb\xbf\xed\xa0\x80\n", ""),  # an encoded surrogate is not UTF-8
        (b"ok line\n\xff\n", "ok line"),
        (b"ok line\rnext\xff", "ok line"),
    ],
)
def test_not_utf8(data: bytes, raw: str) -> None:
    _assert_failed(parse(data), "not_utf8", raw)


@pytest.mark.parametrize(
    ("text", "raw"),
    [
        ("", ""),
        ("\ufeff", ""),
        ("\n", ""),
        ("\r\n\r\n", ""),
        ("   \n\t\n\n", "   "),
        ("\ufeff  \r\n \r", "  "),
        (HEADER_LINE, HEADER_LINE),
        (HEADER_LINE + "\r\n", HEADER_LINE),
        ("\ufeff" + HEADER_LINE + "\r\n\r\n  \r\n", HEADER_LINE),
        ("\n\n" + HEADER_LINE + "\n\n", ""),
    ],
    ids=[
        "0-bytes",
        "bom-only",
        "one-blank-line",
        "blank-crlf-lines",
        "whitespace-lines",
        "bom-whitespace",
        "header-no-newline",
        "header-only",
        "bom-header-blank-lines",
        "blank-then-header",
    ],
)
def test_empty_file(text: str, raw: str) -> None:
    _assert_failed(parse(text), "empty_file", raw)


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (
            [*HEADER[:-1], "foo", "AGE"],
            "bad_header: missing ['bmi']; unexpected ['foo']; repeated ['age']",
        ),
        (HEADER[1:-1], "bad_header: missing ['user_id', 'bmi']"),
        ([HEADER[11], *HEADER[1:]], "bad_header: missing ['user_id']; repeated ['bmi']"),
        ([*HEADER, " Foo ", "weight"], "bad_header: unexpected ['Foo', 'weight']"),
        ([*HEADER, "Steps", " STEPS", "Age"], "bad_header: repeated ['age', 'steps']"),
        ([*HEADER, ""], "bad_header: unexpected ['']"),
        # An unknown name written twice is listed as written each time, and is repeated.
        ([*HEADER, "foo", " FOO"], "bad_header: unexpected ['foo', 'FOO']; repeated ['foo']"),
        (
            ["user id", *HEADER[1:]],
            "bad_header: missing ['user_id']; unexpected ['user id']",
        ),
        (
            ["Zeta", *HEADER[2:], "Alpha", "GENDER"],
            "bad_header: missing ['user_id', 'age']; unexpected ['Zeta', 'Alpha']; "
            "repeated ['gender']",
        ),
    ],
)
def test_bad_header_names_only_the_non_empty_parts_in_order(header: list[str], reason: str) -> None:
    text = "\ufeff" + csv_text([line()], header=header, newline="\r\n")
    _assert_failed(parse(text), reason, ",".join(header))


def test_bad_header_is_checked_before_header_only_empty_file() -> None:
    header = [*HEADER[:-1], "foo"]
    _assert_failed(
        parse(",".join(header) + "\n\n"),
        "bad_header: missing ['bmi']; unexpected ['foo']",
        ",".join(header),
    )


def test_not_utf8_is_checked_before_everything_else() -> None:
    _assert_failed(parse(b"\n\xff\n"), "not_utf8", "")
    _assert_failed(parse(b"foo,bar\n\xff"), "not_utf8", "foo,bar")


def test_a_failed_file_fails_alone_and_the_others_are_processed() -> None:
    good = parse(csv_text([line(user_id=1), line(user_id=2)]), source_file="good.csv")
    bad = parse(csv_text([line(user_id=3)], header=HEADER[:-1]), source_file="bad.csv")
    empty = parse(b"", source_file="empty.csv")
    bronze, rejects = combine_bronze([good, bad, empty])
    assert bronze["_source_file"].to_pylist() == ["good.csv", "good.csv"]
    assert sorted(
        zip(rejects["_source_file"].to_pylist(), rejects["reason"].to_pylist(), strict=True)
    ) == [("bad.csv", "bad_header: missing ['bmi']"), ("empty.csv", "empty_file")]
    assert rejects["_row_number"].to_pylist() == [0, 0]
    silver = build_silver(bronze, PANDAS_ENGINE)
    assert silver.daily_activity["user_id"].to_pylist() == [1, 2]
