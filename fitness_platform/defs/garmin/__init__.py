"""Garmin domain on Dagster: raw activity JSON -> silver activities -> gold daily, checks, schedule."""
