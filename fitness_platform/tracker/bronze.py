"""Bronze parsing of one raw tracker CSV file (SPEC 1.2).

Parsing is strict and total: every data record of a file ends up either as a typed bronze row
or as a reject with a reason, and a file-level fault (``not_utf8``, ``empty_file``,
``bad_header: ...``) is recorded as one reject with ``_row_number`` 0. Nothing is dropped.

The record splitter follows Python's :mod:`csv` module (RFC 4180: quoted fields may hold
commas, quotes and line breaks; CRLF, LF or CR line endings). Cell parsing is vectorised with
pyarrow so a 365,000-row file parses in well under a second.
"""

from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fitness_platform.parallel import ordered_map
from fitness_platform.tracker.schema import (
    BRONZE_REJECT_TYPES,
    BRONZE_TYPES,
    DATE,
    FLOAT,
    INT,
    RAW_COLUMNS,
    RAW_TYPES,
    TIMESTAMP,
)

DEFAULT_MAX_ROW_KB = 64
BOM = "\ufeff"
BOM_BYTES = BOM.encode("utf-8")

# Every character Python's str.strip() removes; pyarrow trims exactly this set, so trimming is
# vectorised yet identical to the SPEC's "as Python's str.strip()".
PY_WHITESPACE = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())

INT_PATTERN = r"^[+-]?[0-9]+$"
FLOAT_PATTERN = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

# Physical lines with their terminators, split where the csv module splits them.
_PHYSICAL_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_TERMINATOR = re.compile(r"(?:\r\n|\r|\n)$")

# Fields can be as long as a whole row; the row-length limit is enforced by us, not by csv.
csv.field_size_limit(sys.maxsize)


@dataclass(frozen=True)
class ParsedFile:
    """The outcome of parsing one raw file.

    Attributes:
        source_file: The file's path relative to the raw root (the partition's source).
        rows: Typed bronze rows (schema ``bronze/fitness_logs``).
        rejects: Records that did not parse, or one row for a file-level fault.
        data_records: Number of data records (header and blank lines not counted).
        failed_reason: The file-level fault, or None when the file parsed.
    """

    source_file: str
    rows: pa.Table
    rejects: pa.Table
    data_records: int
    failed_reason: str | None

    @property
    def failed(self) -> bool:
        """Whether the whole file was refused."""
        return self.failed_reason is not None


def bronze_schema() -> pa.Schema:
    """Arrow schema of ``bronze/fitness_logs``."""
    return pa.schema(list(BRONZE_TYPES.items()))


def bronze_rejects_schema() -> pa.Schema:
    """Arrow schema of ``bronze/fitness_rejects``."""
    return pa.schema(list(BRONZE_REJECT_TYPES.items()))


BATCH_ROWS = 250_000


@dataclass(frozen=True)
class _Batch:
    """Parses slices of data records of one file (see :func:`parse_tracker_csv`)."""

    positions: list[str]
    limit: int
    source_file: str
    modified_at: datetime
    ingested_at: datetime

    def parse(
        self, raw_records: pa.Array, fields: pa.Array | None, first_number: int
    ) -> tuple[pa.Table, pa.Table]:
        """Typed rows and ``(_row_number, raw, reason)`` rejects of one slice of records."""
        if fields is None:
            fields = pc.split_pattern(raw_records, ",")
        numbers = pa.array(np.arange(first_number, first_number + len(raw_records)), type=INT)
        too_long = pc.greater(pc.binary_length(raw_records), self.limit)
        wrong_count = pc.and_(
            pc.invert(too_long),
            pc.fill_null(pc.not_equal(pc.list_value_length(fields), len(RAW_COLUMNS)), True),
        )
        parseable = pc.invert(pc.or_(too_long, wrong_count))

        good = fields.filter(parseable)
        columns_text = {
            name: pc.list_element(good, self.positions.index(name))
            if len(good)
            else pa.array([], pa.string())
            for name in RAW_COLUMNS
        }
        typed, first_bad = _type_columns(columns_text)
        keep = pc.is_null(first_bad)
        good_numbers, good_raw = numbers.filter(parseable), raw_records.filter(parseable)
        bad_cells = pc.invert(keep)

        long_raw = [
            text.encode("utf-8")[: self.limit].decode("utf-8", "ignore")
            for text in raw_records.filter(too_long).to_pylist()
        ]
        reject_parts = [
            (numbers.filter(too_long), pa.array(long_raw, pa.large_string()), "row_too_long"),
            (
                numbers.filter(wrong_count),
                raw_records.filter(wrong_count),
                "unparseable:field_count",
            ),
        ]
        rejects = pa.table(
            {
                "_row_number": pa.concat_arrays(
                    [p[0] for p in reject_parts] + [good_numbers.filter(bad_cells)]
                ),
                "raw": pa.concat_arrays(
                    [p[1].cast(pa.large_string()) for p in reject_parts]
                    + [good_raw.filter(bad_cells).cast(pa.large_string())]
                ),
                "reason": pa.concat_arrays(
                    [pa.array([p[2]] * len(p[0]), pa.string()) for p in reject_parts]
                    + [pc.binary_join_element_wise("unparseable:", first_bad.filter(bad_cells), "")]
                ),
            }
        )
        row_numbers = good_numbers.filter(keep)
        count = len(row_numbers)
        rows = pa.table(
            {
                **{name: typed[name].filter(keep) for name in RAW_COLUMNS},
                "_source_file": pa.repeat(pa.scalar(self.source_file, pa.string()), count),
                "_row_number": row_numbers,
                "_source_modified_at": pa.repeat(pa.scalar(self.modified_at, TIMESTAMP), count),
                "_ingested_at": pa.repeat(pa.scalar(self.ingested_at, TIMESTAMP), count),
            },
            schema=bronze_schema(),
        )
        return rows, rejects


