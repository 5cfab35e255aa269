"""Sensors that alert on failed runs and on failed ERROR-severity asset checks.

Runs launched from the UI, by schedules, sensors or automation are watched here. A run that
fails publishes a run alert plus one alert per failed ERROR check; a run that succeeds yet
holds a failed ERROR check (a non-blocking one) publishes that check's alert.
"""

import dagster as dg

from fitness_platform.aws.sns import SNSAlertsResource
from fitness_platform.defs.alerts.messages import publish_alerts, run_alerts


@dg.run_failure_sensor(
    name="run_failure_alerts",
    description="Publishes an SNS alert for each failed run and its failed ERROR checks.",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def run_failure_alerts(context: dg.RunFailureSensorContext, alerts: SNSAlertsResource) -> None:
    """Alert on a failed run: its failed ERROR checks first, then the run failure itself."""
    messages = run_alerts(context.instance, context.dagster_run.run_id)
    ids = publish_alerts(alerts, messages)
    context.log.info(f"run {context.dagster_run.run_id}: {len(ids)} alert(s) sent")


@dg.run_status_sensor(
    name="check_failure_alerts",
    run_status=dg.DagsterRunStatus.SUCCESS,
    description="Publishes an SNS alert for each failed ERROR check of a run that succeeded.",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def check_failure_alerts(context: dg.RunStatusSensorContext, alerts: SNSAlertsResource) -> None:
    """Alert on failed ERROR checks of a successful run (non-blocking checks don't fail it)."""
    messages = run_alerts(context.instance, context.dagster_run.run_id)
    if messages:
        publish_alerts(alerts, messages)
        context.log.info(f"run {context.dagster_run.run_id}: {len(messages)} check alert(s) sent")
