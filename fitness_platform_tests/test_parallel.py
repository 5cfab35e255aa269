"""``ordered_map``: input order, real concurrency, errors, and the ``FITNESS_THREADS`` knob."""

from __future__ import annotations

import threading

import pytest

from fitness_platform.parallel import ordered_map, worker_count


def test_results_keep_the_input_order_even_when_later_items_finish_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FITNESS_THREADS", "3")
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

    assert ordered_map(work, [0, 1, 2]) == [0, 10, 20]
    assert len(threads_seen) >= 2
    assert all(name.startswith("fitness") for name in threads_seen)


def test_one_thread_runs_in_the_calling_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FITNESS_THREADS", "1")
    caller = threading.current_thread().name
    assert ordered_map(lambda _: threading.current_thread().name, [1, 2]) == [caller, caller]


def test_the_first_error_propagates_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FITNESS_THREADS", "2")

    def work(item: int) -> int:
        if item == 1:
            raise KeyError("item 1")
        return item

    with pytest.raises(KeyError, match="item 1"):
        ordered_map(work, [0, 1, 2])


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5"])
def test_a_bad_thread_count_names_the_variable(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FITNESS_THREADS", value)
    with pytest.raises(ValueError, match="FITNESS_THREADS must be a positive integer"):
        worker_count()


def test_default_is_one_worker_per_usable_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.delenv("FITNESS_THREADS", raising=False)
    assert worker_count() == len(os.sched_getaffinity(0))
