"""The tracker transformation chain bronze -> silver -> gold on any engine, as pure functions."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

import narwhals as nw
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fitness_platform.engine import Engine
from fitness_platform.memory import release_unused_memory
from fitness_platform.parallel import ordered_map, usable_cpus
from fitness_platform.tracker import gold, silver
from fitness_platform.tracker.bronze import ParsedFile, bronze_rejects_schema, bronze_schema
from fitness_platform.tracker.schema import TABLE_KEYS, arrow_schema, compact_strings


@dataclass(frozen=True)
class SilverTables:
    """``silver/daily_activity``, ``silver/fitness_rejects`` and step-1 counts.

    Both tables have the SPEC 1.6 types, except that ``daily_activity`` may hold
    dictionary-encoded strings in memory (``build_silver(..., compact=True)``).
    """

    daily_activity: pa.Table
    rejects: pa.Table
    negatives_zeroed: dict[str, int] = field(default_factory=dict)


def combine_bronze(parsed: Iterable[ParsedFile]) -> tuple[pa.Table, pa.Table]:
    """Concatenate parsed files into the bronze table and the bronze rejects table."""
    files = list(parsed)
    rows = pa.concat_tables([bronze_schema().empty_table(), *(p.rows for p in files)])
    rejects = pa.concat_tables([bronze_rejects_schema().empty_table(), *(p.rejects for p in files)])
    return rows, rejects


Part = TypeVar("Part")

DEFAULT_CHUNK_ROWS = 250_000
"""Most bronze rows an in-process engine transforms at once; larger inputs go by user ranges."""

MIN_CHUNK_ROWS = 100_000
"""Below this, splitting an input for more threads costs more than it saves."""


def build_silver(
    bronze: pa.Table,
    engine: Engine,
    chunk_rows: int | None = DEFAULT_CHUNK_ROWS,
    *,
    compact: bool = False,
) -> SilverTables:
    """Clean bronze rows and compute every silver feature (SPEC 1.3).

    In-process engines transform at most ``chunk_rows`` bronze rows at once: every rule
    (windows, lags, the duplicate winner) looks at one user's rows only, so contiguous
    ranges of user ids give exactly the same tables, already in (user_id, date) order, with
    a fraction of the working memory. Chunks run on ``engine.workers`` threads (every usable
    core by default), and smaller inputs are split so no core idles. Spark partitions the
    data itself.

    With ``compact``, ``daily_activity``'s low-cardinality strings are dictionary-encoded as
    each chunk finishes (:func:`~fitness_platform.tracker.schema.compact_strings`): same
    values, less memory while the table is held; written files keep the SPEC's strings.
    """

    def transform(chunk: pa.Table) -> SilverTables:
        return _build_silver_at_once(chunk, engine, compact=compact)

    if engine.name == "spark" or chunk_rows is None:
        return transform(bronze)
    parts = by_user_ranges(bronze, chunk_rows, transform, workers=engine.workers)
    if len(parts) == 1:
        return parts[0]
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


@dataclass(frozen=True)
class UserRange:
    """User ids in ``[low, high)`` (``high`` None: no upper bound); the first range of a
    table also carries its rows without a user_id (rejected as ``missing_key``)."""

    low: int
    high: int | None
    with_missing_ids: bool

    def take(self, table: pa.Table) -> pa.Table:
        """The rows of ``table`` in this range, in their original order."""
        user_ids = table.column("user_id")
        inside = pc.greater_equal(user_ids, self.low)
        if self.high is not None:
            inside = pc.and_(inside, pc.less(user_ids, self.high))
        inside = pc.fill_null(inside, False)
        if self.with_missing_ids:
            inside = pc.or_(inside, pc.is_null(user_ids))
        return table.filter(inside)


def user_ranges(table: pa.Table, chunk_rows: int) -> list[UserRange]:
    """Contiguous user-id ranges of about ``chunk_rows`` rows each; a user never spans two.

    Every range holds at least one user; a table without user ids is one unbounded range.
    """
    present = table.column("user_id").drop_null().to_numpy()
    if len(present) == 0:
        return [UserRange(low=-(2**63), high=None, with_missing_ids=True)]
    distinct, counts = np.unique(present, return_counts=True)
    cumulative = np.cumsum(counts)
    cuts = range(chunk_rows, int(cumulative[-1]), chunk_rows)
    ends = {int(distinct[np.searchsorted(cumulative, cut)]) + 1 for cut in cuts}
    edges = sorted({int(distinct[0])} | {end for end in ends if end <= int(distinct[-1])})
    return [
        UserRange(low=low, high=high, with_missing_ids=index == 0)
        for index, (low, high) in enumerate(zip(edges, [*edges[1:], None], strict=True))
    ]


def by_user_ranges(
    table: pa.Table,
    chunk_rows: int,
    transform: Callable[[pa.Table], Part],
    workers: int | None = None,
) -> list[Part]:
    """``transform`` applied to user-range chunks of ``table`` by ``workers`` threads (None:
    one per usable CPU).

    Chunks hold at most ``chunk_rows`` rows, and smaller inputs are split so that each worker
    gets one (not below ``MIN_CHUNK_ROWS``). A chunk is cut from ``table`` only when a worker
    takes it up, and freed memory goes back to the system after each one, so the working set
    is a chunk per worker, not a second copy of the input.
    """
    workers = workers or usable_cpus()
    per_worker = -(-table.num_rows // workers)
    chunk_rows = min(chunk_rows, max(per_worker, MIN_CHUNK_ROWS))
    if table.num_rows <= chunk_rows:
        return [transform(table)]

    def run(user_range: UserRange) -> Part:
        part = transform(user_range.take(table))
        release_unused_memory()
        return part

    release_unused_memory()  # what the previous stage freed, before the chunks allocate
    return ordered_map(run, user_ranges(table, chunk_rows), workers)


def _build_silver_at_once(bronze: pa.Table, engine: Engine, *, compact: bool) -> SilverTables:
    frame = engine.from_arrow(bronze)
    features, rejects = silver_frames(frame)
    daily_activity = engine.to_arrow(features, arrow_schema("silver/daily_activity"))
    return SilverTables(
        daily_activity=compact_strings(daily_activity) if compact else daily_activity,
        rejects=engine.to_arrow(rejects, arrow_schema("silver/fitness_rejects")),
        negatives_zeroed=silver.negative_counts(frame),
    )


def silver_frames(bronze: nw.LazyFrame) -> tuple[nw.LazyFrame, nw.LazyFrame]:
    """``silver/daily_activity`` and ``silver/fitness_rejects`` as lazy frames of ``bronze``'s
    backend, for callers that keep the data in that backend (the Spark Pipes job)."""
    cleaned = silver.clean(bronze)
    # Sorted output makes files byte-stable across runs and engines.
    features = silver.silver_features(cleaned.survivors).sort(*TABLE_KEYS["silver/daily_activity"])
    rejects = cleaned.rejects.sort(*TABLE_KEYS["silver/fitness_rejects"])
    return features, rejects


def build_gold(silver_table: pa.Table, engine: Engine) -> dict[str, pa.Table]:
    """The four star-schema tables (SPEC 1.4), keyed by lake path.

    Gold is built in one piece: its tables are projections and one small aggregate of
    silver, which the engine reads without copying, whereas user-range chunks would copy
    every silver column (measured: slower and a higher peak, docs/performance.md).
    """
    tables = gold_frames(
        engine.from_arrow(silver_table),
        engine.from_arrow,
        # Only an in-process engine keeps row order through a projection; Spark may not.
        silver_ordered=engine.name != "spark" and is_ordered_by_user_and_date(silver_table),
    )
    return {name: engine.to_arrow(table, arrow_schema(name)) for name, table in tables.items()}


def gold_frames(
    silver_frame: nw.LazyFrame,
    from_arrow: Callable[[pa.Table], nw.LazyFrame],
    *,
    silver_ordered: bool = False,
) -> dict[str, nw.LazyFrame]:
    """The four star-schema tables as sorted lazy frames of ``silver_frame``'s backend.

    ``silver_ordered`` says that silver's rows are known to be in (user_id, date) order, as
    :func:`build_silver` writes them: the user-day projections are then in order already
    and are not sorted again (a sort copies every column of the largest gold tables).
    """
    tables = gold.gold_tables(silver_frame, from_arrow)
    return {
        name: table if silver_ordered and name in USER_DAY_TABLES else table.sort(*TABLE_KEYS[name])
        for name, table in tables.items()
    }


def is_ordered_by_user_and_date(table: pa.Table) -> bool:
    """Whether every row's (user_id, date) is greater than the previous row's."""
    user_ids, dates = table.column("user_id"), table.column("date")
    if table.num_rows < 2 or user_ids.null_count or dates.null_count:
        return table.num_rows < 2
    user_id = user_ids.to_numpy()
    day = dates.cast(pa.int32()).to_numpy()
    next_user = np.diff(user_id)
    return bool(np.all((next_user > 0) | ((next_user == 0) & (np.diff(day) > 0))))


USER_DAY_TABLES = ("gold/dim_activity", "gold/fact_daily")
"""Projections of silver at grain user-day: (user_id, date) order is their sort order,
because ``date_key`` (yyyymmdd) grows with ``date``."""
