"""The raw asset: recent Garmin activities stored once each as bronze JSON objects."""

from collections.abc import Sequence

import dagster as dg

from fitness_platform.defs.garmin.policies import OWNERS, REMOTE_RETRY
from fitness_platform.defs.garmin.resources import (
    GarminSourceNotConfiguredError,
    GarminSourceResource,
)
from fitness_platform.defs.resources import LakeResource
from fitness_platform.garmin.client import MAX_LIMIT
from fitness_platform.garmin.connect_client import (
    GarminAuthError,
    GarminDependencyError,
    GarminRateLimitError,
)
from fitness_platform.garmin.file_source import FileActivitySource
from fitness_platform.garmin.raw import (
    DEFAULT_DAYS_BACK,
    DEFAULT_LIMIT,
    select_recent,
    store_raw_activities,
)

RAW_ACTIVITIES_KEY = dg.AssetKey(["bronze", "garmin", "raw_activities"])
LISTED_ROWS = 50

# Failures a retry cannot fix: no source, a refused login (repeating it brings an account lock
# closer), a rate limit that needs an hour of quiet, a missing optional library, bad config.
_FINAL_ERRORS = (
    GarminSourceNotConfiguredError,
    GarminAuthError,
    GarminRateLimitError,
    GarminDependencyError,
    ValueError,
)


class GarminPullConfig(dg.Config):
    """How much of the Garmin history one run pulls."""

    limit: int = DEFAULT_LIMIT
    """Ask the source for this many most recent activities (1-1000)."""
    days_back: int = DEFAULT_DAYS_BACK
    """Keep the activities that started within this many days before now (0 or more)."""


def _listing(rows: Sequence[tuple[object, str]], first: str) -> dg.MetadataValue:
    shown = [{first: str(ref), "reason": reason} for ref, reason in rows[:LISTED_ROWS]]
    if len(rows) > LISTED_ROWS:
        shown.append({first: f"... and {len(rows) - LISTED_ROWS} more", "reason": ""})
    return dg.MetadataValue.json(shown)


@dg.asset(
    key=RAW_ACTIVITIES_KEY,
    group_name="garmin",
    kinds={"garmin", "json"},
    owners=OWNERS,
    retry_policy=REMOTE_RETRY,
)
def garmin_raw_activities(
    context: dg.AssetExecutionContext,
    config: GarminPullConfig,
    garmin: GarminSourceResource,
    lake: LakeResource,
) -> dg.MaterializeResult:
    """Recent Garmin activities, each stored as ``bronze/garmin/activity_<id>.json`` exactly as
    received (SPEC 2). Objects that exist are skipped, never rewritten; an activity that cannot
    be stored is recorded as failed with its reason and does not stop the others."""
    if not 1 <= config.limit <= MAX_LIMIT or config.days_back < 0:
        raise dg.Failure(
            f"limit must be 1-{MAX_LIMIT} and days_back 0 or more; got limit={config.limit}, "
            f"days_back={config.days_back}",
            allow_retries=False,
        )
    try:
        client = garmin.client()
        now = garmin.now()
        fetched = client.recent_activities(config.limit)
    except _FINAL_ERRORS as exc:
        raise dg.Failure(str(exc), allow_retries=False) from exc
    recent = select_recent(fetched, days_back=config.days_back, now=now)
    root = lake.lake()
    report = store_raw_activities(root, recent, garmin.bronze_prefix)

    load = client.last_load if isinstance(client, FileActivitySource) else None
    source_failures = load.failures if load is not None else []
    for ref, reason in report.failed:
        context.log.warning(f"Garmin activity {ref} not stored: {reason}")
    for name, reason in source_failures:
        context.log.warning(f"Garmin source file {name} not read: {reason}")
    context.log.info(
        f"Garmin: {len(report.written)} written, {len(report.skipped)} skipped, "
        f"{len(report.failed)} failed of {len(recent)} in the window ({len(fetched)} fetched)"
    )
    return dg.MaterializeResult(
        metadata={
            "written": dg.MetadataValue.int(len(report.written)),
            "skipped": dg.MetadataValue.int(len(report.skipped)),
            "failed": dg.MetadataValue.int(len(report.failed)),
            "fetched": dg.MetadataValue.int(len(fetched)),
            "in_window": dg.MetadataValue.int(len(recent)),
            "failures": _listing(report.failed, "activity"),
            "source_file_failures": dg.MetadataValue.int(len(source_failures)),
            "source_file_failure_list": _listing(source_failures, "file"),
            "written_keys": dg.MetadataValue.json(report.written[:LISTED_ROWS]),
            "source": dg.MetadataValue.text(garmin.describe()),
            "location": dg.MetadataValue.path(root.uri(garmin.bronze_prefix)),
            "now": dg.MetadataValue.text(now.isoformat()),
            "limit": dg.MetadataValue.int(config.limit),
            "days_back": dg.MetadataValue.int(config.days_back),
        }
    )
