"""When two records are the same activity, and which one wins.

Two records are the same activity when

1. they have the same ``activityId``; or
2. one is a Garmin JSON record (``api``) and the other comes from a ``.fit`` file (``fit``) and
   both start in the same UTC second (``startTimeGMT``). This catches a FIT file without a
   Garmin export name, whose synthetic id (:func:`~fitness_platform.garmin.ids.synthetic_fit_activity_id`)
   differs from the id Garmin gave the same recording.

Two ``api`` records, or two ``fit`` records, with different ids are kept even when they start
in the same second: two devices recording one workout produce two real Garmin activities.

The winner among records of one id is chosen by a total order, so the result never depends on
the order the records arrived in: JSON (``api``) before FIT, then the record with more of the
summary fields present, then the smallest canonical JSON text (sorted keys).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fitness_platform.garmin.shape import START_GMT, SUMMARY_FIELDS, Source, parse_garmin_time


@dataclass(frozen=True)
class SourcedActivity:
    """An activity dict with its validated id and where it came from."""

    activity_id: int
    source: Source
    activity: Mapping[str, Any]


@dataclass(frozen=True)
class Merged:
    """The outcome of :func:`merge_activities`: one record per activity, and what was dropped."""

    kept: list[SourcedActivity]
    dropped: list[tuple[int, str]] = field(default_factory=list)


def _preference(record: SourcedActivity) -> tuple[int, int, str]:
    present = sum(record.activity.get(name) is not None for name in SUMMARY_FIELDS)
    canonical = json.dumps(record.activity, sort_keys=True, ensure_ascii=False, default=str)
    return (0 if record.source == "api" else 1, -present, canonical)


def merge_activities(records: Sequence[SourcedActivity]) -> Merged:
    """Collapse records of the same activity into one (rules in the module docstring).

    Returns the kept records sorted by activity id, and one ``(activity_id, reason)`` for every
    record that was dropped, so a caller can report it instead of losing it silently.
    """
    by_id: dict[int, list[SourcedActivity]] = {}
    for record in records:
        by_id.setdefault(record.activity_id, []).append(record)

    winners: list[SourcedActivity] = []
    dropped: list[tuple[int, str]] = []
    for activity_id in sorted(by_id):
        ranked = sorted(by_id[activity_id], key=_preference)
        best = ranked[0]
        winners.append(best)
        dropped.extend(
            (
                activity_id,
                f"duplicate of activity {activity_id}: the {best.source} record was kept "
                f"(api before fit, then the more complete record)",
            )
            for _ in ranked[1:]
        )

    api_starts: dict[datetime, int] = {}
    for record in winners:
        start = parse_garmin_time(record.activity.get(START_GMT), utc=True)
        if record.source == "api" and start is not None:
            api_starts.setdefault(start.replace(microsecond=0), record.activity_id)

    kept: list[SourcedActivity] = []
    for record in winners:
        start = parse_garmin_time(record.activity.get(START_GMT), utc=True)
        twin = api_starts.get(start.replace(microsecond=0)) if start is not None else None
        if record.source == "fit" and twin is not None:
            dropped.append(
                (
                    record.activity_id,
                    f"same activity as JSON activity {twin} (same startTimeGMT "
                    f"{record.activity.get(START_GMT)}); the JSON record was kept",
                )
            )
        else:
            kept.append(record)
    return Merged(kept=kept, dropped=dropped)
