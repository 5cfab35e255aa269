"""Asset checks on every tracker table, and the freshness policy of gold.

One multi-asset check per layer loads its tables once and evaluates every rule of
:mod:`fitness_platform.tracker.quality` on them. Checks that can fail with ERROR severity are
blocking: a failure stops everything downstream in the same run (bronze and silver checks stop
gold, gold checks stop the ML assets). Schema drift is a non-blocking warning.

Schema checks read the physical schema of every stored Parquet file (the IO manager casts
tables to their SPEC schema when it loads them, so a loaded table would always look right).
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq

from fitness_platform.defs.metadata import markdown_preview
from fitness_platform.defs.resources import LakeResource
from fitness_platform.defs.tracker.policies import LAKE_RETRY
from fitness_platform.storage.lake import Lake
from fitness_platform.tracker import quality
from fitness_platform.tracker.ingestion import load_ledger
from fitness_platform.tracker.quality import FileRecords, QualityResult
from fitness_platform.tracker.schema import TABLE_KEYS, arrow_schema

GOLD_FRESHNESS_POLICY = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=48), warn_window=timedelta(hours=26)
)
"""Gold is expected daily: WARN after 26 hours without a materialisation, FAIL after 48."""

PER_FILE_ROWS_SHOWN = 25
COLUMN_SCHEMA_KEY = "dagster/column_schema"


@dataclass(frozen=True)
class CheckDef:
    """One asset check: the table it guards, its name, what it verifies, whether it blocks."""

    table: str
    name: str
    description: str
    blocking: bool = True
    reads: tuple[str, ...] = ()
    """Other tables the check reads besides ``table``."""

    @property
    def severity(self) -> str:
        """The severity it fails with (reject_rate fails WARN or ERROR by its bounds)."""
        if not self.blocking:
            return "WARN"
        return "WARN/ERROR" if self.name == "reject_rate" else "ERROR"

    def spec(self) -> dg.AssetCheckSpec:
        """The Dagster spec of this check."""
        return dg.AssetCheckSpec(
            name=self.name,
            asset=dg.AssetKey(self.table.split("/")),
            description=self.description,
            blocking=self.blocking,
            additional_deps=[dg.AssetKey(t.split("/")) for t in self.reads],
        )


def _common(table: str, keys: tuple[str, ...]) -> list[CheckDef]:
    return [
        CheckDef(table, "schema", "Every stored file has exactly the SPEC 1.6 columns and types."),
        CheckDef(table, "keys", f"Key columns never null; ({', '.join(keys)}) unique."),
        CheckDef(
            table,
            "schema_drift",
            "Columns added, removed or retyped since the previous run's materialisation.",
            blocking=False,
        ),
    ]


CHECKS: tuple[CheckDef, ...] = (
    *_common("bronze/fitness_logs", TABLE_KEYS["bronze/fitness_logs"]),
    CheckDef(
        "bronze/fitness_logs",
        "reconciliation",
        "Per file, row by row: every data record the ledger counted is in bronze rows or "
        "bronze rejects exactly once; a failed file has only its row-0 reject.",
        reads=("bronze/fitness_rejects",),
    ),
    *_common("bronze/fitness_rejects", TABLE_KEYS["bronze/fitness_rejects"]),
    CheckDef(
        "bronze/fitness_rejects",
        "reject_reasons",
        "stage is 'bronze' and every reason is from SPEC 1.2.",
    ),
    *_common("silver/daily_activity", TABLE_KEYS["silver/daily_activity"]),
    CheckDef(
        "silver/daily_activity",
        "values_in_range",
        "Every value inside its SPEC 1.3 range after cleaning; steps never 0.",
    ),
    CheckDef(
        "silver/daily_activity",
        "categories",
        "gender, activity_level, sleep_quality, bmi_category and weekday take allowed values.",
    ),
    CheckDef("silver/daily_activity", "ra30_days_range", "ra30_days is in 1..30."),
    CheckDef(
        "silver/daily_activity",
        "weight_change_30d_clamped",
        "weight_change_30d is in [-5, 5] kg (or null).",
    ),
    CheckDef(
        "silver/daily_activity",
        "reconciliation",
        "For each file and the run, row by row on (_source_file, _row_number) with anti-joins: "
        "ledger records = bronze rows + bronze rejects, and bronze rows = silver rows + silver "
        "rejects, each exactly once.",
        reads=("silver/fitness_rejects", "bronze/fitness_logs", "bronze/fitness_rejects"),
    ),
    CheckDef(
        "silver/daily_activity",
        "reject_rate",
        "Per source file, share of data records rejected (bronze rejects and silver rejects "
        "except duplicates): WARN above 1%, ERROR above 5% (configurable).",
        reads=("silver/fitness_rejects", "bronze/fitness_rejects"),
    ),
    *_common("silver/fitness_rejects", TABLE_KEYS["silver/fitness_rejects"]),
    CheckDef(
        "silver/fitness_rejects",
        "reject_reasons",
        "stage is 'silver' and every reason is from SPEC 1.3.",
    ),
    *_common("gold/fact_daily", TABLE_KEYS["gold/fact_daily"]),
    CheckDef(
        "gold/fact_daily",
        "referential_integrity",
        "Every user_id is in dim_user and every date_key in dim_date.",
        reads=("gold/dim_user", "gold/dim_date"),
    ),
    *_common("gold/dim_user", TABLE_KEYS["gold/dim_user"]),
    *_common("gold/dim_date", TABLE_KEYS["gold/dim_date"]),
    CheckDef(
        "gold/dim_date",
        "contiguous_dates",
        "Every calendar day from the first to the last date, once.",
    ),
    *_common("gold/dim_activity", TABLE_KEYS["gold/dim_activity"]),
)


def specs_for(*tables: str) -> list[dg.AssetCheckSpec]:
    """The check specs guarding ``tables``."""
    return [c.spec() for c in CHECKS if c.table in tables]


class RejectRateConfig(dg.Config):
    """Bounds of the per-file reject rate (fractions of a file's data records)."""

    warn_above: float = quality.REJECT_RATE_WARN
    """A file above this share of rejected records fails the check with severity WARN."""
    error_above: float = quality.REJECT_RATE_ERROR
    """A file above this share fails it with severity ERROR, which blocks gold."""


def _metadata_value(value: Any) -> Any:
    if isinstance(value, list) and value and isinstance(value[0], dict):
        shown = sorted(value, key=lambda r: -int(r.get("failing", 0) or 0))[:PER_FILE_ROWS_SHOWN]
        return dg.MetadataValue.md(markdown_preview(pa.Table.from_pylist(shown), len(shown)))
    if isinstance(value, dict | list):
        return dg.MetadataValue.json(value)
    if isinstance(value, bool):
        return dg.MetadataValue.bool(value)
    if isinstance(value, int):
        return dg.MetadataValue.int(value)
    if isinstance(value, float):
        return dg.MetadataValue.float(value)
    return dg.MetadataValue.text(str(value))


def check_result(table: str, name: str, outcome: QualityResult) -> dg.AssetCheckResult:
    """A Dagster check result carrying rows checked, rows failing, a sample and the threshold."""
    severity = (
        dg.AssetCheckSeverity.WARN
        if outcome.severity == quality.WARN
        else dg.AssetCheckSeverity.ERROR
    )
    metadata: dict[str, Any] = {
        "rows_checked": dg.MetadataValue.int(outcome.rows_checked),
        "rows_failing": dg.MetadataValue.int(outcome.rows_failing),
        "failing_sample": dg.MetadataValue.md(
            markdown_preview(outcome.sample, quality.SAMPLE_ROWS)
        ),
        "threshold": dg.MetadataValue.text(outcome.threshold),
        "reason": dg.MetadataValue.text(outcome.reason),
    }
    metadata.update({key: _metadata_value(value) for key, value in outcome.details.items()})
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(table.split("/")),
        check_name=name,
        passed=outcome.passed,
        severity=severity,
        description=outcome.reason,
        metadata=metadata,
    )


