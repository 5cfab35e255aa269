"""Data-quality rules over tracker tables: pure functions on pyarrow tables, no Dagster.

Every rule returns a :class:`QualityResult` with the rows it checked, the rows that fail, a
sample of at most :data:`SAMPLE_ROWS` failing rows and the threshold it applied, so the same
numbers reach the Dagster UI, the alert messages and the tests. Reconciliation works row by
row: it anti-joins the keys (``_source_file``, ``_row_number``) a stage was given against the
keys it wrote, so a lost row and an invented row are both named, not only counted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from fitness_platform.tracker.schema import (
    ACTIVITY_LEVELS,
    BMI_CATEGORIES,
    RAW_COLUMNS,
    SLEEP_QUALITIES,
    WEEKDAYS,
)
from fitness_platform.tracker.silver import GENDERS, RANGES

SAMPLE_ROWS = 10
ERROR = "ERROR"
WARN = "WARN"
REJECT_RATE_WARN = 0.01
REJECT_RATE_ERROR = 0.05
ROW_KEYS: tuple[str, ...] = ("_source_file", "_row_number")
WEIGHT_CHANGE_LIMIT = 5.0
RA30_DAYS_RANGE = (1, 30)
# Duplicates are resolved deterministically (the later file wins); they are not bad data,
# and counting them would make every corrected re-delivery of a file block gold.
REJECT_RATE_EXCLUDED_REASONS: tuple[str, ...] = ("duplicate",)

BRONZE_REASON = re.compile(
    r"^(row_too_long|not_utf8|empty_file|bad_header: .+|file_too_large: .+"
    r"|unparseable:(field_count|" + "|".join(RAW_COLUMNS) + r"))$"
)
SILVER_REASON = re.compile(
    r"^(missing_key|zero_steps|duplicate|out_of_range:(gender|"
    + "|".join(column for column, _, _ in RANGES)
    + r"))$"
)
CATEGORIES: dict[str, tuple[str, ...]] = {
    "activity_level": ACTIVITY_LEVELS,
    "sleep_quality": SLEEP_QUALITIES,
    "bmi_category": BMI_CATEGORIES,
    "weekday": WEEKDAYS,
    "gender": GENDERS,
}
_UTC_NAMES = ("UTC", "Etc/UTC", "+00:00", "Z")


@dataclass(frozen=True)
class QualityResult:
    """The outcome of one data-quality rule.

    Attributes:
        passed: Whether the rule holds.
        rows_checked: Rows the rule looked at.
        rows_failing: Rows that break it (0 when it passed).
        sample: At most :data:`SAMPLE_ROWS` failing rows (or failing columns, files, gaps).
        threshold: What the rule accepts, in words.
        reason: One line saying what failed, or what was verified.
        severity: ``ERROR`` or ``WARN``: how bad this outcome is when it did not pass.
        details: Further figures for the UI (per-file tables, counts by problem).
    """

    passed: bool
    rows_checked: int
    rows_failing: int
    sample: pa.Table
    threshold: str
    reason: str
    severity: str = ERROR
    details: dict[str, Any] = field(default_factory=dict)


def _empty_sample() -> pa.Table:
    return pa.table({"problem": pa.array([], type=pa.string())})


def normalise_type(type_name: str) -> str:
    """A type's name with the spellings SPEC 1.6 treats as equal made equal.

    ``large_string`` counts as ``string`` and a UTC timestamp may name its zone ``UTC``,
    ``Etc/UTC`` or ``+00:00``.
    """
    name = type_name.strip()
    if name in ("large_string", "large_utf8", "utf8"):
        return "string"
    match = re.fullmatch(r"timestamp\[(\w+), tz=(.+)\]", name)
    if match and match.group(2) in _UTC_NAMES:
        return f"timestamp[{match.group(1)}, tz=UTC]"
    if name == "date32":
        return "date32[day]"
    return name


def schema_types(schema: pa.Schema) -> dict[str, str]:
    """Column name -> normalised type name of an Arrow schema."""
    return {f.name: normalise_type(str(f.type)) for f in schema}


def check_schema(
    file_schemas: Mapping[str, pa.Schema],
    expected: pa.Schema,
    *,
    rows_by_file: Mapping[str, int] | None = None,
    bookkeeping_allowed: bool = False,
) -> QualityResult:
    """Every stored file of a table has exactly the SPEC 1.6 columns and Arrow types.

    Args:
        file_schemas: The physical schema of each stored Parquet file, by file name.
        expected: The table's schema from :func:`fitness_platform.tracker.schema.arrow_schema`.
        rows_by_file: Rows stored in each file, for the row counts.
        bookkeeping_allowed: Whether extra ``_``-prefixed columns are allowed (bronze, silver).

    Returns:
        A result whose sample lists each wrong column: file, column, expected, actual, problem.
    """
    rows_by_file = rows_by_file or {}
    want = schema_types(expected)
    problems: list[dict[str, str]] = []
    bad_files: set[str] = set()
    for name, schema in sorted(file_schemas.items()):
        have = schema_types(schema)
        for column, wanted in want.items():
            if column not in have:
                problems.append(_schema_problem(name, column, wanted, "", "missing"))
            elif have[column] != wanted:
                problems.append(_schema_problem(name, column, wanted, have[column], "wrong type"))
        for column, actual in have.items():
            if column not in want and not (bookkeeping_allowed and column.startswith("_")):
                problems.append(_schema_problem(name, column, "", actual, "unexpected"))
        if any(p["file"] == name for p in problems):
            bad_files.add(name)
    rows = sum(rows_by_file.get(name, 0) for name in file_schemas)
    failing = sum(rows_by_file.get(name, 0) for name in bad_files)
    sample = pa.Table.from_pylist(problems[:SAMPLE_ROWS]) if problems else _empty_sample()
    reason = (
        f"{len(problems)} column problem(s) in {len(bad_files)} of {len(file_schemas)} file(s): "
        + "; ".join(f"{p['column']} {p['problem']}" for p in problems[:5])
        if problems
        else f"{len(file_schemas)} file(s) match the SPEC 1.6 schema ({len(want)} columns)"
    )
    return QualityResult(
        passed=not problems,
        rows_checked=rows,
        rows_failing=failing,
        sample=sample,
        threshold="0 missing, unexpected or mistyped columns"
        + (" (extra _-prefixed bookkeeping columns allowed)" if bookkeeping_allowed else ""),
        reason=reason,
        details={"files_checked": len(file_schemas), "columns_failing": len(problems)},
    )


def _schema_problem(file: str, column: str, wanted: str, actual: str, problem: str) -> dict:
    return {
        "file": file,
        "column": column,
        "expected": wanted,
        "actual": actual,
        "problem": problem,
    }


def schema_drift(
    current: Mapping[str, str], previous: Mapping[str, str] | None, *, rows: int
) -> QualityResult:
    """Columns added, removed or retyped since the previous materialisation (a warning).

    Args:
        current: Column name -> type name of the table now.
        previous: The same for the previous materialisation, or None when there was none.
        rows: Rows in the table now.
    """
    if previous is None:
        return QualityResult(
            passed=True,
            rows_checked=rows,
            rows_failing=0,
            sample=_empty_sample(),
            threshold="no column added, removed or retyped between materialisations",
            reason="no previous materialisation to compare with",
            severity=WARN,
            details={"columns_changed": 0},
        )
    now = {k: normalise_type(v) for k, v in current.items()}
    before = {k: normalise_type(v) for k, v in previous.items()}
    changes = [
        {"column": c, "previous": before[c], "current": "", "change": "removed"}
        for c in before
        if c not in now
    ]
    changes += [
        {"column": c, "previous": "", "current": now[c], "change": "added"}
        for c in now
        if c not in before
    ]
    changes += [
        {"column": c, "previous": before[c], "current": now[c], "change": "retyped"}
        for c in now
        if c in before and before[c] != now[c]
    ]
    return QualityResult(
        passed=not changes,
        rows_checked=rows,
        rows_failing=rows if changes else 0,
        sample=pa.Table.from_pylist(changes[:SAMPLE_ROWS]) if changes else _empty_sample(),
        threshold="no column added, removed or retyped between materialisations",
        reason=(
            "schema drifted: " + ", ".join(f"{c['column']} {c['change']}" for c in changes[:8])
            if changes
            else f"same {len(now)} columns and types as the previous materialisation"
        ),
        severity=WARN,
        details={"columns_changed": len(changes)},
    )


def _take(table: pa.Table, mask: pa.ChunkedArray | pa.Array, columns: Iterable[str]) -> pa.Table:
    present = [c for c in columns if c in table.column_names]
    return table.filter(mask).select(present)


def check_unique_keys(table: pa.Table, keys: tuple[str, ...]) -> QualityResult:
    """Key columns are never null and each key value occurs once (the table's grain).

    Returns:
        A result whose failing rows are the rows with a null key plus every row of a
        duplicated key; the sample shows them with their bookkeeping columns.
    """
    null_mask = pc.fill_null(pc.is_null(table.column(keys[0])), True)
    for key in keys[1:]:
        null_mask = pc.or_(null_mask, pc.is_null(table.column(key)))
    counted = (
        table.select(list(keys))
        .filter(pc.invert(null_mask))
        .group_by(list(keys))
        .aggregate([([], "count_all")])
    )
    dupes = counted.filter(pc.greater(counted.column("count_all"), 1))
    indexed = table.append_column("__index", pa.array(range(table.num_rows), type=pa.int64()))
    dup_rows = indexed.select([*keys, "__index"]).join(
        dupes.select(list(keys)), list(keys), join_type="inner"
    )
    dup_mask = pc.is_in(indexed.column("__index"), value_set=dup_rows.column("__index"))
    failing_mask = pc.or_(null_mask, dup_mask)
    nulls, duplicated = pc.sum(null_mask).as_py() or 0, dup_rows.num_rows
    failing = pc.sum(failing_mask).as_py() or 0
    problem = pc.if_else(null_mask, pa.scalar("null key"), pa.scalar("duplicate key"))
    show = [*keys, *(c for c in ROW_KEYS if c not in keys)]
    sample = _take(table.append_column("problem", problem), failing_mask, [*show, "problem"])
    key_text = ", ".join(keys)
    return QualityResult(
        passed=failing == 0,
        rows_checked=table.num_rows,
        rows_failing=failing,
        sample=sample.sort_by([(k, "ascending") for k in keys]).slice(0, SAMPLE_ROWS),
        threshold=f"0 null keys; ({key_text}) unique",
        reason=(
            f"{nulls} row(s) with a null key, {duplicated} row(s) sharing "
            f"{dupes.num_rows} duplicated ({key_text}) value(s)"
            if failing
            else f"({key_text}) is non-null and unique over {table.num_rows} row(s)"
        ),
        details={
            "null_keys": nulls,
            "duplicate_rows": duplicated,
            "duplicate_keys": dupes.num_rows,
        },
    )


Rule = Callable[[pa.Table], pa.Array | pa.ChunkedArray]


def check_rules(
    table: pa.Table, rules: Mapping[str, tuple[str, Rule]], *, threshold: str
) -> QualityResult:
    """Rows that break any of ``rules``; each rule maps a table to a "row is bad" mask.

    Args:
        table: The table checked.
        rules: Rule name -> (column it is about, function returning True where a row fails;
            a null counts as failing).
        threshold: What the rules accept, in words.
    """
    problem: pa.Array | pa.ChunkedArray = pa.nulls(table.num_rows, type=pa.string())
    counts: dict[str, int] = {}
    columns: list[str] = []
    # Walk backwards so the first broken rule in declaration order names the row's problem.
    for name, (column, rule) in reversed(list(rules.items())):
        bad = pc.fill_null(rule(table), True)
        counts[name] = pc.sum(bad).as_py() or 0
        problem = pc.if_else(bad, pa.scalar(name), problem)
        if column not in columns:
            columns.insert(0, column)
    failing_mask = pc.is_valid(problem)
    failing = pc.sum(failing_mask).as_py() or 0
    show = ["user_id", "date", *ROW_KEYS, *columns]
    sample = _take(table.append_column("problem", problem), failing_mask, [*show, "problem"])
    broken = {name: n for name, n in reversed(counts.items()) if n}
    return QualityResult(
        passed=failing == 0,
        rows_checked=table.num_rows,
        rows_failing=failing,
        sample=sample.slice(0, SAMPLE_ROWS),
        threshold=threshold,
        reason=(
            f"{failing} row(s) fail: " + ", ".join(f"{n} {name}" for name, n in broken.items())
            if failing
            else f"all {table.num_rows} row(s) pass {len(rules)} rule(s)"
        ),
        details={"failing_by_rule": broken},
    )


def _outside(column: str, low: float, high: float) -> Rule:
    return lambda t: pc.invert(
        pc.and_(pc.greater_equal(t.column(column), low), pc.less_equal(t.column(column), high))
    )


def _not_in(column: str, allowed: tuple[str, ...]) -> Rule:
    return lambda t: pc.invert(pc.is_in(t.column(column), value_set=pa.array(allowed)))


def check_silver_ranges(silver: pa.Table) -> QualityResult:
    """Every silver value lies inside its SPEC 1.3 range; steps are never 0 after cleaning."""
    rules: dict[str, tuple[str, Rule]] = {
        f"out_of_range:{c}": (c, _outside(c, low, high)) for c, low, high in RANGES
    }
    rules["zero_steps"] = ("steps", lambda t: pc.equal(t.column("steps"), 0))
    ranges = ", ".join(f"{c} {low:g}-{high:g}" for c, low, high in RANGES)
    return check_rules(silver, rules, threshold=f"0 rows outside {ranges} (inclusive); steps != 0")


def check_categories(silver: pa.Table) -> QualityResult:
    """Categorical silver columns take only their allowed values (never null)."""
    rules = {
        f"bad_{column}": (column, _not_in(column, allowed))
        for column, allowed in CATEGORIES.items()
    }
    allowed_text = "; ".join(f"{c} in {{{', '.join(v)}}}" for c, v in CATEGORIES.items())
    return check_rules(silver, rules, threshold=f"0 rows outside: {allowed_text}")


def check_ra30_days(silver: pa.Table) -> QualityResult:
    """``ra30_days`` counts the user's days in the 30-day window, so it is in 1..30."""
    low, high = RA30_DAYS_RANGE
    rules = {"ra30_days_outside_1_30": ("ra30_days", _outside("ra30_days", low, high))}
    return check_rules(silver, rules, threshold=f"0 rows with ra30_days outside {low}..{high}")


def check_weight_change(silver: pa.Table) -> QualityResult:
    """``weight_change_30d`` is clamped to [-5, 5] kg (null where day d-30 is absent)."""
    limit = WEIGHT_CHANGE_LIMIT

    def outside(t: pa.Table) -> pa.Array:
        value = t.column("weight_change_30d")
        inside = pc.and_(pc.greater_equal(value, -limit), pc.less_equal(value, limit))
        return pc.fill_null(pc.invert(inside), False)

    rules = {"weight_change_30d_unclamped": ("weight_change_30d", outside)}
    return check_rules(
        silver, rules, threshold=f"0 rows with weight_change_30d outside [-{limit:g}, {limit:g}]"
    )


def check_reject_reasons(rejects: pa.Table, stage: str) -> QualityResult:
    """Every reject carries its stage and a reason from the SPEC's vocabulary."""
    pattern = BRONZE_REASON if stage == "bronze" else SILVER_REASON

    def unknown(t: pa.Table) -> pa.Array:
        reasons = t.column("reason").to_pylist()
        return pa.array([r is None or not pattern.match(r) for r in reasons], type=pa.bool_())

    rules: dict[str, tuple[str, Rule]] = {
        "wrong_stage": ("stage", lambda t: pc.not_equal(t.column("stage"), stage)),
        "unknown_reason": ("reason", unknown),
    }
    return check_rules(
        rejects, rules, threshold=f"stage == {stage!r}; reason matches {pattern.pattern}"
    )


@dataclass(frozen=True)
class FileRecords:
    """What the ingestion ledger says about one raw file."""

    source_file: str
    data_records: int
    failed: bool = False


def expected_record_keys(files: Iterable[FileRecords]) -> pa.Table:
    """The (``_source_file``, ``_row_number``) every file must produce exactly once.

    A parsed file has records 1..n; a failed file has its one file-level reject, row 0.
    """
    names: list[str] = []
    numbers: list[int] = []
    for entry in files:
        count = 1 if entry.failed else entry.data_records
        first = 0 if entry.failed else 1
        names += [entry.source_file] * count
        numbers += range(first, first + count)
    return pa.table(
        {"_source_file": pa.array(names, pa.string()), "_row_number": pa.array(numbers, pa.int64())}
    )


def _keys(table: pa.Table) -> pa.Table:
    return table.select(list(ROW_KEYS)).cast(
        pa.schema([("_source_file", pa.string()), ("_row_number", pa.int64())])
    )


def reconcile(expected: pa.Table, found: Mapping[str, pa.Table]) -> QualityResult:
    """Row-by-row reconciliation on (``_source_file``, ``_row_number``) with anti-joins.

    Every expected key must land in exactly one of the ``found`` tables: a key in none is
    ``missing``, a key in two (or twice in one) is ``duplicated``, a key nobody expected is
    ``unexpected``. Counts are kept per file and for the whole run.

    Args:
        expected: The keys a stage was given (``_source_file``, ``_row_number``).
        found: Destination table name -> the rows it holds (only the key columns are read).

    Returns:
        A result whose details hold ``per_file`` rows and ``totals`` for the run.
    """
    keys = list(ROW_KEYS)
    landed = pa.concat_tables(
        [
            _keys(table).append_column(
                "destination", pa.array([name] * table.num_rows, pa.string())
            )
            for name, table in found.items()
        ]
    )
    expected = _keys(expected)
    missing = expected.join(landed.select(keys), keys, join_type="left anti")
    unexpected = landed.join(expected, keys, join_type="left anti")
    placed = landed.group_by(keys).aggregate([([], "count_all"), ("destination", "distinct")])
    duplicated = placed.filter(pc.greater(placed.column("count_all"), 1))

    problems = pa.concat_tables(
        [
            missing.append_column("problem", pa.array(["missing"] * missing.num_rows, pa.string())),
            unexpected.select(keys).append_column(
                "problem",
                pa.array(
                    [f"unexpected in {d}" for d in unexpected.column("destination").to_pylist()],
                    pa.string(),
                ),
            ),
            duplicated.select(keys).append_column(
                "problem",
                pa.array(
                    [
                        f"placed {n} times in {', '.join(sorted(d))}"
                        for n, d in zip(
                            duplicated.column("count_all").to_pylist(),
                            duplicated.column("destination_distinct").to_pylist(),
                            strict=True,
                        )
                    ],
                    pa.string(),
                ),
            ),
        ]
    ).sort_by([("_source_file", "ascending"), ("_row_number", "ascending")])

    per_file = _per_file_counts(expected, found, missing, unexpected, duplicated)
    totals = {
        "expected": expected.num_rows,
        **{name: table.num_rows for name, table in found.items()},
        "missing": missing.num_rows,
        "unexpected": unexpected.num_rows,
        "duplicated": duplicated.num_rows,
    }
    failing = problems.num_rows
    bad_files = sorted({r["_source_file"] for r in per_file if r["failing"]})
    destinations = " + ".join(found)
    return QualityResult(
        passed=failing == 0,
        rows_checked=expected.num_rows,
        rows_failing=failing,
        sample=problems.slice(0, SAMPLE_ROWS),
        threshold=f"every expected row in exactly one of {destinations}; nothing else",
        reason=(
            f"{missing.num_rows} missing, {unexpected.num_rows} unexpected and "
            f"{duplicated.num_rows} duplicated row(s) in {len(bad_files)} file(s): "
            + ", ".join(bad_files[:5])
            if failing
            else f"all {expected.num_rows} row(s) of {len(per_file)} file(s) are in "
            f"exactly one of {destinations}"
        ),
        details={"per_file": per_file, "totals": totals},
    )


def _count_by_file(table: pa.Table) -> dict[str, int]:
    if table.num_rows == 0:
        return {}
    counted = table.select(["_source_file"]).group_by("_source_file").aggregate([([], "count_all")])
    return dict(
        zip(
            counted.column("_source_file").to_pylist(),
            counted.column("count_all").to_pylist(),
            strict=True,
        )
    )


def _per_file_counts(
    expected: pa.Table,
    found: Mapping[str, pa.Table],
    missing: pa.Table,
    unexpected: pa.Table,
    duplicated: pa.Table,
) -> list[dict[str, Any]]:
    counts = {
        "expected": _count_by_file(expected),
        **{name: _count_by_file(table) for name, table in found.items()},
        "missing": _count_by_file(missing),
        "unexpected": _count_by_file(unexpected),
        "duplicated": _count_by_file(duplicated),
    }
    files = sorted({f for per in counts.values() for f in per})
    rows = []
    for name in files:
        row: dict[str, Any] = {"_source_file": name}
        row.update({label: per.get(name, 0) for label, per in counts.items()})
        row["failing"] = row["missing"] + row["unexpected"] + row["duplicated"]
        rows.append(row)
    return rows


def check_reject_rate(
    files: Iterable[FileRecords],
    bronze_rejects: pa.Table,
    silver_rejects: pa.Table,
    *,
    warn_above: float = REJECT_RATE_WARN,
    error_above: float = REJECT_RATE_ERROR,
) -> QualityResult:
    """Share of each source file's data records rejected: WARN above one bound, ERROR above.

    Rejected means a bronze reject (a record that did not parse) or a silver reject other
    than ``duplicate``. Files that failed as a whole are left out (they fail the run on their
    own, with their reason) and listed in the details.

    Args:
        files: Ledger view of every file (data records, whether it failed).
        bronze_rejects: ``bronze/fitness_rejects``.
        silver_rejects: ``silver/fitness_rejects``.
        warn_above: A file whose rate is above this fails with severity WARN.
        error_above: A file whose rate is above this fails with severity ERROR.
    """
    entries = list(files)
    bronze = bronze_rejects.filter(pc.greater(bronze_rejects.column("_row_number"), 0))
    counted_silver = silver_rejects.filter(
        pc.invert(pc.is_in(silver_rejects.column("reason"), pa.array(REJECT_RATE_EXCLUDED_REASONS)))
    )
    bronze_by_file, silver_by_file = _count_by_file(bronze), _count_by_file(counted_silver)
    duplicates_by_file = _count_by_file(
        silver_rejects.filter(pc.equal(silver_rejects.column("reason"), "duplicate"))
    )
    rows: list[dict[str, Any]] = []
    for entry in entries:
        if entry.failed or entry.data_records <= 0:
            continue
        rejected = bronze_by_file.get(entry.source_file, 0) + silver_by_file.get(
            entry.source_file, 0
        )
        rate = rejected / entry.data_records
        level = ERROR if rate > error_above else WARN if rate > warn_above else "ok"
        rows.append(
            {
                "_source_file": entry.source_file,
                "data_records": entry.data_records,
                "bronze_rejects": bronze_by_file.get(entry.source_file, 0),
                "silver_rejects": silver_by_file.get(entry.source_file, 0),
                "duplicates_not_counted": duplicates_by_file.get(entry.source_file, 0),
                "reject_rate": round(rate, 6),
                "level": level,
            }
        )
    rows.sort(key=lambda r: (-r["reject_rate"], r["_source_file"]))
    over = [r for r in rows if r["level"] != "ok"]
    # A passing result reports the worst severity the rule can raise.
    severity = WARN if over and all(r["level"] == WARN for r in over) else ERROR
    checked = sum(r["data_records"] for r in rows)
    failing = sum(r["bronze_rejects"] + r["silver_rejects"] for r in over)
    worst = rows[0] if rows else None
    return QualityResult(
        passed=not over,
        rows_checked=checked,
        rows_failing=failing,
        sample=pa.Table.from_pylist(over[:SAMPLE_ROWS]) if over else _empty_sample(),
        threshold=f"per file: WARN above {warn_above:.2%}, ERROR above {error_above:.2%} of "
        "its data records rejected (duplicates not counted)",
        reason=(
            f"{len(over)} file(s) above the reject-rate bound: "
            + ", ".join(f"{r['_source_file']} {r['reject_rate']:.2%}" for r in over[:5])
            if over
            else f"{len(rows)} file(s) at or under {warn_above:.2%} rejected"
            + (f" (worst {worst['_source_file']} {worst['reject_rate']:.2%})" if worst else "")
        ),
        severity=severity,
        details={
            "per_file": rows,
            "failed_files_not_rated": sorted(e.source_file for e in entries if e.failed),
            "warn_above": warn_above,
            "error_above": error_above,
        },
    )


def check_referential_integrity(
    fact: pa.Table, dim_user: pa.Table, dim_date: pa.Table
) -> QualityResult:
    """Every ``fact_daily`` row resolves to ``dim_user`` (user_id) and ``dim_date`` (date_key)."""
    indexed = fact.select(["user_id", "date_key"]).append_column(
        "__index", pa.array(range(fact.num_rows), type=pa.int64())
    )
    no_user = indexed.join(dim_user.select(["user_id"]), "user_id", join_type="left anti")
    no_date = indexed.join(dim_date.select(["date_key"]), "date_key", join_type="left anti")
    in_no_user = pc.is_in(indexed.column("__index"), value_set=no_user.column("__index"))
    in_no_date = pc.is_in(indexed.column("__index"), value_set=no_date.column("__index"))
    failing_mask = pc.or_(in_no_user, in_no_date)
    problem = pc.if_else(
        pc.and_(in_no_user, in_no_date),
        pa.scalar("user_id not in dim_user; date_key not in dim_date"),
        pc.if_else(
            in_no_user, pa.scalar("user_id not in dim_user"), pa.scalar("date_key not in dim_date")
        ),
    )
    failing = pc.sum(failing_mask).as_py() or 0
    sample = (
        fact.select(["user_id", "date_key"]).append_column("problem", problem).filter(failing_mask)
    )
    return QualityResult(
        passed=failing == 0,
        rows_checked=fact.num_rows,
        rows_failing=failing,
        sample=sample.slice(0, SAMPLE_ROWS),
        threshold="0 fact_daily rows without a dim_user or dim_date row",
        reason=(
            f"{no_user.num_rows} row(s) with an unknown user_id, {no_date.num_rows} with an "
            "unknown date_key"
            if failing
            else f"all {fact.num_rows} fact_daily row(s) resolve to dim_user and dim_date"
        ),
        details={"unknown_user_rows": no_user.num_rows, "unknown_date_rows": no_date.num_rows},
    )


def check_contiguous_dates(dim_date: pa.Table) -> QualityResult:
    """``dim_date`` holds every calendar day from its first to its last date, once each."""
    days = sorted(d for d in dim_date.column("date").to_pylist() if d is not None)
    nulls = dim_date.num_rows - len(days)
    gaps: list[dict[str, Any]] = []
    repeated = 0
    for before, after in pairwise(days):
        step = (after - before).days
        if step == 0:
            repeated += 1
        elif step > 1:
            gaps.append({"after": before, "before": after, "missing_days": step - 1})
    missing = sum(g["missing_days"] for g in gaps)
    failing = missing + repeated + nulls
    return QualityResult(
        passed=failing == 0,
        rows_checked=dim_date.num_rows,
        rows_failing=failing,
        sample=pa.Table.from_pylist(gaps[:SAMPLE_ROWS]) if gaps else _empty_sample(),
        threshold="0 missing, repeated or null days between the first and the last date",
        reason=(
            f"{missing} day(s) missing in {len(gaps)} gap(s), {repeated} repeated, {nulls} null"
            if failing
            else (
                f"{len(days)} contiguous day(s) {days[0]} .. {days[-1]}"
                if days
                else "dim_date is empty"
            )
        ),
        details={"missing_days": missing, "repeated_days": repeated, "null_dates": nulls},
    )
