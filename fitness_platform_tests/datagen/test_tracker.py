"""Generated files: layout, text format, determinism, clean values, gaps and duplicates."""

from __future__ import annotations

import csv
import dataclasses
import itertools
import re
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fitness_platform.datagen import (
    DefectRates,
    file_names,
    generate_tracker_files,
    generate_tracker_frame,
)
from fitness_platform_tests.datagen import spec_check

SMALL = {"users": 50, "days": 120}
HEADER = (
    "user_id,age,gender,date,steps,heart_rate_avg,sleep_hours,calories_burned,"
    "exercise_minutes,stress_level,weight_kg,bmi"
)
HIGH = DefectRates(
    negative=0.02,
    out_of_range=0.02,
    zero_steps=0.01,
    unparseable=0.02,
    empty_cell=0.01,
    exact_duplicate=0.01,
    conflicting_duplicate=0.01,
    missing_day=0.03,
)


def read_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))[1:]


def test_file_names() -> None:
    assert file_names("p", 365, 1) == ["p_365days.csv"]
    assert file_names("p", 30, 3) == [
        "p_30days_part000.csv",
        "p_30days_part001.csv",
        "p_30days_part002.csv",
    ]
    many = file_names("p", 30, 1200)
    assert many[7] == "p_30days_part0007.csv" and many == sorted(many)


def test_clean_file_is_the_full_grid_and_equals_the_frame(tmp_path: Path) -> None:
    report = generate_tracker_files(tmp_path, **SMALL, defects=DefectRates.none())
    assert [p.name for p in report.files] == ["health_fitness_tracking_120days.csv"]
    assert report.total_rows == 50 * 120
    assert all(v == 0 for v in report.defects.values())
    assert report.expected_rejects == {} and report.negatives_to_zero == {}
    data = report.files[0].read_bytes()
    assert data.startswith(HEADER.encode() + b"\n")
    assert b"\r" not in data and not data.startswith(b"\xef\xbb\xbf") and data.endswith(b"\n")
    data.decode("utf-8")

    written = pd.read_csv(report.files[0], dtype=str)
    frame = generate_tracker_frame(**SMALL)
    expected = frame.astype(str)
    for column in (
        "heart_rate_avg",
        "sleep_hours",
        "calories_burned",
        "exercise_minutes",
        "weight_kg",
    ):
        expected[column] = frame[column].map("{:.1f}".format)
    expected["bmi"] = frame["bmi"].map("{:.2f}".format)
    pd.testing.assert_frame_equal(written, expected)
    keys = list(zip(written["user_id"].astype(int), written["date"], strict=True))
    first = date(2024, 9, 6)
    assert keys == [
        (u, (first + timedelta(days=t)).isoformat()) for u in range(50) for t in range(120)
    ]


def test_text_format_of_every_cell(tmp_path: Path) -> None:
    report = generate_tracker_files(tmp_path, **SMALL, defects=DefectRates.none(), signal=True)
    patterns = [r"\d+", r"\d+", r"[FM]", r"\d{4}-\d{2}-\d{2}", r"[1-9]\d*"] + [r"\d+\.\d"] * 4
    patterns += [r"([1-9]|10)", r"\d+\.\d", r"\d+\.\d\d"]
    compiled = [re.compile(p) for p in patterns]
    for row in read_rows(report.files[0]):
        for regex, cell in zip(compiled, row, strict=True):
            assert regex.fullmatch(cell), (cell, row)


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    args = dict(**SMALL, files=3, defects=HIGH, signal=True)
    a = generate_tracker_files(tmp_path / "a", **args)
    b = generate_tracker_files(tmp_path / "b", **args)
    c = generate_tracker_files(tmp_path / "c", **args, seed=7)
    assert [p.read_bytes() for p in a.files] == [p.read_bytes() for p in b.files]
    same = (
        "defects",
        "defects_by_file",
        "defect_columns",
        "expected_rejects_by_file",
        "rows_per_file",
    )
    assert all(getattr(a, k) == getattr(b, k) for k in same)
    assert [p.name for p in c.files] == [p.name for p in a.files]
    assert all(p.read_bytes() != q.read_bytes() for p, q in zip(a.files, c.files, strict=True))
    # regenerating into the same folder replaces the files with identical bytes
    again = generate_tracker_files(tmp_path / "a", **args)
    assert [p.read_bytes() for p in again.files] == [p.read_bytes() for p in b.files]
    assert sorted(q.name for q in (tmp_path / "a").iterdir()) == [p.name for p in a.files]


