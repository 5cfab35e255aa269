"""A tracker-only code location and small CSV builders for the quality tests.

The tests exercise the tracker graph (bronze, silver, gold, their checks and the alert
sensors) with the real resources of ``build_resources``; loading only these modules keeps
them independent of the other domains' definitions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

import dagster as dg

from fitness_platform.definitions import build_resources
from fitness_platform.defs.alerts import sensors
from fitness_platform.defs.tracker import bronze, checks, gold, jobs, silver
from fitness_platform.settings import Settings

HEADER = (
    "user_id,age,gender,date,steps,heart_rate_avg,sleep_hours,calories_burned,"
    "exercise_minutes,stress_level,weight_kg,bmi"
)
START = date(2024, 9, 6)


def tracker_definitions(settings: Settings) -> dg.Definitions:
    """The tracker assets, checks, jobs and alert sensors bound to the real resources."""
    return dg.Definitions(
        assets=[bronze.bronze_tracker_files, silver.silver_tracker_tables, gold.gold_star_schema],
        asset_checks=[
            checks.bronze_quality_checks,
            checks.silver_quality_checks,
            checks.gold_quality_checks,
        ],
        jobs=[jobs.tracker_bronze_job, jobs.tracker_refresh_job],
        sensors=[sensors.run_failure_alerts, sensors.check_failure_alerts],
        resources=build_resources(settings),
    )


def with_field(row: str, column: str, value: str) -> str:
    """``row`` (a HEADER-ordered record) with ``column`` set to ``value``."""
    fields = row.split(",")
    fields[HEADER.split(",").index(column)] = value
    return ",".join(fields)


def good_row(user: int, day: int, *, steps: int | None = None) -> str:
    """One clean tracker record for ``user`` on START + ``day`` (values inside every range)."""
    weight = 60 + user % 30 + (day % 7) * 0.1
    return ",".join(
        str(v)
        for v in (
            user,
            25 + user % 50,
            "FM"[user % 2],
            (START + timedelta(days=day)).isoformat(),
            steps if steps is not None else 3_000 + (user * 977 + day * 131) % 15_000,
            60 + (user + day) % 30,
            6 + (day % 5) * 0.5,
            1_900 + (user * 7 + day) % 900,
            (user + day * 3) % 90,
            1 + (user + day) % 10,
            round(weight, 1),
            round(weight / 1.75**2, 1),
        )
    )


def csv_text(rows: Iterable[str], header: str = HEADER, newline: str = "\n") -> str:
    """A CSV document: header, rows, each line ended by ``newline``."""
    return "".join(f"{line}{newline}" for line in [header, *rows])


def clean_rows(users: int, days: int, *, first_day: int = 0) -> list[str]:
    """``users`` x ``days`` clean records starting at START + ``first_day``."""
    return [good_row(u, first_day + d) for u in range(users) for d in range(days)]


def digest_tree(root: Path) -> dict[str, str]:
    """SHA-256 of every file below ``root``, by relative path."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
