"""The WOD job and its weekly schedule (Sunday 18:00 UTC); on demand, launch ``wod_job``."""

import dagster as dg

from fitness_platform.defs.wod.common import WOD_ASSETS
from fitness_platform.defs.wod.resources import NOT_CONFIGURED, WordPressResource

WOD_CRON = "0 18 * * 0"

wod_job = dg.define_asset_job(
    name="wod_job",
    selection=dg.AssetSelection.assets(*WOD_ASSETS),
    description="Pull the WordPress WOD posts, parse them into sessions, upsert them into "
    "DynamoDB and summarise the weeks; a summary is published to SNS when the run succeeds.",
)


@dg.schedule(
    name="wod_weekly_schedule",
    job=wod_job,
    cron_schedule=WOD_CRON,
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every Sunday at 18:00 UTC, after the next week's programme is posted.",
)
def wod_weekly_schedule(
    context: dg.ScheduleEvaluationContext, wordpress: WordPressResource
) -> dg.RunRequest | dg.SkipReason:
    """Request the WOD run of this tick, or skip when no WordPress site is configured."""
    if not wordpress.configured:
        return dg.SkipReason(NOT_CONFIGURED)
    tick = context.scheduled_execution_time
    return dg.RunRequest(run_key=tick.isoformat() if tick else None)
