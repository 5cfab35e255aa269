"""The WOD part of ``fitness-platform run``: materialise the WOD assets in process.

It runs only when a WordPress site is configured (``FITNESS_WORDPRESS_URL``); otherwise it
says that it skipped them. On success it publishes the completion summary itself (no sensor
runs in process) and tags the run so that a daemon's sensor does not send it again; on failure
it publishes the platform's run and check alerts, as the tracker runner does.
"""

from collections.abc import Callable
from typing import Any

import dagster as dg

from fitness_platform.definitions import build_definitions, build_resources
from fitness_platform.defs.alerts.messages import publish_alerts, run_alerts
from fitness_platform.defs.wod.jobs import wod_job
from fitness_platform.defs.wod.notify import INLINE, NOTIFY_TAG, publish_summary
from fitness_platform.settings import Settings

SKIPPED = "WOD: skipped (FITNESS_WORDPRESS_URL not set)"
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def _failures(result: dg.ExecuteInProcessResult) -> list[str]:
    failures = []
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.STEP_FAILURE:
            error = event.step_failure_data.error
            message = error.message.strip().splitlines()[0] if error else "unknown error"
            failures.append(f"step {event.step_key}: {message}")
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
                key = evaluation.asset_key.to_user_string()
                failures.append(f"check {key}:{evaluation.check_name}")
    return failures


def run_wod(
    settings: Settings,
    instance: dg.DagsterInstance | None = None,
    echo: Callable[[str], None] = print,
) -> tuple[int, dict[str, Any]]:
    """Materialise the WOD assets when a WordPress URL is configured.

    Args:
        settings: Validated platform settings.
        instance: The Dagster instance to record the run in (ephemeral when ``None``).
        echo: Where progress lines go.

    Returns:
        ``(exit_code, counts)``: 0 and the run's counts (posts fetched/written/updated/skipped,
        sessions, rejects, weeks, weeks written, DynamoDB items written...) on success; 1 when
        a step or an ERROR check failed, or the summary could not be published; ``(0, {})``
        when no WordPress URL is configured.
    """
    if not settings.wordpress_base_url:
        echo(SKIPPED)
        return 0, {}
    instance = instance or dg.DagsterInstance.ephemeral()
    resources = build_resources(settings)
    job = build_definitions(settings).resolve_job_def(wod_job.name)
    echo(f"WOD: fetching posts from {settings.wordpress_base_url}")
    result = job.execute_in_process(
        instance=instance, raise_on_error=False, run_config=QUIET, tags={NOTIFY_TAG: INLINE}
    )
    failures = _failures(result)
    if not result.success or failures:
        for failure in failures or ["run failed"]:
            echo(f"WOD FAILED {failure}")
        messages = run_alerts(instance, result.run_id)
        try:
            publish_alerts(resources["alerts"], messages)  # type: ignore[arg-type]
        except Exception as error:  # an unreachable topic must not hide the run's own outcome
            echo(f"WOD: alerts could not be published: {type(error).__name__}: {error}")
        return 1, {"failures": failures}
    try:
        message_id, counts = publish_summary(
            resources["alerts"],  # type: ignore[arg-type]
            instance,
            result.run_id,
        )
    except Exception as error:  # the data is written; report the lost notification plainly
        echo(f"WOD: the summary notification failed: {type(error).__name__}: {error}")
        return 1, {"failures": [f"notification: {error}"]}
    weeks = counts["weeks_written"]
    echo(
        f"WOD: {counts['posts_fetched']} post(s) fetched, {counts['posts_written']} new, "
        f"{counts['posts_updated']} updated; {counts['sessions']} session(s) in silver, "
        f"{counts['dynamodb_items_written']} DynamoDB item(s) upserted; {len(weeks)} week(s) "
        f"written; summary {'published' if message_id else 'logged (no SNS topic)'}"
    )
    return 0, counts
