"""Bronze assets: every raw tracker file parsed into typed rows or quarantined rejects."""

from collections import Counter
from datetime import UTC, datetime

import dagster as dg
import pyarrow as pa

from fitness_platform.defs.metadata import table_metadata
from fitness_platform.defs.resources import LakeResource, TrackerIngestResource
from fitness_platform.defs.tracker.partitions import RAW_FILE_PARTITIONS
from fitness_platform.defs.tracker.policies import BRONZE_POOL, LAKE_RETRY
from fitness_platform.storage.raw_files import list_raw_files
from fitness_platform.tracker.bronze import bronze_rejects_schema, bronze_schema
from fitness_platform.tracker.ingestion import ingest_raw_file, load_ledger, save_ledger

OWNERS = ["team:data-platform"]


class BronzeConfig(dg.Config):
    """Run options for bronze ingestion."""

    force: bool = False
    """Re-ingest files even when the ledger says their content is unchanged."""


def run_started_at(context: dg.AssetExecutionContext) -> datetime:
    """The run's start (UTC), the ``_ingested_at`` of every row it ingests."""
    record = context.instance.get_run_record_by_id(context.run.run_id)
    started = record.start_time if record is not None else None
    return datetime.fromtimestamp(started, tz=UTC) if started else datetime.now(tz=UTC)


@dg.multi_asset(
    outs={
        "fitness_logs": dg.AssetOut(
            key=["bronze", "fitness_logs"],
            description="Typed rows of every raw tracker CSV, one partition per file, with "
            "_source_file, _row_number, _source_modified_at and _ingested_at (SPEC 1.2).",
            kinds={"pandas", "parquet"},
            owners=OWNERS,
            is_required=False,
        ),
        "fitness_rejects": dg.AssetOut(
            key=["bronze", "fitness_rejects"],
            description="Raw records that did not parse, with their original text and reason "
            "(row_too_long, unparseable:<column>) and one row per failed file.",
            kinds={"parquet"},
            owners=OWNERS,
            is_required=False,
        ),
    },
    partitions_def=RAW_FILE_PARTITIONS,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="tracker",
    can_subset=False,
    pool=BRONZE_POOL,
    retry_policy=LAKE_RETRY,
)
def bronze_tracker_files(
    context: dg.AssetExecutionContext,
    config: BronzeConfig,
    ingest: TrackerIngestResource,
    lake: LakeResource,
):
    """Parse the run's raw files (one partition each) strictly into bronze rows and rejects.

    Files whose content the ingestion ledger already holds are skipped unless ``force``;
    every outcome is recorded in the ledger under the lake root.
    """
    raw_lake, lake_root = ingest.raw_lake(), lake.lake()
    requested = set(context.partition_keys)
    listing = list_raw_files(raw_lake, max_bytes=ingest.max_file_mb * 1024 * 1024)
    by_key = {raw.partition_key: raw for raw in listing.files if raw.partition_key in requested}
    unknown = sorted(requested - set(by_key))
    if unknown:
        context.log.warning(f"no raw file found any more for partitions {unknown[:10]}")

    ledger = load_ledger(lake_root)
    ingested_at = run_started_at(context)
    rows: dict[str, pa.Table] = {}
    rejects: dict[str, pa.Table] = {}
    reasons: Counter[str] = Counter()
    failed: list[str] = []
    for key, raw in sorted(by_key.items()):
        if ledger.is_current(raw) and not config.force:
            context.log.info(f"{raw.relative_path} unchanged since its last ingest; skipped")
            continue
        parsed = ingest_raw_file(
            raw_lake,
            raw,
            ingested_at=ingested_at,
            max_row_kb=ingest.max_row_kb,
            max_file_mb=ingest.max_file_mb,
            workers=ingest.threads,
        )
        rows[key], rejects[key] = parsed.rows, parsed.rejects
        reasons.update(parsed.rejects.column("reason").to_pylist())
        if parsed.failed:
            failed.append(f"{raw.relative_path}: {parsed.failed_reason}")
            context.log.error(f"file {raw.relative_path} failed: {parsed.failed_reason}")
        ledger.record(
            raw,
            status="failed" if parsed.failed else "ingested",
            rows=parsed.rows.num_rows,
            rejects=parsed.rejects.num_rows,
            reason=parsed.failed_reason,
            ingested_at=ingested_at,
            run_id=context.run.run_id,
        )

    all_rows = pa.concat_tables([bronze_schema().empty_table(), *rows.values()])
    all_rejects = pa.concat_tables([bronze_rejects_schema().empty_table(), *rejects.values()])
    sources = {k: by_key[k].relative_path for k in sorted(rows)}
    yield dg.Output(
        rows,
        output_name="fitness_logs",
        metadata={
            **table_metadata(all_rows),
            "files_ingested": len(rows),
            "files_skipped_unchanged": len(by_key) - len(rows),
            "failed_files": dg.MetadataValue.json(failed),
            "partition_sources": dg.MetadataValue.json(sources),
        },
    )
    yield dg.Output(
        rejects,
        output_name="fitness_rejects",
        metadata={
            **table_metadata(all_rejects),
            "rejects_by_reason": dg.MetadataValue.json(dict(sorted(reasons.items()))),
        },
    )
    # Only now, with both outputs' partitions written: a ledger saved earlier would make a
    # retry after a failed partition write skip those files and never write them.
    save_ledger(lake_root, ledger)
