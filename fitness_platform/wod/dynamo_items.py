"""Session records <-> DynamoDB items for the serving table ``wod-sessions-{stage}``.

Pure conversion only; the batched, retrying writer lives with the AWS resources. The key is
partition key ``date`` (S) and sort key ``session`` (S); every other field of the record is
an ``S`` attribute too (``post_id`` as its decimal text), so an item reads back to the same
record with :func:`item_to_record`. DynamoDB accepts empty strings in non-key attributes, so
an absent segment stays an empty string rather than a missing attribute: every item has the
same attributes. Because the key is (date, session), writing the same record again is an
idempotent upsert.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fitness_platform.wod.parser import SESSION_FIELDS

PARTITION_KEY = "date"
SORT_KEY = "session"
TABLE_PREFIX = "wod-sessions"
# (attribute, type, key type) as fitness_platform.aws.dynamodb.ensure_table takes them.
KEY_ATTRIBUTES: tuple[tuple[str, str, str], ...] = (
    (PARTITION_KEY, "S", "HASH"),
    (SORT_KEY, "S", "RANGE"),
)
# DynamoDB's item limit counts attribute names and values in UTF-8 bytes.
MAX_ITEM_BYTES = 400 * 1024


class DynamoItemError(ValueError):
    """A record cannot become a DynamoDB item; the message names the record and field."""


def wod_sessions_table_name(stage: str = "dev") -> str:
    """The table name for a stage: ``wod-sessions-{stage}``."""
    if not stage:
        raise ValueError("stage must not be empty")
    return f"{TABLE_PREFIX}-{stage}"


def key_schema() -> list[dict[str, str]]:
    """The table's ``KeySchema`` for ``create_table``."""
    return [
        {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
        {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
    ]


def attribute_definitions() -> list[dict[str, str]]:
    """The table's ``AttributeDefinitions`` for ``create_table`` (both keys strings)."""
    return [
        {"AttributeName": PARTITION_KEY, "AttributeType": "S"},
        {"AttributeName": SORT_KEY, "AttributeType": "S"},
    ]


def record_to_item(record: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """A session record as a DynamoDB item in the low-level format (``{"date": {"S": ...}}``).

    Args:
        record: A silver session record with every field of
            :data:`~fitness_platform.wod.parser.SESSION_FIELDS`.

    Returns:
        The item; every attribute is ``S``.

    Raises:
        DynamoItemError: A field is missing, a key is empty, or the item exceeds 400 KB.
    """
    label = f"session record ({record.get('date')!r}, {record.get('session')!r})"
    missing = [name for name in SESSION_FIELDS if name not in record]
    if missing:
        raise DynamoItemError(f"{label} lacks fields {missing}")
    item: dict[str, dict[str, str]] = {}
    for name in SESSION_FIELDS:
        value = record[name]
        if value is None:
            value = ""
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise DynamoItemError(f"{label}: field {name!r} is {type(value).__name__}, not text")
        item[name] = {"S": str(value)}
    for key in (PARTITION_KEY, SORT_KEY):
        if not item[key]["S"]:
            raise DynamoItemError(f"{label}: key attribute {key!r} must not be empty")
    size = sum(len(name.encode()) + len(v["S"].encode()) for name, v in item.items())
    if size > MAX_ITEM_BYTES:
        raise DynamoItemError(f"{label} is {size} bytes, over DynamoDB's {MAX_ITEM_BYTES}")
    return item


def item_key(record: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """The primary key of a record's item, e.g. for ``get_item`` or ``delete_item``."""
    return {
        PARTITION_KEY: {"S": str(record[PARTITION_KEY])},
        SORT_KEY: {"S": str(record[SORT_KEY])},
    }


def item_to_record(item: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    """The session record of an item written by :func:`record_to_item` (``post_id`` as int).

    Raises:
        DynamoItemError: An attribute is missing or not a string.
    """
    record: dict[str, Any] = {}
    for name in SESSION_FIELDS:
        attribute = item.get(name)
        if not isinstance(attribute, Mapping) or "S" not in attribute:
            raise DynamoItemError(f"item {dict(item_key_of(item))}: attribute {name!r} is not S")
        record[name] = attribute["S"]
    post_id = record["post_id"]
    record["post_id"] = int(post_id) if post_id.isdigit() else post_id
    return record


def item_key_of(item: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """The (date, session) of an item as plain strings, for messages."""
    return {key: str(item.get(key, {}).get("S", "")) for key in (PARTITION_KEY, SORT_KEY)}
