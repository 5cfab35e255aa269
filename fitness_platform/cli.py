"""``fitness-platform``: generate sample data, run the pipeline headless, benchmark it."""

from __future__ import annotations

import argparse
import sys

from fitness_platform.settings import SettingsError, load_settings


def _run(args: argparse.Namespace) -> int:
    from fitness_platform.garmin_run import run_garmin
    from fitness_platform.runner import open_instance, print_summary, run_tracker
    from fitness_platform.wod_run import run_wod

    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    instance = open_instance()
    summary = run_tracker(settings, instance=instance, ml=not args.no_ml)
    print_summary(summary)
    # The API domains run only when configured; each says so when it is skipped.
    garmin_code, garmin_counts = run_garmin(settings, instance)
    if garmin_counts:
        print(f"Garmin: {garmin_counts}")
    wod_code, wod_counts = run_wod(settings, instance)
    if wod_counts:
        print(f"WOD: {wod_counts}")
    return max(summary.exit_code, garmin_code, wod_code)


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    from fitness_platform.benchmark import add_bench_arguments, run_bench_command
    from fitness_platform.datagen.cli import add_generate_arguments

    parser = argparse.ArgumentParser(prog="fitness-platform", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser("generate", help="write synthetic tracker CSV files")
    add_generate_arguments(generate)
    run = commands.add_parser(
        "run", help="ingest new raw files and refresh silver, gold (settings from FITNESS_*)"
    )
    run.add_argument(
        "--no-ml", action="store_true", help="skip training the models and writing predictions"
    )
    run.set_defaults(handler=_run)
    bench = commands.add_parser("bench", help="benchmark bronze -> silver -> gold (rows/s, RSS)")
    add_bench_arguments(bench)
    bench.set_defaults(handler=run_bench_command)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``fitness-platform`` console script."""
    args = build_parser().parse_args(argv)
    if getattr(args, "handler", None) is None:
        from fitness_platform.datagen.cli import run_generate

        return run_generate(args)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
