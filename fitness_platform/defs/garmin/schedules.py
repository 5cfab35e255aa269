"""The Garmin job and its daily schedule (12:00 UTC); the same job serves on-demand runs."""

import dagster as dg

from fitness_platform.defs.garmin.resources import NOT_CONFIGURED, GarminSourceResource

GARMIN_CRON = "0 12 * * *"

garmin_job = dg.define_asset_job(
    name="garmin_job",
    selection=dg.AssetSelection.groups("garmin"),
    description="Pull recent Garmin activities to bronze, rebuild silver and gold with checks.",
)


@dg.schedule(
    job=garmin_job,
    cron_schedule=GARMIN_CRON,
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
def garmin_daily_schedule(
    context: dg.ScheduleEvaluationContext, garmin: GarminSourceResource
) -> dg.RunRequest | dg.SkipReason:
    """Daily Garmin pull at 12:00 UTC; skipped with a reason while no source is configured."""
    if not garmin.configured:
        return dg.SkipReason(NOT_CONFIGURED)
    day = context.scheduled_execution_time.strftime("%Y-%m-%d")
    return dg.RunRequest(run_key=f"garmin-{day}", tags={"garmin/scheduled_date": day})
