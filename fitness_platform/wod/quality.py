"""Data-quality rules of ``silver/wod_sessions`` (the asset checks' logic, no Dagster here).

Each rule returns the offending groups or rows (empty when the rule holds), so a check can say
how many failed and show a sample.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from fitness_platform.wod.parser import REST_DAY, UNNAMED_SESSION

# "Session One", "Session 2": a numbered session; "Session" alone and "Rest Day" are not.
_NUMBERED = re.compile(r"^Session\s+\S+$")


def is_numbered_session(session: str) -> bool:
    """True for ``Session <number>`` (``Session One``, ``Session 2``)."""
    return session not in (REST_DAY, UNNAMED_SESSION) and bool(_NUMBERED.match(session))


def duplicate_keys(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """(date, session) pairs held by more than one record, with their count."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for record in records:
        counts[(str(record["date"]), str(record["session"]))] += 1
    return [
        {"date": day, "session": session, "records": n}
        for (day, session), n in sorted(counts.items())
        if n > 1
    ]


def dates_outside_week(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Records whose date is not within [week_start, week_end] of their post's week."""
    return [
        {
            "date": str(record["date"]),
            "session": record["session"],
            "post_id": record["post_id"],
            "week_start": str(record["week_start"]),
            "week_end": str(record["week_end"]),
        }
        for record in records
        if not (
            date.fromisoformat(str(record["week_start"]))
            <= date.fromisoformat(str(record["date"]))
            <= date.fromisoformat(str(record["week_end"]))
        )
    ]


def weekday_collisions(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """(week, weekday) groups with several records that are not all numbered sessions.

    Two sessions on one day are fine when the post numbers them (``Session One`` and
    ``Session Two`` on Monday); a Rest Day next to a session, or two unnamed sessions, are not.
    """
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for record in records:
        groups[(str(record["week_start"]), str(record["weekday"]))].append(str(record["session"]))
    return [
        {"week_start": week, "weekday": weekday, "sessions": sorted(sessions)}
        for (week, weekday), sessions in sorted(groups.items())
        if len(sessions) > 1 and not all(is_numbered_session(s) for s in sessions)
    ]
