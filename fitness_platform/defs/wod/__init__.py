"""WOD domain wiring: WordPress posts -> bronze raw JSON -> silver sessions -> DynamoDB and gold.

The business rules live in :mod:`fitness_platform.wod`; the modules here only bind them to
Dagster (resources, assets, checks, the weekly schedule and the completion notification).
"""
