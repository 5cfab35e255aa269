"""Helpers of the WOD Dagster tests: settings for a run, reading back what a run stored."""

import json
from pathlib import Path
from typing import Any

import dagster as dg

from fitness_platform.aws.dynamodb import scan_all
from fitness_platform.aws.session import boto3_client
from fitness_platform.definitions import build_definitions
from fitness_platform.settings import Settings, load_settings
from fitness_platform.storage.lake import Lake
from fitness_platform.storage.parquet import read_table
from fitness_platform.wod.dynamo_items import item_to_record
from fitness_platform.wod.tables import session_records
from fitness_platform_tests.support.aws import REGION
from fitness_platform_tests.wod_defs.weeks import WEEKS

STAGE = "wodtest"
TABLE = f"wod-sessions-{STAGE}"


def wod_settings(
    *,
    base_url: str | None,
    aws_endpoint: str,
    local_root: Path | None = None,
    bucket: str | None = None,
    topic_arn: str | None = None,
    **extra: str,
) -> Settings:
    """Settings of a WOD run in local mode (``local_root``) or s3 mode (``bucket``)."""
    env = {
        "FITNESS_STAGE": STAGE,
        "FITNESS_WORDPRESS_PER_PAGE": "2",  # three posts over two pages
        "AWS_ENDPOINT_URL": aws_endpoint,
        "AWS_REGION": REGION,
        **extra,
    }
    if base_url:
        env["FITNESS_WORDPRESS_URL"] = base_url
    if topic_arn:
        env["FITNESS_ALERT_TOPIC_ARN"] = topic_arn
    if bucket:
        env |= {
            "FITNESS_STORAGE_MODE": "s3",
            "FITNESS_S3_BUCKET": bucket,
            "FITNESS_S3_PREFIX": "lake",
        }
    else:
        env["FITNESS_LOCAL_ROOT"] = str(local_root)
    return load_settings(env)


def run_job(settings: Settings, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    """Execute ``wod_job`` in process against ``instance``."""
    job = build_definitions(settings).resolve_job_def("wod_job")
    return job.execute_in_process(instance=instance, raise_on_error=False)


def lake_of(settings: Settings) -> Lake:
    """The run's lake root."""
    return Lake(settings.lake_root, settings.storage_options)


def silver_records(settings: Settings) -> list[dict[str, Any]]:
    """``silver/wod_sessions`` read back from Parquet, as parser-shaped records."""
    return session_records(read_table(lake_of(settings).path("silver/wod_sessions.parquet")))


def gold_rows(settings: Settings) -> list[dict[str, Any]]:
    """``gold/wod_weekly`` read back from Parquet, dates as ISO strings."""
    table = read_table(lake_of(settings).path("gold/wod_weekly.parquet"))
    return [
        {k: v.isoformat() if k in ("week_start", "week_end") else v for k, v in row.items()}
        for row in table.to_pylist()
    ]


def dynamo_records(endpoint: str) -> list[dict[str, Any]]:
    """Every item of the stage's WOD table, as session records."""
    client = boto3_client("dynamodb", region_name=REGION, endpoint_url=endpoint)
    return [item_to_record(item) for item in scan_all(client, TABLE)]


def jsonl_keys() -> list[str]:
    """The SPEC keys of the three fixture weeks' JSON Lines files."""
    return sorted(f"silver/wod/sessions/{stem}.jsonl" for stem in WEEKS.values())


def weekly_keys() -> list[str]:
    """The SPEC keys of the three fixture weeks' gold JSON files."""
    return sorted(f"gold/wod/weekly/{stem}.json" for stem in WEEKS.values())


def read_jsonl(lake: Lake, key: str) -> list[dict[str, Any]]:
    """The records of one JSON Lines file."""
    return [json.loads(line) for line in lake.read_text(key).splitlines()]


def metadata_of(result: dg.ExecuteInProcessResult, key: list[str]) -> dict[str, Any]:
    """The plain metadata values of the run's one materialisation of ``key``."""
    (materialization,) = [
        event.step_materialization_data.materialization
        for event in result.get_asset_materialization_events()
        if event.asset_key == dg.AssetKey(key)
    ]
    return {
        name: getattr(value, "value", value) for name, value in materialization.metadata.items()
    }
