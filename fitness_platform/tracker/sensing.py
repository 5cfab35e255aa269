"""Pure logic of the raw-file sensors: object identities, the sensor cursor and batches.

The sensors (``defs/tracker/sensors.py``) list the drop folder or the S3 raw prefix, or read
S3 event notifications from SQS, and turn what they see into one bronze run per tick. The
decisions they take live here, without Dagster, so they are unit-tested on plain values:

* an object's **identity** is its key relative to the raw root plus its ETag (S3) or SHA-256
  (local file); an unchanged object keeps its identity, a changed upload gets a new one;
* the **cursor** keeps a watermark (newest modification time plus key) and the identities seen
  within a look-back window behind it, so a tick only looks at recent objects and never
  requests an identity twice; on SQS it also keeps the receipts still to be deleted;
* a **batch**'s run key is a digest of its identities, so a re-evaluated tick (after a crash)
  yields the same run key and Dagster does not start a second run.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote_plus

from fitness_platform.storage.keys import UnsafeKeyError, safe_relative_key
from fitness_platform.storage.lake import TEMP_PREFIX
from fitness_platform.tracker.ingestion import Ledger, is_tracker_csv, partition_key_for

CURSOR_VERSION = 1
LOOKBACK = timedelta(minutes=15)
"""How far behind the watermark a tick still looks. S3 stamps ``LastModified`` when an upload
starts, and a local ``mv`` keeps an old mtime, so an object can appear after newer ones."""
RUN_KEY_PREFIX = "tracker-raw-"


class CursorError(ValueError):
    """A stored sensor cursor cannot be read."""


@dataclass(frozen=True)
class RawObject:
    """A raw object as a sensor saw it: key relative to the raw root, checksum, time, size."""

    key: str
    checksum: str
    modified_at: datetime
    size: int = 0

    @property
    def identity(self) -> str:
        """Key plus content checksum: unchanged content keeps the identity."""
        return f"{self.key}@{self.checksum}"

    @property
    def partition_key(self) -> str:
        """The dynamic partition key of the object (see ``partition_key_for``)."""
        return partition_key_for(self.key)


@dataclass
class Seen:
    """What the cursor remembers of one key seen in the look-back window."""

    checksum: str
    modified_at: datetime
    size: int
    run_key: str | None = None


@dataclass
class PendingAck:
    """An SQS message to delete once every run key it led to is recorded by the instance."""

    receipt: str
    run_keys: list[str]


@dataclass
class SensorCursor:
    """State kept between ticks of a raw-file sensor (serialised as JSON)."""

    watermark: datetime | None = None
    watermark_key: str = ""
    seen: dict[str, Seen] = field(default_factory=dict)
    acks: list[PendingAck] = field(default_factory=list)

    def since(self) -> datetime | None:
        """The oldest modification time a tick must still look at (None: everything)."""
        return None if self.watermark is None else self.watermark - LOOKBACK

    def advance(self, objects: Iterable[RawObject]) -> None:
        """Move the watermark to the newest (time, key) seen and forget keys out of the window."""
        for obj in objects:
            mark = (obj.modified_at, obj.key)
            if self.watermark is None or mark > (self.watermark, self.watermark_key):
                self.watermark, self.watermark_key = mark
        horizon = self.since()
        if horizon is not None:
            self.seen = {k: s for k, s in self.seen.items() if s.modified_at >= horizon}

    def note_skipped(self, key: str, modified_at: datetime, size: int, reason: str) -> bool:
        """Remember a skipped object; True the first time this version of it is skipped.

        So a tick's log names a skipped object once, not on every tick of the window.
        """
        marker = Seen(f"skipped:{reason}", modified_at, size)
        if self.seen.get(key) == marker:
            return False
        self.seen[key] = marker
        return True

    def to_json(self) -> str:
        """Compact, stable JSON text."""
        return json.dumps(
            {
                "v": CURSOR_VERSION,
                "watermark": _iso(self.watermark) if self.watermark else None,
                "watermark_key": self.watermark_key,
                "seen": {
                    key: [s.checksum, _iso(s.modified_at), s.size, s.run_key]
                    for key, s in sorted(self.seen.items())
                },
                "acks": [[a.receipt, a.run_keys] for a in self.acks],
            },
            separators=(",", ":"),
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str | None) -> SensorCursor:
        """Parse a cursor written by :meth:`to_json`; ``None`` or empty gives a fresh cursor.

        Raises:
            CursorError: naming what is wrong with the stored text.
        """
        if not text:
            return cls()
        try:
            data = json.loads(text)
            if data.get("v") != CURSOR_VERSION:
                raise CursorError(f"sensor cursor version {data.get('v')!r} is not supported")
            return cls(
                watermark=_parse_time(data["watermark"]) if data.get("watermark") else None,
                watermark_key=str(data.get("watermark_key", "")),
                seen={
                    key: Seen(str(c), _parse_time(t), int(size), rk)
                    for key, (c, t, size, rk) in data.get("seen", {}).items()
                },
                acks=[PendingAck(str(r), [str(k) for k in keys]) for r, keys in data["acks"]],
            )
        except CursorError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise CursorError(f"sensor cursor is not readable ({error}): {text[:200]!r}") from None


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _parse_time(text: str) -> datetime:
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def skip_reason_for(key: str) -> str | None:
    """Why a raw key is not ingested (not a CSV, a folder marker, unsafe), or None if it is."""
    if not key or key.endswith("/"):
        return "folder marker, not a file"
    try:
        safe_relative_key(key)
    except UnsafeKeyError as error:
        return f"unsafe key, it would escape the raw root: {error}"
    if not is_tracker_csv(key):
        return "not a .csv file"
    return None


@dataclass
class Selection:
    """A tick's decision: the new batch and why the other CSV objects were left out."""

    batch: list[RawObject]
    already: list[tuple[RawObject, str]]
    run_key: str | None

    @property
    def partition_keys(self) -> list[str]:
        """Partition keys of the batch, in batch order (sorted by key)."""
        return [obj.partition_key for obj in self.batch]


