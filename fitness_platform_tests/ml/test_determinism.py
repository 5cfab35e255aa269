"""The same data and seed give the same metrics, predictions and model version."""

from __future__ import annotations

import numpy as np

from fitness_platform.ml.dataset import fingerprint, to_table
from fitness_platform.ml.features import FEATURES
from fitness_platform.ml.train import MODEL_SPECS, model_version, train_and_evaluate
from fitness_platform_tests.ml.conftest import TEST_PARAMS, TrainedSet


def _without_timing(report: dict) -> dict:
    return {k: v for k, v in report.items() if k != "training_seconds"}


def test_same_data_and_seed_give_the_same_model(with_signal: TrainedSet) -> None:
    spec = MODEL_SPECS["sleep_quality_model"]
    first = with_signal.models[spec.name]
    again = train_and_evaluate(with_signal.frame.copy(), spec, TEST_PARAMS)
    assert _without_timing(again.report) == _without_timing(first.report)
    assert again.window == first.window
    assert again.importances == first.importances
    x = with_signal.frame.loc[:, list(FEATURES)]
    assert np.array_equal(again.pipeline.predict_proba(x), first.pipeline.predict_proba(x))


def test_model_version_follows_data_and_params(with_signal: TrainedSet) -> None:
    spec = MODEL_SPECS["weight_change_model"]
    data = fingerprint(to_table(with_signal.frame))
    assert data == fingerprint(to_table(with_signal.frame.copy()))
    version = model_version(data, spec, TEST_PARAMS, FEATURES, "c1")
    assert version == model_version(data, spec, TEST_PARAMS, FEATURES, "c1")
    changed = with_signal.frame.copy()
    changed.loc[0, "steps"] += 1
    assert fingerprint(to_table(changed)) != data
    others = {
        model_version(fingerprint(to_table(changed)), spec, TEST_PARAMS, FEATURES, "c1"),
        model_version(data, spec, TEST_PARAMS.__class__(seed=1), FEATURES, "c1"),
        model_version(data, spec, TEST_PARAMS, FEATURES[:-1], "c1"),
        model_version(data, spec, TEST_PARAMS, FEATURES, "c2"),
        model_version(data, MODEL_SPECS["stress_trend_model"], TEST_PARAMS, FEATURES, "c1"),
    }
    assert version not in others and len(others) == 5
