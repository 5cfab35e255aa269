"""``run_garmin``: the Garmin job in process when configured, a clear skip when not."""

from __future__ import annotations

from pathlib import Path

import boto3
import dagster as dg
import pyarrow.parquet as pq

from fitness_platform.garmin_run import SKIPPED_MESSAGE, run_garmin
from fitness_platform.settings import load_settings
from fitness_platform_tests.garmin_defs.helpers import FIXTURES

# The fixtures are from March 2025; a long window keeps the test independent of today's date.
WINDOW_DAYS = "36500"


def test_not_configured_says_skipped_and_does_nothing(tmp_path: Path) -> None:
    lines: list[str] = []
    settings = load_settings({"FITNESS_LOCAL_ROOT": str(tmp_path)})
    assert run_garmin(settings, dg.DagsterInstance.ephemeral(), lines.append) == (0, {})
    assert lines == [SKIPPED_MESSAGE]
    assert list(tmp_path.iterdir()) == []


def test_configured_folder_materialises_all_and_reruns_write_nothing(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    settings = load_settings(
        {
            "FITNESS_LOCAL_ROOT": str(lake),
            "FITNESS_GARMIN_SOURCE": str(FIXTURES / "exports"),
            "FITNESS_GARMIN_DAYS_BACK": WINDOW_DAYS,
        }
    )
    instance = dg.DagsterInstance.ephemeral()
    first_lines: list[str] = []
    code, first = run_garmin(settings, instance, first_lines.append)
    assert code == 0, first_lines
    assert first == {
        "fetched": 5,
        "in_window": 5,
        "written": 5,
        "skipped": 0,
        "failed": 0,
        "source_file_failures": 0,
        "silver_rows": 5,
        "gold_rows": 4,
    }
    stored = sorted(p.name for p in (lake / "bronze" / "garmin").iterdir())
    assert len(stored) == 5 and all(name.startswith("activity_3000000010") for name in stored)
    assert pq.read_table(lake / "silver" / "garmin_activities.parquet").num_rows == 5
    assert pq.read_table(lake / "gold" / "garmin_daily.parquet").num_rows == 4
    assert "5 written, 0 skipped, 0 failed" in "\n".join(first_lines)

    second_lines: list[str] = []
    code, second = run_garmin(settings, instance, second_lines.append)
    assert code == 0, second_lines
    assert (second["written"], second["skipped"], second["failed"]) == (0, 5, 0)
    assert (second["silver_rows"], second["gold_rows"]) == (5, 4)
    assert sorted(p.name for p in (lake / "bronze" / "garmin").iterdir()) == stored
    assert "0 written, 5 skipped, 0 failed" in "\n".join(second_lines)
    # Both runs are recorded on the instance, as they would be in the UI.
    runs = instance.get_runs(filters=dg.RunsFilter(job_name="garmin_job"))
    assert len(runs) == 2 and all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs)


def test_failed_checks_give_a_non_zero_exit_code(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "FITNESS_LOCAL_ROOT": str(tmp_path / "lake"),
            "FITNESS_GARMIN_SOURCE": str(FIXTURES / "bad"),
            "FITNESS_GARMIN_DAYS_BACK": WINDOW_DAYS,
        }
    )
    lines: list[str] = []
    code, counts = run_garmin(settings, dg.DagsterInstance.ephemeral(), lines.append)
    assert code == 1
    assert counts["written"] == 3 and "gold_rows" not in counts
    text = "\n".join(lines)
    assert "FAILED CHECK: silver/garmin_activities:heart_rate_in_range" in text
    assert "FAILED CHECK: silver/garmin_activities:non_negative_distance_and_duration" in text


def test_s3_lake_on_moto_reruns_write_nothing(aws_env: str, s3_bucket: str) -> None:
    settings = load_settings(
        {
            "FITNESS_STORAGE_MODE": "s3",
            "FITNESS_S3_BUCKET": s3_bucket,
            "FITNESS_S3_PREFIX": "lake",
            "AWS_ENDPOINT_URL": aws_env,
            "FITNESS_GARMIN_SOURCE": str(FIXTURES / "exports"),
            "FITNESS_GARMIN_DAYS_BACK": WINDOW_DAYS,
        }
    )
    instance = dg.DagsterInstance.ephemeral()
    s3 = boto3.client("s3", endpoint_url=aws_env)

    def keys(prefix: str) -> dict[str, str]:
        listing = s3.list_objects_v2(Bucket=s3_bucket, Prefix=prefix)
        return {o["Key"]: o["ETag"] for o in listing.get("Contents", [])}

    code, first = run_garmin(settings, instance, lambda line: None)
    assert code == 0
    assert (first["written"], first["skipped"], first["silver_rows"], first["gold_rows"]) == (
        5,
        0,
        5,
        4,
    )
    raw = keys("lake/bronze/garmin/")
    assert len(raw) == 5
    assert keys("lake/silver/garmin_activities.parquet") and keys("lake/gold/garmin_daily.parquet")

    code, second = run_garmin(settings, instance, lambda line: None)
    assert code == 0
    assert (second["written"], second["skipped"]) == (0, 5)
    assert keys("lake/bronze/garmin/") == raw