def stored_files(lake: Lake, table: str) -> dict[str, tuple[pa.Schema, int]]:
    """Physical schema and row count of every Parquet file stored for ``table``.

    A partitioned table is a folder of partition files; an unpartitioned one is
    ``<table>.parquet``, a single file (pandas) or a folder of part files (Spark).
    """
    single = f"{table}.parquet"
    if lake.path(single).is_file():
        keys = [single]
    elif lake.exists(single):
        keys = lake.list(single, suffix=".parquet")
    else:
        keys = lake.list(table, suffix=".parquet")
    files: dict[str, tuple[pa.Schema, int]] = {}
    for key in keys:
        with lake.path(key).open("rb") as handle:
            parquet = pq.ParquetFile(handle)
            files[key] = (parquet.schema_arrow, parquet.metadata.num_rows)
    return files


def schema_outcome(lake: Lake, table: str) -> QualityResult:
    """The schema rule over every stored file of ``table``."""
    files = stored_files(lake, table)
    return quality.check_schema(
        {key: schema for key, (schema, _) in files.items()},
        arrow_schema(table),
        rows_by_file={key: rows for key, (_, rows) in files.items()},
        bookkeeping_allowed=not table.startswith("gold/"),
    )


def _column_types(materialization: dg.AssetMaterialization | None) -> dict[str, str] | None:
    value = materialization.metadata.get(COLUMN_SCHEMA_KEY) if materialization else None
    if value is None:
        return None
    return {column.name: column.type for column in value.schema.columns}


