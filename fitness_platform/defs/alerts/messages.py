"""Alert messages built from a run's event log, shared by the sensors and the headless runner.

A run's failed ERROR-severity checks and its failure are read back from the Dagster instance,
so the same alerts go out whether the run was launched by ``dagster dev`` (through the
sensors) or by ``fitness-platform run`` (which executes in-process, where no sensor runs).
"""

import logging

import dagster as dg

from fitness_platform.aws.sns import SNSAlertsResource, format_check_alert, format_run_failure_alert

logger = logging.getLogger("fitness_platform.alerts")

PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
Alert = tuple[str, str]


def failed_error_checks(instance: dg.DagsterInstance, run_id: str) -> list[dg.AssetCheckEvaluation]:
    """Every check evaluation of the run that failed with severity ERROR, in event order."""
    records = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    evaluations = [r.dagster_event.event_specific_data for r in records if r.dagster_event]
    return [
        e
        for e in evaluations
        if isinstance(e, dg.AssetCheckEvaluation)
        and not e.passed
        and e.severity == dg.AssetCheckSeverity.ERROR
    ]


def run_partition(run: dg.DagsterRun) -> str | None:
    """The partition (or partition range) a run covered, from its tags."""
    if PARTITION_TAG in run.tags:
        return run.tags[PARTITION_TAG]
    start, end = run.tags.get(RANGE_START_TAG), run.tags.get(RANGE_END_TAG)
    if start and end:
        return start if start == end else f"{start}...{end}"
    return None


def _int_metadata(evaluation: dg.AssetCheckEvaluation, key: str) -> int | None:
    value = evaluation.metadata.get(key)
    raw = getattr(value, "value", value)
    return raw if isinstance(raw, int) and not isinstance(raw, bool) else None


def check_alert(evaluation: dg.AssetCheckEvaluation, run: dg.DagsterRun) -> Alert:
    """Subject and body for one failed check: asset, check, partition, counts, run, reason."""
    reason = evaluation.description
    if not reason and "reason" in evaluation.metadata:
        reason = str(getattr(evaluation.metadata["reason"], "value", ""))
    return format_check_alert(
        evaluation.asset_key,
        evaluation.check_name,
        evaluation.partition or run_partition(run),
        _int_metadata(evaluation, "rows_checked"),
        _int_metadata(evaluation, "rows_failing"),
        run.run_id,
        reason,
    )


def run_failure_alert(instance: dg.DagsterInstance, run: dg.DagsterRun) -> Alert:
    """Subject and body for a failed run: job, run id, the first failing step and its error."""
    step: str | None = None
    error: str | None = None
    for record in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE):
        event = record.dagster_event
        if event is None:
            continue
        step = event.step_key
        failure = event.step_failure_data.error if event.step_failure_data else None
        error = failure.message if failure else event.message
        break
    if error is None:
        failures = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
        error = (
            failures[-1].dagster_event.message if failures and failures[-1].dagster_event else None
        )
    return format_run_failure_alert(run.job_name, run.run_id, step, error)


def run_alerts(
    instance: dg.DagsterInstance, run_id: str, *, include_checks: bool = True
) -> list[Alert]:
    """Alerts a finished run calls for: one per failed ERROR check, one if the run failed."""
    run = instance.get_run_by_id(run_id)
    if run is None:
        return []
    alerts = (
        [check_alert(e, run) for e in failed_error_checks(instance, run_id)]
        if include_checks
        else []
    )
    if run.status == dg.DagsterRunStatus.FAILURE:
        alerts.append(run_failure_alert(instance, run))
    return alerts


def publish_alerts(alerts: SNSAlertsResource, messages: list[Alert]) -> list[str | None]:
    """Publish each alert; returns the SNS message ids (None where it was only logged)."""
    return [alerts.publish(subject, body) for subject, body in messages]
