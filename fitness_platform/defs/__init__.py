"""Dagster wiring only: assets, checks, sensors, schedules and jobs, one folder per domain."""
