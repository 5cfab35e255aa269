"""The Garmin Connect activity-summary shape shared by every module of the domain.

Activities travel through the domain as dicts in Garmin's own JSON shape (the items of
``activitylist-service/activities/search/activities``). Activities read from ``.fit`` files are
mapped to the same field names and carry one extra key, :data:`FIT_FILE_KEY`, that names the
file they came from; that key is how later steps tell a FIT-derived activity (``source`` =
``fit``) from one Garmin's API produced (``source`` = ``api``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

Source = Literal["api", "fit"]
SOURCES: tuple[Source, ...] = ("api", "fit")

# Garmin writes times as "YYYY-MM-DD HH:MM:SS": startTimeGMT in UTC, startTimeLocal as the
# wall clock where the activity took place, both without an offset.
GARMIN_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

FIT_FILE_KEY = "fitFile"

ID = "activityId"
NAME = "activityName"
TYPE = "activityType"
START_LOCAL = "startTimeLocal"
START_GMT = "startTimeGMT"
DISTANCE = "distance"
DURATION = "duration"
MOVING_DURATION = "movingDuration"
ELEVATION_GAIN = "elevationGain"
AVERAGE_SPEED = "averageSpeed"
MAX_SPEED = "maxSpeed"
AVERAGE_HR = "averageHR"
MAX_HR = "maxHR"
CALORIES = "calories"
STEPS = "steps"
TRAINING_LOAD = "activityTrainingLoad"

# The fields silver reads; "completeness" of a record, used to break ties, counts these.
SUMMARY_FIELDS: tuple[str, ...] = (
    NAME,
    TYPE,
    START_LOCAL,
    START_GMT,
    DISTANCE,
    DURATION,
    MOVING_DURATION,
    ELEVATION_GAIN,
    AVERAGE_SPEED,
    MAX_SPEED,
    AVERAGE_HR,
    MAX_HR,
    CALORIES,
    STEPS,
    TRAINING_LOAD,
)


def activity_source(activity: Mapping[str, Any]) -> Source:
    """``fit`` for an activity mapped from a ``.fit`` file, else ``api``."""
    return "fit" if activity.get(FIT_FILE_KEY) else "api"


def parse_garmin_time(value: object, *, utc: bool) -> datetime | None:
    """Parse a Garmin time string; ``None`` when the value is absent or not a time.

    Garmin's ``"YYYY-MM-DD HH:MM:SS"`` is the normal form; ISO variants (``T`` separator,
    fractional seconds, an offset) are accepted too. With ``utc=True`` the result is an aware
    UTC datetime (a naive value is taken as UTC, as ``startTimeGMT`` is). With ``utc=False``
    the result is the naive wall-clock time (an offset, if present, is dropped, because a local
    time means the clock on the wall where the activity happened).
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if not utc:
        return parsed.replace(tzinfo=None)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_garmin_time(moment: datetime) -> str:
    """Format a datetime the way Garmin writes ``startTimeGMT`` / ``startTimeLocal``."""
    return moment.strftime(GARMIN_TIME_FORMAT)


def type_key(activity: Mapping[str, Any]) -> str | None:
    """The ``activityType.typeKey`` of an activity (a bare string type is accepted too)."""
    kind = activity.get(TYPE)
    if isinstance(kind, Mapping):
        key = kind.get("typeKey")
        return key if isinstance(key, str) and key else None
    return kind if isinstance(kind, str) and kind else None
