"""A trained model's card: the JSON sidecar and the plot files stored next to it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sklearn

from fitness_platform.ml.plots import (
    WEIGHT_DIRECTIONS,
    confusion_matrix_png,
    importance_png,
    weight_direction,
)
from fitness_platform.ml.specs import CONFUSION_MATRIX_FILE, IMPORTANCE_FILE
from fitness_platform.ml.train import TrainedModel, TrainParams


def sidecar(
    trained: TrainedModel,
    *,
    model_version: str,
    data_version: str,
    code_version: str,
    params: TrainParams,
) -> dict[str, Any]:
    """The JSON sidecar: features, training window, parameters, metrics and provenance."""
    return {
        "model": trained.spec.name,
        "model_version": model_version,
        "purpose": trained.spec.purpose,
        "label": trained.spec.label.column,
        "horizon_days": trained.spec.label.horizon_days,
        "features": list(trained.features),
        "training_window": trained.window,
        "params": params.as_dict(),
        "metrics": trained.report,
        "permutation_importance": [
            {"feature": name, "mean": round(mean, 5), "std": round(std, 5)}
            for name, mean, std in trained.importances
        ],
        "data_version": data_version,
        "code_version": code_version,
        "sklearn_version": sklearn.__version__,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def plot_files(trained: TrainedModel) -> dict[str, bytes]:
    """The confusion-matrix and permutation-importance PNGs of a trained model, by file name.

    A regressor's confusion matrix buckets the weight change into loss / stable / gain.
    """
    label = trained.spec.label
    if label.is_classification:
        matrix = confusion_matrix_png(
            trained.y_test, trained.test_predictions, label.classes, f"{trained.spec.name} (test)"
        )
    else:
        matrix = confusion_matrix_png(
            weight_direction(trained.y_test),
            weight_direction(trained.test_predictions),
            WEIGHT_DIRECTIONS,
            f"{trained.spec.name}: direction (test)",
        )
    return {
        CONFUSION_MATRIX_FILE: matrix,
        IMPORTANCE_FILE: importance_png(
            trained.importances, f"{trained.spec.name}: permutation importance"
        ),
    }
