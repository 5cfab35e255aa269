"""``fitness-platform run``: the headless main job, incremental, in one process.

It lists the raw root, registers a dynamic partition for every tracker file, ingests the new
or changed ones in one bronze run, then materialises silver and gold (and their checks) in a
second in-process run. The same Definitions serve ``dagster dev``; only the launcher differs.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import dagster as dg
import pyarrow.compute as pc
from sqlalchemy.exc import IntegrityError

from fitness_platform.definitions import build_definitions, build_resources
from fitness_platform.defs.alerts.messages import publish_alerts, run_alerts
from fitness_platform.defs.tracker.partitions import RAW_FILE_PARTITIONS
from fitness_platform.ml.specs import MIN_HISTORY_DAYS
from fitness_platform.settings import Settings
from fitness_platform.storage.lake import Lake
from fitness_platform.storage.parquet import read_table
from fitness_platform.storage.raw_files import RawListing, list_raw_files
from fitness_platform.tracker.ingestion import Ledger, load_ledger

if TYPE_CHECKING:
    from dagster_shared.error import SerializableErrorInfo

QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"
TRACKER_TABLES = (
    "bronze/fitness_logs",
    "bronze/fitness_rejects",
    "silver/daily_activity",
    "silver/fitness_rejects",
    "gold/fact_daily",
    "gold/dim_user",
    "gold/dim_date",
    "gold/dim_activity",
    "gold/fact_predictions",
)


@dataclass
class RunSummary:
    """What one ``fitness-platform run`` did, for printing and for the exit code."""

    files_seen: int = 0
    files_ingested: list[str] = field(default_factory=list)
    skipped_objects: list[tuple[str, str]] = field(default_factory=list)
    failed_files: list[str] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)
    warned_checks: list[str] = field(default_factory=list)
    check_reasons: dict[str, str] = field(default_factory=dict)
    not_materialized: list[str] = field(default_factory=list)
    alerts_sent: int = 0
    alert_errors: list[str] = field(default_factory=list)
    table_rows: dict[str, int] = field(default_factory=dict)
    rejects_by_reason: dict[str, int] = field(default_factory=dict)
    refreshed: bool = False
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        """Non-zero when a file, a step or a blocking check failed in this run."""
        return 1 if (self.failed_files or self.failed_steps or self.failed_checks) else 0


def open_instance() -> dg.DagsterInstance:
    """The instance under ``DAGSTER_HOME`` when set (runs show in the UI), else ephemeral."""
    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def _partition_range(instance: dg.DagsterInstance, keys: list[str]) -> dict[str, str]:
    """Run tags that cover ``keys`` with one contiguous range of the dynamic partitions.

    Unchanged files inside the range are skipped by bronze through the ledger, so one run
    covers a burst of files without re-ingesting anything.
    """
    ordered = instance.get_dynamic_partitions(RAW_FILE_PARTITIONS.name)
    positions = sorted(ordered.index(key) for key in keys)
    return {RANGE_START: ordered[positions[0]], RANGE_END: ordered[positions[-1]]}


def _check_reason(evaluation: dg.AssetCheckEvaluation) -> str:
    counts = {
        key: getattr(evaluation.metadata.get(key), "value", None)
        for key in ("rows_failing", "rows_checked")
    }
    severity = evaluation.severity.value + (", blocking" if evaluation.blocking else "")
    rows = (
        f"{counts['rows_failing']:,} of {counts['rows_checked']:,} rows failing; "
        if all(isinstance(v, int) for v in counts.values())
        else ""
    )
    return f"({severity}) {rows}{evaluation.description or 'no reason given'}"


def _step_error_text(error: SerializableErrorInfo) -> str:
    """The first line of a step's error, with the error a RetryPolicy gave up on.

    After the last retry Dagster reports only "Exceeded max_retries of 3"; the step's own error
    (which names the object or service that failed) is its cause.
    """
    message = error.message.strip().splitlines()[0]
    if error.cls_name == "RetryRequestedFromPolicy" and error.cause is not None:
        message += f" (last error: {error.cause.message.strip().splitlines()[0]})"
    return message


def _collect_failures(result: dg.ExecuteInProcessResult, summary: RunSummary) -> None:
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.STEP_FAILURE:
            error = event.step_failure_data.error
            message = _step_error_text(error) if error else "unknown error"
            summary.failed_steps.append(f"{event.step_key}: {message}")
        if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if evaluation.passed:
                continue
            name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
            summary.check_reasons[name] = _check_reason(evaluation)
            if evaluation.severity == dg.AssetCheckSeverity.ERROR:
                summary.failed_checks.append(name)
            else:
                summary.warned_checks.append(name)


def _collect_not_materialized(
    instance: dg.DagsterInstance, run_id: str, summary: RunSummary
) -> None:
    """Assets the run planned but never materialised (held back by a failure or a gate).

    A step stopped by a failed upstream step or blocking check emits no event of its own.
    """
    planned = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED)
    done = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)

    def keys(records: Sequence[dg.EventLogEntry]) -> set[str]:
        return {
            r.dagster_event.asset_key.to_user_string()
            for r in records
            if r.dagster_event and r.dagster_event.asset_key
        }

    summary.not_materialized.extend(sorted(keys(planned) - keys(done)))


def _send_alerts(
    instance: dg.DagsterInstance, run_id: str, settings: Settings, summary: RunSummary
) -> None:
    """Publish the run's alerts (failed ERROR checks, run failure); never fails the run."""
    messages = run_alerts(instance, run_id)
    if not messages:
        return
    try:
        publish_alerts(build_resources(settings)["alerts"], messages)
        summary.alerts_sent += len(messages)
    except Exception as error:  # an unreachable topic must not hide the run's own outcome
        summary.alert_errors.append(f"{type(error).__name__}: {error}")


