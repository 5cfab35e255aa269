"""The Garmin part of ``fitness-platform run``: the Garmin job in process, when configured.

With ``FITNESS_GARMIN_SOURCE`` (a folder or ``s3://`` prefix of exports) or
``FITNESS_GARMIN_API=1`` it materialises ``bronze/garmin/raw_activities``,
``silver/garmin_activities`` and ``gold/garmin_daily`` with their checks, using the same
Definitions as ``dagster dev``; ``FITNESS_GARMIN_LIMIT`` and ``FITNESS_GARMIN_DAYS_BACK`` become
the raw asset's run config. Without either it says so and does nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dagster as dg

from fitness_platform.definitions import build_definitions
from fitness_platform.defs.garmin.raw import RAW_ACTIVITIES_KEY, garmin_raw_activities
from fitness_platform.defs.garmin.schedules import garmin_job
from fitness_platform.defs.garmin.tables import GOLD_KEY, SILVER_KEY
from fitness_platform.runner import QUIET, open_instance
from fitness_platform.settings import Settings

SKIPPED_MESSAGE = "Garmin: skipped (no FITNESS_GARMIN_SOURCE and FITNESS_GARMIN_API unset)"
RAW_COUNTS = ("fetched", "in_window", "written", "skipped", "failed", "source_file_failures")


def garmin_configured(settings: Settings) -> bool:
    """Whether a Garmin source (export files or the Garmin Connect API) is configured."""
    return bool(settings.garmin_source_path) or settings.garmin_use_api


def garmin_run_config(settings: Settings) -> dict[str, Any]:
    """Run config of the Garmin job: quiet console logs and the pull window from settings."""
    pull = {"limit": settings.garmin_limit, "days_back": settings.garmin_days_back}
    return {**QUIET, "ops": {garmin_raw_activities.op.name: {"config": pull}}}


def _value(metadata: dict[str, Any], key: str) -> Any:
    entry = metadata.get(key)
    return getattr(entry, "value", entry)


def _read_result(
    result: dg.ExecuteInProcessResult,
) -> tuple[dict[str, int], list[dict[str, str]], list[str], list[str]]:
    counts: dict[str, int] = {}
    failures: list[dict[str, str]] = []
    failed_steps: list[str] = []
    failed_checks: list[str] = []
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
            materialization = event.event_specific_data.materialization
            metadata = dict(materialization.metadata)
            if materialization.asset_key == RAW_ACTIVITIES_KEY:
                counts.update({name: int(_value(metadata, name)) for name in RAW_COUNTS})
                failures.extend(_value(metadata, "failures") or [])
            for key, name in ((SILVER_KEY, "silver_rows"), (GOLD_KEY, "gold_rows")):
                if materialization.asset_key == key:
                    counts[name] = int(_value(metadata, "dagster/row_count"))
        elif event.event_type == dg.DagsterEventType.STEP_FAILURE:
            error = event.step_failure_data.error
            message = error.message.strip().splitlines()[0] if error else "unknown error"
            failed_steps.append(f"{event.step_key}: {message}")
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
                failed_checks.append(
                    f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
                )
    return counts, failures, failed_steps, failed_checks


def run_garmin(
    settings: Settings,
    instance: dg.DagsterInstance | None = None,
    echo: Callable[[str], None] = print,
) -> tuple[int, dict[str, int]]:
    """Materialise the Garmin assets in process when a Garmin source is configured.

    Args:
        settings: validated platform settings.
        instance: the Dagster instance to record the run in (``DAGSTER_HOME`` or ephemeral
            when not given).
        echo: where the summary lines go.

    Returns:
        ``(exit_code, counts)``: the exit code is 1 when a step, a blocking check or the
        storing of an activity failed, else 0; ``counts`` holds fetched, in_window, written,
        skipped, failed and source_file_failures of the raw asset and silver_rows /
        gold_rows. ``(0, {})`` when no Garmin source is configured.
    """
    if not garmin_configured(settings):
        echo(SKIPPED_MESSAGE)
        return 0, {}
    defs = build_definitions(settings)
    result = defs.resolve_job_def(garmin_job.name).execute_in_process(
        instance=instance or open_instance(),
        run_config=garmin_run_config(settings),
        raise_on_error=False,
    )
    counts, failures, failed_steps, failed_checks = _read_result(result)
    if "written" in counts:
        echo(
            f"Garmin: {counts['fetched']} fetched, {counts['in_window']} in the last "
            f"{settings.garmin_days_back} day(s); {counts['written']} written, "
            f"{counts['skipped']} skipped, {counts['failed']} failed"
        )
    if counts.get("source_file_failures"):
        echo(f"Garmin: {counts['source_file_failures']} source file(s) could not be read")
    tables = [
        (name, counts[key])
        for name, key in (
            ("silver/garmin_activities", "silver_rows"),
            ("gold/garmin_daily", "gold_rows"),
        )
        if key in counts
    ]
    if tables:
        echo("Garmin: " + ", ".join(f"{name} {rows:,} rows" for name, rows in tables))
    for failure in failures:
        echo(f"FAILED ACTIVITY: {failure.get('activity')}: {failure.get('reason')}")
    for label, items in (("FAILED STEP", failed_steps), ("FAILED CHECK", failed_checks)):
        for item in items:
            echo(f"{label}: {item}")
    failed = bool(failed_steps or failed_checks or counts.get("failed"))
    return (1 if failed else 0), counts
