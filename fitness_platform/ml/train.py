"""Train a model and its baselines on the feature store with a time split (SPEC 1.5).

Every estimator is a scikit-learn :class:`~sklearn.pipeline.Pipeline` whose first step does
the preprocessing (one-hot encoding of categories; numbers pass through, missing values stay
NaN because histogram gradient boosting handles them natively). Classifiers weight classes
``balanced`` so rare classes count as much as common ones. Seeds are fixed, and early stopping
is off (it would draw a random validation set), so the same data and parameters always give
the same model.

Training runs on one OpenMP thread (:data:`TRAINING_THREADS`): on a small machine shared with
other work, OpenMP threads spin-wait for each other and two threads were measured to be about
eight times *slower* than one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from threadpoolctl import threadpool_limits

from fitness_platform.ml.evaluate import build_report, permutation_importances
from fitness_platform.ml.features import (
    CATEGORICAL_FEATURES,
    FEATURES,
    LabelSpec,
)
from fitness_platform.ml.specs import (
    MODEL_SPECS,
    TRAINING_THREADS,
    ModelSpec,
    TrainParams,
    model_version,
)
from fitness_platform.ml.split import TimeSplit, time_split

# Re-exported: callers that train also name the specs and the version.
__all__ = [
    "MODEL_SPECS",
    "TRAINING_THREADS",
    "ModelSpec",
    "TrainParams",
    "TrainedModel",
    "build_pipeline",
    "model_version",
    "naive_baseline",
    "split_rows",
    "train_and_evaluate",
]


@dataclass
class TrainedModel:
    """A fitted model with its evaluation, ready to be stored and shown.

    Attributes:
        spec: Which model.
        pipeline: The fitted model pipeline (trained on rows before the cutoff).
        features: Its input columns.
        report: The evaluation report (see :func:`fitness_platform.ml.evaluate.build_report`).
        window: Training and test date window.
        importances: Permutation importance (feature, mean, std), best first.
        y_test: Test labels.
        test_predictions: The model's test predictions.
        seconds: Wall time of training and evaluation.
    """

    spec: ModelSpec
    pipeline: Pipeline
    features: tuple[str, ...]
    report: dict[str, Any]
    window: dict[str, str | None]
    importances: list[tuple[str, float, float]]
    y_test: pd.Series
    test_predictions: np.ndarray
    seconds: float
    baselines: dict[str, Any] = field(default_factory=dict)


def build_pipeline(label: LabelSpec, features: tuple[str, ...], params: TrainParams) -> Pipeline:
    """An unfitted pipeline: preprocessing, then a histogram gradient-boosting estimator."""
    categorical = [f for f in features if f in CATEGORICAL_FEATURES]
    numeric = [f for f in features if f not in CATEGORICAL_FEATURES]
    preprocess = ColumnTransformer(
        [
            ("numeric", "passthrough", numeric),
            (
                "categorical",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False, dtype=np.float64),
                categorical,
            ),
        ],
        remainder="drop",
        verbose_feature_names_out=False,
    )
    common = {
        "max_iter": params.max_iter,
        "learning_rate": params.learning_rate,
        "max_leaf_nodes": params.max_leaf_nodes,
        "min_samples_leaf": params.min_samples_leaf,
        "l2_regularization": params.l2_regularization,
        "max_bins": params.max_bins,
        "early_stopping": False,
        "random_state": params.seed,
    }
    estimator = (
        HistGradientBoostingClassifier(class_weight="balanced", **common)
        if label.is_classification
        else HistGradientBoostingRegressor(**common)
    )
    return Pipeline([("preprocess", preprocess), ("model", estimator)])


def naive_baseline(label: LabelSpec) -> DummyClassifier | DummyRegressor:
    """Majority class for a classifier, training mean for the regressor."""
    if label.is_classification:
        return DummyClassifier(strategy="most_frequent")
    return DummyRegressor(strategy="mean")


def split_rows(
    frame: pd.DataFrame, label: LabelSpec, params: TrainParams
) -> tuple[TimeSplit, np.ndarray, np.ndarray]:
    """The time split and the masks of labelled training and test rows.

    Raises:
        ValueError: If either side is empty, or training holds fewer than two classes.
    """
    cutoff = date.fromisoformat(params.cutoff) if params.cutoff else None
    split = time_split(frame["date"], label.horizon_days, cutoff, params.test_fraction)
    known = frame[label.column].notna().to_numpy()
    train, test = split.train & known, split.test & known
    if not train.any() or not test.any():
        raise ValueError(
            f"{label.column}: time split at {split.cutoff} leaves {int(train.sum())} training "
            f"and {int(test.sum())} test rows with a known label; need at least one of each "
            f"(the data must span more than {label.horizon_days} days after the embargo)"
        )
    if label.is_classification and frame.loc[train, label.column].nunique() < 2:
        raise ValueError(f"{label.column}: training rows hold a single class; cannot train")
    return split, train, test


def _sample_rows(mask: np.ndarray, limit: int, seed: int) -> np.ndarray:
    """``mask`` with at most ``limit`` true rows, chosen uniformly with a fixed seed."""
    chosen = np.flatnonzero(mask)
    if len(chosen) <= limit:
        return mask
    keep = np.random.default_rng(seed).choice(chosen, limit, replace=False)
    sampled = np.zeros_like(mask)
    sampled[keep] = True
    return sampled


def train_and_evaluate(
    frame: pd.DataFrame,
    spec: ModelSpec,
    params: TrainParams | None = None,
    features: tuple[str, ...] = FEATURES,
) -> TrainedModel:
    """Fit the model and both baselines on the training rows and evaluate them on the test rows.

    Args:
        frame: The feature store as pandas (see :func:`fitness_platform.ml.dataset.to_frame`).
        spec: Which model to train.
        params: Parameters; defaults to :class:`TrainParams`.
        features: Input columns; defaults to the one list in :mod:`fitness_platform.ml.features`.

    Returns:
        The fitted model with its report, window, importances and test predictions.
    """
    params = params or TrainParams()
    with threadpool_limits(TRAINING_THREADS):
        return _train_and_evaluate(frame, spec, params, features)


def _train_and_evaluate(
    frame: pd.DataFrame, spec: ModelSpec, params: TrainParams, features: tuple[str, ...]
) -> TrainedModel:
    started = time.perf_counter()
    label = spec.label
    split, train, test = split_rows(frame, label, params)
    available = int(train.sum())
    train = _sample_rows(train, params.max_train_rows, params.seed)
    y_train, y_test = frame.loc[train, label.column], frame.loc[test, label.column]
    if not label.is_classification:
        y_train, y_test = y_train.astype(np.float64), y_test.astype(np.float64)
    x_train, x_test = frame.loc[train, list(features)], frame.loc[test, list(features)]

    model = build_pipeline(label, features, params).fit(x_train, y_train)
    current = build_pipeline(label, (label.source,), params)
    current.fit(frame.loc[train, [label.source]], y_train)
    naive = naive_baseline(label).fit(x_train, y_train)
    predictions = {
        "model": model.predict(x_test),
        "naive": naive.predict(x_test),
        "current_value": current.predict(frame.loc[test, [label.source]]),
    }
    report = build_report(spec.name, label.column, label.classes, y_train, y_test, predictions)

    rng = np.random.default_rng(params.seed)
    sample = np.sort(rng.choice(len(x_test), min(params.importance_rows, len(x_test)), False))
    importances = permutation_importances(
        model,
        x_test.iloc[sample],
        y_test.iloc[sample],
        classification=label.is_classification,
        repeats=params.importance_repeats,
        seed=params.seed,
    )
    seconds = time.perf_counter() - started
    report["train_rows_available"] = available
    report["training_seconds"] = round(seconds, 2)
    return TrainedModel(
        spec=spec,
        pipeline=model,
        features=tuple(features),
        report=report,
        window=split.window(frame["date"], train, test),
        importances=importances,
        y_test=y_test,
        test_predictions=predictions["model"],
        seconds=seconds,
        baselines={"naive": naive, "current_value": current},
    )
