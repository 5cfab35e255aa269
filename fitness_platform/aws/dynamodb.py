"""DynamoDB serving tables: create-if-missing, batched idempotent upserts, full scans.

The functions take a boto3 DynamoDB *client* (not the resource API), so tests can hand in
a client pointed at a moto server, or a thin proxy around one.
"""

from __future__ import annotations

import math
import numbers
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from fitness_platform.aws.session import AwsClientResource

BATCH_SIZE = 25  # BatchWriteItem's limit per request

KeyAttr = tuple[str, Literal["S", "N", "B"], Literal["HASH", "RANGE"]]
AttributeValue = dict[str, Any]
Item = dict[str, AttributeValue]


class UnprocessedItemsError(RuntimeError):
    """BatchWriteItem kept returning UnprocessedItems until the attempts ran out."""

    def __init__(self, table: str, remaining: int, attempts: int, written: int) -> None:
        """Record the table, the items left, the calls made and what earlier batches wrote."""
        self.table = table
        self.remaining = remaining
        self.attempts = attempts
        self.written = written
        super().__init__(
            f"DynamoDB table {table!r}: {remaining} item(s) still unprocessed after "
            f"{attempts} BatchWriteItem attempt(s); {written} item(s) of earlier batches "
            "were written and later batches were not attempted"
        )


@dataclass(frozen=True)
class UpsertReport:
    """What :func:`batch_upsert` did.

    ``written`` counts distinct items stored; ``duplicates_collapsed`` counts input items
    that shared a key with a later item of the same batch (the later one wins, as it would
    have with one PutItem after another); ``retried_unprocessed`` counts items re-sent
    because DynamoDB returned them as ``UnprocessedItems``.
    """

    written: int
    retried_unprocessed: int
    batches: int
    duplicates_collapsed: int = 0


def _validate_key_schema(key_schema: Sequence[KeyAttr]) -> list[KeyAttr]:
    keys = list(key_schema)
    roles = [role for _, _, role in keys]
    if roles not in (["HASH"], ["HASH", "RANGE"]):
        raise ValueError(
            f"key schema must be one HASH key optionally followed by one RANGE key, got {keys}"
        )
    for name, attr_type, _ in keys:
        if attr_type not in ("S", "N", "B"):
            raise ValueError(f"key attribute {name!r} has type {attr_type!r}; use S, N or B")
    return keys


def ensure_table(
    client: Any,
    name: str,
    key_schema: Sequence[KeyAttr],
    *,
    wait_delay_s: int = 1,
    wait_max_attempts: int = 120,
) -> bool:
    """Create table ``name`` (on-demand billing) unless it exists; wait until it is ACTIVE.

    ``key_schema`` lists ``(attribute, 'S'|'N'|'B', 'HASH'|'RANGE')``, HASH first. Returns
    True when this call created the table. An existing table whose key schema differs raises
    ``ValueError``, since writes to it would fail item by item.
    """
    keys = _validate_key_schema(key_schema)
    created = False
    try:
        client.describe_table(TableName=name)
    except client.exceptions.ResourceNotFoundException:
        try:
            client.create_table(
                TableName=name,
                KeySchema=[{"AttributeName": k, "KeyType": role} for k, _, role in keys],
                AttributeDefinitions=[{"AttributeName": k, "AttributeType": t} for k, t, _ in keys],
                BillingMode="PAY_PER_REQUEST",
            )
            created = True
        except client.exceptions.ResourceInUseException:
            pass  # created concurrently by someone else: fall through to the wait and check
    client.get_waiter("table_exists").wait(
        TableName=name,
        WaiterConfig={"Delay": wait_delay_s, "MaxAttempts": wait_max_attempts},
    )
    if not created:
        table = client.describe_table(TableName=name)["Table"]
        types = {d["AttributeName"]: d["AttributeType"] for d in table["AttributeDefinitions"]}
        existing = sorted(
            (k["AttributeName"], types.get(k["AttributeName"]), k["KeyType"])
            for k in table["KeySchema"]
        )
        if existing != sorted(keys):
            raise ValueError(
                f"DynamoDB table {name!r} exists with key schema {existing}, expected {keys}"
            )
    return created


