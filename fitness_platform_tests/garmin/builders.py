"""Test data written from scratch in the real shapes: Garmin activity JSON and FIT files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from struct import pack
from typing import Any

import pytest

MISSING = object()

# Garmin's public activity-type ids: typeKey -> (typeId, parentTypeId, sportTypeId).
_TYPES: dict[str, tuple[int, int, int]] = {
    "running": (1, 17, 1),
    "trail_running": (6, 1, 1),
    "hiking": (3, 17, 17),
    "stand_up_paddleboarding_v2": (239, 228, 37),
    "yoga": (163, 29, 10),
    "road_biking": (10, 2, 2),
}


def make_activity(
    activity_id: int = 30000000001,
    *,
    type_key: str = "trail_running",
    start_gmt: str = "2025-03-10 14:00:00",
    utc_offset_hours: int = -6,
    **overrides: Any,
) -> dict[str, Any]:
    """An activity summary shaped like Garmin's activity-search items (values invented).

    ``startTimeLocal`` is derived from ``start_gmt`` and the offset. A keyword override
    replaces a field; the value ``MISSING`` removes it, as Garmin omits keys it has no data for.
    """
    start = datetime.strptime(start_gmt, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    local = start + timedelta(hours=utc_offset_hours)
    type_id, parent_id, sport_id = _TYPES.get(type_key, (4, 17, 0))
    duration = 2400.5
    activity: dict[str, Any] = {
        "activityId": activity_id,
        "activityName": f"Test {type_key.replace('_', ' ')}",
        "startTimeLocal": local.strftime("%Y-%m-%d %H:%M:%S"),
        "startTimeGMT": start_gmt,
        "activityType": {
            "typeId": type_id,
            "typeKey": type_key,
            "parentTypeId": parent_id,
            "isHidden": False,
            "restricted": False,
            "trimmable": True,
        },
        "eventType": {"typeId": 9, "typeKey": "uncategorized", "sortOrder": 10},
        "distance": 5000.0,
        "duration": duration,
        "elapsedDuration": duration + 12.25,
        "movingDuration": 2340.0,
        "elevationGain": 120.0,
        "elevationLoss": 118.0,
        "averageSpeed": 2.5,
        "maxSpeed": 4.0,
        "startLatitude": 45.5,
        "startLongitude": 6.1,
        "hasPolyline": True,
        "ownerId": 1234567,
        "ownerDisplayName": "tester",
        "calories": 410.0,
        "bmrCalories": 52.0,
        "averageHR": 141.0,
        "maxHR": 170.0,
        "steps": 6100,
        "privacy": {"typeId": 2, "typeKey": "private"},
        "timeZoneId": 150,
        "beginTimestamp": int(start.timestamp() * 1000),
        "sportTypeId": sport_id,
        "aerobicTrainingEffect": 3.1,
        "anaerobicTrainingEffect": 0.4,
        "vO2MaxValue": 47.0,
        "deviceId": 3300000001,
        "manufacturer": "GARMIN",
        "lapCount": 5,
        "activityTrainingLoad": 61.25,
        "hrTimeInZone_1": 120.0,
        "hrTimeInZone_2": 900.0,
        "endTimeGMT": (start + timedelta(seconds=duration)).strftime("%Y-%m-%d %H:%M:%S"),
        "manualActivity": False,
        "pr": False,
        "parent": False,
    }
    for key, value in overrides.items():
        if value is MISSING:
            activity.pop(key, None)
        else:
            activity[key] = value
    return activity


FIT_EPOCH = 631065600  # 1989-12-31T00:00:00Z in Unix seconds
SPORTS = {"generic": 0, "running": 1, "training": 10, "hiking": 17, "stand_up_paddleboarding": 37}
SUB_SPORTS = {"generic": 0, "trail": 3, "yoga": 43}


def _fit_seconds(moment: datetime) -> int:
    return int(moment.timestamp()) - FIT_EPOCH


def write_fit_activity(
    *,
    start_utc: datetime,
    utc_offset: timedelta | None = timedelta(hours=-6),
    sport: str = "running",
    sub_sport: str = "trail",
    timer_s: float = 1800.0,
    distance_m: float | None = 5000.0,
    moving_s: float | None = 1750.0,
    ascent_m: int | None = 80,
    avg_speed: float | None = 2.778,
    max_speed: float | None = 3.5,
    avg_hr: int | None = 150,
    max_hr: int | None = 175,
    calories: int | None = 420,
    strides: int | None = 2600,
    training_load: float | None = 55.5,
    sessions: int = 1,
) -> bytes:
    """A small FIT activity file written with garminconnect's FIT encoder.

    It holds a ``file_id``, ``sessions`` identical ``session`` messages and an ``activity``
    message whose ``local_timestamp`` carries ``utc_offset`` (no activity message when the
    offset is ``None``). Skips the calling test when ``garminconnect`` is not installed.
    """
    fit = pytest.importorskip(
        "garminconnect.fit", reason="writing FIT test files needs the optional garminconnect"
    )

    class ActivityEncoder(fit.FitEncoder):
        FILE_TYPE = 4  # activity

        def message(self, local: int, global_num: int, content: list[tuple]) -> None:
            fields, values = self._build_content_block(content)
            definition = pack("BBHB", 0, 0, global_num, len(content))
            self.buf.write(
                self.record_header(definition=True, lmsg_type=local) + definition + fields
            )
            self.buf.write(self.record_header(lmsg_type=local) + values)

    base = fit.FitBaseType
    end = start_utc + timedelta(seconds=timer_s)
    encoder = ActivityEncoder()
    encoder.write_file_info(
        serial_number=3300000001, time_created=int(end.timestamp()), manufacturer=1, product=3291
    )
    for _ in range(sessions):
        encoder.message(
            3,
            18,
            [
                (253, base.uint32, _fit_seconds(end), None),
                (2, base.uint32, _fit_seconds(start_utc), None),
                (5, base.enum, SPORTS[sport], None),
                (6, base.enum, SUB_SPORTS[sub_sport], None),
                (7, base.uint32, timer_s, 1000),
                (8, base.uint32, timer_s, 1000),
                (9, base.uint32, distance_m, 100),
                (10, base.uint32, strides, None),
                (11, base.uint16, calories, None),
                (16, base.uint8, avg_hr, None),
                (17, base.uint8, max_hr, None),
                (22, base.uint16, ascent_m, None),
                (59, base.uint32, moving_s, 1000),
                (124, base.uint32, avg_speed, 1000),
                (125, base.uint32, max_speed, 1000),
                (168, base.sint32, training_load, 65536),
            ],
        )
    if utc_offset is not None:
        encoder.message(
            4,
            34,
            [
                (253, base.uint32, _fit_seconds(end), None),
                (0, base.uint32, timer_s, 1000),
                (1, base.uint16, sessions, None),
                (2, base.enum, 0, None),
                (3, base.enum, 26, None),
                (4, base.enum, 1, None),
                (5, base.uint32, _fit_seconds(end) + int(utc_offset.total_seconds()), None),
            ],
        )
    encoder.finish()
    return encoder.getvalue()
