"""``fitness-platform bench``: rows/s and peak memory of bronze -> silver -> gold.

Every figure is also given as a ratio to a floor measured on the same data and machine (a
multithreaded pyarrow CSV read of the raw file plus a Parquet write of a silver-sized table),
so results compare across machines. Peak RSS is sampled from a background thread and covers
the process and its children (the Spark JVM, the Dagster subprocess).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import psutil
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from fitness_platform.parallel import usable_cpus

STAGES = ("bronze", "silver", "gold")
RESULTS_DIR = Path("bench/results")
CACHE_DIR = Path("bench/cache")


@dataclass
class Measurement:
    """One timed stage."""

    stage: str
    rows: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float

    @property
    def rows_per_s(self) -> float:
        """Throughput of the stage."""
        return self.rows / self.wall_s if self.wall_s > 0 else float("inf")


@dataclass
class BenchReport:
    """All repetitions of a benchmark, with the floor and the Dagster end-to-end run."""

    users: int
    days: int
    engine: str
    rows: int
    repeats: list[list[Measurement]] = field(default_factory=list)
    floor: list[Measurement] = field(default_factory=list)
    dagster: list[Measurement] = field(default_factory=list)
    machine: dict[str, str] = field(default_factory=dict)


class PeakRss:
    """Samples the resident memory of this process and all its children every 20 ms."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        me = psutil.Process()
        total = me.memory_info().rss
        for child in me.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                continue
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRss:
        self.peak = self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._sample())


def _cpu_seconds() -> float:
    me = psutil.Process()
    times = me.cpu_times()
    children = sum(
        c.cpu_times().user + c.cpu_times().system
        for c in me.children(recursive=True)
        if c.is_running()
    )
    return times.user + times.system + times.children_user + times.children_system + children


@contextmanager
def measure(stage: str, rows: int, out: list[Measurement]) -> Iterator[None]:
    """Time a block (wall and CPU) and record its sampled peak RSS."""
    cpu0, wall0 = _cpu_seconds(), time.perf_counter()
    with PeakRss() as rss:
        yield
    out.append(
        Measurement(
            stage, rows, time.perf_counter() - wall0, _cpu_seconds() - cpu0, rss.peak / 2**20
        )
    )


def cached_sample(users: int, days: int, seed: int = 7) -> Path:
    """Generate (once per parameter set) the benchmark's raw CSV with realistic defects."""
    from fitness_platform.datagen.tracker import generate_tracker_files

    folder = CACHE_DIR / f"u{users}_d{days}_s{seed}"
    done = folder / ".complete"
    if not done.exists():
        folder.mkdir(parents=True, exist_ok=True)
        generate_tracker_files(folder, users=users, days=days, seed=seed)
        done.touch()
    return next(p for p in sorted(folder.glob("*.csv")))


def run_stages(
    csv_path: Path, engine_name: str, stages: tuple[str, ...], threads: int | None = None
) -> list[Measurement]:
    """Run bronze -> silver -> gold once in this process and time each stage."""
    from fitness_platform.engine.pandas_engine import PANDAS_ENGINE
    from fitness_platform.memory import release_unused_memory
    from fitness_platform.tracker.bronze import parse_tracker_csv
    from fitness_platform.tracker.pipeline import build_gold, build_silver, combine_bronze

    engine = replace(PANDAS_ENGINE, workers=threads)
    if engine_name == "spark":
        from fitness_platform.engine.spark_engine import spark_engine, start_spark

        engine = spark_engine(start_spark("local[*]"))
    results: list[Measurement] = []
    now = datetime.now(tz=UTC)
    with measure("bronze", 0, results):
        # The raw bytes live only inside the call, as in the bronze asset (one file at a time).
        parsed = parse_tracker_csv(
            csv_path.read_bytes(),
            source_file=csv_path.name,
            modified_at=now,
            ingested_at=now,
            workers=threads,
        )
        bronze, _ = combine_bronze([parsed])
    records = results[-1].rows = parsed.data_records
    del parsed  # shares its buffers with ``bronze``
    if "silver" in stages or "gold" in stages:
        with measure("silver", bronze.num_rows, results):
            silver = build_silver(bronze, engine, compact=True)  # as the silver asset does
    # Gold is its own step in the pipeline and never sees bronze: neither does it here.
    del bronze
    release_unused_memory()
    if "gold" in stages:
        with measure("gold", silver.daily_activity.num_rows, results):
            build_gold(silver.daily_activity, engine)
    with_total = [m for m in results if m.stage in stages]
    with_total.append(
        Measurement(
            "bronze->gold",
            records,
            sum(m.wall_s for m in results),
            sum(m.cpu_s for m in results),
            max(m.peak_rss_mb for m in results),
        )
    )
    return with_total


