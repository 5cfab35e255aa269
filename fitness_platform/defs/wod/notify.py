"""The WOD completion notification: weeks, sessions and rest days written, published to SNS.

A run-status sensor publishes it when ``wod_job`` succeeds. ``fitness-platform run`` executes
the job in process (no daemon, so no sensor) and publishes the same summary itself; it tags its
runs with :data:`NOTIFY_TAG` = ``inline`` so that a daemon watching the same instance does not
send it twice. Failed runs are alerted by the platform's run-failure alerting where it exists;
they are always in the run's event log.
"""

from collections.abc import Mapping
from typing import Any

import dagster as dg

from fitness_platform.aws.sns import SNSAlertsResource, sns_subject
from fitness_platform.defs.wod.common import RAW_POSTS, SESSIONS, SESSIONS_DYNAMODB, WEEKLY
from fitness_platform.defs.wod.jobs import wod_job

NOTIFY_TAG = "fitness_platform/wod_notification"
INLINE = "inline"

RunMetadata = dict[str, dict[str, Any]]


def run_metadata(instance: dg.DagsterInstance, run_id: str) -> RunMetadata:
    """The materialisation metadata of one run, as plain values by asset key (``a/b``)."""
    records = instance.get_records_for_run(
        run_id=run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
    ).records
    found: RunMetadata = {}
    for record in records:
        materialization = record.asset_materialization
        if materialization is None:
            continue
        found[materialization.asset_key.to_user_string()] = {
            name: getattr(value, "value", value) for name, value in materialization.metadata.items()
        }
    return found


def summary_counts(metadata: RunMetadata) -> dict[str, Any]:
    """The numbers of a WOD run, for the notification and for ``fitness-platform run``."""
    bronze = metadata.get(RAW_POSTS.to_user_string(), {})
    silver = metadata.get(SESSIONS.to_user_string(), {})
    serving = metadata.get(SESSIONS_DYNAMODB.to_user_string(), {})
    gold = metadata.get(WEEKLY.to_user_string(), {})
    weeks = list(silver.get("weeks_written", []))
    return {
        "posts_fetched": bronze.get("posts_fetched", 0),
        "posts_written": bronze.get("posts_written", 0),
        "posts_updated": bronze.get("posts_updated", 0),
        "posts_skipped": bronze.get("posts_skipped", 0),
        "posts_rejected": bronze.get("posts_rejected", 0),
        "sessions": silver.get("dagster/row_count", 0),
        "rejects": silver.get("rejects", 0),
        "weeks": gold.get("dagster/row_count", 0),
        "weeks_written": weeks,
        "sessions_written": sum(int(w["sessions"]) for w in weeks),
        "rest_days_written": sum(int(w["rest_days"]) for w in weeks),
        "dynamodb_table": serving.get("table"),
        "dynamodb_items_written": serving.get("items_written", 0),
    }


def format_summary(run_id: str, counts: Mapping[str, Any]) -> tuple[str, str]:
    """Subject and body of the notification, listing each week written."""
    weeks = counts["weeks_written"]
    subject = sns_subject(
        f"[fitness_platform] WOD run complete: {len(weeks)} week(s), "
        f"{counts['sessions_written']} session(s), {counts['rest_days_written']} rest day(s)"
    )
    lines = [
        f"The WOD run {run_id} succeeded.",
        "",
        f"Posts: {counts['posts_fetched']} fetched, {counts['posts_written']} new, "
        f"{counts['posts_updated']} updated, {counts['posts_skipped']} unchanged, "
        f"{counts['posts_rejected']} not stored.",
        f"Sessions in silver: {counts['sessions']} ({counts['rejects']} reject(s)); "
        f"weeks in gold: {counts['weeks']}.",
        f"DynamoDB {counts['dynamodb_table']}: {counts['dynamodb_items_written']} item(s) "
        "upserted.",
        "",
    ]
    if weeks:
        lines.append("Weeks written (new or changed):")
        lines += [
            f"  {w['week_start']} to {w['week_end']}: {w['sessions']} session(s), "
            f"{w['rest_days']} rest day(s)"
            for w in weeks
        ]
    else:
        lines.append("Weeks written: none (no new or changed sessions).")
    return subject, "\n".join(lines)


def publish_summary(
    alerts: SNSAlertsResource, instance: dg.DagsterInstance, run_id: str
) -> tuple[str | None, dict[str, Any]]:
    """Publish the summary of ``run_id``; returns the SNS message id (None: logged) and counts."""
    counts = summary_counts(run_metadata(instance, run_id))
    subject, body = format_summary(run_id, counts)
    attributes = {"domain": "wod", "run_id": run_id, "weeks": len(counts["weeks_written"])}
    return alerts.publish(subject, body, attributes=attributes), counts


@dg.run_status_sensor(
    name="wod_success_notification",
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[wod_job],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Publishes the WOD summary (weeks, sessions, rest days written) to SNS when "
    "wod_job succeeds.",
)
def wod_success_notification(
    context: dg.RunStatusSensorContext, alerts: SNSAlertsResource
) -> dg.SkipReason | None:
    """Publish the summary of the succeeded WOD run, unless its launcher already did."""
    run = context.dagster_run
    if run.tags.get(NOTIFY_TAG) == INLINE:
        return dg.SkipReason(f"run {run.run_id} published its own summary")
    message_id, _ = publish_summary(alerts, context.instance, run.run_id)
    context.log.info(f"WOD summary of run {run.run_id} published ({message_id or 'logged only'})")
    return None
