"""Bronze for Garmin: choose the recent activities and store each one's JSON once.

``bronze/garmin/activity_<activityId>.json`` (prefix configurable) holds an activity exactly as
the client returned it. Storing is idempotent: an object that already exists is skipped and
never rewritten, so a re-run, a retry or an overlapping pull window costs nothing and cannot
replace what an earlier run stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fitness_platform.garmin.client import GarminClient
from fitness_platform.garmin.ids import InvalidActivityIdError, parse_activity_id
from fitness_platform.garmin.shape import ID, START_GMT, parse_garmin_time
from fitness_platform.storage.keys import safe_relative_key
from fitness_platform.storage.lake import Lake

DEFAULT_PREFIX = "bronze/garmin"
DEFAULT_LIMIT = 50
DEFAULT_DAYS_BACK = 7

FailedRef = int | str


@dataclass(frozen=True)
class RawStoreReport:
    """What :func:`store_raw_activities` did, one entry per activity it was given.

    Attributes:
        written: keys of the objects written by this call.
        skipped: keys that already existed and were left untouched.
        failed: ``(ref, reason)`` for activities that could not be stored; ``ref`` is the
            activity id when it is valid, else ``"index <n>"`` (the position in the input).
    """

    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[FailedRef, str]] = field(default_factory=list)


@dataclass(frozen=True)
class RawRead:
    """The stored activities read back (:func:`read_raw_activities`) and unreadable objects."""

    activities: list[dict[str, Any]]
    failures: list[tuple[str, str]] = field(default_factory=list)


def select_recent(
    activities: Iterable[dict[str, Any]], *, days_back: int, now: datetime
) -> list[dict[str, Any]]:
    """Keep the activities that started within ``days_back`` days before ``now``.

    The comparison uses ``startTimeGMT`` read as UTC (``startTimeLocal`` has no offset and
    cannot be compared across time zones): an activity is kept when its start is at or after
    ``now - days_back days``. A start after ``now`` is kept too (clock skew is the quality
    check's business, not a reason to lose data), and so is an activity whose
    ``startTimeGMT`` is missing or unreadable, so that storing it reports it rather than this
    filter dropping it unseen. The input order is preserved.

    Args:
        activities: activity summaries in Garmin's JSON shape.
        days_back: the window length in days (0 keeps only starts at or after ``now``).
        now: the current time, timezone-aware (injected so runs and tests are reproducible).
    """
    if isinstance(days_back, bool) or not isinstance(days_back, int) or days_back < 0:
        raise ValueError(f"days_back must be a non-negative integer, got {days_back!r}")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (for example datetime.now(UTC))")
    cutoff = now - timedelta(days=days_back)
    kept = []
    for activity in activities:
        start = parse_garmin_time(activity.get(START_GMT), utc=True)
        if start is None or start >= cutoff:
            kept.append(activity)
    return kept


def fetch_recent(
    client: GarminClient,
    *,
    now: datetime,
    limit: int = DEFAULT_LIMIT,
    days_back: int = DEFAULT_DAYS_BACK,
) -> list[dict[str, Any]]:
    """Ask ``client`` for its ``limit`` newest activities and keep those of the last days."""
    return select_recent(client.recent_activities(limit), days_back=days_back, now=now)


def activity_key(activity_id: object, prefix: str = DEFAULT_PREFIX) -> str:
    """The object key ``{prefix}/activity_{id}.json`` of an activity.

    The id must be a positive integer (or a string of ASCII digits): nothing else can reach the
    key, so an id cannot escape the prefix. The prefix itself is checked with
    :func:`~fitness_platform.storage.keys.safe_relative_key`.
    """
    number = parse_activity_id(activity_id)
    return f"{safe_relative_key(prefix.strip('/'))}/activity_{number}.json"


def raw_json(activity: Mapping[str, Any]) -> bytes:
    """The stored bytes of an activity: its JSON as received, UTF-8, compact.

    Keys keep the order they arrived in; non-ASCII text stays as is; NaN and infinities are
    refused (they are not JSON). The same dict always gives the same bytes.
    """
    return json.dumps(activity, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode(
        "utf-8"
    )


def store_raw_activities(
    lake: Lake, activities: Sequence[Any], prefix: str = DEFAULT_PREFIX
) -> RawStoreReport:
    """Write each activity to ``{prefix}/activity_{id}.json`` unless that object exists.

    One activity that cannot be stored (not an object, a missing or invalid ``activityId``,
    a value that is not JSON, a failed write) is recorded in ``failed`` with its reason, and
    the others are still stored. An unsafe ``prefix`` raises
    :class:`~fitness_platform.storage.keys.UnsafeKeyError` before anything is written.
    """
    safe_relative_key(prefix.strip("/"))  # a bad prefix is the caller's error, raised once
    report = RawStoreReport()
    for index, activity in enumerate(activities):
        ref: FailedRef = f"index {index}"
        try:
            if not isinstance(activity, Mapping):
                raise TypeError(f"not an activity object: {type(activity).__name__}")
            ref = parse_activity_id(activity.get(ID))
            key = activity_key(ref, prefix)
            if lake.exists(key):
                report.skipped.append(key)
                continue
            lake.write_bytes(key, raw_json(activity))
            report.written.append(key)
        except (InvalidActivityIdError, TypeError, ValueError, OSError) as exc:
            report.failed.append((ref, str(exc) or type(exc).__name__))
        except Exception as exc:
            # A storage client error on one object must not cost the other activities.
            report.failed.append((ref, f"unexpected {type(exc).__name__}: {exc}"))
    return report


def read_raw_activities(lake: Lake, prefix: str = DEFAULT_PREFIX) -> RawRead:
    """Read every stored ``activity_*.json`` below ``prefix``, in key order.

    An object that is not valid JSON or not an activity object is reported as
    ``(key, reason)`` instead of stopping the read.
    """
    activities: list[dict[str, Any]] = []
    failures: list[tuple[str, str]] = []
    for key in lake.list(safe_relative_key(prefix.strip("/")), suffix=".json"):
        if not key.rsplit("/", 1)[-1].startswith("activity_"):
            continue
        try:
            document = json.loads(lake.read_bytes(key).decode("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            failures.append((key, f"unreadable: {exc}"))
            continue
        if isinstance(document, dict):
            activities.append(document)
        else:
            failures.append((key, f"not an activity object: {type(document).__name__}"))
    return RawRead(activities, failures)
