"""Fixtures of the Spark tests: one local SparkSession for the whole run, and generated data.

The session is the engine's own (:func:`~fitness_platform.engine.spark_engine.start_spark`),
so the Dagster engine resource and the benchmark, which call ``getOrCreate``, reuse this JVM
instead of starting another.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pytest

from fitness_platform.datagen.defects import DefectRates
from fitness_platform.datagen.tracker import GenerationReport, generate_tracker_files
from fitness_platform.tracker.bronze import parse_tracker_csv
from fitness_platform.tracker.pipeline import combine_bronze

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

LOCAL_MASTER = "local[2]"
# Tests run small queries on a cold JVM: the C1 compiler alone halves its warm-up CPU.
TEST_CONF = {"spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"}
# Ten times the default rates, so every defect kind occurs in a few thousand rows.
DEFECTS = DefectRates().scaled(10)


def require_java() -> None:
    """Skip, with the reason, when no Java runtime is installed."""
    if shutil.which("java") is None:
        pytest.skip("Spark needs a Java runtime and `java` is not on the PATH")


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    """The shared local[2] session with the engine's settings (UTC, Arrow, no UI)."""
    require_java()
    from fitness_platform.engine.spark_engine import start_spark

    session = start_spark(LOCAL_MASTER, TEST_CONF)
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@dataclass(frozen=True)
class Generated:
    """Generated raw files and their bronze table."""

    report: GenerationReport
    bronze: pa.Table


def generate(out: Path, users: int, days: int, seed: int) -> GenerationReport:
    """Two raw files with every defect kind (cross-file duplicates included) and gaps."""
    return generate_tracker_files(out, users=users, days=days, seed=seed, files=2, defects=DEFECTS)


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    """50 users x 120 days in two files, parsed into bronze (later file modified later)."""
    report = generate(tmp_path_factory.mktemp("generated"), users=50, days=120, seed=2024)
    ingested = datetime(2025, 1, 10, 6, 0, tzinfo=UTC)
    parsed = [
        parse_tracker_csv(
            path.read_bytes(),
            source_file=path.name,
            modified_at=ingested - timedelta(hours=len(report.files) - i),
            ingested_at=ingested,
        )
        for i, path in enumerate(report.files)
    ]
    bronze, _ = combine_bronze(parsed)
    return Generated(report=report, bronze=bronze)
