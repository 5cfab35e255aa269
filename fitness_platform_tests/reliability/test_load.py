"""Item 5: 1,000 raw files landing at once, in the drop folder and in S3 (moto), all ingested
through the sensor path, with reconciliation per file and a bounded number of recomputations.

The sensor tick runs through ``build_sensor_context`` and its run request is executed in
process, as the daemon would; the automation sensor's decision comes from
``evaluate_automation_conditions`` over the full code location. Wall time and peak memory
(RSS of this process, sampled every 50 ms with psutil) are printed for docs/reliability.md.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import psutil
import pyarrow as pa
import pytest

from fitness_platform.definitions import build_definitions
from fitness_platform.defs.tracker.sensors import tracker_drop_folder_sensor, tracker_s3_sensor
from fitness_platform.settings import Settings
from fitness_platform.storage.parquet import read_table
from fitness_platform.tracker.ingestion import load_ledger
from fitness_platform_tests.reliability.helpers import (
    QUIET,
    lake_of,
    local_settings,
    s3_client,
    s3_settings,
)
from fitness_platform_tests.sensors.harness import apply_partitions, launch, resources_for, tick
from fitness_platform_tests.sensors.tracker_csv import tracker_csv

pytestmark = pytest.mark.slow

FILES, DAYS = 1000, 5
TRACKER_TABLES = {
    dg.AssetKey(["silver", "daily_activity"]),
    dg.AssetKey(["silver", "fitness_rejects"]),
    *(dg.AssetKey(["gold", n]) for n in ("fact_daily", "dim_user", "dim_date", "dim_activity")),
}


@contextmanager
def peak_rss() -> Iterator[list[int]]:
    """Sample this process's RSS every 50 ms; yields a list whose last item is the peak."""
    process, peak, done = psutil.Process(), [psutil.Process().memory_info().rss], threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak[-1] = max(peak[-1], process.memory_info().rss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield peak
    finally:
        done.set()
        sampler.join()


def _files() -> dict[str, bytes]:
    return {
        f"burst/user_{i:04d}.csv": tracker_csv(users=1, days=DAYS, first_user=i)
        for i in range(FILES)
    }


def _per_file(table: pa.Table) -> Counter[str]:
    return Counter(table.column("_source_file").to_pylist())


def _ingest_burst(
    settings: Settings, sensor: dg.SensorDefinition, capsys: pytest.CaptureFixture[str]
) -> dict[str, object]:
    endpoint = settings.aws_endpoint_url
    resources = resources_for(settings.raw_root, settings.lake_root, endpoint)
    counts: dict[str, object] = {}
    with dg.instance_for_test() as instance:
        started = time.perf_counter()
        defs = build_definitions(settings)
        # The automation sensor ticks all the time; its tick before the burst is the baseline.
        baseline = dg.evaluate_automation_conditions(defs=defs, instance=instance)
        with peak_rss() as peak:
            ticks = [tick(sensor, instance, None, resources, capsys)]
            phases = {"tick": time.perf_counter() - started}
            for request in ticks[0].run_requests:
                apply_partitions(instance, ticks[0])
                launch(instance, settings, request)
            phases["bronze_run"] = time.perf_counter() - started - sum(phases.values())
            ticks.append(tick(sensor, instance, ticks[0].cursor, resources, capsys))

            planned = dg.evaluate_automation_conditions(
                defs=defs, instance=instance, cursor=baseline.cursor
            )
            requested = {k for k in TRACKER_TABLES if planned.get_num_requested(k)}
            refresh = defs.resolve_job_def("tracker_refresh_job")
            phases["evaluate"] = time.perf_counter() - started - sum(phases.values())
            assert refresh.execute_in_process(instance=instance, run_config=QUIET).success
            phases["refresh_run"] = time.perf_counter() - started - sum(phases.values())
            after = dg.evaluate_automation_conditions(
                defs=defs, instance=instance, cursor=planned.cursor
            )
            again = {k for k in TRACKER_TABLES if after.get_num_requested(k)}
        counts = {
            "requested_before_burst": {k for k in TRACKER_TABLES if baseline.get_num_requested(k)},
            "bronze_runs": sum(len(t.run_requests) for t in ticks),
            "partitions": len(ticks[0].added_partitions),
            "refresh_requested": requested,
            "requested_after_refresh": again,
            "seconds": time.perf_counter() - started,
            "peak_rss_mib": peak[-1] / 2**20,
            "runs": len(instance.get_runs()),
            "phases": {k: round(v, 1) for k, v in phases.items()},
        }
    return counts


def _assert_reconciled(settings: Settings, files: dict[str, bytes]) -> None:
    lake = lake_of(settings)
    ledger = load_ledger(lake)
    assert len(ledger.entries) == FILES
    assert {e.status for e in ledger.entries.values()} == {"ingested"}
    bronze = pa.concat_tables(
        read_table(lake.path(k)) for k in lake.list("bronze/fitness_logs", suffix=".parquet")
    )
    silver = read_table(lake.path("silver/daily_activity.parquet"))
    silver_rejects = read_table(lake.path("silver/fitness_rejects.parquet"))
    bronze_rows, kept, removed = _per_file(bronze), _per_file(silver), _per_file(silver_rejects)
    for source, data in files.items():
        records = data.count(b"\n") - 1  # LF-terminated lines minus the header
        assert ledger.entries[source].rows == bronze_rows[source] == records, source
        assert kept[source] + removed[source] == bronze_rows[source], source
    assert read_table(lake.path("gold/fact_daily.parquet")).num_rows == FILES * DAYS


def _report(mode: str, counts: dict[str, object]) -> None:
    print(
        f"\nLOAD {mode}: {FILES} files, {counts['seconds']:.1f} s, peak RSS "
        f"{counts['peak_rss_mib']:.0f} MiB, bronze runs {counts['bronze_runs']}, "
        f"silver/gold refreshes 1 ({len(counts['refresh_requested'])} tables requested), "
        f"runs {counts['runs']}; seconds by phase {counts['phases']}"
    )


def _assert_bounded(counts: dict[str, object]) -> None:
    assert counts["partitions"] == FILES
    assert counts["bronze_runs"] == 1  # one run for the whole burst, none on the next tick
    assert counts["refresh_requested"] == TRACKER_TABLES  # silver and gold, in one request
    assert counts["requested_after_refresh"] == set()  # and nothing more afterwards
    assert counts["runs"] == 2  # one bronze run + one silver/gold refresh


def test_a_burst_of_1000_files_in_the_drop_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _files()
    raw = tmp_path / "lake" / "raw"
    for name, data in files.items():
        (raw / name).parent.mkdir(parents=True, exist_ok=True)
        (raw / name).write_bytes(data)
    settings = local_settings(tmp_path / "lake")

    counts = _ingest_burst(settings, tracker_drop_folder_sensor, capsys)

    with capsys.disabled():
        _report("local", counts)
    _assert_bounded(counts)
    _assert_reconciled(settings, files)


def test_a_burst_of_1000_objects_in_s3(
    aws_env: str, s3_bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _files()
    s3 = s3_client(aws_env)
    for name, data in files.items():
        s3.put_object(Bucket=s3_bucket, Key=f"lake/raw/{name}", Body=data)
    settings = s3_settings(s3_bucket, aws_env)

    counts = _ingest_burst(settings, tracker_s3_sensor, capsys)

    with capsys.disabled():
        _report("s3", counts)
    _assert_bounded(counts)
    _assert_reconciled(settings, files)
