"""The tracker transformation chain bronze -> silver -> gold on any engine, as pure functions."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import narwhals as nw
import pyarrow as pa

from fitness_platform.engine import Engine
from fitness_platform.tracker import gold, silver
from fitness_platform.tracker.bronze import ParsedFile, bronze_rejects_schema, bronze_schema
from fitness_platform.tracker.schema import arrow_schema


@dataclass(frozen=True)
class SilverTables:
    """``silver/daily_activity``, ``silver/fitness_rejects`` and step-1 counts."""

    daily_activity: pa.Table
    rejects: pa.Table
    negatives_zeroed: dict[str, int] = field(default_factory=dict)


def combine_bronze(parsed: Iterable[ParsedFile]) -> tuple[pa.Table, pa.Table]:
    """Concatenate parsed files into the bronze table and the bronze rejects table."""
    files = list(parsed)
    rows = pa.concat_tables([bronze_schema().empty_table(), *(p.rows for p in files)])
    rejects = pa.concat_tables([bronze_rejects_schema().empty_table(), *(p.rejects for p in files)])
    return rows, rejects


def build_silver(bronze: pa.Table, engine: Engine) -> SilverTables:
    """Clean bronze rows and compute every silver feature (SPEC 1.3)."""
    frame = engine.from_arrow(bronze)
    features, rejects = silver_frames(frame)
    return SilverTables(
        daily_activity=engine.to_arrow(features, arrow_schema("silver/daily_activity")),
        rejects=engine.to_arrow(rejects, arrow_schema("silver/fitness_rejects")),
        negatives_zeroed=silver.negative_counts(frame),
    )


def silver_frames(bronze: nw.LazyFrame) -> tuple[nw.LazyFrame, nw.LazyFrame]:
    """``silver/daily_activity`` and ``silver/fitness_rejects`` as lazy frames of ``bronze``'s
    backend, for callers that keep the data in that backend (the Spark Pipes job)."""
    cleaned = silver.clean(bronze)
    # Sorted output makes files byte-stable across runs and engines.
    features = silver.silver_features(cleaned.survivors).sort("user_id", "date")
    rejects = cleaned.rejects.sort("_source_file", "_row_number")
    return features, rejects


def build_gold(silver_table: pa.Table, engine: Engine) -> dict[str, pa.Table]:
    """The four star-schema tables (SPEC 1.4), keyed by lake path."""
    tables = gold_frames(engine.from_arrow(silver_table), engine.from_arrow)
    return {name: engine.to_arrow(table, arrow_schema(name)) for name, table in tables.items()}


def gold_frames(
    silver_frame: nw.LazyFrame, from_arrow: Callable[[pa.Table], nw.LazyFrame]
) -> dict[str, nw.LazyFrame]:
    """The four star-schema tables as sorted lazy frames of ``silver_frame``'s backend."""
    tables = gold.gold_tables(silver_frame, from_arrow)
    return {name: table.sort(*GOLD_SORT_KEYS[name]) for name, table in tables.items()}


GOLD_SORT_KEYS: dict[str, tuple[str, ...]] = {
    "gold/dim_user": ("user_id",),
    "gold/dim_date": ("date_key",),
    "gold/dim_activity": ("user_id", "date_key"),
    "gold/fact_daily": ("user_id", "date_key"),
}