def batch_run_key(batch: Iterable[RawObject]) -> str:
    """A digest of the batch's identities (order-free): the same batch, the same run key."""
    digest = hashlib.sha256()
    for identity in sorted({obj.identity for obj in batch}):
        digest.update(identity.encode("utf-8"))
        digest.update(b"\0")
    return RUN_KEY_PREFIX + digest.hexdigest()[:32]


def select_batch(
    objects: Iterable[RawObject],
    *,
    cursor: SensorCursor,
    ledger: Ledger,
    known_partitions: set[str],
) -> Selection:
    """Split CSV objects into the new batch and those already handled, and update the cursor.

    An object is already handled when the cursor saw the same identity in the window, or the
    ledger holds its content as ingested and this Dagster instance knows its partition. So an
    unchanged file never runs twice, a changed one runs again, and a fresh instance pointed at
    an existing lake registers (and cheaply re-materialises) the files the ledger already has.
    When one key shows up more than once (two events), the newest version counts.
    """
    newest: dict[str, RawObject] = {}
    for obj in objects:
        current = newest.get(obj.key)
        if current is None or (obj.modified_at, obj.checksum) > (
            current.modified_at,
            current.checksum,
        ):
            newest[obj.key] = obj
    batch: list[RawObject] = []
    already: list[tuple[RawObject, str]] = []
    for key, obj in sorted(newest.items()):
        seen = cursor.seen.get(key)
        entry = ledger.entries.get(key)
        if seen is not None and seen.checksum == obj.checksum:
            why = f"already requested in run {seen.run_key}" if seen.run_key else "unchanged"
            already.append((obj, why))
        elif (
            entry is not None
            and entry.checksum == obj.checksum
            and entry.status != "pending"
            and obj.partition_key in known_partitions
        ):
            already.append((obj, f"ledger holds this content ({entry.status})"))
            cursor.seen[key] = Seen(obj.checksum, obj.modified_at, obj.size)
        else:
            batch.append(obj)
    run_key = batch_run_key(batch) if batch else None
    for obj in batch:
        cursor.seen[obj.key] = Seen(obj.checksum, obj.modified_at, obj.size, run_key)
    return Selection(batch=batch, already=already, run_key=run_key)


def partition_range(ordered: list[str], batch_keys: list[str]) -> tuple[str, str]:
    """The first and last partition of the batch once new keys are appended to ``ordered``.

    Dynamic partitions keep their insertion order, and the sensor adds the batch's unknown
    keys at the end, so one contiguous range covers the batch. Unchanged files inside the
    range are skipped by bronze through the ledger.
    """
    known = set(ordered)
    full = list(ordered) + [k for k in dict.fromkeys(batch_keys) if k not in known]
    positions = sorted(full.index(k) for k in set(batch_keys))
    return full[positions[0]], full[positions[-1]]


@dataclass(frozen=True)
class EventRecord:
    """One object-created record of an S3 event notification."""

    bucket: str
    key: str
    etag: str
    size: int
    event_time: datetime


