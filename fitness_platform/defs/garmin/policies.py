"""Retry policies and ownership shared by the Garmin assets."""

import dagster as dg

OWNERS = ["team:data-platform"]

REMOTE_RETRY = dg.RetryPolicy(
    max_retries=3, delay=5, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
"""For steps that talk to Garmin or S3: 5 s, 10 s, 20 s (each +/- jitter), then fail.

Retrying cannot fix a missing configuration, a refused login or a rate limit that asks for an
hour of quiet; those raise ``dg.Failure(allow_retries=False)`` and fail at once.
"""
