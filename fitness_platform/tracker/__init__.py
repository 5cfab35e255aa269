"""Tracker domain: the SPEC's bronze, silver and gold rules as pure, engine-agnostic functions.

Nothing in this package imports dagster. Functions take and return narwhals frames (pandas or
Spark underneath) or plain pyarrow tables, so the Dagster assets, the CLI, the benchmark and
the Spark engine all run the very same business rules.
"""
