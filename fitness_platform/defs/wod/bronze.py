"""Bronze: every WOD post exactly as WordPress sent it, stored once per post version."""

import dagster as dg

from fitness_platform.defs.resources import LakeResource
from fitness_platform.defs.wod.common import EXTERNAL_RETRY, GROUP, OWNERS, RAW_POSTS, SAMPLE_ROWS
from fitness_platform.defs.wod.resources import WordPressNotConfiguredError, WordPressResource
from fitness_platform.wod.bronze import RAW_PREFIX, store_posts
from fitness_platform.wod.client import WordPressAuthError


@dg.asset(
    key=RAW_POSTS,
    group_name=GROUP,
    owners=OWNERS,
    kinds={"wordpress", "json"},
    retry_policy=EXTERNAL_RETRY,
    # One bronze step at a time: the raw-store index is last-writer-wins.
    pool="wod_bronze",
)
def wod_raw_posts(
    context: dg.AssetExecutionContext, wordpress: WordPressResource, lake: LakeResource
) -> dg.MaterializeResult:
    """WordPress WOD posts as received, at ``bronze/wod/raw/{year}/{month}/{date}__{slug}__raw.json``.

    Fetches every post of the category (following ``X-WP-TotalPages``) and stores each one
    idempotently by post id: a stored post is skipped, an edited one (later ``modified``) is
    stored again (SPEC 3, Bronze).
    """
    try:
        posts = wordpress.fetch_posts()
    except (WordPressNotConfiguredError, WordPressAuthError, ValueError) as exc:
        # Configuration and credentials do not heal by retrying.
        raise dg.Failure(description=str(exc), allow_retries=False) from exc
    root = lake.lake()
    report = store_posts(root, posts)
    for reject in report.rejected:
        context.log.warning(f"WOD post not stored: {reject}")
    counts = report.counts()
    context.log.info(f"WOD posts: {len(posts)} fetched, {counts}")
    return dg.MaterializeResult(
        metadata={
            "posts_fetched": dg.MetadataValue.int(len(posts)),
            **{f"posts_{name}": dg.MetadataValue.int(n) for name, n in counts.items()},
            "stored_keys": dg.MetadataValue.json((report.written + report.updated)[:SAMPLE_ROWS]),
            "rejected_posts": dg.MetadataValue.json(report.rejected[:SAMPLE_ROWS]),
            "raw_prefix": dg.MetadataValue.path(root.uri(RAW_PREFIX)),
        }
    )
