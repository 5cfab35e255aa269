"""Markers of the reliability tests."""

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Register ``slow``: runs whole pipelines against real servers (seconds to a minute)."""
    config.addinivalue_line(
        "markers", "slow: runs whole pipelines against real servers; deselect with -m 'not slow'"
    )