def run_floor(csv_path: Path) -> list[Measurement]:
    """The floor: a multithreaded pyarrow CSV read plus a Parquet write of silver's size."""
    results: list[Measurement] = []
    with measure("floor: csv read", 0, results):
        table = pacsv.read_csv(csv_path)
    results[-1].rows = table.num_rows
    wide = table
    # Silver carries about 45 columns; pad with copies of numeric columns to match its width.
    numeric = [c for c in table.column_names if pa.types.is_floating(table.schema.field(c).type)]
    # A sample with unparseable cells can leave no column typed float: pad with any column.
    numeric = numeric or table.column_names
    for i in range(45 - table.num_columns):
        wide = wide.append_column(f"pad_{i}", table.column(numeric[i % len(numeric)]))
    with (
        tempfile.TemporaryDirectory() as tmp,
        measure("floor: parquet write", table.num_rows, results),
    ):
        pq.write_table(wide, Path(tmp) / "silver.parquet", compression="zstd")
    results.append(
        Measurement(
            "floor",
            table.num_rows,
            sum(m.wall_s for m in results),
            sum(m.cpu_s for m in results),
            max(m.peak_rss_mb for m in results),
        )
    )
    return results


def run_dagster(csv_path: Path, engine_name: str, threads: int | None = None) -> Measurement:
    """``fitness-platform run`` end to end in a fresh lake: process start to exit."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        raw.mkdir()
        os.link(csv_path, raw / csv_path.name) if _same_device(csv_path, raw) else (
            raw / csv_path.name
        ).write_bytes(csv_path.read_bytes())
        env = {
            **os.environ,
            "FITNESS_LOCAL_ROOT": str(Path(tmp) / "lake"),
            "FITNESS_RAW_PATH": str(raw),
            "FITNESS_ENGINE": engine_name,
            "FITNESS_STORAGE_MODE": "local",
        }
        if threads is not None:
            env["FITNESS_THREADS"] = str(threads)
        env.pop("DAGSTER_HOME", None)
        command = [sys.executable, "-m", "fitness_platform.cli", "run", "--no-ml"]
        results: list[Measurement] = []
        with measure("fitness-platform run", 0, results):
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode not in (0, 1):
            raise RuntimeError(f"fitness-platform run failed:\n{done.stderr[-2000:]}")
        return results[0]


def _same_device(a: Path, b: Path) -> bool:
    return a.resolve().stat().st_dev == b.resolve().stat().st_dev


def summarise(values: list[float]) -> str:
    """Median and min-max of repeated values."""
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def markdown(report: BenchReport) -> str:
    """The results as a markdown table, with ratios to the floor."""
    floor_wall = statistics.median(m.wall_s for m in report.floor if m.stage == "floor")
    lines = [
        f"### {report.users:,} users x {report.days} days = {report.rows:,} rows, "
        f"engine {report.engine}, {len(report.repeats)} repeat(s)",
        "",
        "| stage | wall s (median, min-max) | CPU s | rows/s | peak RSS MB | x floor |",
        "|---|---|---|---|---|---|",
    ]
    stages = [m.stage for m in report.repeats[0]]
    groups = [(s, [r[i] for r in report.repeats]) for i, s in enumerate(stages)]
    groups += [("floor", [m for m in report.floor if m.stage == "floor"])]
    groups += [("fitness-platform run (Dagster)", report.dagster)] if report.dagster else []
    for stage, ms in groups:
        walls = [m.wall_s for m in ms]
        lines.append(
            f"| {stage} | {summarise(walls)} | {summarise([m.cpu_s for m in ms])} | "
            f"{statistics.median(m.rows_per_s for m in ms):,.0f} | "
            f"{max(m.peak_rss_mb for m in ms):,.0f} | "
            f"{statistics.median(walls) / floor_wall:.1f} |"
        )
    return "\n".join(lines) + "\n"


def run_benchmark(
    users: int,
    days: int,
    engine: str = "pandas",
    stages: tuple[str, ...] = STAGES,
    repeat: int = 1,
    dagster: bool = True,
    echo: Callable[[str], None] = print,
    threads: int | None = None,
) -> BenchReport:
    """Generate (cached) data, then measure the floor, the stages and the Dagster run."""
    echo(f"bench: {users:,} users x {days} days, engine {engine}, {repeat} repeat(s)")
    csv_path = cached_sample(users, days)
    report = BenchReport(
        users=users,
        days=days,
        engine=engine,
        rows=0,
        machine={
            "cpus": str(os.cpu_count()),
            "threads": str(threads or usable_cpus()),
            "memory_gb": f"{psutil.virtual_memory().total / 2**30:.0f}",
            "python": platform.python_version(),
        },
    )
    for i in range(repeat):
        echo(f"  floor {i + 1}/{repeat} ...")
        report.floor.extend(run_floor(csv_path))
        echo(f"  stages {i + 1}/{repeat} ...")
        report.repeats.append(run_stages(csv_path, engine, stages, threads))
        if dagster:
            echo(f"  fitness-platform run {i + 1}/{repeat} ...")
            report.dagster.append(run_dagster(csv_path, engine, threads))
    report.rows = report.repeats[0][0].rows
    for m in report.dagster:
        m.rows = report.rows
    return report


def write_report(report: BenchReport, directory: Path = RESULTS_DIR) -> tuple[Path, Path]:
    """Write ``<name>.json`` and ``<name>.md`` under ``bench/results/``."""
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{report.engine}_u{report.users}_d{report.days}"
    json_path, md_path = directory / f"{name}.json", directory / f"{name}.md"
    payload = asdict(report)
    payload["generated_at"] = datetime.now(tz=UTC).isoformat()
    json_path.write_text(json.dumps(payload, indent=1))
    md_path.write_text(markdown(report))
    return json_path, md_path


def add_bench_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``fitness-platform bench``."""
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--engine", choices=("pandas", "spark"), default="pandas")
    parser.add_argument(
        "--stages", default=",".join(STAGES), help="comma-separated subset of bronze,silver,gold"
    )
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="threads of the pandas engine and the parser (default: FITNESS_THREADS, else "
        "one per usable CPU)",
    )
    parser.add_argument(
        "--no-dagster",
        action="store_true",
        help="skip the end-to-end fitness-platform run measurement",
    )
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)


def run_bench_command(args: argparse.Namespace) -> int:
    """Entry point of ``fitness-platform bench``."""
    stages = tuple(s for s in args.stages.split(",") if s)
    unknown = sorted(set(stages) - set(STAGES))
    if unknown:
        print(f"unknown stage(s) {unknown}; allowed: {', '.join(STAGES)}", file=sys.stderr)
        return 2
    if args.threads is not None and args.threads < 1:
        print(f"--threads must be a positive integer, got {args.threads}", file=sys.stderr)
        return 2
    from fitness_platform.settings import load_settings

    threads = args.threads if args.threads is not None else load_settings().threads
    report = run_benchmark(
        args.users,
        args.days,
        args.engine,
        stages,
        args.repeat,
        dagster=not args.no_dagster,
        threads=threads,
    )
    json_path, md_path = write_report(report, args.out)
    print(markdown(report))
    print(f"wrote {json_path} and {md_path}")
    return 0
