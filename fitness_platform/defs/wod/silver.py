"""Silver: one record per (date, session) parsed from every stored post, plus weekly JSON Lines."""

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import dagster as dg
import pyarrow as pa

from fitness_platform.defs.metadata import markdown_preview, table_metadata
from fitness_platform.defs.resources import LakeResource
from fitness_platform.defs.wod.common import (
    EXTERNAL_RETRY,
    GROUP,
    OWNERS,
    RAW_POSTS,
    SAMPLE_ROWS,
    SESSIONS,
)
from fitness_platform.wod import quality
from fitness_platform.wod.bronze import read_stored_posts
from fitness_platform.wod.files import sync_files
from fitness_platform.wod.parser import REST_DAY, parse_posts
from fitness_platform.wod.tables import SESSION_DESCRIPTIONS, sessions_table
from fitness_platform.wod.weekly import (
    SESSIONS_PREFIX,
    group_by_week,
    sessions_jsonl_key,
    sessions_to_jsonl,
)

ARROW_TABLE = dg.PythonObjectDagsterType(pa.Table, name="ArrowTable")
"""The stored value's type; the checks' outputs keep the return annotation generic."""

Rule = Callable[[Sequence[Mapping[str, Any]]], list[dict[str, Any]]]
CHECKS: dict[str, tuple[str, Rule]] = {
    "unique_date_session": (
        "Each (date, session) appears once.",
        quality.duplicate_keys,
    ),
    "date_within_post_week": (
        "Every session's date lies within its post's week [week_start, week_end].",
        quality.dates_outside_week,
    ),
    "one_record_per_weekday": (
        "Each week has at most one record per weekday, unless the sessions are numbered "
        "(Session One, Session Two, ...).",
        quality.weekday_collisions,
    ),
}


def _check_result(
    name: str, rule: Rule, records: Sequence[Mapping[str, Any]]
) -> dg.AssetCheckResult:
    failed = rule(records)
    return dg.AssetCheckResult(
        check_name=name,
        passed=not failed,
        severity=dg.AssetCheckSeverity.ERROR,
        description=f"{len(failed)} failing: {failed[:3]}" if failed else None,
        metadata={
            "rows_checked": dg.MetadataValue.int(len(records)),
            "rows_failing": dg.MetadataValue.int(len(failed)),
            "failure_sample": dg.MetadataValue.json(failed[:SAMPLE_ROWS]),
        },
    )


def _week_counts(records: Sequence[Mapping[str, Any]], keys: set[str]) -> list[dict[str, Any]]:
    """Sessions and rest days of each week whose JSON Lines file is among ``keys``."""
    written = []
    for (start, end), week in group_by_week(records).items():
        if sessions_jsonl_key(start, end) not in keys:
            continue
        rest = sum(1 for r in week if r["session"] == REST_DAY)
        written.append(
            {"week_start": start, "week_end": end, "sessions": len(week) - rest, "rest_days": rest}
        )
    return written


@dg.asset(
    key=SESSIONS,
    deps=[RAW_POSTS],
    group_name=GROUP,
    owners=OWNERS,
    kinds={"python", "parquet", "jsonl"},
    dagster_type=ARROW_TABLE,
    retry_policy=EXTERNAL_RETRY,
    check_specs=[
        dg.AssetCheckSpec(name, asset=SESSIONS, description=description, blocking=True)
        for name, (description, _) in CHECKS.items()
    ],
)
def wod_sessions(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    """One WOD record per (date, session): date, weekday, session, warm_up, segments A-F, post.

    Parsed from every stored raw post (HTML stripped, days at weekday headers, segments at
    ``Suggested Warm-Up`` and ``A.`` ... ``F.``; SPEC 3). Also written as JSON Lines, one file
    per week, at ``silver/wod/sessions/{iso_year}/week_{iso_week:02}--{start}__{end}.jsonl``.
    Posts or sessions left out are listed with their reason in ``rejects_sample``.
    """
    root = lake.lake()
    posts = read_stored_posts(root)
    result = parse_posts(posts)
    records = result.records
    table = sessions_table(records)
    files = sync_files(root, SESSIONS_PREFIX, ".jsonl", sessions_to_jsonl(records))
    for reject in result.rejects:
        context.log.warning(f"WOD reject: {reject}")
    reasons = Counter(r["reason"].split(":")[0] for r in result.rejects)
    return dg.MaterializeResult(
        value=table,
        metadata={
            **table_metadata(table, SESSION_DESCRIPTIONS),
            "posts_parsed": dg.MetadataValue.int(len(posts)),
            "weeks": dg.MetadataValue.int(len(group_by_week(records))),
            "rest_days": dg.MetadataValue.int(sum(r["session"] == REST_DAY for r in records)),
            "rejects": dg.MetadataValue.int(len(result.rejects)),
            "rejects_by_reason": dg.MetadataValue.json(dict(sorted(reasons.items()))),
            "rejects_sample": dg.MetadataValue.md(
                markdown_preview(pa.Table.from_pylist(result.rejects[:SAMPLE_ROWS]), SAMPLE_ROWS)
                if result.rejects
                else "_(none)_"
            ),
            **{f"jsonl_{name}": dg.MetadataValue.int(n) for name, n in files.counts().items()},
            "weeks_written": dg.MetadataValue.json(_week_counts(records, set(files.written))),
            "jsonl_prefix": dg.MetadataValue.path(root.uri(SESSIONS_PREFIX)),
        },
        check_results=[_check_result(name, rule, records) for name, (_, rule) in CHECKS.items()],
    )