def drift_outcome(
    instance: dg.DagsterInstance, table: str, current_table: pa.Table, max_records: int = 2_000
) -> QualityResult:
    """Compare the latest materialisation's column schema with the previous run's.

    The latest materialisation is the one whose files the checks just read; the previous one
    is the newest materialisation written by a different run (a partitioned table writes many
    materialisations per run).
    """
    key = dg.AssetKey(table.split("/"))
    current: dict[str, str] | None = None
    latest_run: str | None = None
    cursor: str | None = None
    seen = 0
    while seen < max_records:
        page = instance.fetch_materializations(key, limit=200, cursor=cursor)
        for record in page.records:
            seen += 1
            types = _column_types(record.asset_materialization)
            if latest_run is None:
                latest_run, current = record.run_id, types
            elif record.run_id != latest_run and types is not None:
                return quality.schema_drift(
                    current or quality.schema_types(current_table.schema),
                    types,
                    rows=current_table.num_rows,
                )
        if not page.has_more:
            break
        cursor = page.cursor
    return quality.schema_drift(
        current or quality.schema_types(current_table.schema), None, rows=current_table.num_rows
    )


def ledger_files(lake: Lake) -> list[FileRecords]:
    """Data records of every ingested or failed file, from the ingestion ledger."""
    return [
        FileRecords(
            source_file=entry.source_file,
            data_records=entry.rows + entry.rejects,
            failed=entry.status == "failed",
        )
        for entry in load_ledger(lake).entries.values()
        if entry.status in ("ingested", "failed")
    ]


def _table_checks(
    context: dg.AssetCheckExecutionContext, lake: Lake, table: str, data: pa.Table
) -> Iterator[dg.AssetCheckResult]:
    yield check_result(table, "schema", schema_outcome(lake, table))
    yield check_result(table, "keys", quality.check_unique_keys(data, TABLE_KEYS[table]))
    yield check_result(table, "schema_drift", drift_outcome(context.instance, table, data))


def _bronze_reconciliation(
    files: list[FileRecords], rows: pa.Table, rejects: pa.Table
) -> QualityResult:
    return quality.reconcile(
        quality.expected_record_keys(files),
        {"bronze/fitness_logs": rows, "bronze/fitness_rejects": rejects},
    )


@dg.multi_asset_check(
    retry_policy=LAKE_RETRY,
    specs=specs_for("bronze/fitness_logs", "bronze/fitness_rejects"),
    ins={
        "bronze_rows": dg.AssetIn(key=["bronze", "fitness_logs"]),
        "bronze_rejects": dg.AssetIn(key=["bronze", "fitness_rejects"]),
    },
)
def bronze_quality_checks(
    context: dg.AssetCheckExecutionContext,
    lake: LakeResource,
    bronze_rows: pa.Table,
    bronze_rejects: pa.Table,
) -> Iterator[dg.AssetCheckResult]:
    """Schema, keys, reject reasons and per-file reconciliation of the bronze tables."""
    root = lake.lake()
    yield from _table_checks(context, root, "bronze/fitness_logs", bronze_rows)
    yield check_result(
        "bronze/fitness_logs",
        "reconciliation",
        _bronze_reconciliation(ledger_files(root), bronze_rows, bronze_rejects),
    )
    yield from _table_checks(context, root, "bronze/fitness_rejects", bronze_rejects)
    yield check_result(
        "bronze/fitness_rejects",
        "reject_reasons",
        quality.check_reject_reasons(bronze_rejects, "bronze"),
    )


