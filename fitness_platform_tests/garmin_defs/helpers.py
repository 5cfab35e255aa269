"""Helpers for the Garmin Dagster tests: a fake client, resources and result readers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import dagster as dg

from fitness_platform.defs.garmin.checks import garmin_silver_checks
from fitness_platform.defs.garmin.raw import RAW_ACTIVITIES_KEY, garmin_raw_activities
from fitness_platform.defs.garmin.resources import GarminSourceResource
from fitness_platform.defs.garmin.tables import garmin_activities, garmin_daily
from fitness_platform.defs.resources import LakeResource
from fitness_platform.garmin.client import GarminClient, newest_first
from fitness_platform.storage.io_manager import ParquetIOManager

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NOW_ISO = "2025-03-12T12:00:00Z"
GARMIN_ASSETS = [garmin_raw_activities, garmin_activities, garmin_daily, garmin_silver_checks]


class FakeGarminClient:
    """A :class:`GarminClient` over a fixed list of activities; counts its calls."""

    def __init__(self, activities: list[Any]) -> None:
        self.activities = activities
        self.calls: list[int] = []

    def recent_activities(self, limit: int) -> list[dict[str, Any]]:
        """The ``limit`` newest activities, as Garmin's search returns them."""
        self.calls.append(limit)
        dicts = [a for a in self.activities if isinstance(a, dict)]
        others = [a for a in self.activities if not isinstance(a, dict)]
        return [*newest_first(dicts), *others][:limit]


class FakeGarminSource(GarminSourceResource):
    """The Garmin resource with its client replaced by a fake built from JSON config."""

    fake_activities_json: str = "[]"

    def client(self) -> GarminClient:
        """A fresh fake client over the configured activities."""
        return FakeGarminClient(json.loads(self.fake_activities_json))


def resources(
    root: str, garmin: GarminSourceResource, endpoint_url: str | None = None
) -> dict[str, object]:
    """The resources the Garmin assets need, for a lake at ``root``."""
    return {
        "garmin": garmin,
        "lake": LakeResource(root=root, endpoint_url=endpoint_url),
        "io_manager": ParquetIOManager(base_dir=root, endpoint_url=endpoint_url),
    }


def materialization_metadata(
    result: dg.ExecuteInProcessResult, key: dg.AssetKey = RAW_ACTIVITIES_KEY
) -> dict[str, Any]:
    """The plain metadata values of the (single) materialisation of ``key`` in a run."""
    events = [
        m for m in result.get_asset_materialization_events() if m.materialization.asset_key == key
    ]
    assert len(events) == 1, f"expected one materialisation of {key}, got {len(events)}"
    return {name: value.value for name, value in events[0].materialization.metadata.items()}


def check_outcomes(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    """``{check_name: passed}`` of every asset check evaluated in a run."""
    return {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
