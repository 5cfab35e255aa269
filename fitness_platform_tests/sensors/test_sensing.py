"""Pure sensor logic: identities, cursor, batches, partition ranges, S3 events, local walks."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest

from fitness_platform.tracker.ingestion import (
    MAX_PARTITION_KEY_LENGTH,
    Ledger,
    RawFile,
    partition_key_for,
)
from fitness_platform.tracker.sensing import (
    LOOKBACK,
    CursorError,
    PendingAck,
    RawObject,
    Seen,
    SensorCursor,
    batch_run_key,
    list_local_objects,
    parse_s3_event,
    partition_range,
    pending_receipts,
    relative_to_prefix,
    select_batch,
    skip_reason_for,
)

T0 = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def obj(key: str, checksum: str = "c1", at: datetime = T0) -> RawObject:
    return RawObject(key=key, checksum=checksum, modified_at=at, size=10)


def test_run_key_is_order_free_and_follows_content() -> None:
    a, b = obj("a.csv"), obj("b.csv")
    assert batch_run_key([a, b]) == batch_run_key([b, a])
    assert batch_run_key([a, b]) != batch_run_key([a, obj("b.csv", "c2")])
    assert batch_run_key([a]) != batch_run_key([a, b])


def test_cursor_round_trip_and_unreadable_cursor() -> None:
    cursor = SensorCursor(
        watermark=T0,
        watermark_key="a.csv",
        seen={"a.csv": Seen("c1", T0, 3, "run-1")},
        acks=[PendingAck("receipt", ["run-1"])],
    )
    assert SensorCursor.from_json(cursor.to_json()) == cursor
    assert SensorCursor.from_json(None) == SensorCursor()
    with pytest.raises(CursorError, match="version"):
        SensorCursor.from_json(json.dumps({"v": 99}))
    with pytest.raises(CursorError, match="not readable"):
        SensorCursor.from_json("{not json")


def test_cursor_advances_to_newest_time_and_key_and_forgets_old_keys() -> None:
    cursor = SensorCursor(seen={"old.csv": Seen("c", T0 - 2 * LOOKBACK, 1)})
    cursor.advance([obj("b.csv", at=T0), obj("a.csv", at=T0), obj("z.csv", at=T0 - LOOKBACK)])
    assert (cursor.watermark, cursor.watermark_key) == (T0, "b.csv")
    assert cursor.since() == T0 - LOOKBACK
    assert "old.csv" not in cursor.seen


def test_select_batch_new_same_and_changed() -> None:
    cursor, ledger = SensorCursor(), Ledger()
    first = select_batch([obj("a.csv")], cursor=cursor, ledger=ledger, known_partitions=set())
    assert [o.key for o in first.batch] == ["a.csv"]
    assert cursor.seen["a.csv"].run_key == first.run_key

    again = select_batch([obj("a.csv")], cursor=cursor, ledger=ledger, known_partitions=set())
    assert again.batch == [] and again.run_key is None
    assert "already requested" in again.already[0][1]

    changed = select_batch(
        [obj("a.csv", "c2", T0 + timedelta(seconds=1))],
        cursor=cursor,
        ledger=ledger,
        known_partitions={"a.csv"},
    )
    assert [o.checksum for o in changed.batch] == ["c2"]
    assert changed.run_key not in (None, first.run_key)


def test_select_batch_trusts_the_ledger_only_for_partitions_this_instance_knows() -> None:
    ledger = Ledger()
    ledger.record(
        RawFile("a.csv", 10, T0, "c1"),
        status="ingested",
        rows=3,
        rejects=0,
        reason=None,
        ingested_at=T0,
        run_id="r",
    )
    known = select_batch(
        [obj("a.csv")], cursor=SensorCursor(), ledger=ledger, known_partitions={"a.csv"}
    )
    assert known.batch == [] and "ledger holds" in known.already[0][1]
    fresh = select_batch(
        [obj("a.csv")], cursor=SensorCursor(), ledger=ledger, known_partitions=set()
    )
    assert [o.key for o in fresh.batch] == ["a.csv"]
    changed = select_batch(
        [obj("a.csv", "c9")], cursor=SensorCursor(), ledger=ledger, known_partitions={"a.csv"}
    )
    assert [o.checksum for o in changed.batch] == ["c9"]


def test_select_batch_keeps_the_newest_event_of_a_key() -> None:
    later = obj("a.csv", "c2", T0 + timedelta(seconds=5))
    picked = select_batch(
        [later, obj("a.csv", "c1", T0)],
        cursor=SensorCursor(),
        ledger=Ledger(),
        known_partitions=set(),
    )
    assert picked.batch == [later]


def test_partition_range_covers_existing_and_appended_keys() -> None:
    ordered = ["a", "b", "c", "d"]
    assert partition_range(ordered, ["c"]) == ("c", "c")
    assert partition_range(ordered, ["d", "b"]) == ("b", "d")
    assert partition_range(ordered, ["x", "y"]) == ("x", "y")
    assert partition_range(ordered, ["c", "x"]) == ("c", "x")
    assert partition_range([], ["only"]) == ("only", "only")


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("a.csv", None),
        ("Sub/DEEP.CSV", None),
        ("notes.txt", "not a .csv file"),
        ("folder/", "folder marker, not a file"),
        ("../escape.csv", "unsafe key"),
        ("a/../../b.csv", "unsafe key"),
    ],
)
def test_skip_reasons(key: str, reason: str | None) -> None:
    found = skip_reason_for(key)
    assert (found is None) if reason is None else (reason in str(found))


ODD_NAMES = [
    "with space.csv",
    "Übung ü 日本.csv",
    "../escape.csv",
    "a/../b.csv",
    "dots...csv",
    "x" * 400 + ".csv",
    "nested/folder/file.csv",
    "nested__folder__file.csv",
    "tab\there.csv",
]


def test_partition_keys_for_odd_names_are_valid_unique_and_readable() -> None:
    keys = [partition_key_for(name) for name in ODD_NAMES]
    assert len(set(keys)) == len(keys)
    for name, key in zip(ODD_NAMES, keys, strict=True):
        assert len(key) <= MAX_PARTITION_KEY_LENGTH
        # no separator and no leading dot: a key can never be a path segment like ``..``
        assert "/" not in key and "\\" not in key and not key.startswith(".")
        # Dagster refuses these substrings in partition keys
        assert not any(bad in key for bad in ["...", "\t", "\n", "\r", "\0"]), key
        assert key == partition_key_for(name)  # stable
    assert keys[0].startswith("with_space.csv")
    assert keys[1].startswith("Ubung_u_")
    assert partition_key_for("plain.csv") == "plain.csv"
    dg.DynamicPartitionsDefinition(name="t").build_add_request(keys)
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("t", keys)
        assert instance.get_dynamic_partitions("t") == keys


def test_relative_to_prefix() -> None:
    assert relative_to_prefix("raw/a.csv", "raw") == "a.csv"
    assert relative_to_prefix("rawx/a.csv", "raw") is None
    assert relative_to_prefix("a.csv", "") == "a.csv"


def _s3_record(key: str, etag: str = "abc", name: str = "ObjectCreated:Put") -> dict:
    return {
        "eventName": name,
        "eventTime": "2025-01-02T03:04:05.000Z",
        "s3": {"bucket": {"name": "b"}, "object": {"key": key, "eTag": etag, "size": 7}},
    }


def test_parse_s3_event_direct_sns_eventbridge_and_ignored() -> None:
    body = json.dumps({"Records": [_s3_record("raw/with+space%C3%9C.csv")]})
    records, notes = parse_s3_event(body)
    assert notes == []
    assert records[0].key == "raw/with spaceÜ.csv"
    assert (records[0].bucket, records[0].etag, records[0].size) == ("b", "abc", 7)
    assert records[0].event_time == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)

    sns = json.dumps({"Type": "Notification", "Message": body})
    assert parse_s3_event(sns)[0] == records

    bridge = json.dumps(
        {
            "detail-type": "Object Created",
            "time": "2025-01-02T03:04:05Z",
            "detail": {"bucket": {"name": "b"}, "object": {"key": "raw/x.csv", "etag": "e"}},
        }
    )
    assert parse_s3_event(bridge)[0][0].key == "raw/x.csv"

    assert "TestEvent" in parse_s3_event(json.dumps({"Event": "s3:TestEvent"}))[1][0]
    removed = json.dumps({"Records": [_s3_record("raw/a.csv", name="ObjectRemoved:Delete")]})
    assert parse_s3_event(removed) == ([], ["event ObjectRemoved:Delete is not an object creation"])
    assert "not JSON" in parse_s3_event("garbage")[1][0]


def test_pending_receipts_wait_for_every_run_key() -> None:
    acks = [PendingAck("r1", ["k1"]), PendingAck("r2", ["k1", "k2"])]
    assert pending_receipts(acks, {"k1": True}) == ["r1"]
    assert pending_receipts(acks, {"k1": True, "k2": True}) == ["r1", "r2"]


def test_local_walk_sees_moved_files_skips_temp_and_reuses_checksums(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.csv").write_text("x\n")
    (tmp_path / ".tmp-partial.csv").write_text("half")
    (tmp_path / "readme.md").write_text("hi")
    old = (T0 - timedelta(days=400)).timestamp()
    os.utime(tmp_path / "sub" / "a.csv", (old, old))  # like `mv` or `cp -p`: an old mtime

    cursor = SensorCursor()
    found, skipped = list_local_objects(tmp_path, cursor)
    assert [o.key for o in found] == ["sub/a.csv"]
    assert found[0].checksum == hashlib.sha256(b"x\n").hexdigest()
    assert [(o.key, why) for o, why in skipped] == [("readme.md", "not a .csv file")]

    # same size and time as remembered: the remembered checksum is reused, no re-read
    cursor.seen["sub/a.csv"] = Seen("remembered", found[0].modified_at, found[0].size)
    assert list_local_objects(tmp_path, cursor)[0][0].checksum == "remembered"
    (tmp_path / "sub" / "a.csv").write_text("changed\n")
    assert (
        list_local_objects(tmp_path, cursor)[0][0].checksum
        == hashlib.sha256(b"changed\n").hexdigest()
    )

    # a moved-in file has an old mtime but a fresh ctime: it is newer than any watermark
    cursor.watermark = datetime.now(tz=UTC) - timedelta(minutes=1)
    assert [o.key for o in list_local_objects(tmp_path, cursor)[0]] == ["sub/a.csv"]
    cursor.watermark = datetime.now(tz=UTC) + 2 * LOOKBACK
    assert list_local_objects(tmp_path, cursor) == ([], [])
