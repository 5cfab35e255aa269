"""Names and policies shared by the WOD assets."""

import dagster as dg

GROUP = "wod"
OWNERS = ["team:data-platform"]

RAW_POSTS = dg.AssetKey(["bronze", "wod", "raw_posts"])
SESSIONS = dg.AssetKey(["silver", "wod_sessions"])
SESSIONS_DYNAMODB = dg.AssetKey(["serving", "wod_sessions_dynamodb"])
WEEKLY = dg.AssetKey(["gold", "wod_weekly"])
WOD_ASSETS = (RAW_POSTS, SESSIONS, SESSIONS_DYNAMODB, WEEKLY)

EXTERNAL_RETRY = dg.RetryPolicy(
    max_retries=3,
    delay=2.0,
    backoff=dg.Backoff.EXPONENTIAL,
    jitter=dg.Jitter.PLUS_MINUS,
)
"""Steps that talk to WordPress, S3, DynamoDB or SNS: 3 retries after ~2, 4, 8 s (jittered).

Faults that a retry cannot fix (no URL configured, credentials refused, bad input) raise
``dg.Failure(allow_retries=False)`` and fail at once.
"""

SAMPLE_ROWS = 20
