"""Session records as DynamoDB items."""

from __future__ import annotations

import pytest

from fitness_platform.wod.dynamo_items import (
    KEY_ATTRIBUTES,
    DynamoItemError,
    attribute_definitions,
    item_key,
    item_to_record,
    key_schema,
    record_to_item,
    wod_sessions_table_name,
)
from fitness_platform.wod.parser import SESSION_FIELDS, parse_post
from fitness_platform_tests.wod.posts import week_post


def test_record_to_item_all_string_attributes_with_date_and_session_keys() -> None:
    records = parse_post(week_post())
    thursday = next(r for r in records if r["session"] == "Rest Day")
    item = record_to_item(thursday)
    assert set(item) == set(SESSION_FIELDS)
    assert all(set(value) == {"S"} for value in item.values())
    assert item["date"] == {"S": "2021-03-11"}
    assert item["session"] == {"S": "Rest Day"}
    assert item["post_id"] == {"S": "1001"}
    assert item["segment_a"] == {"S": ""}  # empty strings are fine outside the key
    assert item_key(thursday) == {"date": {"S": "2021-03-11"}, "session": {"S": "Rest Day"}}
    assert item_to_record(item) == thursday
    for record in records:
        assert item_to_record(record_to_item(record)) == record


def test_record_to_item_refuses_empty_keys_and_missing_fields() -> None:
    record = parse_post(week_post())[0]
    with pytest.raises(DynamoItemError, match="'session' must not be empty"):
        record_to_item({**record, "session": ""})
    incomplete = dict(record)
    del incomplete["segment_f"]
    with pytest.raises(DynamoItemError, match="lacks fields"):
        record_to_item(incomplete)
    with pytest.raises(DynamoItemError, match="over DynamoDB"):
        record_to_item({**record, "segment_a": "x" * 500_000})


def test_table_name_and_key_definitions() -> None:
    assert wod_sessions_table_name() == "wod-sessions-dev"
    assert wod_sessions_table_name("prod") == "wod-sessions-prod"
    assert key_schema() == [
        {"AttributeName": "date", "KeyType": "HASH"},
        {"AttributeName": "session", "KeyType": "RANGE"},
    ]
    assert {d["AttributeType"] for d in attribute_definitions()} == {"S"}
    assert KEY_ATTRIBUTES == (("date", "S", "HASH"), ("session", "S", "RANGE"))


def test_items_upsert_into_a_real_table_idempotently(aws_env: str) -> None:
    import boto3

    from fitness_platform.aws.dynamodb import batch_upsert, ensure_table, scan_all

    client = boto3.client("dynamodb", endpoint_url=aws_env, region_name="us-east-1")
    table = wod_sessions_table_name("test")
    ensure_table(client, table, KEY_ATTRIBUTES, wait_delay_s=1)
    records = parse_post(week_post())
    items = [record_to_item(r) for r in records]
    for _ in range(2):  # a rerun upserts the same keys
        batch_upsert(client, table, items, key_fields=("date", "session"))
    stored = sorted(
        (item_to_record(item) for item in scan_all(client, table)),
        key=lambda r: r["date"],
    )
    assert stored == records
