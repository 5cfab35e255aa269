"""Read a ``.fit`` activity file into a dict with Garmin's activity-summary field names.

A FIT activity file holds a ``session`` message with the totals of the workout and an
``activity`` message whose ``local_timestamp`` is the device's wall clock at the activity's
``timestamp``. The mapping to Garmin's JSON names:

============================  ==========================================================
Garmin field                  FIT source
============================  ==========================================================
activityId                    ``<id>_ACTIVITY.fit`` export name (:func:`export_activity_id`),
                              else a synthetic id
                              (:func:`~fitness_platform.garmin.ids.synthetic_fit_activity_id`)
activityName                  session ``sport_profile_name``, else the ``sport`` message's
                              ``name``, else the type key in words
activityType.typeKey          session ``sport`` / ``sub_sport`` (:func:`fit_type_key`)
startTimeGMT                  session ``start_time`` (UTC)
startTimeLocal                ``start_time`` shifted by the device's UTC offset, which is
                              ``activity.local_timestamp - activity.timestamp``; without an
                              ``activity.local_timestamp`` it equals ``startTimeGMT`` (UTC)
beginTimestamp                ``start_time`` in epoch milliseconds
distance (m)                  ``total_distance``
duration (s)                  ``total_timer_time``
elapsedDuration (s)           ``total_elapsed_time``
movingDuration (s)            ``total_moving_time``
elevationGain / Loss (m)      ``total_ascent`` / ``total_descent``
averageSpeed / maxSpeed       ``enhanced_avg_speed`` / ``enhanced_max_speed``, else
(m/s)                         ``avg_speed`` / ``max_speed``
averageHR / maxHR             ``avg_heart_rate`` / ``max_heart_rate``
calories                      ``total_calories``
steps                         2 x ``total_strides`` (FIT counts strides, a stride is two
                              steps; only running and walking sessions name them)
activityTrainingLoad          ``training_load_peak``
aerobicTrainingEffect         ``total_training_effect``
anaerobicTrainingEffect       ``total_anaerobic_training_effect``
fitFile                       the file's key (marks the record as ``source`` = ``fit``)
============================  ==========================================================

A field the file does not carry is ``None``. A file with several sessions (a multisport
recording) is refused with a reason rather than summarised from one leg.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath
from typing import Any

import fitdecode

from fitness_platform.garmin.ids import (
    InvalidActivityIdError,
    parse_activity_id,
    synthetic_fit_activity_id,
)
from fitness_platform.garmin.shape import FIT_FILE_KEY, format_garmin_time

# Garmin names exported originals "<id>_ACTIVITY.fit"; a prefix ending in "_" or "-" (as in
# "garmin_<id>_ACTIVITY.fit") is tolerated, digits glued to other characters are not an id.
EXPORT_NAME = re.compile(r"(?:.*[_-])?([0-9]+)_ACTIVITY\.fit", re.IGNORECASE)

# A UTC offset beyond this is not a time zone but a broken device clock: it is ignored.
_MAX_UTC_OFFSET = timedelta(hours=14)

# FIT (sport, sub_sport) pairs whose Garmin type key is not simply the sport's name.
_SUB_SPORT_TYPES: dict[tuple[str, str], str] = {
    ("running", "trail"): "trail_running",
    ("running", "treadmill"): "treadmill_running",
    ("running", "track"): "track_running",
    ("running", "street"): "street_running",
    ("running", "indoor_running"): "indoor_running",
    ("running", "ultra"): "ultra_run",
    ("cycling", "road"): "road_biking",
    ("cycling", "mountain"): "mountain_biking",
    ("cycling", "gravel_cycling"): "gravel_cycling",
    ("cycling", "indoor_cycling"): "indoor_cycling",
    ("cycling", "virtual_activity"): "virtual_ride",
    ("cycling", "cyclocross"): "cyclocross",
    ("swimming", "lap_swimming"): "lap_swimming",
    ("swimming", "open_water"): "open_water_swimming",
    ("training", "yoga"): "yoga",
    ("training", "pilates"): "pilates",
    ("training", "strength_training"): "strength_training",
    ("training", "cardio_training"): "indoor_cardio",
    ("training", "breathing"): "breathwork",
    ("fitness_equipment", "elliptical"): "elliptical",
    ("fitness_equipment", "stair_climbing"): "stair_climbing",
    ("fitness_equipment", "indoor_rowing"): "indoor_rowing",
    ("walking", "indoor_walking"): "indoor_walking",
    ("walking", "casual_walking"): "casual_walking",
    ("walking", "speed_walking"): "speed_walking",
}
# FIT sports whose Garmin type key differs from the FIT name.
_SPORT_TYPES: dict[str, str] = {
    "generic": "other",
    "training": "fitness_equipment",
    "stand_up_paddleboarding": "stand_up_paddleboarding_v2",
    "e_biking": "e_bike_fitness",
    "cross_country_skiing": "cross_country_skiing_ws",
    "alpine_skiing": "resort_skiing_snowboarding_ws",
    "snowboarding": "resort_skiing_snowboarding_ws",
    "paddling": "paddling_v2",
    "kayaking": "kayaking_v2",
    "rowing": "rowing_v2",
}


class FitFileError(ValueError):
    """A ``.fit`` file that cannot be read as one activity; the message says why."""


@dataclass(frozen=True)
class FitContent:
    """What a FIT activity file says about its workout, before mapping to Garmin names."""

    session: dict[str, Any]
    local_offset: timedelta | None
    sport_name: str | None


def export_activity_id(file_name: str) -> int | None:
    """The Garmin activity id in an export name such as ``12129115726_ACTIVITY.fit``.

    A prefix that ends in ``_`` or ``-`` is allowed (``garmin_12129115726_ACTIVITY.fit``);
    ``None`` when the name carries no valid id (the file then gets the synthetic id).
    """
    match = EXPORT_NAME.fullmatch(PurePosixPath(file_name).name)
    if match is None:
        return None
    try:
        return parse_activity_id(match.group(1))
    except InvalidActivityIdError:
        return None  # "0_ACTIVITY.fit" or an id past int64 names no Garmin activity


def fit_type_key(sport: object, sub_sport: object) -> str:
    """Garmin's ``activityType.typeKey`` for a FIT ``sport`` / ``sub_sport`` pair.

    Known pairs map through a table (``running``/``trail`` is ``trail_running``); otherwise the
    FIT sport name is the type key, with Garmin's renames (``stand_up_paddleboarding`` is
    ``stand_up_paddleboarding_v2``). An unknown numeric sport is ``other``.
    """
    if not isinstance(sport, str):
        return "other"
    if isinstance(sub_sport, str) and (sport, sub_sport) in _SUB_SPORT_TYPES:
        return _SUB_SPORT_TYPES[(sport, sub_sport)]
    return _SPORT_TYPES.get(sport, sport)


def _values(frame: fitdecode.FitDataMessage) -> dict[str, Any]:
    # A message may define one field twice (once as a developer or enhanced copy); the first
    # value that is present wins.
    values: dict[str, Any] = {}
    for fit_field in frame.fields:
        if fit_field.value is not None and fit_field.name not in values:
            values[fit_field.name] = fit_field.value
    return values


def _local_offset(activity: Mapping[str, Any]) -> timedelta | None:
    local, utc = activity.get("local_timestamp"), activity.get("timestamp")
    if not isinstance(local, datetime) or not isinstance(utc, datetime):
        return None
    # fitdecode decodes local_timestamp as if it were UTC; only the wall-clock digits matter.
    offset = local.replace(tzinfo=None) - utc.astimezone(UTC).replace(tzinfo=None)
    return offset if abs(offset) <= _MAX_UTC_OFFSET else None


def read_fit(data: bytes) -> FitContent:
    """Decode a FIT activity file; raise :class:`FitFileError` naming what is wrong."""
    sessions: list[dict[str, Any]] = []
    activity: dict[str, Any] = {}
    sport_name: str | None = None
    try:
        with fitdecode.FitReader(
            io.BytesIO(data),
            check_crc=fitdecode.CrcCheck.RAISE,
            error_handling=fitdecode.ErrorHandling.RAISE,
        ) as reader:
            for frame in reader:
                if not isinstance(frame, fitdecode.FitDataMessage):
                    continue
                if frame.name == "session":
                    sessions.append(_values(frame))
                elif frame.name == "activity" and not activity:
                    activity = _values(frame)
                elif frame.name == "sport" and sport_name is None:
                    name = _values(frame).get("name")
                    sport_name = name if isinstance(name, str) and name else None
    except fitdecode.FitError as exc:
        raise FitFileError(f"not a readable FIT file: {type(exc).__name__}: {exc}") from exc
    if not sessions:
        raise FitFileError("FIT file has no session message (not an activity recording)")
    if len(sessions) > 1:
        raise FitFileError(
            f"FIT file has {len(sessions)} sessions (multisport); only single-session "
            "activities are supported"
        )
    return FitContent(sessions[0], _local_offset(activity), sport_name)


def _number(value: object) -> float | int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def session_to_activity(
    session: Mapping[str, Any],
    *,
    fit_file: str,
    activity_id: int | None = None,
    local_offset: timedelta | None = None,
    sport_name: str | None = None,
) -> dict[str, Any]:
    """Map a FIT session's fields to a Garmin activity-summary dict (table in module doc).

    ``session`` holds the session message's values by FIT field name (as fitdecode names them).
    ``activity_id`` is the Garmin id when the file name carries one; without it the synthetic
    id of the start time and sport is used. Raises :class:`FitFileError` when the session has
    no ``start_time``, since neither the day nor the identity of the activity is known then.
    """
    start = session.get("start_time")
    if not isinstance(start, datetime):
        raise FitFileError("FIT session has no start_time")
    start_utc = start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)
    start_local = start_utc.replace(tzinfo=None) + (local_offset or timedelta(0))

    sport, sub_sport = session.get("sport"), session.get("sub_sport")
    type_key = fit_type_key(sport, sub_sport)
    sport_label = sport if isinstance(sport, str) else f"sport_{sport}"
    if activity_id is None:
        activity_id = synthetic_fit_activity_id(start_utc, sport_label)

    profile_name = session.get("sport_profile_name")
    name = (
        profile_name
        if isinstance(profile_name, str) and profile_name
        else sport_name or type_key.replace("_", " ").title()
    )
    strides = _number(session.get("total_strides"))

    def first(*names: str) -> float | int | None:
        for candidate in names:
            value = _number(session.get(candidate))
            if value is not None:
                return value
        return None

    return {
        "activityId": activity_id,
        "activityName": name,
        "startTimeLocal": format_garmin_time(start_local),
        "startTimeGMT": format_garmin_time(start_utc),
        "activityType": {"typeKey": type_key},
        "distance": first("total_distance"),
        "duration": first("total_timer_time"),
        "elapsedDuration": first("total_elapsed_time"),
        "movingDuration": first("total_moving_time"),
        "elevationGain": first("total_ascent"),
        "elevationLoss": first("total_descent"),
        "averageSpeed": first("enhanced_avg_speed", "avg_speed"),
        "maxSpeed": first("enhanced_max_speed", "max_speed"),
        "averageHR": first("avg_heart_rate"),
        "maxHR": first("max_heart_rate"),
        "calories": first("total_calories"),
        "steps": int(2 * strides) if strides else None,
        "activityTrainingLoad": first("training_load_peak"),
        "aerobicTrainingEffect": first("total_training_effect"),
        "anaerobicTrainingEffect": first("total_anaerobic_training_effect"),
        "beginTimestamp": int(start_utc.timestamp() * 1000),
        FIT_FILE_KEY: fit_file,
    }


def parse_fit_activity(data: bytes, fit_file: str) -> dict[str, Any]:
    """Read one ``.fit`` file's bytes into a Garmin activity dict; ``fit_file`` is its key.

    The id comes from a Garmin export name (``<id>_ACTIVITY.fit``) if ``fit_file`` has one.
    Raises :class:`FitFileError` with the reason when the file is not a usable activity.
    """
    content = read_fit(data)
    return session_to_activity(
        content.session,
        fit_file=fit_file,
        activity_id=export_activity_id(fit_file),
        local_offset=content.local_offset,
        sport_name=content.sport_name,
    )
