"""Planted signal is found; without it no model beats its current-value baseline (leak guard)."""

from __future__ import annotations

from typing import Any

from fitness_platform.ml.features import FEATURES, LABELS, STRESS_TREND_LABEL
from fitness_platform.ml.targets import value_on
from fitness_platform.ml.train import MODEL_SPECS, train_and_evaluate
from fitness_platform_tests.ml.conftest import TEST_PARAMS, TrainedSet

SIGNAL_MIN_BALANCED_ACCURACY_LIFT = 0.10
SIGNAL_MAX_RMSE_RATIO = 0.90
NOISE_MAX_BALANCED_ACCURACY_LIFT = 0.03
NOISE_MIN_RMSE_RATIO = 0.97


def noise_guard_violations(report: dict[str, Any]) -> list[str]:
    """What a model on no-signal data does better than noise allows (it must be leaking)."""
    model, base = report["metrics"]["model"], report["metrics"]["current_value"]
    if report["kind"] == "classification":
        gain = model["balanced_accuracy"] - base["balanced_accuracy"]
        if gain > NOISE_MAX_BALANCED_ACCURACY_LIFT:
            return [f"{report['model']}: balanced accuracy +{gain:.3f} over current value"]
        return []
    ratio = model["rmse"] / base["rmse"]
    if ratio < NOISE_MIN_RMSE_RATIO:
        return [f"{report['model']}: RMSE ratio {ratio:.3f} to current value"]
    return []


def _summary(trained: TrainedSet) -> dict[str, dict[str, Any]]:
    return {name: m.report["metrics"] for name, m in trained.models.items()}


def test_each_classifier_beats_its_current_value_baseline_with_signal(
    with_signal: TrainedSet,
) -> None:
    for name in ("stress_trend_model", "sleep_quality_model"):
        report = with_signal.models[name].report
        gain = report["lift"]["current_value"]["balanced_accuracy"]
        assert gain >= SIGNAL_MIN_BALANCED_ACCURACY_LIFT, (name, _summary(with_signal))
        assert report["useful"] is True
        assert report["lift"]["naive"]["balanced_accuracy"] > gain


def test_the_regressor_beats_its_current_value_baseline_with_signal(
    with_signal: TrainedSet,
) -> None:
    report = with_signal.models["weight_change_model"].report
    ratio = report["lift"]["current_value"]["rmse_ratio"]
    assert ratio <= SIGNAL_MAX_RMSE_RATIO, _summary(with_signal)
    assert report["useful"] is True


def test_without_signal_no_model_beats_its_current_value_baseline(
    without_signal: TrainedSet,
) -> None:
    violations = [
        v for m in without_signal.models.values() for v in noise_guard_violations(m.report)
    ]
    assert violations == [], _summary(without_signal)
    assert not any(m.report["useful"] for m in without_signal.models.values())
    assert all("NOT useful" in m.report["verdict"] for m in without_signal.models.values())


def test_the_guard_catches_a_feature_that_looks_into_the_future(
    without_signal: TrainedSet,
) -> None:
    frame = without_signal.frame.copy()
    # The leak: stress_level on d + 30, the very day the stress-trend label is computed from.
    frame["stress_level_in_30_days"] = value_on(frame, "stress_level", 30)
    spec = MODEL_SPECS["stress_trend_model"]
    leaky = train_and_evaluate(frame, spec, TEST_PARAMS, (*FEATURES, "stress_level_in_30_days"))
    assert noise_guard_violations(leaky.report) != [], leaky.report["metrics"]
    honest = without_signal.models["stress_trend_model"].report
    assert noise_guard_violations(honest) == []
    assert LABELS[STRESS_TREND_LABEL].horizon_days == 30
