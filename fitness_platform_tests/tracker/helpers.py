"""Builders of tracker CSV files and comparison helpers shared by the tracker tests."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

import pyarrow as pa

from fitness_platform.engine import Engine
from fitness_platform.engine.pandas_engine import PANDAS_ENGINE
from fitness_platform.tracker.bronze import ParsedFile, parse_tracker_csv
from fitness_platform.tracker.pipeline import SilverTables, build_gold, build_silver, combine_bronze

HEADER: tuple[str, ...] = (
    "user_id",
    "age",
    "gender",
    "date",
    "steps",
    "heart_rate_avg",
    "sleep_hours",
    "calories_burned",
    "exercise_minutes",
    "stress_level",
    "weight_kg",
    "bmi",
)
GOOD: dict[str, str] = {
    "user_id": "1",
    "age": "30",
    "gender": "F",
    "date": "2024-09-06",
    "steps": "8000",
    "heart_rate_avg": "70.5",
    "sleep_hours": "7.25",
    "calories_burned": "2200",
    "exercise_minutes": "45",
    "stress_level": "4",
    "weight_kg": "64",
    "bmi": "23.5",
}
MODIFIED = datetime(2024, 9, 10, 8, 0, tzinfo=UTC)
INGESTED = datetime(2024, 9, 10, 9, 30, tzinfo=UTC)

FLOAT_REL_TOL = 1e-9


def line(**cells: object) -> str:
    """One CSV data line in SPEC 1.1 column order: GOOD values, overridden by ``cells``."""
    values = {**GOOD, **{k: str(v) for k, v in cells.items()}}
    return ",".join(values[c] for c in HEADER)


def csv_text(lines: Iterable[str], header: Sequence[str] = HEADER, newline: str = "\n") -> str:
    """A whole file: header, then the lines, each ended by ``newline``."""
    return "".join(f"{text}{newline}" for text in [",".join(header), *lines])


def parse(
    content: str | bytes,
    source_file: str = "raw/log.csv",
    *,
    modified_at: datetime = MODIFIED,
    ingested_at: datetime = INGESTED,
    max_row_kb: int = 64,
) -> ParsedFile:
    """Run the real bronze parser on text (UTF-8 encoded) or bytes."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    return parse_tracker_csv(
        data,
        source_file=source_file,
        modified_at=modified_at,
        ingested_at=ingested_at,
        max_row_kb=max_row_kb,
    )


def silver_of(*files: ParsedFile, engine: Engine = PANDAS_ENGINE) -> SilverTables:
    """Combine parsed files into bronze and build silver on ``engine``."""
    bronze, _ = combine_bronze(files)
    return build_silver(bronze, engine)


def silver_rows(*lines: str) -> list[dict[str, object]]:
    """Silver rows (dicts) of one file holding ``lines``."""
    return silver_of(parse(csv_text(lines))).daily_activity.to_pylist()


def gold_of(silver: SilverTables, engine: Engine = PANDAS_ENGINE) -> dict[str, pa.Table]:
    """The gold tables of a silver build."""
    return build_gold(silver.daily_activity, engine)


def values_equal(actual: object, expected: object) -> bool:
    """Exact equality, except floats: relative tolerance 1e-9 (and exact for zero)."""
    if isinstance(expected, float) or isinstance(actual, float):
        if actual is None or expected is None:
            return actual is expected
        if isinstance(actual, bool) or isinstance(expected, bool):
            return False
        return math.isclose(float(actual), float(expected), rel_tol=FLOAT_REL_TOL, abs_tol=0.0)
    if isinstance(actual, bool) != isinstance(expected, bool):
        return False
    return actual == expected and type(actual) is type(expected)


def assert_rows_match(
    actual: Sequence[Mapping[str, object]],
    expected: Sequence[Mapping[str, object]],
    key: Sequence[str],
    *,
    context: str = "",
    columns: Sequence[str] | None = None,
    skip: Sequence[str] = (),
) -> None:
    """Rows must pair up one-to-one by ``key`` and agree on every column (floats 1e-9 rel).

    Every expected column must exist in the actual row and vice versa (unless ``columns``
    narrows the comparison); a mismatch names the table context, the key and the column.
    """
    by_key_actual = {tuple(r[k] for k in key): r for r in actual}
    by_key_expected = {tuple(r[k] for k in key): r for r in expected}
    assert len(by_key_actual) == len(actual), f"{context}: duplicate keys {key} in actual rows"
    assert len(by_key_expected) == len(expected), f"{context}: duplicate keys in expected rows"
    missing = sorted(set(by_key_expected) - set(by_key_actual), key=repr)
    extra = sorted(set(by_key_actual) - set(by_key_expected), key=repr)
    assert not missing and not extra, f"{context}: missing keys {missing}, unexpected {extra}"
    for row_key, want in by_key_expected.items():
        got = by_key_actual[row_key]
        names = columns if columns is not None else list(want)
        if columns is None:
            assert set(got) - set(skip) == set(want) - set(skip), (
                f"{context} {row_key}: columns differ: "
                f"extra {set(got) - set(want)}, missing {set(want) - set(got)}"
            )
        for name in names:
            if name in skip:
                continue
            assert values_equal(got[name], want[name]), (
                f"{context} {row_key} column {name!r}: got {got[name]!r}, want {want[name]!r}"
            )


def rounded_2_matches(actual: float | None, exact_mean: float) -> bool:
    """Whether ``actual`` is ``exact_mean`` rounded to 2 decimals (a tie may go either way)."""
    if actual is None:
        return False
    scaled = exact_mean * 100
    low, high = math.floor(scaled) / 100, math.ceil(scaled) / 100
    fraction = scaled - math.floor(scaled)
    if abs(fraction - 0.5) < 1e-6:
        candidates = [low, high]
    else:
        candidates = [round(exact_mean, 2)]
    return any(math.isclose(actual, c, rel_tol=FLOAT_REL_TOL, abs_tol=1e-12) for c in candidates)
