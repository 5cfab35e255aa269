"""What every Garmin silver and gold column means: unit, meaning and rule. Shown in the UI."""

from __future__ import annotations

GARMIN_COLUMN_DESCRIPTIONS: dict[str, str] = {
    "activity_id": "Garmin activityId (int64); one row per id. FIT files without an export name "
    "get a stable synthetic id from start time and sport (>= 2**62).",
    "activity_name": "The activity's name as shown in Garmin Connect (null when absent).",
    "activity_type": "activityType.typeKey, e.g. running, trail_running, hiking, "
    "stand_up_paddleboarding_v2.",
    "start_time_local": "startTimeLocal: wall-clock start where the activity happened (no zone).",
    "start_time_utc": "startTimeGMT read as UTC.",
    "date": "Local calendar date of startTimeLocal (not of startTimeGMT).",
    "date_key": "date as the integer YYYYMMDD.",
    "distance_km": "distance in kilometres (Garmin metres / 1000).",
    "duration_min": "duration in minutes (Garmin seconds / 60).",
    "moving_min": "movingDuration in minutes (seconds / 60).",
    "elevation_gain_m": "elevationGain in metres.",
    "avg_speed_kmh": "averageSpeed in km/h (Garmin m/s * 3.6).",
    "max_speed_kmh": "maxSpeed in km/h (m/s * 3.6).",
    "avg_hr": "averageHR in beats per minute; checked to lie in 25-250 when present.",
    "max_hr": "maxHR in beats per minute; checked to lie in 25-250 when present.",
    "calories": "calories in kcal as Garmin reports them.",
    "steps": "steps counted during the activity.",
    "training_load": "activityTrainingLoad (Garmin's unitless load score).",
    "source": "api (Garmin JSON) or fit (mapped from a .fit file).",
    "activities": "Number of activities that started on the local date.",
    "dominant_activity_type": "The day's activity_type with the most total duration_min (ties: "
    "alphabetically first; null when no activity has a type).",
}
"""Descriptions by column name; a gold column sharing a silver name is the day's sum of it."""
