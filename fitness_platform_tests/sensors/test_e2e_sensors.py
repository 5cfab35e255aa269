"""End to end with real processes: a file lands, ``dagster dev`` ingests it and refreshes gold.

Nothing is clicked: the sensors and the automation sensor run by default. Both tests start
``dagster dev`` (webserver, daemon, code server; every run in its own process), so they take
minutes, not seconds; they are marked ``e2e``.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import boto3
import pytest

from fitness_platform.storage.lake import Lake, s3_storage_options
from fitness_platform.storage.parquet import read_table
from fitness_platform_tests.sensors.dagster_dev import DagsterDev, dagster_dev
from fitness_platform_tests.sensors.tracker_csv import tracker_csv

pytestmark = pytest.mark.e2e

GOLD_TIMEOUT_S = 600  # sensor tick, bronze run, automation tick, silver+gold run(s), 2 shared cores
USERS, DAYS = 3, 5
SENSORS = ("tracker_drop_folder_sensor", "tracker_s3_sensor", "tracker_automation_sensor")

MATERIALIZATION = """
query ($path: [String!]!) {
  assetOrError(assetKey: {path: $path}) {
    __typename
    ... on Asset {
      assetMaterializations(limit: 1) {
        runId
        timestamp
        metadataEntries { label ... on IntMetadataEntry { intValue } }
      }
    }
  }
}
"""

SENSOR_STATES = """
{
  repositoriesOrError {
    ... on RepositoryConnection {
      nodes { name sensors { name sensorState { status } } }
    }
  }
}
"""

SENSOR_TICKS = """
query ($name: String!) {
  sensorOrError(sensorSelector: {repositoryName: "__repository__",
      repositoryLocationName: "fitness_platform", sensorName: $name}) {
    ... on Sensor { sensorState { ticks(limit: 10) { status timestamp } } }
  }
}
"""

RUNS = """
{
  runsOrError {
    ... on Runs {
      results { runId jobName status creationTime startTime endTime tags { key value } }
    }
  }
}
"""


def latest_materialization(server: DagsterDev, path: list[str]) -> dict | None:
    data = server.graphql(MATERIALIZATION, {"path": path})["assetOrError"]
    events = data.get("assetMaterializations") or []
    return events[0] if events else None


def row_count(event: dict) -> int | None:
    for entry in event["metadataEntries"]:
        if entry["label"] == "dagster/row_count":
            return entry.get("intValue")
    return None


def wait_for_fact_daily(server: DagsterDev, started: float) -> dict:
    deadline = time.monotonic() + GOLD_TIMEOUT_S
    while time.monotonic() < deadline:
        event = latest_materialization(server, ["gold", "fact_daily"])
        if event is not None:
            return event
        time.sleep(3)
    raise AssertionError(
        f"gold/fact_daily not materialised {time.monotonic() - started:.0f} s after the file "
        f"landed; runs: {server.graphql(RUNS)}\n{server.log_tail()}"
    )


def timeline(server: DagsterDev, landed: float) -> str:
    """Runs as seconds after the file landed (creation, start, end), for the test output."""
    runs = server.graphql(RUNS)["runsOrError"]["results"]
    lines = []
    for run in sorted(runs, key=lambda r: r["creationTime"]):
        times = [run["creationTime"], run["startTime"], run["endTime"]]
        shown = " / ".join("-" if t is None else f"{t - landed:5.0f}" for t in times)
        lines.append(f"  {run['jobName']:<28} {run['status']:<8} created/started/ended {shown} s")
    return "\n".join(lines)


def assert_sensors_running(server: DagsterDev) -> None:
    nodes = server.graphql(SENSOR_STATES)["repositoriesOrError"]["nodes"]
    states = {s["name"]: s["sensorState"]["status"] for n in nodes for s in n["sensors"]}
    assert {name: states.get(name) for name in SENSORS} == dict.fromkeys(SENSORS, "RUNNING")


def bronze_runs(server: DagsterDev) -> list[dict]:
    """Runs started by the raw-file sensors (bronze runs)."""
    runs = server.graphql(RUNS)["runsOrError"]["results"]
    return [
        r
        for r in runs
        if {"key": "dagster/sensor_name", "value": "tracker_s3_sensor"} in r["tags"]
        or {"key": "dagster/sensor_name", "value": "tracker_drop_folder_sensor"} in r["tags"]
    ]


def wait_for_tick_after(server: DagsterDev, sensor: str, moment: float) -> None:
    """Wait until ``sensor`` finished a tick that started after ``moment`` (epoch seconds)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        state = server.graphql(SENSOR_TICKS, {"name": sensor})["sensorOrError"]["sensorState"]
        if any(t["timestamp"] > moment and t["status"] != "STARTED" for t in state["ticks"]):
            return
        time.sleep(2)
    raise AssertionError(f"{sensor} did not tick after the re-upload\n{server.log_tail()}")