def register_partitions(instance: dg.DagsterInstance, keys: list[str]) -> None:
    """Add dynamic partitions; another process registering the same keys at once is fine.

    The instance checks for existing keys and then inserts, so two runs started together can
    both try to insert one key; the loser sees a uniqueness error and adds what is left.
    """
    try:
        instance.add_dynamic_partitions(RAW_FILE_PARTITIONS.name, keys)
    except IntegrityError:
        known = set(instance.get_dynamic_partitions(RAW_FILE_PARTITIONS.name))
        remaining = [key for key in keys if key not in known]
        if remaining:
            instance.add_dynamic_partitions(RAW_FILE_PARTITIONS.name, remaining)


def _has_job(defs: dg.Definitions, name: str) -> bool:
    """Whether the code location defines a job (a trimmed location may leave ML out)."""
    return any(job.name == name for job in defs.jobs or ())


def _gold_days(lake: Lake) -> int:
    """Calendar days spanned by gold (rows of dim_date), 0 before gold exists."""
    path = lake.path("gold/dim_date.parquet")
    return read_table(path).num_rows if path.exists() else 0


def _tables_exist(lake: Lake) -> bool:
    return all(lake.path(f"{t}.parquet").exists() for t in ("gold/fact_daily", "gold/dim_date"))


def _read_summary(lake: Lake, summary: RunSummary) -> None:
    for table in TRACKER_TABLES:
        path = lake.path(table if table.startswith("bronze/") else f"{table}.parquet")
        if table.startswith("bronze/"):
            summary.table_rows[table] = sum(
                read_table(lake.path(key)).num_rows for key in lake.list(table, suffix=".parquet")
            )
            continue
        if path.exists():
            summary.table_rows[table] = read_table(path).num_rows
    reasons: Counter[str] = Counter()
    for key in lake.list("bronze/fitness_rejects", suffix=".parquet"):
        reasons.update(read_table(lake.path(key)).column("reason").to_pylist())
    silver_rejects = lake.path("silver/fitness_rejects.parquet")
    if silver_rejects.exists():
        counts = pc.value_counts(read_table(silver_rejects).column("reason")).to_pylist()
        reasons.update({c["values"]: c["counts"] for c in counts})
    summary.rejects_by_reason = dict(sorted(reasons.items()))


