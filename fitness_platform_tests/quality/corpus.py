"""The bad-input corpus: hostile tracker files and the outcome SPEC 1.2/1.3 prescribes.

Each case is either a file that fails as a whole (``fails_with`` the exact reason) or a file
whose bad records are quarantined (``rejects``: reason -> count over bronze and silver).
``records`` is the number of data records the file holds, so no row can vanish unnoticed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fitness_platform.tracker.schema import RAW_COLUMNS
from fitness_platform_tests.quality.harness import HEADER, csv_text, good_row, with_field

BOM = b"\xef\xbb\xbf"
ONE_MB = 1024 * 1024


@dataclass(frozen=True)
class Case:
    """One hostile input and what must come of it."""

    name: str
    data: bytes
    records: int = 0
    fails_with: str | None = None
    rejects: dict[str, int] = field(default_factory=dict)
    earlier: bytes | None = None
    """An earlier file ingested before this one (for conflicts across files)."""
    earlier_rejects: dict[str, int] = field(default_factory=dict)


def _csv(rows: list[str], header: str = HEADER, newline: str = "\n") -> bytes:
    return csv_text(rows, header=header, newline=newline).encode("utf-8")


def _good(count: int, user: int = 0) -> list[str]:
    return [good_row(user, day) for day in range(count)]


def _set(row: str, **values: str) -> str:
    for column, value in values.items():
        row = with_field(row, column, value)
    return row


_SEMICOLON_HEADER = HEADER.replace(",", ";")
_SEMICOLON_REASON = f"bad_header: missing {list(RAW_COLUMNS)!r}; unexpected {[_SEMICOLON_HEADER]!r}"

CASES: tuple[Case, ...] = (
    Case(
        "missing_column",
        _csv([r.rsplit(",", 1)[0] for r in _good(3, 1)], header=HEADER.rsplit(",", 1)[0]),
        fails_with="bad_header: missing ['bmi']",
    ),
    Case(
        "unknown_column",
        _csv([f"{r},hello" for r in _good(3, 2)], header=f"{HEADER},notes"),
        fails_with="bad_header: unexpected ['notes']",
    ),
    Case(
        "duplicate_header_name",
        _csv([f"{r},5" for r in _good(3, 3)], header=f"{HEADER}, Steps "),
        fails_with="bad_header: repeated ['steps']",
    ),
    Case("zero_bytes", b"", fails_with="empty_file"),
    Case("header_only", _csv([]), fails_with="empty_file"),
    Case("blank_lines_only", b"\n   \r\n\t\n", fails_with="empty_file"),
    Case(
        "semicolon_delimiter",
        _csv([r.replace(",", ";") for r in _good(3, 7)], header=_SEMICOLON_HEADER),
        fails_with=_SEMICOLON_REASON,
    ),
    Case(
        "latin1_bytes",
        _csv(_good(2, 8)) + _set(good_row(1, 0), gender="\xe9").encode("latin-1") + b"\n",
        fails_with="not_utf8",
    ),
    Case("utf8_bom", BOM + _csv(_good(4, 9)), records=4),
    Case("crlf_line_endings", _csv(_good(4, 10), newline="\r\n"), records=4),
    Case(
        "quoted_fields_with_commas",
        _csv(
            [
                _set(good_row(11, 0), gender='"F"'),
                _set(good_row(11, 1), steps='"7,000"'),
                _set(good_row(11, 2), gender='"F,M"'),
                _set(good_row(11, 3), gender='"F\nM"'),
                good_row(11, 4),
            ]
        ),
        records=5,
        rejects={"unparseable:steps": 1, "out_of_range:gender": 2},
    ),
    Case(
        "nul_byte",
        _csv(
            [
                _set(good_row(12, 0), steps="12\x0034"),
                _set(good_row(12, 1), gender="F\x00"),
                _set(good_row(12, 2), heart_rate_avg="\x00"),
                good_row(12, 3),
            ]
        ),
        records=4,
        rejects={
            "unparseable:steps": 1,
            "out_of_range:gender": 1,
            "unparseable:heart_rate_avg": 1,
        },
    ),
    Case(
        "one_megabyte_line",
        _csv([good_row(13, 0), _set(good_row(13, 1), gender="F" * ONE_MB), good_row(13, 2)]),
        records=3,
        rejects={"row_too_long": 1},
    ),
    Case(
        "impossible_and_foreign_dates",
        _csv(
            [
                _set(good_row(14, 0), date="2024-02-30"),
                _set(good_row(14, 1), date="05/09/2024"),
                _set(good_row(14, 2), date="2024-9-6"),
                good_row(14, 3),
            ]
        ),
        records=4,
        rejects={"unparseable:date": 3},
    ),
    Case(
        "nan_inf_overflow",
        _csv(
            [
                _set(good_row(15, 0), heart_rate_avg="NaN"),
                _set(good_row(15, 1), sleep_hours="inf"),
                _set(good_row(15, 2), calories_burned="1e309"),
                _set(good_row(15, 3), weight_kg="-Infinity"),
                _set(good_row(15, 4), bmi="2.2e1"),
            ]
        ),
        records=5,
        rejects={
            "unparseable:heart_rate_avg": 1,
            "unparseable:sleep_hours": 1,
            "unparseable:calories_burned": 1,
            "unparseable:weight_kg": 1,
        },
    ),
    Case(
        "negative_values",
        _csv(
            [
                _set(good_row(16, 0), steps="-5"),
                _set(good_row(16, 1), weight_kg="-70"),
                _set(good_row(16, 2), heart_rate_avg="-1"),
                _set(good_row(16, 3), exercise_minutes="-3"),
            ]
        ),
        records=4,
        rejects={
            "zero_steps": 1,
            "out_of_range:weight_kg": 1,
            "out_of_range:heart_rate_avg": 1,
        },
    ),
    Case(
        "out_of_every_range",
        _csv(
            [
                _set(good_row(17, 0), gender="X"),
                _set(good_row(17, 1), age="17"),
                _set(good_row(17, 2), steps="50001"),
                _set(good_row(17, 3), heart_rate_avg="200.5"),
                _set(good_row(17, 4), sleep_hours="1.9"),
                _set(good_row(17, 5), calories_burned="8000.5"),
                _set(good_row(17, 6), exercise_minutes="601"),
                _set(good_row(17, 7), stress_level="11"),
                _set(good_row(17, 8), weight_kg="29.9"),
                _set(good_row(17, 9), bmi="60.1"),
                _set(good_row(17, 10), steps="0"),
                _set(good_row(17, 11), age="100", stress_level="10", sleep_hours="16"),
            ]
        ),
        records=12,
        rejects={
            **{
                f"out_of_range:{c}": 1
                for c in (
                    "gender",
                    "age",
                    "steps",
                    "heart_rate_avg",
                    "sleep_hours",
                    "calories_burned",
                    "exercise_minutes",
                    "stress_level",
                    "weight_kg",
                    "bmi",
                )
            },
            "zero_steps": 1,
        },
    ),
    Case(
        "missing_keys_and_values",
        _csv(
            [
                _set(good_row(18, 0), user_id=""),
                _set(good_row(18, 1), date="  "),
                _set(good_row(18, 2), bmi=""),
                good_row(18, 3),
            ]
        ),
        records=4,
        rejects={"missing_key": 2, "out_of_range:bmi": 1},
    ),
    Case(
        "duplicate_rows",
        _csv([good_row(19, 0), good_row(19, 1), good_row(19, 1), good_row(19, 2)]),
        records=4,
        rejects={"duplicate": 1},
    ),
    Case(
        "conflict_with_earlier_file",
        _csv([_set(good_row(20, 0), steps="9999"), good_row(20, 1)]),
        records=2,
        earlier=_csv([good_row(20, 0), good_row(20, 5)]),
        earlier_rejects={"duplicate": 1},
    ),
    Case(
        "wrong_field_counts",
        _csv([good_row(21, 0).rsplit(",", 1)[0], f"{good_row(21, 1)},7", good_row(21, 2), ""]),
        records=3,
        rejects={"unparseable:field_count": 2},
    ),
    Case(
        "non_integer_forms",
        _csv(
            [
                _set(good_row(22, 0), age="7.0"),
                _set(good_row(22, 1), steps="1_000"),
                _set(good_row(22, 2), stress_level="\u0663"),
                _set(good_row(22, 3), user_id="99999999999999999999"),
                _set(good_row(22, 4), steps="+8000"),
            ]
        ),
        records=5,
        rejects={
            "unparseable:age": 1,
            "unparseable:steps": 1,
            "unparseable:stress_level": 1,
            "unparseable:user_id": 1,
        },
    ),
    Case(
        "header_case_whitespace_lowercase_gender",
        _csv(
            [_set(good_row(23, 0), gender=" f "), good_row(23, 1)],
            header=",".join(f" {c.upper()} " for c in HEADER.split(",")),
        ),
        records=2,
    ),
    Case(
        "unterminated_quote",
        _csv([good_row(24, 0), _set(good_row(24, 1), gender='"F')]),
        records=2,
        rejects={"unparseable:field_count": 1},
    ),
)