def test_upload_to_s3_materialises_gold_without_a_click(
    tmp_path: Path, s3_bucket: str, aws_env: str
) -> None:
    env = {
        "FITNESS_STORAGE_MODE": "s3",
        "FITNESS_S3_BUCKET": s3_bucket,
        "AWS_ENDPOINT_URL": aws_env,
    }
    s3 = boto3.client("s3", endpoint_url=aws_env, region_name="us-east-1")
    body = tracker_csv(users=USERS, days=DAYS)
    with dagster_dev(tmp_path, env) as server:
        assert_sensors_running(server)
        s3.put_object(Bucket=s3_bucket, Key="raw/uploads/first day.csv", Body=body)
        started, landed = time.monotonic(), time.time()
        event = wait_for_fact_daily(server, started)
        print(
            f"\ns3 mode: gold/fact_daily materialised {time.monotonic() - started:.0f} s after upload"
        )
        print(timeline(server, landed))
        assert row_count(event) == USERS * DAYS
        lake = Lake(f"s3://{s3_bucket}", s3_storage_options(aws_env))
        assert read_table(lake.path("gold/fact_daily.parquet")).num_rows == USERS * DAYS

        # identical bytes again: the sensor ticks, requests nothing, gold stays as it is
        runs_before = len(bronze_runs(server))
        reuploaded = time.time()
        s3.put_object(Bucket=s3_bucket, Key="raw/uploads/first day.csv", Body=body)
        wait_for_tick_after(server, "tracker_s3_sensor", reuploaded)
        assert len(bronze_runs(server)) == runs_before == 1
        assert latest_materialization(server, ["gold", "fact_daily"])["runId"] == event["runId"]
        assert read_table(lake.path("gold/fact_daily.parquet")).num_rows == USERS * DAYS


def test_file_copied_into_drop_folder_materialises_gold_without_a_click(tmp_path: Path) -> None:
    lake_root = tmp_path / "lake"
    drop = lake_root / "raw"
    drop.mkdir(parents=True)
    staged = tmp_path / "staged.csv"
    staged.write_bytes(tracker_csv(users=USERS, days=DAYS))
    env = {"FITNESS_STORAGE_MODE": "local", "FITNESS_LOCAL_ROOT": str(lake_root)}
    with dagster_dev(tmp_path, env) as server:
        assert_sensors_running(server)
        shutil.copy(staged, drop / "tracker export.csv")
        started, landed = time.monotonic(), time.time()
        event = wait_for_fact_daily(server, started)
        print(
            f"\nlocal mode: gold/fact_daily materialised {time.monotonic() - started:.0f} s after copy"
        )
        print(timeline(server, landed))
        assert row_count(event) == USERS * DAYS
        fact = Lake(str(lake_root)).path("gold/fact_daily.parquet")
        assert read_table(fact).num_rows == USERS * DAYS