def parse_tracker_csv(
    data: bytes,
    *,
    source_file: str,
    modified_at: datetime,
    ingested_at: datetime,
    max_row_kb: int = DEFAULT_MAX_ROW_KB,
    workers: int | None = None,
) -> ParsedFile:
    """Parse one raw tracker CSV into typed bronze rows and rejects (SPEC 1.2).

    Args:
        data: The file's bytes, exactly as stored.
        source_file: Relative path or key of the file; becomes ``_source_file``.
        modified_at: The file's modification time (UTC); becomes ``_source_modified_at``.
        ingested_at: The run's start (UTC); becomes ``_ingested_at``.
        max_row_kb: Records whose UTF-8 text is longer than this many KiB are rejected
            as ``row_too_long``.
        workers: Threads typing slices of a large file at once; None: one per usable CPU.

    Returns:
        The parsed file. A file-level fault yields no rows and one reject row.
    """
    body = memoryview(data)[3:] if data.startswith(BOM_BYTES) else memoryview(data)
    try:
        # Arrow validates UTF-8 as strictly as Python's decoder, without a Python copy.
        whole = _utf8_array(body)
    except pa.ArrowInvalid:
        return failed_file(source_file, "not_utf8", _first_line_of_bytes(data))
    first_line = _first_line_of_bytes(data)

    raw_records, fields = _split_records(whole, has_quote=data.find(b'"') != -1)
    del whole
    nonblank = pc.not_equal(pc.utf8_trim(raw_records, characters=PY_WHITESPACE), "")
    raw_records = raw_records.filter(nonblank)
    fields = fields.filter(nonblank) if fields is not None else None
    if len(raw_records) == 0:
        return failed_file(source_file, "empty_file", first_line)

    header_fields = fields[0].as_py() if fields is not None else raw_records[0].as_py().split(",")
    header_fault = header_problem(header_fields)
    if header_fault:
        return failed_file(source_file, header_fault, first_line)
    raw_records = raw_records.slice(1)
    fields = fields.slice(1) if fields is not None else None
    if len(raw_records) == 0:
        return failed_file(source_file, "empty_file", first_line)

    batch = _Batch(
        positions=[name.strip().lower() for name in header_fields],
        limit=max_row_kb * 1024,
        source_file=source_file,
        modified_at=modified_at,
        ingested_at=ingested_at,
    )
    # Typing goes in slices of rows, so the field lists and text columns of a large file
    # never exist all at once; the rows are the same as in one pass. Slices are typed on
    # every core at once (Arrow kernels release the GIL).
    parts = ordered_map(
        lambda start: batch.parse(
            raw_records.slice(start, BATCH_ROWS),
            fields.slice(start, BATCH_ROWS) if fields is not None else None,
            first_number=start + 1,
        ),
        range(0, len(raw_records), BATCH_ROWS),
        workers,
    )
    rows = pa.concat_tables([part[0] for part in parts])
    rejects = pa.concat_tables([part[1] for part in parts]).sort_by("_row_number")
    return ParsedFile(
        source_file=source_file,
        rows=rows,
        rejects=_rejects_table(
            source_file,
            list(
                zip(
                    rejects["_row_number"].to_pylist(),
                    rejects["raw"].to_pylist(),
                    rejects["reason"].to_pylist(),
                    strict=True,
                )
            ),
        ),
        data_records=len(raw_records),
        failed_reason=None,
    )


