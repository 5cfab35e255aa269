"""Engines: how frames enter and leave the engine-agnostic tracker rules. No business rules here.

An :class:`Engine` turns Arrow tables into narwhals LazyFrames of its backend and back. The
tracker functions only see narwhals, so pandas and Spark run the same code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import narwhals as nw
import pyarrow as pa


@dataclass(frozen=True)
class Engine:
    """A dataframe backend for the tracker rules.

    Attributes:
        name: ``pandas`` or ``spark``.
        from_arrow: Arrow table -> LazyFrame of this backend.
        to_arrow: LazyFrame -> Arrow table with exactly the given schema (SPEC 1.6 types).
        workers: threads for independent chunks (``FITNESS_THREADS``); None: every CPU.
    """

    name: str
    from_arrow: Callable[[pa.Table], nw.LazyFrame]
    to_arrow: Callable[[nw.LazyFrame, pa.Schema], pa.Table]
    workers: int | None = None
    """Threads an in-process engine may use for independent chunks; None: one per usable CPU."""
