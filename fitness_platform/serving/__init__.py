"""Serving: the low-latency subset of gold for apps, as pure functions (no dagster)."""
