from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest

from fitness_platform.aws.dynamodb import (
    BATCH_SIZE,
    DynamoDBResource,
    UnprocessedItemsError,
    UpsertReport,
    backoff_delay,
    batch_upsert,
    ensure_table,
    scan_all,
    to_attribute_values,
)
from fitness_platform_tests.support.aws import REGION

WOD_KEYS = [("date", "S", "HASH"), ("session", "S", "RANGE")]


def wod_items(n: int, *, note: str = "") -> list[dict[str, Any]]:
    start = date(2020, 12, 21)
    return [
        to_attribute_values(
            {
                "date": (start + timedelta(days=i // 2)).isoformat(),
                "session": "Session One" if i % 2 == 0 else "Session Two",
                "warm_up": f"Row 500m{note}",
                "segment_a": f"Snatch 3x{i % 5 + 1} @ 75% of 1-RM",
                "post_id": 1000 + i,
                "rest_day": False,
            }
        )
        for i in range(n)
    ]


def key_of(item: dict[str, Any]) -> tuple[str, str]:
    return item["date"]["S"], item["session"]["S"]


def by_key(items: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {key_of(item): item for item in items}


class PartlyUnprocessed:
    """A real client whose first BatchWriteItem calls write only part of the request.

    The rest comes back as ``UnprocessedItems``, as DynamoDB does under load; every write
    still goes to the moto server.
    """

    def __init__(self, client: Any, *, flaky_calls: int = 1, keep: int = 10) -> None:
        self._client = client
        self.flaky_calls = flaky_calls
        self.keep = keep
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def batch_write_item(self, *, RequestItems: dict[str, list[Any]]) -> dict[str, Any]:
        self.calls += 1
        if self.calls > self.flaky_calls:
            return self._client.batch_write_item(RequestItems=RequestItems)
        ((table, requests),) = RequestItems.items()
        sent, held = requests[: self.keep], requests[self.keep :]
        if sent:
            self._client.batch_write_item(RequestItems={table: sent})
        return {"UnprocessedItems": {table: held} if held else {}}


def test_ensure_table_creates_once(dynamodb: Any) -> None:
    assert ensure_table(dynamodb, "wod-sessions-test", WOD_KEYS) is True
    assert ensure_table(dynamodb, "wod-sessions-test", WOD_KEYS) is False
    table = dynamodb.describe_table(TableName="wod-sessions-test")["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert {(k["AttributeName"], k["KeyType"]) for k in table["KeySchema"]} == {
        ("date", "HASH"),
        ("session", "RANGE"),
    }


def test_ensure_table_refuses_a_different_key_schema(dynamodb: Any) -> None:
    ensure_table(dynamodb, "summary", [("user_id", "N", "HASH"), ("date", "S", "RANGE")])
    with pytest.raises(ValueError, match="exists with key schema"):
        ensure_table(dynamodb, "summary", [("user_id", "S", "HASH"), ("date", "S", "RANGE")])


@pytest.mark.parametrize(
    "schema",
    [[("date", "S", "RANGE")], [("a", "S", "HASH"), ("b", "S", "HASH")], [("a", "X", "HASH")]],
)
def test_ensure_table_validates_key_schema(dynamodb: Any, schema: Any) -> None:
    with pytest.raises(ValueError):
        ensure_table(dynamodb, "bad", schema)


def test_upsert_60_items_in_3_batches_and_rerun_is_idempotent(dynamodb: Any) -> None:
    ensure_table(dynamodb, "wod", WOD_KEYS)
    items = wod_items(60)

    report = batch_upsert(dynamodb, "wod", items)
    assert report == UpsertReport(written=60, retried_unprocessed=0, batches=3)
    assert by_key(scan_all(dynamodb, "wod")) == by_key(items)

    changed = wod_items(60, note=" (edited)")
    again = batch_upsert(dynamodb, "wod", changed, key_fields=["date", "session"])
    assert again.written == 60 and again.batches == 3
    stored = scan_all(dynamodb, "wod")
    assert len(stored) == 60
    assert by_key(stored) == by_key(changed)


def test_unprocessed_items_are_retried_until_all_land(dynamodb: Any) -> None:
    ensure_table(dynamodb, "wod", WOD_KEYS)
    items = wod_items(60)
    flaky = PartlyUnprocessed(dynamodb, flaky_calls=2, keep=10)
    sleeps: list[float] = []

    report = batch_upsert(flaky, "wod", items, sleep=sleeps.append, rng=lambda: 0.5)

    # batch 1: 25 sent, 15 unprocessed; retry (call 2) keeps 10 of them, 5 unprocessed;
    # call 3 delivers those 5. Batches 2 and 3 go through at once.
    assert report == UpsertReport(written=60, retried_unprocessed=20, batches=3)
    assert flaky.calls == 5
    assert len(sleeps) == 2 and sleeps[1] > sleeps[0] > 0
    assert by_key(scan_all(dynamodb, "wod")) == by_key(items)


def test_exhausted_retries_name_the_table_and_what_remained(dynamodb: Any) -> None:
    ensure_table(dynamodb, "wod", WOD_KEYS)
    never = PartlyUnprocessed(dynamodb, flaky_calls=10**6, keep=0)
    sleeps: list[float] = []
    with pytest.raises(
        UnprocessedItemsError, match=r"'wod': 25 item\(s\) still unprocessed after 4"
    ) as info:
        batch_upsert(never, "wod", wod_items(30), max_attempts=4, sleep=sleeps.append)
    assert info.value.remaining == 25 and info.value.written == 0
    assert never.calls == 4 and len(sleeps) == 3
    assert scan_all(dynamodb, "wod") == []


def test_duplicate_keys_in_one_batch_collapse_last_wins(dynamodb: Any) -> None:
    ensure_table(dynamodb, "wod", WOD_KEYS)
    first, second = wod_items(1), wod_items(1, note=" v2")
    report = batch_upsert(dynamodb, "wod", [*first, *wod_items(3)[1:], *second])
    assert report.written == 3 and report.duplicates_collapsed == 1 and report.batches == 1
    assert by_key(scan_all(dynamodb, "wod"))[key_of(second[0])] == second[0]


def test_items_missing_a_key_are_refused(dynamodb: Any) -> None:
    ensure_table(dynamodb, "wod", WOD_KEYS)
    with pytest.raises(ValueError, match="lacks key attribute 'session'"):
        batch_upsert(dynamodb, "wod", [{"date": {"S": "2020-12-21"}}])


def test_scan_all_follows_pagination(dynamodb: Any) -> None:
    ensure_table(dynamodb, "big", [("id", "N", "HASH")])
    payload = "x" * 20_000  # ~60 items of 20 kB exceed one 1 MB scan page
    items = [to_attribute_values({"id": i, "payload": payload}) for i in range(60)]
    batch_upsert(dynamodb, "big", items)
    first_page = dynamodb.scan(TableName="big")
    assert "LastEvaluatedKey" in first_page
    assert sorted(int(item["id"]["N"]) for item in scan_all(dynamodb, "big")) == list(range(60))


def test_resource_names_tables_by_stage_and_upserts(aws_env: str) -> None:
    resource = DynamoDBResource(region_name=REGION, endpoint_url=aws_env, stage="ci")
    assert resource.table_name("wod-sessions") == "wod-sessions-ci"
    report = resource.upsert("wod-sessions", WOD_KEYS, wod_items(30))
    assert report.written == 30 and report.batches == 2
    assert len(scan_all(resource.get_client(), "wod-sessions-ci")) == 30


def test_batch_size_is_dynamodbs_limit() -> None:
    assert BATCH_SIZE == 25


def test_backoff_grows_with_jitter_and_respects_the_cap() -> None:
    low = [backoff_delay(a, base_s=0.1, cap_s=1.0, rng=lambda: 0.0) for a in range(1, 7)]
    high = [backoff_delay(a, base_s=0.1, cap_s=1.0, rng=lambda: 1.0) for a in range(1, 7)]
    assert low == pytest.approx([0.05, 0.1, 0.2, 0.4, 0.5, 0.5])
    assert high == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.0, 1.0])


def test_to_attribute_values_types() -> None:
    record = {
        "user_id": np.int64(7),
        "steps": 10432,
        "sleep_hours": 7.25,
        "stress": np.float32(0.5),
        "amount": Decimal("12.50"),
        "name": "Ana",
        "empty": "",
        "active": True,
        "np_flag": np.bool_(False),
        "date": date(2024, 9, 6),
        "at": pd.Timestamp("2024-09-06T10:00:00"),
        "when": datetime(2024, 9, 6, 1, 2, 3),
        "blob": b"\x00\x01",
        "count_text": "42",
    }
    assert to_attribute_values(record, number_fields=["count_text"]) == {
        "user_id": {"N": "7"},
        "steps": {"N": "10432"},
        "sleep_hours": {"N": "7.25"},
        "stress": {"N": "0.5"},
        "amount": {"N": "12.50"},
        "name": {"S": "Ana"},
        "empty": {"S": ""},
        "active": {"BOOL": True},
        "np_flag": {"BOOL": False},
        "date": {"S": "2024-09-06"},
        "at": {"S": "2024-09-06T10:00:00"},
        "when": {"S": "2024-09-06T01:02:03"},
        "blob": {"B": b"\x00\x01"},
        "count_text": {"N": "42"},
    }


def test_to_attribute_values_missing_values() -> None:
    record = {"a": None, "b": math.nan, "c": np.nan, "d": pd.NA, "e": pd.NaT, "f": 1}
    assert to_attribute_values(record) == {"f": {"N": "1"}}
    nulls = to_attribute_values(record, missing="null")
    assert nulls == {**{k: {"NULL": True} for k in "abcde"}, "f": {"N": "1"}}


@pytest.mark.parametrize(
    ("record", "error"),
    [
        ({"x": math.inf}, ValueError),
        ({"x": -math.inf}, ValueError),
        ({"x": [1, 2]}, TypeError),
        ({"x": "abc"}, ValueError),  # with number_fields=["x"]
    ],
)
def test_to_attribute_values_rejects(record: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        to_attribute_values(record, number_fields=["x"] if record["x"] == "abc" else ())
