"""Shared pytest fixtures: the moto server plugin and small helpers."""

pytest_plugins = ["fitness_platform_tests.support.aws"]
