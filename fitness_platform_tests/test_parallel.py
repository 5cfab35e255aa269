"""``ordered_map``: input order, real concurrency, errors; ``FITNESS_THREADS`` reaches it."""

from __future__ import annotations

import os
import threading

import pytest

from fitness_platform.definitions import build_resources
from fitness_platform.parallel import ordered_map, usable_cpus
from fitness_platform.settings import load_settings


def test_results_keep_the_input_order_even_when_later_items_finish_first() -> None:
    first_may_finish = threading.Event()
    threads_seen: set[str] = set()

    def work(item: int) -> int:
        threads_seen.add(threading.current_thread().name)
        if item == 0:
            # Item 0 waits until item 2 is done: only a real pool gets past this.
            assert first_may_finish.wait(timeout=10), "items did not run concurrently"
        if item == 2:
            first_may_finish.set()
        return item * 10

    assert ordered_map(work, [0, 1, 2], workers=3) == [0, 10, 20]
    assert len(threads_seen) >= 2
    assert all(name.startswith("fitness") for name in threads_seen)


def test_one_worker_runs_in_the_calling_thread() -> None:
    caller = threading.current_thread().name
    names = ordered_map(lambda _: threading.current_thread().name, [1, 2], workers=1)
    assert names == [caller, caller]


def test_the_first_error_propagates_unchanged() -> None:
    def work(item: int) -> int:
        if item == 1:
            raise KeyError("item 1")
        return item

    with pytest.raises(KeyError, match="item 1"):
        ordered_map(work, [0, 1, 2], workers=2)


def test_usable_cpus_follow_the_affinity_mask() -> None:
    assert usable_cpus() == len(os.sched_getaffinity(0))


@pytest.mark.parametrize(("value", "expected"), [(None, None), ("1", 1), ("6", 6)])
def test_fitness_threads_reaches_the_engine_and_the_parser(
    value: str | None, expected: int | None, tmp_path
) -> None:
    env = {"FITNESS_LOCAL_ROOT": str(tmp_path)}
    if value is not None:
        env["FITNESS_THREADS"] = value
    resources = build_resources(load_settings(env))
    assert resources["engine"].engine().workers == expected
    assert resources["ingest"].threads == expected