def table_key_fields(client: Any, table: str) -> tuple[str, ...]:
    """The key attribute names of ``table``, HASH first."""
    schema = client.describe_table(TableName=table)["Table"]["KeySchema"]
    ordered = sorted(schema, key=lambda k: k["KeyType"] != "HASH")
    return tuple(k["AttributeName"] for k in ordered)


def backoff_delay(
    attempt: int,
    *,
    base_s: float,
    cap_s: float,
    rng: Callable[[], float] = random.random,
) -> float:
    """Exponential backoff with equal jitter: half the ceiling plus a random half.

    The ceiling is ``min(cap_s, base_s * 2 ** (attempt - 1))`` for retry number ``attempt``
    (1-based), so waits grow but never fall to zero and never exceed the cap.
    """
    ceiling = min(cap_s, base_s * 2 ** (attempt - 1))
    return ceiling / 2 + rng() * ceiling / 2


def _hashable_key(value: AttributeValue) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted(value.items()))


def _unique_chunks(
    items: Iterable[Item], key_fields: Sequence[str], table: str, size: int
) -> Iterator[tuple[list[Item], int]]:
    """Chunks of at most ``size`` items with distinct keys, and how many duplicates each hid.

    BatchWriteItem rejects a request that names one key twice, so a repeated key inside a
    pending chunk replaces the earlier item (last wins, first position kept).
    """
    pending: dict[tuple[Any, ...], Item] = {}
    collapsed = 0
    for item in items:
        try:
            key = tuple(_hashable_key(item[k]) for k in key_fields)
        except KeyError as missing:
            raise ValueError(
                f"item for DynamoDB table {table!r} lacks key attribute {missing.args[0]!r}"
            ) from None
        if key in pending:
            collapsed += 1
        elif len(pending) == size:
            yield list(pending.values()), collapsed
            pending, collapsed = {}, 0
        pending[key] = item
    if pending:
        yield list(pending.values()), collapsed


def batch_upsert(
    client: Any,
    table: str,
    items: Iterable[Item],
    *,
    key_fields: Sequence[str] | None = None,
    max_attempts: int = 8,
    sleep: Callable[[float], None] = time.sleep,
    base_delay_s: float = 0.05,
    max_delay_s: float = 5.0,
    rng: Callable[[], float] = random.random,
) -> UpsertReport:
    """Put ``items`` (already in attribute-value form) into ``table`` with BatchWriteItem.

    Items go in chunks of 25. ``UnprocessedItems`` are re-sent after :func:`backoff_delay`
    until none remain or ``max_attempts`` calls for that chunk have been made, which raises
    :class:`UnprocessedItemsError` naming the table and how many items remained. Throttling
    errors raised by the call itself are retried by botocore's standard retry mode.

    PutRequest replaces whole items, so re-running with the same input leaves the table as
    it was. ``key_fields`` (the table's key attribute names) lets repeated keys within one
    chunk be collapsed; when omitted they are read once with DescribeTable.
    """
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    keys = tuple(key_fields) if key_fields is not None else table_key_fields(client, table)
    written = retried = batches = collapsed_total = 0
    for chunk, collapsed in _unique_chunks(items, keys, table, BATCH_SIZE):
        request = [{"PutRequest": {"Item": item}} for item in chunk]
        attempt = 1
        while True:
            response = client.batch_write_item(RequestItems={table: request})
            request = response.get("UnprocessedItems", {}).get(table, [])
            if not request:
                break
            if attempt >= max_attempts:
                raise UnprocessedItemsError(table, len(request), attempt, written)
            sleep(backoff_delay(attempt, base_s=base_delay_s, cap_s=max_delay_s, rng=rng))
            retried += len(request)
            attempt += 1
        written += len(chunk)
        batches += 1
        collapsed_total += collapsed
    return UpsertReport(
        written=written,
        retried_unprocessed=retried,
        batches=batches,
        duplicates_collapsed=collapsed_total,
    )


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, Decimal):
        return value.is_nan()
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, numbers.Integral)
        and (math.isnan(value))
    )


