"""Session fixtures of the ML tests: generated data sets with and without the planted signal,
each trained once with the test parameters."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pytest

from fitness_platform.ml.train import MODEL_SPECS, TrainedModel, TrainParams, train_and_evaluate
from fitness_platform_tests.ml.data import dataset_frame, generated_bronze, silver_of

# 200 users x 300 days keeps the test set near 10,000 rows (noise of balanced accuracy about
# +-0.01) while the whole ML test directory stays fast on two shared cores.
USERS, DAYS = 200, 300
# Fewer boosting iterations and a cheaper permutation importance than production.
TEST_PARAMS = TrainParams(max_iter=40, importance_rows=800, importance_repeats=1)


@dataclass
class TrainedSet:
    """A generated data set and the three models trained on it."""

    frame: pd.DataFrame
    models: dict[str, TrainedModel]


def _trained_set(tmp_path_factory: pytest.TempPathFactory, signal: bool) -> TrainedSet:
    out = tmp_path_factory.mktemp("signal" if signal else "nosignal")
    frame = dataset_frame(silver_of(generated_bronze(out, users=USERS, days=DAYS, signal=signal)))
    models = {
        name: train_and_evaluate(frame, spec, TEST_PARAMS) for name, spec in MODEL_SPECS.items()
    }
    return TrainedSet(frame=frame, models=models)


@pytest.fixture(scope="session")
def with_signal(tmp_path_factory: pytest.TempPathFactory) -> TrainedSet:
    """Generated with ``signal=True``, trained."""
    return _trained_set(tmp_path_factory, signal=True)


@pytest.fixture(scope="session")
def without_signal(tmp_path_factory: pytest.TempPathFactory) -> TrainedSet:
    """Generated without the signal, trained."""
    return _trained_set(tmp_path_factory, signal=False)
