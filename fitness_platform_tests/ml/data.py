"""Tracker data for the ML tests: generated CSVs pushed through bronze and silver directly."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa

from fitness_platform.datagen import generate_tracker_files
from fitness_platform.engine.pandas_engine import PANDAS_ENGINE
from fitness_platform.ml.dataset import build_dataset, to_frame
from fitness_platform.tracker.bronze import parse_tracker_csv
from fitness_platform.tracker.pipeline import build_silver, combine_bronze

INGESTED_AT = datetime(2025, 9, 6, tzinfo=UTC)


def generated_bronze(out_dir: Path, *, users: int, days: int, signal: bool, seed: int = 42):
    """Generate tracker CSVs (default defect rates) and parse them into one bronze table."""
    report = generate_tracker_files(out_dir, users=users, days=days, seed=seed, signal=signal)
    parsed = [
        parse_tracker_csv(
            path.read_bytes(),
            source_file=path.name,
            modified_at=INGESTED_AT,
            ingested_at=INGESTED_AT,
        )
        for path in report.files
    ]
    rows, _ = combine_bronze(parsed)
    return rows


def silver_of(bronze: pa.Table) -> pa.Table:
    """``silver/daily_activity`` of a bronze table."""
    return build_silver(bronze, PANDAS_ENGINE).daily_activity


def dataset_frame(silver: pa.Table) -> pd.DataFrame:
    """The feature store of a silver table, as the models see it."""
    return to_frame(build_dataset(silver))
