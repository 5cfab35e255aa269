"""Gold: one summary row per WOD week, also written as one JSON file per week."""

import dagster as dg
import pyarrow as pa

from fitness_platform import plots
from fitness_platform.defs.metadata import table_metadata
from fitness_platform.defs.resources import LakeResource
from fitness_platform.defs.wod.common import EXTERNAL_RETRY, GROUP, OWNERS, SESSIONS, WEEKLY
from fitness_platform.wod.files import sync_files
from fitness_platform.wod.tables import WEEKLY_DESCRIPTIONS, session_records, weekly_table
from fitness_platform.wod.weekly import WEEKLY_PREFIX, weekly_summaries, weekly_to_json


@dg.asset(
    key=WEEKLY,
    ins={"sessions": dg.AssetIn(key=SESSIONS)},
    group_name=GROUP,
    owners=OWNERS,
    kinds={"python", "parquet", "json"},
    retry_policy=EXTERNAL_RETRY,
)
def wod_weekly(
    context: dg.AssetExecutionContext, sessions: pa.Table, lake: LakeResource
) -> dg.MaterializeResult[pa.Table]:
    """One row per WOD week: sessions, rest days, segments, lift mentions, highest % of 1-RM.

    Lifts count words starting with ``snatch``, ``clean``, ``jerk``, ``squat``, ``deadlift``,
    ``press``, ``pull`` in segments A-F; ``max_pct_1rm`` is the largest N of ``N% of 1-RM``
    or ``M-N% of 1-RM`` (SPEC 3, Gold). Also written as
    ``gold/wod/weekly/{iso_year}/week_{iso_week:02}--{week_start}__{week_end}.json``.
    """
    summaries = weekly_summaries(session_records(sessions))
    table = weekly_table(summaries)
    root = lake.lake()
    files = sync_files(root, WEEKLY_PREFIX, ".json", weekly_to_json(summaries))
    context.log.info(f"WOD weekly JSON: {files.counts()}")
    return dg.MaterializeResult(
        value=table,
        metadata={
            **table_metadata(table, WEEKLY_DESCRIPTIONS),
            **{f"json_{name}": dg.MetadataValue.int(n) for name, n in files.counts().items()},
            "json_prefix": dg.MetadataValue.path(root.uri(WEEKLY_PREFIX)),
            "weekly_chart": dg.MetadataValue.md(
                plots.weekly_bars(
                    [f"{s['iso_year']}-W{s['iso_week']:02}" for s in summaries],
                    {
                        "sessions": [s["sessions"] for s in summaries],
                        "rest days": [s["rest_days"] for s in summaries],
                    },
                    "WOD per week",
                )
            ),
        },
    )
