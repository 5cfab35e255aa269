"""The interface every Garmin activity source implements.

Two implementations exist: :class:`~fitness_platform.garmin.connect_client.GarminConnectClient`
(the Garmin Connect API through the optional ``garminconnect`` library) and
:class:`~fitness_platform.garmin.file_source.FileActivitySource` (exported ``.json`` and ``.fit``
files in a folder or an S3 prefix). Tests and other callers may bring their own: anything with a
matching ``recent_activities`` method is a client.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, runtime_checkable

from fitness_platform.garmin.shape import ID, START_GMT, parse_garmin_time

# Garmin's activity search refuses larger pages; the same cap keeps every client alike.
MAX_LIMIT = 1000


@runtime_checkable
class GarminClient(Protocol):
    """A source of Garmin activity summaries."""

    def recent_activities(self, limit: int) -> list[dict[str, Any]]:
        """The ``limit`` most recent activities, newest first, in Garmin's own JSON shape."""
        ...


def validate_limit(limit: int) -> int:
    """Return ``limit`` if it is an int in ``1..MAX_LIMIT``, else raise ``ValueError``."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be an integer between 1 and {MAX_LIMIT}, got {limit!r}")
    return limit


def newest_first(activities: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sort activities by ``startTimeGMT`` descending, then id descending; undated ones last."""

    def by_start(activity: dict[str, Any]) -> tuple[bool, float]:
        start = parse_garmin_time(activity.get(START_GMT), utc=True)
        return (start is None, -start.timestamp() if start is not None else 0.0)

    # Two stable sorts: ids descending first, so equal starts keep the larger id first.
    by_id = sorted(activities, key=lambda a: str(a.get(ID, "")).rjust(20, "0"), reverse=True)
    return sorted(by_id, key=by_start)
