"""Fixtures of the generator tests: the one default-shape generation, shared by its tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from fitness_platform.datagen import GenerationReport, generate_tracker_files


@pytest.fixture(scope="session")
def default_generation(tmp_path_factory: pytest.TempPathFactory) -> GenerationReport:
    """The reference shape with every default (365,000 user-days), generated once per session."""
    out: Path = tmp_path_factory.mktemp("default_shape")
    return generate_tracker_files(out)
