"""Planted defects: the report's counts are exactly what the files hold (checked independently)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from fitness_platform.datagen import (
    DEFECT_KINDS,
    DefectRates,
    expected_reason,
    generate_tracker_files,
)
from fitness_platform_tests.datagen import spec_check

SMALL = {"users": 50, "days": 120}
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


def assert_report_matches_files(report) -> spec_check.Oracle:
    oracle = spec_check.read(list(report.files))
    assert oracle.rows_per_file == report.rows_per_file
    assert {k: dict(v) for k, v in oracle.rejects_by_file.items() if v} == {
        k: v for k, v in report.expected_rejects_by_file.items() if v
    }
    assert dict(oracle.rejects) == report.expected_rejects
    assert dict(oracle.negatives) == report.negatives_to_zero
    for kind in DEFECT_KINDS:
        if kind != "missing_day":
            assert oracle.kinds[kind] == report.defects[kind], kind
    assert len(oracle.silver) == report.expected_silver_rows
    return oracle


def test_defect_rates_defaults_none_and_scaling() -> None:
    defaults = DefectRates()
    assert 0.003 <= defaults.expected_reject_share() <= 0.005
    assert all(v == 0 for v in DefectRates.none().as_dict().values())
    assert defaults.scaled(0) == DefectRates.none()
    assert defaults.scaled(2).negative == pytest.approx(2 * defaults.negative)
    with pytest.raises(ValueError):
        DefectRates(negative=-0.1)
    with pytest.raises(ValueError):
        DefectRates(out_of_range=1.5)
    with pytest.raises(ValueError):
        DefectRates(negative=0.6, out_of_range=0.6)
    with pytest.raises(ValueError):
        DefectRates(missing_day=float("nan"))
    with pytest.raises(ValueError):
        defaults.scaled(-1)


def test_expected_reasons() -> None:
    assert expected_reason("negative", "exercise_minutes") is None
    assert expected_reason("negative", "steps") == "zero_steps"
    assert expected_reason("negative", "heart_rate_avg") == "out_of_range:heart_rate_avg"
    assert expected_reason("out_of_range", "gender") == "out_of_range:gender"
    assert expected_reason("unparseable", "date") == "unparseable:date"
    assert expected_reason("empty_cell", "user_id") == "missing_key"
    assert expected_reason("empty_cell", "bmi") == "out_of_range:bmi"
    assert expected_reason("conflicting_duplicate", None) == "duplicate"
    assert expected_reason("missing_day", None) is None


@pytest.mark.parametrize("files", [1, 3])
def test_report_counts_match_the_files(tmp_path: Path, files: int) -> None:
    report = generate_tracker_files(tmp_path, **SMALL, files=files, defects=HIGH)
    assert all(report.defects[k] > 0 for k in DEFECT_KINDS)
    oracle = assert_report_matches_files(report)
    # every kind of unparseable cell and out-of-range column shows up at these rates
    assert {r.split(":")[1] for r in oracle.rejects if r.startswith("unparseable:")} == set(
        spec_check.COLUMNS
    ) - {"gender"}
    assert len(report.defect_columns["out_of_range"]) == 10
    assert report.negatives_to_zero["exercise_minutes"] > 0  # kept in silver as 0


@pytest.mark.parametrize("kind", [k for k in DEFECT_KINDS if k != "missing_day"])
def test_each_kind_alone(tmp_path: Path, kind: str) -> None:
    rates = dataclasses.replace(DefectRates.none(), **{kind: 0.03})
    report = generate_tracker_files(tmp_path, **SMALL, files=2, defects=rates)
    assert report.defects[kind] > 0
    assert all(v == 0 for k, v in report.defects.items() if k != kind)
    assert_report_matches_files(report)


def test_defaults_stay_well_under_one_percent_at_small_scale(tmp_path: Path) -> None:
    report = generate_tracker_files(tmp_path, users=100, days=365)
    assert_report_matches_files(report)
    assert max(report.reject_rate_by_file.values()) < 0.0075