def header_problem(fields: list[str] | None) -> str | None:
    """The ``bad_header: ...`` reason for a header row, or None when it is acceptable.

    Names match after trimming, case-insensitively, in any order. Missing names are listed in
    the order of SPEC 1.1, unexpected names as written (trimmed) in header order, and
    repeated names lower-cased and sorted.
    """
    names = [name.strip() for name in (fields or [])]
    lowered = [name.lower() for name in names]
    missing = [c for c in RAW_COLUMNS if c not in lowered]
    unexpected = [name for name in names if name.lower() not in RAW_COLUMNS]
    repeated = sorted({name for name in lowered if lowered.count(name) > 1})
    parts = [
        f"{label} {values!r}"
        for label, values in (
            ("missing", missing),
            ("unexpected", unexpected),
            ("repeated", repeated),
        )
        if values
    ]
    return f"bad_header: {'; '.join(parts)}" if parts else None


def _utf8_array(body: memoryview) -> pa.Array:
    """The file as a one-element Arrow string array, sharing the bytes (validated UTF-8)."""
    buffer = pa.py_buffer(body)
    offsets = pa.py_buffer(np.array([0, len(body)], dtype=np.int64).tobytes())
    binary = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, buffer])
    return binary.cast(pa.large_string())


def _split_records(whole: pa.Array, *, has_quote: bool) -> tuple[pa.Array, pa.Array | None]:
    """Split the file into CSV records: raw texts (without terminators) and their field lists.

    Without any quote character a record is a physical line; Arrow splits lines and fields
    without creating a Python object per row. Otherwise the csv module parses the file and
    the physical lines it consumed give each record's raw text. A record the csv module
    refuses has a null field list.
    """
    if not has_quote:
        has_cr = pc.any(pc.match_substring(whole, "\r")).as_py()
        parts = (
            pc.split_pattern_regex(whole, r"\r\n|\r|\n")
            if has_cr
            else pc.split_pattern(whole, "\n")
        )
        raw = pc.list_flatten(parts)
        # A final terminator leaves one empty trailing element, which is no line.
        if len(raw) and raw[len(raw) - 1].as_py() == "":
            raw = raw.slice(0, len(raw) - 1)
        return raw, None

    text = whole[0].as_py()
    physical = _PHYSICAL_LINE.findall(text)
    raws: list[str] = []
    parsed: list[list[str] | None] = []
    start = 0
    while start < len(physical):
        reader = csv.reader(iter(physical[start:]))
        consumed = 0
        try:
            for fields in reader:
                raws.append(
                    _TERMINATOR.sub(
                        "", "".join(physical[start + consumed : start + reader.line_num])
                    )
                )
                parsed.append(fields)
                consumed = reader.line_num
            break
        except csv.Error:
            # The record the reader choked on is kept as unparseable; parsing resumes after it.
            end = max(reader.line_num, consumed + 1)
            raws.append(_TERMINATOR.sub("", "".join(physical[start + consumed : start + end])))
            parsed.append(None)
            start += end
    return (
        pa.array(raws, type=pa.large_string()),
        pa.array(parsed, type=pa.list_(pa.large_string())),
    )


def _type_columns(
    columns_text: dict[str, pa.Array],
) -> tuple[dict[str, pa.Array], pa.Array]:
    """Type every raw column and name each row's first unparseable column (or null)."""
    typed: dict[str, pa.Array] = {}
    first_bad = pa.nulls(len(columns_text[RAW_COLUMNS[0]]), type=pa.string())
    for name in reversed(RAW_COLUMNS):
        trimmed = pc.utf8_trim(columns_text[name], characters=PY_WHITESPACE)
        present = pc.not_equal(trimmed, "")
        values, valid = _PARSERS[RAW_TYPES[name]](trimmed) if name != "gender" else _gender(trimmed)
        typed[name] = pc.if_else(present, values, pa.scalar(None, RAW_TYPES[name]))
        bad = pc.and_(present, pc.invert(valid))
        # Walking the columns backwards lets the first bad column in SPEC order win.
        first_bad = pc.if_else(bad, pa.scalar(name), first_bad)
    return typed, first_bad


