"""Seeded random tracker files with defects, for the property and parity tests.

A *case* is a few users over a few weeks with gaps, spread over 2-3 files that were modified
and ingested at different (sometimes equal) times, with conflicting duplicates inside and
across files, negatives, out-of-range values, nulls, zero-step days, bad cells, wrong field
counts, blank lines, CRLF endings and shuffled, mixed-case headers. Values are drawn near the
SPEC's boundaries on purpose. Cases get disjoint user ids and file names, so many cases can be
run through one pipeline build and still be judged one by one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from fitness_platform_tests.tracker.helpers import HEADER


@dataclass(frozen=True)
class RawFile:
    """One generated file with the times the pipeline is told about it."""

    name: str
    data: bytes
    modified_at: datetime
    ingested_at: datetime


T0 = datetime(2025, 1, 5, 6, 0, tzinfo=UTC)
START_DATES = (
    date(2024, 9, 6),
    date(2024, 12, 10),  # windows and lags across a year boundary
    date(2024, 2, 1),  # across a leap day
    date(2023, 2, 1),
)


def _pick(rng: random.Random, normal: object, specials: list[object], p: float) -> object:
    return rng.choice(specials) if rng.random() < p else normal


def _fmt(value: object, rng: random.Random) -> str:
    if value is None:
        return rng.choice(["", "", " "])
    if isinstance(value, float):
        return rng.choice([repr(value), f"{value:.6g}", f" {value!r} "])
    return str(value)


def _row(rng: random.Random, user: int, day: date, weight: float, p: float) -> dict[str, str]:
    steps = _pick(
        rng,
        rng.randint(1, 30_000),
        [0, -50, 1, 4_999, 5_000, 9_999, 10_000, 14_999, 15_000, 50_000, 50_001, None],
        p * 3,
    )
    values = {
        "user_id": _pick(rng, user, [None], p / 3),
        "age": _pick(rng, rng.randint(18, 100), [17, 18, 100, 101, None], p),
        "gender": _pick(rng, rng.choice(["F", "M", "f", " m "]), ["X", None, "Fm"], p),
        "date": _pick(rng, day.isoformat(), [None], p / 3),
        "steps": steps,
        "heart_rate_avg": _pick(
            rng, round(rng.uniform(40, 180), 1), [29.9, 30.0, 200.0, 200.1, -3.5, None], p
        ),
        "sleep_hours": _pick(
            rng,
            round(rng.uniform(2, 16), 2),
            [1.99, 2.0, 5.99, 6.0, 7.99, 8.0, 9.99, 10.0, 16.0, 16.01, -1.0, None],
            p * 3,
        ),
        "calories_burned": _pick(
            rng, round(rng.uniform(500, 4_000), 1), [499.9, 500.0, 8_000.0, 8_000.5, -10.0], p
        ),
        "exercise_minutes": _pick(
            rng, round(rng.uniform(0, 120), 2), [0.0, 600.0, 600.1, -5.0, None], p
        ),
        "stress_level": _pick(rng, rng.randint(1, 10), [0, 1, 10, 11, None], p),
        "weight_kg": _pick(rng, weight, [29.9, 30.0, 200.0, 200.5, -1.0, None], p),
        "bmi": _pick(
            rng,
            round(rng.uniform(17, 35), 2),
            [9.99, 10.0, 18.5, 25.0, 30.0, 60.0, 60.1, -2.0, None],
            p * 2,
        ),
    }
    return {column: _fmt(values[column], rng) for column in HEADER}


def _bad_cell(rng: random.Random, cells: dict[str, str]) -> None:
    column = rng.choice([c for c in HEADER if c != "gender"])
    cells[column] = rng.choice(
        {
            "user_id": ["7.0", "1_000", "x"],
            "age": ["5.5", "٣", "30y"],
            "date": ["2024-9-6", "2024-02-30", "06/09/2024"],
            "steps": ["1e3", "9223372036854775808", "NA"],
            "stress_level": ["+", "3.0"],
        }.get(column, ["nan", "inf", "NA", "1e309", "1,5", "--1"])
    )


def random_case(rng: random.Random, case_id: int) -> list[RawFile]:
    """The files of one random case; user ids are ``case_id * 10 + k``."""
    start = rng.choice(START_DATES) + timedelta(days=rng.randint(0, 20))
    p = rng.choice([0.0, 0.02, 0.05, 0.1])
    lines: list[dict[str, str]] = []
    for k in range(rng.randint(1, 3)):
        user = case_id * 10 + k
        density = rng.choice([0.3, 0.6, 0.9, 1.0])
        weight = round(rng.uniform(50, 110), 1)
        for offset in range(rng.randint(5, 75)):
            if rng.random() > density:
                continue
            # Weights move in steps of 0.25 and sometimes jump by exactly +-5 or just over.
            weight = round(weight + rng.choice([0, 0.25, -0.25, 5, -5, 5.25, -5.25]) / 2, 2)
            weight = min(max(weight, 31.0), 199.0)
            lines.append(_row(rng, user, start + timedelta(days=offset), weight, p))

    duplicates = [dict(row) for row in lines if rng.random() < 0.15]
    for row in duplicates:
        if rng.random() < 0.6:  # conflicting duplicate: other values, same key
            row["steps"] = str(rng.randint(1, 30_000))
            row["weight_kg"] = repr(round(rng.uniform(40, 120), 1))
    lines.extend(duplicates)
    rng.shuffle(lines)

    count = rng.randint(2, 3)
    names = rng.sample(["a.csv", "b.csv", "z.csv", "sub/a.csv"], count)
    ingested = [T0 + timedelta(hours=rng.choice([0, 0, 1])) for _ in range(count)]
    modified = [T0 - timedelta(minutes=rng.choice([5, 5, 30])) for _ in range(count)]
    per_file: list[list[list[str]]] = [[] for _ in range(count)]
    for cells in lines:
        if rng.random() < p:
            _bad_cell(rng, cells)
        record = list(cells.values())
        if rng.random() < p / 2:  # a wrong number of fields
            record = [*record, "extra"] if rng.random() < 0.5 else record[:-1]
        per_file[rng.randrange(count)].append(record)

    files = []
    for index, body in enumerate(per_file):
        files.append(
            RawFile(
                name=f"case{case_id:03d}/{names[index]}",
                data=_file_bytes(rng, body),
                modified_at=modified[index],
                ingested_at=ingested[index],
            )
        )
    return files


def _file_bytes(rng: random.Random, body: list[list[str]]) -> bytes:
    order = list(range(len(HEADER)))
    rng.shuffle(order)
    header = [rng.choice([HEADER[i], HEADER[i].upper(), f" {HEADER[i].title()} "]) for i in order]
    if rng.random() < 0.03:  # a file-level fault: the whole file fails, the others go on
        header[rng.randrange(len(header))] = rng.choice(["foo", header[0]])
    newline = rng.choice(["\n", "\r\n"])
    out = [",".join(header)]
    for record in body:
        if len(record) == len(HEADER):
            record = [record[i] for i in order]
        # Some cells are quoted (RFC 4180), so "1,5" is then one cell holding a comma.
        out.append(",".join(f'"{cell}"' if rng.random() < 0.1 else cell for cell in record))
        if rng.random() < 0.05:
            out.append(rng.choice(["", "  ", "\t"]))
    prefix = "\ufeff" if rng.random() < 0.2 else ""
    return (prefix + newline.join(out) + newline).encode("utf-8")


def random_batch(seed: int, cases: int) -> list[RawFile]:
    """Every file of ``cases`` random cases drawn from ``seed``."""
    rng = random.Random(seed)
    return [f for case_id in range(cases) for f in random_case(rng, seed * 1000 + case_id)]
