"""Run independent pieces of a transform on every core this process may use.

Parsing bronze slices and cleaning user-range chunks of silver spend their time in Arrow,
NumPy and pandas kernels, which release the GIL: threads share the input tables without
copying them and keep both cores of a small machine busy. Results keep the input order, so
the output is byte-for-byte the one of a sequential loop. How many threads is a setting
(``FITNESS_THREADS``, read by ``settings.py``) that callers pass down as ``workers``.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask, not the machine's total)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def ordered_map(
    function: Callable[[Item], Result], items: Sequence[Item], workers: int | None = None
) -> list[Result]:
    """``[function(item) for item in items]``, computed by up to ``workers`` threads.

    ``workers`` None means one per usable CPU; 1 runs everything in the calling thread. The
    first exception raised by ``function`` propagates unchanged.
    """
    workers = min(workers or usable_cpus(), len(items))
    if workers <= 1:
        return [function(item) for item in items]
    _silence_pandas_copy_warning()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fitness") as pool:
        return list(pool.map(function, items))


def _silence_pandas_copy_warning() -> None:
    # narwhals silences this false positive of its own scatter with ``catch_warnings``, which
    # is not thread-safe: one thread's exit restores the filters while another is inside.
    # A standing filter for exactly that message survives those restores.
    warnings.filterwarnings("ignore", message="\n.*copy of a slice", module="narwhals")