def test_clean_values_do_not_depend_on_defects_or_files(tmp_path: Path) -> None:
    clean = generate_tracker_frame(**SMALL)
    report = generate_tracker_files(tmp_path, **SMALL, files=4, defects=HIGH)
    oracle = spec_check.read(list(report.files))
    by_key = {
        (u, d): (steps, weight, stress)
        for u, d, steps, weight, stress in zip(
            clean["user_id"],
            clean["date"],
            clean["steps"],
            clean["weight_kg"],
            clean["stress_level"],
            strict=True,
        )
    }
    # every silver winner that is not a conflicting copy holds the clean values
    conflicting = {k for k, v in _texts_by_key(report.files).items() if len(v) > 1}
    checked = 0
    for (user, day), row in oracle.silver.items():
        if (user, day) in conflicting:
            continue
        expected = by_key[(user, day.isoformat())]
        assert (row["steps"], row["weight_kg"], row["stress_level"]) == expected
        checked += 1
    assert checked > 0.85 * 50 * 120


def _texts_by_key(paths) -> dict[tuple, set]:
    out: dict[tuple, set] = defaultdict(set)
    for path in paths:
        for row in read_rows(path):
            ok_u, user = spec_check.parse_cell("user_id", row[0])
            ok_d, day = spec_check.parse_cell("date", row[3])
            if ok_u and ok_d and user is not None and day is not None:
                out[(user, day)].add((path.name, ",".join(row)))
    return out


@pytest.mark.parametrize("signal", [False, True])
def test_clean_values_are_realistic_and_inside_the_cleaning_ranges(signal: bool) -> None:
    frame = generate_tracker_frame(users=200, days=120, signal=signal)
    assert set(frame["gender"]) == {"F", "M"}
    assert frame["user_id"].between(0, 199).all()
    for column, (lo, hi) in spec_check.RANGES.items():
        assert frame[column].between(lo, hi).all(), column
    assert (frame["steps"] >= 1).all()
    per_user = frame.groupby("user_id")
    assert (per_user["age"].nunique() == 1).all() and (per_user["gender"].nunique() == 1).all()
    assert frame["age"].between(18, 80).all()
    height = np.sqrt(frame["weight_kg"] / frame["bmi"])
    spread = height.groupby(frame["user_id"]).agg(lambda h: h.max() - h.min())
    assert (spread < 0.002).all()  # height fixed per user; bmi = weight / height^2 to 2 decimals
    assert height.between(1.499, 2.001).all()
    assert frame["steps"].between(2_000, 20_000).mean() > 0.85
    assert frame["heart_rate_avg"].between(55, 110).all()
    assert frame["sleep_hours"].between(4, 10).all()
    assert frame["exercise_minutes"].between(0, 120).all()
    assert frame["calories_burned"].between(1_500, 4_000).mean() > 0.95
    assert frame["stress_level"].between(1, 10).all() and frame["stress_level"].nunique() == 10
    # weekly rhythm: weekends differ from weekdays
    weekday = pd.to_datetime(frame["date"]).dt.weekday
    mean_steps = frame["steps"].groupby(weekday).mean()
    assert mean_steps[5] > 1.05 * mean_steps[:5].mean() > 1.05 * 1.05 * mean_steps[6]
    # weight = a per-user baseline with small daily moves
    day_to_day = frame.groupby("user_id")["weight_kg"].diff().abs()
    assert day_to_day.quantile(0.99) < 0.5