def run_tracker(
    settings: Settings,
    *,
    instance: dg.DagsterInstance | None = None,
    echo: Callable[[str], None] = print,
    ml: bool = True,
) -> RunSummary:
    """Ingest new or changed raw files, refresh silver and gold, then (``ml``) the models and
    predictions when gold is fresh and its gates passed. Builds what it can."""
    started = time.perf_counter()
    defs = build_definitions(settings)
    instance = instance or open_instance()
    lake = Lake(settings.lake_root, settings.storage_options)
    raw_options = settings.storage_options if settings.raw_root.startswith("s3://") else {}
    listing: RawListing = list_raw_files(
        Lake(settings.raw_root, raw_options), max_bytes=settings.max_file_mb * 1024 * 1024
    )
    ledger: Ledger = load_ledger(lake)
    pending = ledger.pending(listing.files)
    summary = RunSummary(files_seen=len(listing.files), skipped_objects=listing.skipped)
    for key, why in listing.skipped:
        echo(f"skipped {key}: {why}")

    known = set(instance.get_dynamic_partitions(RAW_FILE_PARTITIONS.name))
    new_keys = sorted({raw.partition_key for raw in listing.files} - known)
    if new_keys:
        register_partitions(instance, new_keys)

    if pending:
        echo(f"ingesting {len(pending)} new or changed file(s) of {len(listing.files)}")
        tags = _partition_range(instance, [raw.partition_key for raw in pending])
        result = defs.resolve_job_def("tracker_bronze_job").execute_in_process(
            instance=instance, tags=tags, raise_on_error=False, run_config=QUIET
        )
        _collect_failures(result, summary)
        _collect_not_materialized(instance, result.run_id, summary)
        _send_alerts(instance, result.run_id, settings, summary)
        summary.files_ingested = [raw.relative_path for raw in pending]
        after = load_ledger(lake)
        summary.failed_files = [
            f"{e.source_file}: {e.reason}"
            for e in after.failed()
            if e.source_file in set(summary.files_ingested)
        ]

    if pending or not _tables_exist(lake):
        result = defs.resolve_job_def("tracker_refresh_job").execute_in_process(
            instance=instance, raise_on_error=False, run_config=QUIET
        )
        _collect_failures(result, summary)
        _collect_not_materialized(instance, result.run_id, summary)
        _send_alerts(instance, result.run_id, settings, summary)
        summary.refreshed = True
    else:
        echo("no new or changed raw files; silver and gold are up to date")

    gates_passed = not (summary.failed_steps or summary.failed_checks)
    predictions_missing = not lake.path("gold/fact_predictions.parquet").exists()
    history_days = _gold_days(lake)
    if ml and history_days < MIN_HISTORY_DAYS:
        echo(
            f"ML: skipped (gold spans {history_days} day(s); the 30-day targets need at least "
            f"{MIN_HISTORY_DAYS} for a time split with a test period)"
        )
    elif (
        ml
        and gates_passed
        and _has_job(defs, "ml_refresh_job")
        and (summary.refreshed or predictions_missing)
    ):
        echo("training or reusing the ML models and writing gold/fact_predictions")
        result = defs.resolve_job_def("ml_refresh_job").execute_in_process(
            instance=instance, raise_on_error=False, run_config=QUIET
        )
        _collect_failures(result, summary)
        _collect_not_materialized(instance, result.run_id, summary)
        _send_alerts(instance, result.run_id, settings, summary)

    _read_summary(lake, summary)
    summary.seconds = time.perf_counter() - started
    return summary


def print_summary(summary: RunSummary, echo: Callable[[str], None] = print) -> None:
    """Rows per table, rejects by reason, failures and wall time, as a person reads them."""
    echo("")
    echo("table                        rows")
    for table, rows in summary.table_rows.items():
        echo(f"  {table:<26} {rows:>10,}")
    if summary.rejects_by_reason:
        echo("rejects by reason")
        for reason, count in summary.rejects_by_reason.items():
            echo(f"  {reason:<40} {count:>8,}")
    for label, items in (
        ("FAILED FILE", summary.failed_files),
        ("FAILED STEP", summary.failed_steps),
    ):
        for item in items:
            echo(f"{label}: {item}")
    for label, checks in (
        ("FAILED CHECK", summary.failed_checks),
        ("WARN CHECK", summary.warned_checks),
    ):
        for name in checks:
            echo(f"{label}: {name} {summary.check_reasons.get(name, '')}".rstrip())
    if summary.not_materialized:
        echo(f"NOT MATERIALISED (blocked or failed): {', '.join(summary.not_materialized)}")
    for error in summary.alert_errors:
        echo(f"ALERT NOT SENT: {error}")
    status = "ok" if summary.exit_code == 0 else "FAILED"
    echo(
        f"{status}: {len(summary.files_ingested)} file(s) ingested of {summary.files_seen} "
        f"seen in {summary.seconds:.1f} s"
    )
