"""The daily Garmin schedule and the job it starts."""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg

from fitness_platform.definitions import build_definitions
from fitness_platform.defs.garmin.raw import RAW_ACTIVITIES_KEY
from fitness_platform.defs.garmin.resources import GarminSourceResource
from fitness_platform.defs.garmin.schedules import garmin_daily_schedule, garmin_job
from fitness_platform.defs.garmin.tables import GOLD_KEY, SILVER_KEY
from fitness_platform.settings import load_settings


def test_schedule_runs_the_garmin_job_daily_at_noon_utc() -> None:
    assert garmin_daily_schedule.cron_schedule == "0 12 * * *"
    assert garmin_daily_schedule.execution_timezone == "UTC"
    assert garmin_daily_schedule.job_name == garmin_job.name == "garmin_job"


def test_run_request_is_keyed_by_the_scheduled_day() -> None:
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2025, 3, 12, 12, 0, tzinfo=UTC),
        resources={"garmin": GarminSourceResource(source_path="/exports")},
    )
    request = garmin_daily_schedule(context)
    assert isinstance(request, dg.RunRequest)
    assert request.run_key == "garmin-2025-03-12"
    assert request.tags["garmin/scheduled_date"] == "2025-03-12"


def test_schedule_skips_with_a_reason_when_no_source_is_configured() -> None:
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2025, 3, 12, 12, 0, tzinfo=UTC),
        resources={"garmin": GarminSourceResource()},
    )
    outcome = garmin_daily_schedule(context)
    assert isinstance(outcome, dg.SkipReason)
    assert "FITNESS_GARMIN_SOURCE" in (outcome.skip_message or "")


def test_code_location_has_the_garmin_job_over_the_three_assets_without_a_source() -> None:
    defs = build_definitions(load_settings({}))
    job = defs.resolve_job_def("garmin_job")
    keys = set(job.asset_layer.selected_asset_keys)
    assert {RAW_ACTIVITIES_KEY, SILVER_KEY, GOLD_KEY} <= keys
    assert all(key.path[-1].startswith(("raw_activities", "garmin_")) for key in keys)
    assert defs.resolve_schedule_def("garmin_daily_schedule").cron_schedule == "0 12 * * *"
    # The tracker's jobs do not pull the Garmin assets in.
    refresh = defs.resolve_job_def("tracker_refresh_job").asset_layer.selected_asset_keys
    assert not {RAW_ACTIVITIES_KEY, SILVER_KEY, GOLD_KEY} & set(refresh)
    for key in (RAW_ACTIVITIES_KEY, SILVER_KEY, GOLD_KEY):
        spec = defs.resolve_assets_def(key).specs_by_key[key]
        assert spec.group_name == "garmin" and spec.owners and spec.description and spec.kinds