def test_missing_days_are_gaps(tmp_path: Path) -> None:
    rates = dataclasses.replace(DefectRates.none(), missing_day=0.05)
    report = generate_tracker_files(tmp_path, **SMALL, defects=rates)
    keys = {(int(r[0]), r[3]) for r in read_rows(report.files[0])}
    assert len(keys) == report.total_rows  # nothing else but gaps
    missing = 50 * 120 - len(keys)
    assert missing == report.defects["missing_day"] > 0
    # runs of consecutive days exist (a gap is not only single days)
    first = date(2024, 9, 6)
    absent = [
        (u, t)
        for u in range(50)
        for t in range(120)
        if (u, (first + timedelta(t)).isoformat()) not in keys
    ]
    absent_set = set(absent)
    assert any((u, t + 1) in absent_set for u, t in absent)


def test_gaps_with_other_defects_are_counted_exactly(tmp_path: Path) -> None:
    report = generate_tracker_files(tmp_path, **SMALL, defects=HIGH)
    oracle = spec_check.read(list(report.files))
    # a record that bronze rejects, or that lacks its key, hides its user-day too
    hidden = report.defects["unparseable"] + report.expected_rejects.get("missing_key", 0)
    assert 50 * 120 - len(oracle.keys) == report.defects["missing_day"] + hidden


def test_conflicting_duplicates_span_files(tmp_path: Path) -> None:
    report = generate_tracker_files(tmp_path, **SMALL, files=4, defects=HIGH)
    assert len(report.files) == 4
    conflicts = {k: v for k, v in _texts_by_key(report.files).items() if len({t for _, t in v}) > 1}
    assert len(conflicts) == report.defects["conflicting_duplicate"] > 0
    for versions in conflicts.values():
        assert len(versions) == 2
        (file_a, text_a), (file_b, text_b) = sorted(versions)
        assert file_a != file_b and text_a != text_b
    assert sum(
        report.defects_by_file[n]["conflicting_duplicate"] for n in report.rows_per_file
    ) == len(conflicts)


def test_single_file_conflicting_duplicates_are_in_that_file(tmp_path: Path) -> None:
    report = generate_tracker_files(tmp_path, **SMALL, defects=HIGH)
    conflicts = [v for v in _texts_by_key(report.files).values() if len(v) > 1]
    conflicting = [v for v in conflicts if len({t for _, t in v}) > 1]
    assert len(conflicting) == report.defects["conflicting_duplicate"] > 0


def test_files_split_by_date_range(tmp_path: Path) -> None:
    report = generate_tracker_files(tmp_path, **SMALL, files=3, defects=DefectRates.none())
    assert list(report.rows_per_file.values()) == [2000, 2000, 2000]
    ranges = []
    for path in report.files:
        dates = sorted({r[3] for r in read_rows(path)})
        ranges.append((dates[0], dates[-1]))
    assert ranges == sorted(ranges)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(ranges))


def test_default_rates_keep_every_file_of_a_multi_file_output_under_one_percent(
    tmp_path: Path,
) -> None:
    report = generate_tracker_files(tmp_path, users=200, days=365, files=5)
    oracle = spec_check.read(list(report.files))
    assert {k: dict(v) for k, v in oracle.rejects_by_file.items()} == {
        k: v for k, v in report.expected_rejects_by_file.items() if v
    }
    for name, rows in report.rows_per_file.items():
        rejected = sum(oracle.rejects_by_file[name].values())
        assert rejected / rows < 0.0075, (name, rejected, rows)
    assert report.defects["conflicting_duplicate"] > 0


def test_rejects_invalid_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate_tracker_files(tmp_path, users=0)
    with pytest.raises(ValueError):
        generate_tracker_files(tmp_path, days=0)
    with pytest.raises(ValueError):
        generate_tracker_files(tmp_path, seed=-1)
    with pytest.raises(ValueError):
        generate_tracker_files(tmp_path, users=1, days=2, files=3)
    with pytest.raises(ValueError):
        generate_tracker_files(tmp_path, users=1, days=2, file_prefix="a/b")
