"""The client protocol: any object with ``recent_activities`` can feed the pipeline."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fitness_platform.garmin.client import GarminClient, newest_first
from fitness_platform.garmin.raw import fetch_recent, store_raw_activities
from fitness_platform.garmin.transform import silver_activities
from fitness_platform.storage.lake import Lake
from fitness_platform_tests.garmin.builders import make_activity

NOW = datetime(2025, 3, 12, 12, 0, tzinfo=UTC)


class ListClient:
    """A client over a fixed list, recording the limits it was asked for."""

    def __init__(self, activities: list[dict[str, Any]]) -> None:
        self.activities = activities
        self.limits: list[int] = []

    def recent_activities(self, limit: int) -> list[dict[str, Any]]:
        self.limits.append(limit)
        return newest_first(self.activities)[:limit]


def test_fake_client_satisfies_the_protocol_and_feeds_bronze_and_silver(tmp_path: Path) -> None:
    client = ListClient(
        [
            make_activity(
                1, type_key="stand_up_paddleboarding_v2", start_gmt="2025-03-01 12:00:00"
            ),
            make_activity(2, type_key="hiking", start_gmt="2025-03-08 13:00:00"),
            make_activity(3, type_key="trail_running", start_gmt="2025-03-11 14:00:00"),
        ]
    )
    assert isinstance(client, GarminClient)
    recent = fetch_recent(client, now=NOW, limit=50, days_back=7)
    assert client.limits == [50]
    assert [activity["activityId"] for activity in recent] == [3, 2]

    report = store_raw_activities(Lake(str(tmp_path)), recent)
    assert len(report.written) == 2
    silver = silver_activities(recent)
    assert silver["activity_type"].tolist() == ["hiking", "trail_running"]


def test_newest_first_orders_by_utc_start_then_id() -> None:
    same_second = "2025-03-10 14:00:00"
    activities = [
        make_activity(5, startTimeGMT=None),
        make_activity(1, start_gmt=same_second),
        make_activity(9, start_gmt="2025-03-11 01:00:00"),
        make_activity(2, start_gmt=same_second),
    ]
    assert [a["activityId"] for a in newest_first(activities)] == [9, 2, 1, 5]