def _number(field: str, value: Any) -> str:
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, Decimal):
        text = str(value)
    elif isinstance(value, numbers.Real):
        text = repr(float(value))
    elif isinstance(value, str):
        try:
            text = str(Decimal(value.strip()))
        except InvalidOperation:
            raise ValueError(f"field {field!r}: {value!r} is not a number") from None
    else:
        raise TypeError(f"field {field!r}: cannot store {type(value).__name__} as a number")
    if text.lower().lstrip("+-") in ("inf", "infinity", "nan", "snan"):
        raise ValueError(f"field {field!r}: DynamoDB cannot store {value!r}")
    return text


def to_attribute_values(
    record: Mapping[str, Any],
    *,
    number_fields: Iterable[str] = (),
    missing: Literal["omit", "null"] = "omit",
) -> Item:
    """Convert a plain dict to DynamoDB attribute-value form.

    - ``bool`` (and numpy bools) -> ``{"BOOL": ...}``;
    - ints, floats, ``Decimal`` (and numpy numbers) -> ``{"N": "<text>"}``; floats use
      their shortest round-trip text (``repr``); infinities raise ``ValueError``;
    - ``str`` -> ``{"S": ...}``, except for fields named in ``number_fields``, whose
      strings must parse as numbers and are stored as ``N``;
    - dates, datetimes and pandas Timestamps -> ``{"S": isoformat()}``; bytes -> ``B``;
    - ``None``, NaN, ``pd.NA`` and ``pd.NaT`` are *missing*: with ``missing="omit"`` (the
      default) the attribute is left out, so a re-put clears it; with ``missing="null"`` it
      is stored as ``{"NULL": True}``.

    Other types raise ``TypeError``. Key attributes must not be missing; DynamoDB itself
    rejects such an item when it is written.
    """
    numeric = set(number_fields)
    out: Item = {}
    for field, value in record.items():
        if _is_missing(value):
            if missing == "null":
                out[field] = {"NULL": True}
            continue
        if isinstance(value, bool | np.bool_):
            out[field] = {"BOOL": bool(value)}
        elif isinstance(value, numbers.Number) or field in numeric:
            out[field] = {"N": _number(field, value)}
        elif isinstance(value, str):
            out[field] = {"S": value}
        elif isinstance(value, date):
            out[field] = {"S": value.isoformat()}
        elif isinstance(value, bytes | bytearray):
            out[field] = {"B": bytes(value)}
        else:
            raise TypeError(f"field {field!r}: unsupported type {type(value).__name__}")
    return out


def scan_all(client: Any, table: str, *, consistent_read: bool = True) -> list[Item]:
    """Every item of ``table``, following ``LastEvaluatedKey`` pagination."""
    paginator = client.get_paginator("scan")
    return [
        item
        for page in paginator.paginate(TableName=table, ConsistentRead=consistent_read)
        for item in page.get("Items", [])
    ]


class DynamoDBResource(AwsClientResource):
    """DynamoDB serving tables, named ``<base>-<stage>``."""

    service: ClassVar[str] = "dynamodb"

    stage: str = Field(default="dev", description="Suffix of every table name (FITNESS_STAGE).")
    max_attempts: int = Field(
        default=8, description="BatchWriteItem calls per batch before unprocessed items fail."
    )

    def table_name(self, base: str) -> str:
        """The stage's name for a table, e.g. ``wod-sessions-dev``."""
        return f"{base}-{self.stage}" if self.stage else base

    def upsert(
        self, base: str, key_schema: Sequence[KeyAttr], items: Iterable[Item]
    ) -> UpsertReport:
        """Create the stage's table if missing, then :func:`batch_upsert` the items into it."""
        client = self.get_client()
        name = self.table_name(base)
        ensure_table(client, name, key_schema)
        return batch_upsert(
            client,
            name,
            items,
            key_fields=[k for k, _, _ in key_schema],
            max_attempts=self.max_attempts,
        )