def _gender(trimmed: pa.Array) -> tuple[pa.Array, pa.Array]:
    if pc.all(pc.string_is_ascii(trimmed)).as_py() is not False:
        upper = pc.ascii_upper(trimmed)
    else:
        # Python's str.upper, not ICU's, so unusual letters upper-case as the SPEC's Python does.
        upper = pa.array([v.upper() for v in trimmed.to_pylist()], type=pa.string())
    return upper, pa.array([True] * len(trimmed), type=pa.bool_())


def _parse_int(trimmed: pa.Array) -> tuple[pa.Array, pa.Array]:
    matches = pc.match_substring_regex(trimmed, INT_PATTERN)
    candidates = pc.if_else(matches, pc.replace_substring_regex(trimmed, r"^\+", ""), None)
    try:
        values = pc.cast(candidates, INT)
    except pa.ArrowInvalid:
        # Only an int64 overflow gets here: fall back to Python ints for the exact rule.
        values = pa.array(
            [_int_or_none(v) for v in candidates.to_pylist()],
            type=INT,
        )
    valid = pc.and_(matches, pc.is_valid(values))
    return values, pc.fill_null(valid, False)


def _int_or_none(text: str | None) -> int | None:
    if text is None:
        return None
    value = int(text)
    return value if -(2**63) <= value < 2**63 else None


def _parse_float(trimmed: pa.Array) -> tuple[pa.Array, pa.Array]:
    matches = pc.match_substring_regex(trimmed, FLOAT_PATTERN)
    candidates = pc.if_else(matches, trimmed, None)
    # pyarrow's parser is correctly rounded (fast_float) and maps overflow to +-inf.
    values = pc.cast(candidates, FLOAT)
    valid = pc.and_(matches, pc.is_finite(values))
    return pc.if_else(valid, values, None), pc.fill_null(valid, False)


def _parse_date(trimmed: pa.Array) -> tuple[pa.Array, pa.Array]:
    matches = pc.fill_null(pc.match_substring_regex(trimmed, DATE_PATTERN), False)
    candidates = pc.if_else(matches, trimmed, "0000-00-00")
    year, month, day = (
        pc.cast(pc.utf8_slice_codeunits(candidates, a, b), INT).to_numpy()
        for a, b in ((0, 4), (5, 7), (8, 10))
    )
    # A real calendar day: month 1-12 and day within that month (Gregorian leap years).
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    month_days = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 0])
    limit = month_days[np.where((month >= 1) & (month <= 12), month - 1, 12)] + (
        leap & (month == 2)
    )
    real = (year >= 1) & (day >= 1) & (day <= limit)
    valid = pa.array(real, type=pa.bool_())
    epoch_days = np.where(real, _days_from_civil(year, month, day), 0)
    values = pc.if_else(valid, pa.array(epoch_days.astype("int32")).cast(DATE), None)
    return values, pc.and_(matches, valid)


def _days_from_civil(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 (Howard Hinnant's algorithm), vectorised."""
    shifted = year - (month <= 2)
    era = shifted // 400
    year_of_era = shifted - era * 400
    day_of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146_097 + day_of_era - 719_468


_PARSERS = {INT: _parse_int, FLOAT: _parse_float, DATE: _parse_date}


def failed_file(source_file: str, reason: str, raw: str) -> ParsedFile:
    return ParsedFile(
        source_file=source_file,
        rows=bronze_schema().empty_table(),
        rejects=_rejects_table(source_file, [(0, raw, reason)]),
        data_records=0,
        failed_reason=reason,
    )


def _first_line_of_bytes(data: bytes) -> str:
    """The first physical line without BOM and terminator; empty when it is not UTF-8."""
    line = re.split(rb"\r\n|\r|\n", data, maxsplit=1)[0]
    if line.startswith(BOM.encode("utf-8")):
        line = line[3:]
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return ""


def _rejects_table(source_file: str, rejects: list[tuple[int, str, str]]) -> pa.Table:
    return pa.table(
        {
            "_source_file": pa.array([source_file] * len(rejects), type=pa.string()),
            "_row_number": pa.array([r[0] for r in rejects], type=INT),
            "raw": pa.array([r[1] for r in rejects], type=pa.string()),
            "stage": pa.array(["bronze"] * len(rejects), type=pa.string()),
            "reason": pa.array([r[2] for r in rejects], type=pa.string()),
        },
        schema=bronze_rejects_schema(),
    )
