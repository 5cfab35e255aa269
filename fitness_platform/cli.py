"""``fitness-platform``: generate sample data, run the pipeline headless, benchmark it."""

from __future__ import annotations

import argparse
import sys

from fitness_platform.settings import SettingsError, load_settings


def _run(args: argparse.Namespace) -> int:
    from fitness_platform.runner import print_summary, run_tracker

    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    summary = run_tracker(settings)
    print_summary(summary)
    return summary.exit_code


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
