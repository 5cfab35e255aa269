"""Retry policy and concurrency pools of the tracker steps (docs/reliability.md).

Every tracker step reads or writes the lake, which is S3 in s3 mode, so a dropped connection
or a throttled request must not fail the run outright. Each table has its own pool, and
``dagster.yaml`` gives every pool one slot (``default_limit: 1``): two runs that materialise
the same table run that step one after the other and never interleave their writes.
"""

import dagster as dg

LAKE_RETRY = dg.RetryPolicy(
    max_retries=3, delay=1, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
"""1 s, 2 s, 4 s (each +/- jitter), then the step fails with the last error's message.

Retrying is safe: writes are atomic (one PUT on S3, temp file + rename locally) and bronze
records a file in the ledger only after its partitions are written.
"""

BRONZE_POOL = "tracker_bronze"
SILVER_POOL = "tracker_silver"
GOLD_POOL = "tracker_gold"
