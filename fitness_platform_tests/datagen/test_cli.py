"""``fitness-platform generate`` options, as mounted by the lead's CLI."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

import pytest

from fitness_platform.datagen import DefectRates
from fitness_platform.datagen.cli import add_generate_arguments, cli_generate, rates_from_args


def parse(argv: list[str]) -> argparse.Namespace:
    return add_generate_arguments(argparse.ArgumentParser()).parse_args(argv)


def test_defaults_and_rates() -> None:
    args = parse([])
    assert (args.users, args.days, args.start, args.seed, args.files) == (
        1000,
        365,
        date(2024, 9, 6),
        42,
        1,
    )
    assert args.signal is False and args.out == Path("data/raw")
    assert rates_from_args(args) == DefectRates()
    assert rates_from_args(parse(["--defect-scale", "0"])) == DefectRates.none()
    mixed = rates_from_args(parse(["--defect-scale", "0", "--missing-day-rate", "0.1"]))
    assert mixed == DefectRates(**{**DefectRates.none().as_dict(), "missing_day": 0.1})
    doubled = rates_from_args(parse(["--defect-scale", "2", "--zero-steps-rate", "0"]))
    assert doubled.negative == pytest.approx(0.002) and doubled.zero_steps == 0
    custom = add_generate_arguments(argparse.ArgumentParser(), default_out=Path("/x")).parse_args(
        []
    )
    assert custom.out == Path("/x")


@pytest.mark.parametrize(
    "argv",
    [["--users", "0"], ["--start", "2024-02-30"], ["--seed", "-1"], ["--negative-rate", "2"]],
)
def test_bad_options_are_refused(argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        parse(argv)


def test_generate_writes_files_and_prints_a_summary(tmp_path: Path, capsys) -> None:
    report_path = tmp_path / "report.json"
    code = cli_generate(
        [
            "--users",
            "20",
            "--days",
            "40",
            "--start",
            "2025-01-01",
            "--seed",
            "3",
            "--out",
            str(tmp_path / "raw"),
            "--files",
            "2",
            "--signal",
            "--unparseable-rate",
            "0.05",
            "--report-json",
            str(report_path),
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "rows/s" in out and "expected rejects" in out and "unparseable=" in out
    names = sorted(p.name for p in (tmp_path / "raw").iterdir())
    assert names == [
        "health_fitness_tracking_40days_part000.csv",
        "health_fitness_tracking_40days_part001.csv",
    ]
    report = json.loads(report_path.read_text())
    assert report["users"] == 20 and report["signal"] is True and report["start"] == "2025-01-01"
    assert report["defects"]["unparseable"] > 0
    assert sum(report["rows_per_file"].values()) == report["total_rows"]


def test_defect_scale_zero_writes_clean_files(tmp_path: Path, capsys) -> None:
    assert (
        cli_generate(
            ["--users", "5", "--days", "10", "--out", str(tmp_path), "--defect-scale", "0"]
        )
        == 0
    )
    assert "defects: none" in capsys.readouterr().out
    lines = (tmp_path / "health_fitness_tracking_10days.csv").read_text().splitlines()
    assert len(lines) == 51


def test_impossible_request_exits_2(tmp_path: Path, capsys) -> None:
    assert (
        cli_generate(["--users", "1", "--days", "2", "--files", "5", "--out", str(tmp_path)]) == 2
    )
    assert "cannot spread" in capsys.readouterr().err
