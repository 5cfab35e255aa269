"""External jobs launched through Dagster Pipes; they import dagster-pipes, never dagster."""

SILVER_TABLES = ("silver/daily_activity", "silver/fitness_rejects")
GOLD_TABLES = ("gold/fact_daily", "gold/dim_user", "gold/dim_date", "gold/dim_activity")
TABLES = SILVER_TABLES + GOLD_TABLES
"""The tables the Spark job writes, as lake paths without the ``.parquet`` suffix."""