def parse_s3_event(body: str) -> tuple[list[EventRecord], list[str]]:
    """Object-created records of an SQS message body, and notes on what was ignored.

    Accepts S3 notifications sent to SQS directly or through SNS, and EventBridge
    ``Object Created`` events. Keys are URL-decoded (S3 encodes spaces as ``+``).
    """
    try:
        data = json.loads(body)
    except ValueError:
        return [], [f"message body is not JSON: {body[:120]!r}"]
    if isinstance(data, dict) and data.get("Type") == "Notification" and "Message" in data:
        return parse_s3_event(str(data["Message"]))
    if not isinstance(data, dict):
        return [], ["message body is not a JSON object"]
    if data.get("Event") == "s3:TestEvent":
        return [], ["s3:TestEvent sent when the notification was configured"]
    if data.get("detail-type") == "Object Created":
        detail = data.get("detail", {})
        obj = detail.get("object", {})
        return [
            EventRecord(
                bucket=str(detail.get("bucket", {}).get("name", "")),
                key=str(obj.get("key", "")),
                etag=str(obj.get("etag", "")).strip('"'),
                size=int(obj.get("size") or 0),
                event_time=_parse_time(str(data.get("time")).replace("Z", "+00:00")),
            )
        ], []
    records: list[EventRecord] = []
    notes: list[str] = []
    for record in data.get("Records") or []:
        name = str(record.get("eventName", ""))
        if not name.startswith("ObjectCreated"):
            notes.append(f"event {name or '?'} is not an object creation")
            continue
        s3 = record.get("s3", {})
        obj = s3.get("object", {})
        records.append(
            EventRecord(
                bucket=str(s3.get("bucket", {}).get("name", "")),
                key=unquote_plus(str(obj.get("key", ""))),
                etag=str(obj.get("eTag", "")).strip('"'),
                size=int(obj.get("size") or 0),
                event_time=_parse_time(str(record.get("eventTime")).replace("Z", "+00:00")),
            )
        )
    if not records and not notes:
        notes.append("message holds no S3 event records")
    return records, notes


def relative_to_prefix(key: str, prefix: str) -> str | None:
    """``key`` relative to the raw ``prefix`` (no slashes at its ends), None when outside."""
    if not prefix:
        return key
    return key[len(prefix) + 1 :] if key.startswith(prefix + "/") else None


def pending_receipts(acks: list[PendingAck], recorded: Mapping[str, bool]) -> list[str]:
    """Receipts whose every run key is recorded by the instance, so the message may go."""
    return [a.receipt for a in acks if all(recorded.get(k, False) for k in a.run_keys)]


def local_checksum(path: Path, max_bytes: int | None = None) -> str:
    """The ledger's checksum of a local file: the SHA-256 of its bytes, read in 1 MiB blocks.

    A file larger than ``max_bytes`` is identified by size and modification time instead, so
    the input limit refuses it without a byte of it being read, and a changed oversize file
    still gets a new identity.
    """
    stat = path.stat()
    if max_bytes is not None and stat.st_size > max_bytes:
        return f"oversize-{stat.st_size}-{stat.st_mtime_ns}"
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def list_local_objects(
    root: Path, cursor: SensorCursor, max_bytes: int | None = None
) -> tuple[list[RawObject], list[tuple[RawObject, str]]]:
    """Files below a drop folder changed since the cursor's horizon, and the skipped ones.

    A file's time is the later of its mtime and ctime: ``mv`` and ``cp -p`` keep an old mtime
    but set a new ctime, so a file moved into the folder is still seen. Temporary files of
    atomic writers (``.tmp-*``) are ignored. A file is only hashed when its size or time
    differ from what the cursor remembers, so old files cost a ``stat``, not a read.
    """
    if not root.is_dir():
        return [], []
    horizon = cursor.since()
    found: list[RawObject] = []
    skipped: list[tuple[RawObject, str]] = []
    for folder, _dirs, names in os.walk(root):
        for name in names:
            if name.startswith(TEMP_PREFIX):
                continue
            path = Path(folder) / name
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue  # removed between the walk and the stat; the next tick decides
            modified = datetime.fromtimestamp(max(stat.st_mtime, stat.st_ctime), tz=UTC)
            if horizon is not None and modified <= horizon:
                continue
            key = path.relative_to(root).as_posix()
            reason = skip_reason_for(key)
            if reason is not None:
                skipped.append((RawObject(key, "", modified, stat.st_size), reason))
                continue
            seen = cursor.seen.get(key)
            same = seen is not None and (seen.modified_at, seen.size) == (modified, stat.st_size)
            checksum = (
                seen.checksum if same and seen is not None else local_checksum(path, max_bytes)
            )
            found.append(RawObject(key, checksum, modified, stat.st_size))
    return found, skipped
