"""The DynamoDB user summary and the Glue catalog against a moto server over HTTP."""

from __future__ import annotations

import datetime as dt
import random

import boto3
import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fitness_platform.aws.dynamodb import DynamoDBResource, scan_all
from fitness_platform.aws.glue import GlueCatalogResource
from fitness_platform.defs.resources import LakeResource
from fitness_platform.defs.serving.assets import glue_tables, user_daily_summary
from fitness_platform.engine.pandas_engine import PANDAS_ENGINE
from fitness_platform.storage.io_manager import ParquetIOManager
from fitness_platform.storage.lake import s3_storage_options
from fitness_platform.tracker.bronze import parse_tracker_csv
from fitness_platform.tracker.pipeline import build_gold, build_silver, combine_bronze
from fitness_platform.tracker.schema import RAW_COLUMNS
from fitness_platform_tests.support.aws import REGION

NOW = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def _csv(users: int, days: int, seed: int = 3) -> bytes:
    lines = [",".join(RAW_COLUMNS)]
    for user in range(users):
        # One stream per user, so a longer file extends each user without changing old days.
        rng = random.Random(seed * 1000 + user)
        for offset in range(days):
            day = dt.date(2024, 9, 6) + dt.timedelta(days=offset)
            lines.append(
                f"{user},{30 + user},{'FM'[user % 2]},{day},{rng.randint(1000, 20000)},"
                f"{rng.uniform(55, 100):.1f},{rng.uniform(4, 10):.1f},{rng.uniform(1500, 4000):.0f},"
                f"{rng.uniform(0, 90):.0f},{rng.randint(1, 10)},{70 + rng.random():.1f},"
                f"{22 + rng.random():.2f}"
            )
    return ("\n".join(lines) + "\n").encode()


def _gold(users: int, days: int) -> dict[str, pa.Table]:
    parsed = parse_tracker_csv(
        _csv(users, days), source_file="a.csv", modified_at=NOW, ingested_at=NOW
    )
    silver = build_silver(combine_bronze([parsed])[0], PANDAS_ENGINE)
    return build_gold(silver.daily_activity, PANDAS_ENGINE)


def _resources(endpoint: str, root: str) -> dict[str, object]:
    return {
        "io_manager": ParquetIOManager(base_dir=root, endpoint_url=endpoint, layout="directory"),
        "lake": LakeResource(root=root, endpoint_url=endpoint),
        "dynamodb": DynamoDBResource(region_name=REGION, endpoint_url=endpoint, stage="test"),
        "glue": GlueCatalogResource(region_name=REGION, endpoint_url=endpoint, database="fg"),
    }


def _metadata(result: dg.ExecuteInProcessResult, *key: str) -> dict:
    events = [
        e.materialization
        for e in result.get_asset_materialization_events()
        if e.materialization.asset_key == dg.AssetKey(list(key))
    ]
    assert len(events) == 1
    return events[0].metadata


FACT_DAILY = dg.AssetSpec(["gold", "fact_daily"]).with_io_manager_key("io_manager")


def _write_gold(root_uri: str, endpoint: str, tables: dict[str, pa.Table]) -> None:
    from upath import UPath

    from fitness_platform.storage.parquet import write_table

    base = UPath(root_uri, **s3_storage_options(endpoint))
    for name, table in tables.items():
        write_table(table, base / f"{name}.parquet", "directory")


@pytest.fixture
def lake_root(s3_bucket: str) -> str:
    return f"s3://{s3_bucket}/lake"


