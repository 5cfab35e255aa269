"""The default parameters give the reference shape of SPEC 1.1 (generated once, 365k rows)."""

from __future__ import annotations

import inspect
from collections import Counter
from datetime import date

from fitness_platform.datagen import DefectRates, GenerationReport, generate_tracker_files
from fitness_platform_tests.datagen import spec_check


def test_default_parameters_are_the_reference_shape() -> None:
    params = inspect.signature(generate_tracker_files).parameters
    assert params["users"].default == 1000
    assert params["days"].default == 365
    assert params["start"].default == date(2024, 9, 6)
    assert params["seed"].default == 42
    assert params["files"].default == 1
    assert params["signal"].default is False
    assert params["defects"].default == DefectRates()
    assert params["file_prefix"].default == "health_fitness_tracking"


def test_default_file_is_the_reference_file(default_generation: GenerationReport) -> None:
    report = default_generation
    assert [p.name for p in report.files] == ["health_fitness_tracking_365days.csv"]
    assert report.users * report.days == 365_000
    # every user-day is written once, except missing days; duplicates come on top
    d = report.defects
    assert report.total_rows == (
        365_000 - d["missing_day"] + d["exact_duplicate"] + d["conflicting_duplicate"]
    )
    assert 0 < d["missing_day"] < 0.01 * 365_000


def test_default_file_matches_its_report_and_stays_under_the_reject_gate(
    default_generation: GenerationReport,
) -> None:
    report = default_generation
    oracle = spec_check.read(list(report.files))
    name = report.files[0].name
    assert oracle.rows_per_file == report.rows_per_file
    assert dict(oracle.rejects_by_file[name]) == report.expected_rejects_by_file[name]
    assert dict(oracle.negatives) == report.negatives_to_zero
    assert {k: oracle.kinds[k] for k in report.defects if k != "missing_day"} == {
        k: v for k, v in report.defects.items() if k != "missing_day"
    }
    rate = sum(report.expected_rejects.values()) / report.total_rows
    assert 0.003 <= rate <= 0.005, rate  # "well under 1%"
    assert report.reject_rate_by_file[name] == rate
    # users 0..999 and the 365 dates 2024-09-06 .. 2025-09-05 all appear in silver
    assert {k[0] for k in oracle.silver} == set(range(1000))
    dates = Counter(k[1] for k in oracle.silver)
    assert min(dates) == date(2024, 9, 6) and max(dates) == date(2025, 9, 5)
    assert len(dates) == 365
    assert len(oracle.silver) == report.expected_silver_rows
