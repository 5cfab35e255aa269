"""The tracker transformation chain bronze -> silver -> gold on any engine, as pure functions."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import narwhals as nw
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fitness_platform.engine import Engine
from fitness_platform.parallel import ordered_map, worker_count
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


DEFAULT_CHUNK_ROWS = 500_000
"""Most bronze rows an in-process engine transforms at once; larger inputs go by user ranges."""

MIN_CHUNK_ROWS = 100_000
"""Below this, splitting an input for more threads costs more than it saves."""


def build_silver(
    bronze: pa.Table, engine: Engine, chunk_rows: int | None = DEFAULT_CHUNK_ROWS
) -> SilverTables:
    """Clean bronze rows and compute every silver feature (SPEC 1.3).

    In-process engines transform at most ``chunk_rows`` bronze rows at once: every rule
    (windows, lags, the duplicate winner) looks at one user's rows only, so contiguous
    ranges of user ids give exactly the same tables, already in (user_id, date) order, with
    a fraction of the working memory. Chunks run on every usable core (``FITNESS_THREADS``),
    and smaller inputs are split so no core idles. Spark partitions the data itself.
    """
    if engine.name == "spark" or chunk_rows is None:
        return _build_silver_at_once(bronze, engine)
    per_worker = -(-bronze.num_rows // worker_count())
    chunk_rows = min(chunk_rows, max(per_worker, MIN_CHUNK_ROWS))
    if bronze.num_rows <= chunk_rows:
        return _build_silver_at_once(bronze, engine)
    parts = ordered_map(
        lambda chunk: _build_silver_at_once(chunk, engine), user_range_chunks(bronze, chunk_rows)
    )
    negatives = {
        column: sum(part.negatives_zeroed[column] for part in parts)
        for column in parts[0].negatives_zeroed
    }
    rejects = pa.concat_tables([part.rejects for part in parts])
    return SilverTables(
        daily_activity=pa.concat_tables([part.daily_activity for part in parts]),
        rejects=rejects.sort_by([("_source_file", "ascending"), ("_row_number", "ascending")]),
        negatives_zeroed=negatives,
    )


def user_range_chunks(bronze: pa.Table, chunk_rows: int) -> list[pa.Table]:
    """Split bronze into contiguous user-id ranges of about ``chunk_rows`` rows each.

    Rows without a user_id (rejected as ``missing_key``) travel with the first chunk.
    """
    user_ids = bronze.column("user_id")
    present = user_ids.drop_null().to_numpy()
    if len(present) == 0:
        return [bronze]
    distinct, counts = np.unique(present, return_counts=True)
    cumulative = np.cumsum(counts)
    cuts = range(chunk_rows, int(cumulative[-1]), chunk_rows)
    # Chunk i holds user ids in [edges[i], edges[i + 1]); a user never spans two chunks.
    edges = sorted(
        {int(distinct[0])} | {int(distinct[np.searchsorted(cumulative, cut)]) + 1 for cut in cuts}
    )
    chunks = []
    for index, low in enumerate(edges):
        inside = pc.greater_equal(user_ids, low)
        if index + 1 < len(edges):
            inside = pc.and_(inside, pc.less(user_ids, edges[index + 1]))
        inside = pc.fill_null(inside, False)
        if index == 0:
            inside = pc.or_(inside, pc.is_null(user_ids))
        chunks.append(bronze.filter(inside))
    return [chunk for chunk in chunks if chunk.num_rows]


def _build_silver_at_once(bronze: pa.Table, engine: Engine) -> SilverTables:
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