def test_user_summary_items_match_fact_daily_and_rerun_is_idempotent(
    aws_env: str, lake_root: str
) -> None:
    gold = _gold(users=4, days=20)
    _write_gold(lake_root, aws_env, gold)
    resources = _resources(aws_env, lake_root)

    first = dg.materialize([user_daily_summary, FACT_DAILY], resources=resources)
    assert first.success
    client = boto3.client("dynamodb", endpoint_url=aws_env, region_name=REGION)
    items = scan_all(client, "user-daily-summary-test")
    assert len(items) == gold["gold/fact_daily"].num_rows == 80

    fact = {(r["user_id"], r["date_key"]): r for r in gold["gold/fact_daily"].to_pylist()}
    for item in items[:15]:
        user, date = int(item["user_id"]["N"]), item["date"]["S"]
        row = fact[(user, int(date.replace("-", "")))]
        assert int(item["steps"]["N"]) == row["steps"]
        assert float(item["sleep_hours"]["N"]) == pytest.approx(row["sleep_hours"])
        assert int(item["stress_level"]["N"]) == row["stress_level"]
        assert item["activity_level"]["S"] == row["activity_level"]
        assert item["sleep_quality"]["S"] == row["sleep_quality"]

    second = dg.materialize([user_daily_summary, FACT_DAILY], resources=resources)
    metadata = _metadata(second, "serving", "user_daily_summary")
    assert metadata["items_written"].value == 0
    assert metadata["items_unchanged"].value == 80
    assert len(scan_all(client, "user-daily-summary-test")) == 80


def test_incremental_run_writes_only_new_days(aws_env: str, lake_root: str) -> None:
    resources = _resources(aws_env, lake_root)
    _write_gold(lake_root, aws_env, _gold(users=3, days=10))
    assert dg.materialize([user_daily_summary, FACT_DAILY], resources=resources).success

    _write_gold(lake_root, aws_env, _gold(users=3, days=12))
    result = dg.materialize([user_daily_summary, FACT_DAILY], resources=resources)
    metadata = _metadata(result, "serving", "user_daily_summary")
    # 3 users x 2 new days; the first 10 days are byte-identical, so they are not rewritten.
    assert metadata["items_written"].value == 6
    client = boto3.client("dynamodb", endpoint_url=aws_env, region_name=REGION)
    assert len(scan_all(client, "user-daily-summary-test")) == 36


def test_glue_registration_matches_parquet_schema(aws_env: str, lake_root: str) -> None:
    gold = _gold(users=2, days=5)
    _write_gold(lake_root, aws_env, gold)
    resources = _resources(aws_env, lake_root)
    assert dg.materialize([glue_tables], resources=resources).success

    glue = boto3.client("glue", endpoint_url=aws_env, region_name=REGION)
    table = glue.get_table(DatabaseName="fg", Name="fact_daily")["Table"]
    descriptor = table["StorageDescriptor"]
    assert descriptor["Location"] == f"{lake_root}/gold/fact_daily.parquet/"
    assert "parquet" in descriptor["SerdeInfo"]["SerializationLibrary"].lower()
    columns = {c["Name"]: c["Type"] for c in descriptor["Columns"]}
    import s3fs

    fs = s3fs.S3FileSystem(client_kwargs={"endpoint_url": aws_env})
    stored = pq.read_schema(fs.open(f"{lake_root[5:]}/gold/fact_daily.parquet/part-00000.parquet"))
    assert list(columns) == stored.names
    expected = {"int64": "bigint", "double": "double", "string": "string", "bool": "boolean"}
    for field in stored:
        assert columns[field.name] == expected[str(field.type)]

    again = dg.materialize([glue_tables], resources=resources)
    tables = _metadata(again, "catalog", "glue_tables")["tables"].value
    assert tables["fact_daily"] == "unchanged"
    assert tables["fact_predictions"].startswith("absent")


def test_glue_is_skipped_with_a_reason_in_local_mode(tmp_path) -> None:
    resources = {
        "lake": LakeResource(root=str(tmp_path)),
        "glue": GlueCatalogResource(region_name=REGION, database="fg"),
    }
    result = dg.materialize([glue_tables], resources=resources)
    metadata = _metadata(result, "catalog", "glue_tables")
    assert metadata["skipped"].value is True
    assert "local" in metadata["reason"].value