def silver_reconciliation(
    files: list[FileRecords],
    bronze_rows: pa.Table,
    bronze_rejects: pa.Table,
    silver: pa.Table,
    silver_rejects: pa.Table,
) -> QualityResult:
    """Both reconciliations of the run (raw -> bronze, bronze -> silver) as one outcome."""
    raw_to_bronze = _bronze_reconciliation(files, bronze_rows, bronze_rejects)
    bronze_to_silver = quality.reconcile(
        bronze_rows, {"silver/daily_activity": silver, "silver/fitness_rejects": silver_rejects}
    )
    stages = {"raw->bronze": raw_to_bronze, "bronze->silver": bronze_to_silver}
    sample = pa.concat_tables(
        [
            r.sample.append_column("stage", pa.array([s] * r.sample.num_rows, pa.string()))
            for s, r in stages.items()
            if r.sample.num_rows and "_source_file" in r.sample.column_names
        ]
        or [quality.expected_record_keys([]).append_column("stage", pa.array([], pa.string()))]
    )
    return QualityResult(
        passed=raw_to_bronze.passed and bronze_to_silver.passed,
        rows_checked=raw_to_bronze.rows_checked,
        rows_failing=raw_to_bronze.rows_failing + bronze_to_silver.rows_failing,
        sample=sample.slice(0, quality.SAMPLE_ROWS),
        threshold=f"{raw_to_bronze.threshold}; {bronze_to_silver.threshold}",
        reason=f"raw->bronze: {raw_to_bronze.reason}; bronze->silver: {bronze_to_silver.reason}",
        details={
            "per_file_raw_to_bronze": raw_to_bronze.details["per_file"],
            "per_file_bronze_to_silver": bronze_to_silver.details["per_file"],
            "run_totals": {
                "raw->bronze": raw_to_bronze.details["totals"],
                "bronze->silver": bronze_to_silver.details["totals"],
            },
        },
    )


@dg.multi_asset_check(
    retry_policy=LAKE_RETRY,
    specs=specs_for("silver/daily_activity", "silver/fitness_rejects"),
    ins={
        "silver": dg.AssetIn(key=["silver", "daily_activity"]),
        "silver_rejects": dg.AssetIn(key=["silver", "fitness_rejects"]),
        "bronze_rows": dg.AssetIn(key=["bronze", "fitness_logs"]),
        "bronze_rejects": dg.AssetIn(key=["bronze", "fitness_rejects"]),
    },
)
def silver_quality_checks(
    context: dg.AssetCheckExecutionContext,
    config: RejectRateConfig,
    lake: LakeResource,
    silver: pa.Table,
    silver_rejects: pa.Table,
    bronze_rows: pa.Table,
    bronze_rejects: pa.Table,
) -> Iterator[dg.AssetCheckResult]:
    """Schema, grain, ranges, categories, windows, reconciliation and reject rate of silver."""
    root = lake.lake()
    files = ledger_files(root)
    table = "silver/daily_activity"
    yield from _table_checks(context, root, table, silver)
    yield check_result(table, "values_in_range", quality.check_silver_ranges(silver))
    yield check_result(table, "categories", quality.check_categories(silver))
    yield check_result(table, "ra30_days_range", quality.check_ra30_days(silver))
    yield check_result(table, "weight_change_30d_clamped", quality.check_weight_change(silver))
    yield check_result(
        table,
        "reconciliation",
        silver_reconciliation(files, bronze_rows, bronze_rejects, silver, silver_rejects),
    )
    yield check_result(
        table,
        "reject_rate",
        quality.check_reject_rate(
            files,
            bronze_rejects,
            silver_rejects,
            warn_above=config.warn_above,
            error_above=config.error_above,
        ),
    )
    yield from _table_checks(context, root, "silver/fitness_rejects", silver_rejects)
    yield check_result(
        "silver/fitness_rejects",
        "reject_reasons",
        quality.check_reject_reasons(silver_rejects, "silver"),
    )


GOLD_TABLES: tuple[str, ...] = (
    "gold/fact_daily",
    "gold/dim_user",
    "gold/dim_date",
    "gold/dim_activity",
)


@dg.multi_asset_check(
    retry_policy=LAKE_RETRY,
    specs=specs_for(*GOLD_TABLES),
    ins={name.split("/")[1]: dg.AssetIn(key=name.split("/")) for name in GOLD_TABLES},
)
def gold_quality_checks(
    context: dg.AssetCheckExecutionContext,
    lake: LakeResource,
    fact_daily: pa.Table,
    dim_user: pa.Table,
    dim_date: pa.Table,
    dim_activity: pa.Table,
) -> Iterator[dg.AssetCheckResult]:
    """Schema, grain, referential integrity and a contiguous calendar for the star schema."""
    root = lake.lake()
    tables: Mapping[str, pa.Table] = {
        "gold/fact_daily": fact_daily,
        "gold/dim_user": dim_user,
        "gold/dim_date": dim_date,
        "gold/dim_activity": dim_activity,
    }
    for name, data in tables.items():
        yield from _table_checks(context, root, name, data)
    yield check_result(
        "gold/fact_daily",
        "referential_integrity",
        quality.check_referential_integrity(fact_daily, dim_user, dim_date),
    )
    yield check_result(
        "gold/dim_date", "contiguous_dates", quality.check_contiguous_dates(dim_date)
    )
