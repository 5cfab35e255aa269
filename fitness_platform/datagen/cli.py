"""``fitness-platform generate``: argument parsing and the command body, to mount as a subcommand.

Mount it with ``add_generate_arguments(subparsers.add_parser("generate"))`` and dispatch to
``run_generate(args)``; :func:`cli_generate` runs it stand-alone (``argv`` without the
``generate`` word).

Defect rates: each kind's rate is ``--<kind>-rate`` when given, else its default times
``--defect-scale`` (default 1; ``--defect-scale 0`` writes clean files).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import fields
from datetime import date
from pathlib import Path

from fitness_platform.datagen.defects import DefectRates
from fitness_platform.datagen.tracker import (
    DEFAULT_DAYS,
    DEFAULT_PREFIX,
    DEFAULT_SEED,
    DEFAULT_START,
    DEFAULT_USERS,
    generate_tracker_files,
)

DEFAULT_OUT = Path("data/raw")


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {value}")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be a number >= 0, got {text}")
    return value


def _rate(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be a probability between 0 and 1, got {text}")
    return value


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {text}") from exc


def _rate_option(kind: str) -> str:
    return f"--{kind.replace('_', '-')}-rate"


def add_generate_arguments(
    parser: argparse.ArgumentParser, *, default_out: Path | None = None
) -> argparse.ArgumentParser:
    """Add the ``generate`` options to ``parser`` (its own parser or a subcommand's)."""
    out = default_out if default_out is not None else DEFAULT_OUT
    parser.add_argument(
        "--users", type=_positive_int, default=DEFAULT_USERS, help="users (ids 0..N-1)"
    )
    parser.add_argument("--days", type=_positive_int, default=DEFAULT_DAYS, help="days per user")
    parser.add_argument(
        "--start", type=_iso_date, default=DEFAULT_START, help="first date, YYYY-MM-DD"
    )
    parser.add_argument("--seed", type=_non_negative_int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument("--out", type=Path, default=out, help=f"output folder (default {out})")
    parser.add_argument(
        "--files", type=_positive_int, default=1, help="spread rows over N files (date ranges)"
    )
    parser.add_argument(
        "--signal", action="store_true", help="plant the lagged effects for the ML models"
    )
    parser.add_argument("--prefix", default=DEFAULT_PREFIX, help="file name prefix")
    parser.add_argument(
        "--defect-scale",
        type=_non_negative_float,
        default=1.0,
        help="multiply every default defect rate (0 = no defects)",
    )
    defaults = DefectRates()
    for f in fields(DefectRates):
        parser.add_argument(
            _rate_option(f.name),
            dest=f"{f.name}_rate",
            type=_rate,
            default=None,
            help=f"{f.name.replace('_', ' ')} rate per row (default {getattr(defaults, f.name)} x scale)",
        )
    parser.add_argument(
        "--report-json", type=Path, default=None, help="also write the full report as JSON here"
    )
    return parser


def rates_from_args(args: argparse.Namespace) -> DefectRates:
    """The defect rates the options ask for."""
    scaled = DefectRates().scaled(args.defect_scale)
    overrides = {
        f.name: getattr(args, f"{f.name}_rate")
        for f in fields(DefectRates)
        if getattr(args, f"{f.name}_rate", None) is not None
    }
    return DefectRates(**{**scaled.as_dict(), **overrides})


def run_generate(args: argparse.Namespace) -> int:
    """Run ``generate`` with parsed options; print a summary; return the exit code."""
    try:
        report = generate_tracker_files(
            args.out,
            users=args.users,
            days=args.days,
            start=args.start,
            seed=args.seed,
            files=args.files,
            defects=rates_from_args(args),
            signal=args.signal,
            file_prefix=args.prefix,
        )
    except ValueError as exc:
        print(f"generate: {exc}", file=sys.stderr)
        return 2
    print(report.summary())
    if args.report_json is not None:
        args.report_json.parent.mkdir(parents=True, exist_ok=True)
        args.report_json.write_text(json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8")
        print(f"report: {args.report_json}")
    return 0


def cli_generate(argv: list[str] | None = None) -> int:
    """Stand-alone entry point: parse ``argv`` (default ``sys.argv[1:]``) and run."""
    parser = argparse.ArgumentParser(
        prog="fitness-platform generate", description="Write synthetic tracker CSV files."
    )
    add_generate_arguments(parser)
    return run_generate(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(cli_generate())
