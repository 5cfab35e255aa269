"""What the three models are and what versions them: light, with no scikit-learn import.

Loading the Dagster definitions needs the model names, labels and parameters, but not the
estimators; keeping these here keeps scikit-learn and matplotlib out of every code-location
load and every ``fitness-platform run`` that does not train.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

from fitness_platform.ml.features import (
    LABELS,
    SLEEP_QUALITY_LABEL,
    STRESS_TREND_LABEL,
    WEIGHT_CHANGE_LABEL,
    LabelSpec,
)
from fitness_platform.ml.split import DEFAULT_TEST_FRACTION

TRAINING_THREADS = 1
# A time split needs labelled rows on both sides of the cutoff: the test period (the last 20%
# of the range) must be longer than the 30-day horizon, so the range must exceed 150 days.
MIN_HISTORY_DAYS = 160
# Files stored next to every model version (see ml/card.py).
CONFUSION_MATRIX_FILE = "confusion_matrix.png"
IMPORTANCE_FILE = "permutation_importance.png"


@dataclass(frozen=True)
class ModelSpec:
    """One forward-looking model: its asset name, label and a one-line purpose."""

    name: str
    label: LabelSpec
    purpose: str


MODEL_SPECS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            "stress_trend_model",
            LABELS[STRESS_TREND_LABEL],
            "Will stress rise, fall or stay within 2 points over the next 30 days?",
        ),
        ModelSpec(
            "sleep_quality_model",
            LABELS[SLEEP_QUALITY_LABEL],
            "How well will the user sleep tonight (poor, fair, good, excellent)?",
        ),
        ModelSpec(
            "weight_change_model",
            LABELS[WEIGHT_CHANGE_LABEL],
            "How many kg will the user's weight change over the next 30 days?",
        ),
    )
}


@dataclass(frozen=True)
class TrainParams:
    """Estimator and evaluation parameters; all of them enter the model version.

    Attributes:
        max_iter: Boosting iterations.
        learning_rate: Shrinkage per iteration.
        max_leaf_nodes: Leaves per tree.
        max_bins: Histogram bins per feature.
        min_samples_leaf: Minimum rows per leaf (large, since daily data are noisy).
        l2_regularization: L2 penalty on leaf values.
        seed: Random seed of the estimators and of the permutation importance.
        test_fraction: Share of the date range used for testing when ``cutoff`` is None.
        cutoff: ISO date of the last day training may see; None for the default.
        importance_rows: Test rows sampled for the permutation importance.
        importance_repeats: Shuffles per feature for the permutation importance.
        max_train_rows: Training rows beyond this are sampled uniformly over the training
            window (seeded), which keeps training on the full sample well under a minute;
            the model and the current-value baseline see the same sample.
    """

    max_iter: int = 60
    learning_rate: float = 0.15
    max_leaf_nodes: int = 15
    min_samples_leaf: int = 200
    max_bins: int = 63
    l2_regularization: float = 1.0
    seed: int = 0
    test_fraction: float = DEFAULT_TEST_FRACTION
    cutoff: str | None = None
    importance_rows: int = 3000
    importance_repeats: int = 3
    max_train_rows: int = 100_000

    def as_dict(self) -> dict[str, Any]:
        """The parameters as a JSON-ready dict."""
        return asdict(self)


def model_version(
    data_version: str,
    spec: ModelSpec,
    params: TrainParams,
    features: tuple[str, ...],
    code_version: str,
) -> str:
    """A short hash of everything that determines the fitted model.

    The training data version, the parameters, the feature list and the code version of the
    training code: equal inputs give an equal version, so a stored model can be reused.
    """
    payload = json.dumps(
        {
            "data_version": data_version,
            "model": spec.name,
            "label": spec.label.column,
            "params": params.as_dict(),
            "features": list(features),
            "code_version": code_version,
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:16]
