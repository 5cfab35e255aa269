"""WOD domain: pure logic for the CrossFit Invictus weightlifting posts (SPEC section 3).

No Dagster here. The modules are called from thin assets:

- :mod:`fitness_platform.wod.client`: the WordPress REST client (pagination, retries, auth).
- :mod:`fitness_platform.wod.bronze`: raw-post keys and the idempotent raw store.
- :mod:`fitness_platform.wod.parser`: post HTML -> one session record per (date, session).
- :mod:`fitness_platform.wod.weekly`: weekly gold summaries and the silver/gold file keys.
- :mod:`fitness_platform.wod.dynamo_items`: session records <-> DynamoDB items.
- :mod:`fitness_platform.wod.tables`: Arrow schemas of the session and weekly tables.
- :mod:`fitness_platform.wod.quality`: the rules behind the WOD asset checks.
- :mod:`fitness_platform.wod.files`: JSON Lines / Markdown files kept in step with the data.
"""
