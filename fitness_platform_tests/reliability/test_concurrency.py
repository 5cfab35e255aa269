"""Item 3: two runs that materialise the same tables at once cannot interleave their writes.

Two real ``fitness-platform run`` processes share one ``DAGSTER_HOME`` (the repository's
``dagster.yaml``: every pool has one slot) and one lake. To make them contend for certain,
the test holds the ``tracker_bronze`` slot itself, as a third run busy writing bronze would,
until both runs report that their bronze step is blocked by the pool; then it lets go.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pytest

from fitness_platform.defs.tracker.policies import BRONZE_POOL
from fitness_platform.runner import run_tracker
from fitness_platform.storage.lake import Lake
from fitness_platform.storage.parquet import read_table
from fitness_platform.tracker.ingestion import load_ledger
from fitness_platform_tests.reliability.helpers import (
    gold_tables,
    local_settings,
    runs_of,
    step_events,
)
from fitness_platform_tests.support.processes import REPO, dagster_home
from fitness_platform_tests.ui.sample import write_sample_csv

pytestmark = pytest.mark.slow

POOLED_STEPS = ("bronze_tracker_files", "silver_tracker_tables", "gold_star_schema")
BLOCKED = f"Step blocked by limit for pool {BRONZE_POOL}"
HOLDER_RUN, HOLDER_STEP = "reliability-test-holder", "holding_bronze"


def _write_raw(root: Path) -> None:
    raw = root / "raw"
    raw.mkdir(parents=True)
    for index in range(6):
        write_sample_csv(raw / f"day_{index}.csv", users=2, days=45, seed=index)
        # Each file its own users, so files do not overwrite each other in silver.
        text = (raw / f"day_{index}.csv").read_text()
        lines = text.splitlines()
        shifted = [lines[0]] + [
            f"{index * 10 + int(r.split(',', 1)[0])},{r.split(',', 1)[1]}" for r in lines[1:]
        ]
        (raw / f"day_{index}.csv").write_text("\n".join(shifted) + "\n")


def _bronze_rows(lake: Lake) -> int:
    return sum(read_table(lake.path(k)).num_rows for k in lake.list("bronze/fitness_logs"))


def _blocked_runs(instance: dg.DagsterInstance) -> set[str]:
    return {
        run.run_id
        for run in runs_of(instance, "tracker_bronze_job")
        if any(
            BLOCKED in (entry.message or entry.user_message or "")
            for entry in step_events(instance, run.run_id, dg.DagsterEventType.ENGINE_EVENT)
        )
    }


def _interval(instance: dg.DagsterInstance, run_id: str, step: str) -> tuple[float, float]:
    starts = [
        e.timestamp
        for e in step_events(instance, run_id, dg.DagsterEventType.STEP_START)
        if e.step_key == step
    ]
    ends = [
        e.timestamp
        for e in step_events(instance, run_id, dg.DagsterEventType.STEP_SUCCESS)
        if e.step_key == step
    ]
    assert len(starts) == len(ends) == 1, (run_id, step, starts, ends)
    return starts[0], ends[0]


def test_two_runs_at_once_wait_for_the_pools_and_equal_one_run(tmp_path: Path) -> None:
    shared, reference = tmp_path / "shared", tmp_path / "reference"
    _write_raw(shared)
    _write_raw(reference)
    with dg.instance_for_test() as alone:
        assert (
            run_tracker(
                local_settings(reference), instance=alone, echo=lambda _: None, ml=False
            ).exit_code
            == 0
        )

    home = dagster_home(tmp_path)
    env = {**os.environ, "DAGSTER_HOME": str(home), "FITNESS_LOCAL_ROOT": str(shared)}
    with dg.DagsterInstance.from_config(str(home)) as instance:
        storage = instance.event_log_storage
        storage.set_concurrency_slots(BRONZE_POOL, 1)
        assert storage.claim_concurrency_slot(BRONZE_POOL, HOLDER_RUN, HOLDER_STEP).is_claimed

        def start() -> subprocess.Popen[str]:
            return subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "fitness_platform_tests.reliability.run_tracker_once",
                    str(shared),
                ],
                cwd=REPO,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )

        def wait_until_blocked(count: int) -> None:
            deadline = time.monotonic() + 300
            while len(_blocked_runs(instance)) < count:
                for process in processes:
                    if process.poll() is not None:
                        raise AssertionError(
                            "a run ended while blocked:\n" + (process.communicate()[0] or "")
                        )
                assert time.monotonic() < deadline, f"{count} run(s) never waited for the pool"
                time.sleep(0.5)

        processes = [start(), start()]
        try:
            wait_until_blocked(2)
            storage.free_concurrency_slot_for_step(HOLDER_RUN, HOLDER_STEP)
            outputs = [p.communicate(timeout=300)[0] for p in processes]
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
                    process.wait()

        summaries = [
            json.loads(line.removeprefix("SUMMARY "))
            for out in outputs
            for line in out.splitlines()
            if line.startswith("SUMMARY ")
        ]
        assert [s["exit_code"] for s in summaries] == [0, 0], outputs

        # Every pooled step ran in both processes, never at the same time.
        bronze_runs = runs_of(instance, "tracker_bronze_job")
        refresh_runs = runs_of(instance, "tracker_refresh_job")
        assert len(bronze_runs) == len(refresh_runs) == 2
        for step, runs in zip(POOLED_STEPS, (bronze_runs, refresh_runs, refresh_runs), strict=True):
            (a_start, a_end), (b_start, b_end) = (_interval(instance, r.run_id, step) for r in runs)
            assert a_end <= b_start or b_end <= a_start, f"{step} of both runs overlapped"

    # The result equals one run: each file ingested once, by one run, and the same tables.
    lake, single = Lake(str(shared)), Lake(str(reference))
    ledger = load_ledger(lake)
    assert sorted(ledger.entries) == [f"day_{i}.csv" for i in range(6)]
    assert len({e.run_id for e in ledger.entries.values()}) == 1
    assert {e.run_id for e in ledger.entries.values()} <= {r.run_id for r in bronze_runs}
    assert _bronze_rows(lake) == _bronze_rows(single) == 6 * 2 * 45
    for name, table in gold_tables(lake).items():
        expected: pa.Table = gold_tables(single)[name]
        assert table.equals(expected), name
