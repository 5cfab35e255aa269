"""Metrics of a model next to its two baselines (SPEC 1.5), as a JSON-ready report.

The naive baseline predicts the training majority class (or the training mean). The
current-value baseline is the same estimator on the target variable's own day-d value only;
because a change of a bounded value partly predicts itself (regression to the mean), only a
model that beats *this* baseline has learned something. A model is called useful when its
balanced accuracy is more than :data:`USEFUL_BALANCED_ACCURACY_LIFT` above that baseline's,
or its RMSE below :data:`USEFUL_RMSE_RATIO` times the baseline's: smaller differences are
within the noise of a no-signal data set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.inspection import permutation_importance
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    mean_absolute_error,
    mean_squared_error,
    precision_recall_fscore_support,
)

USEFUL_BALANCED_ACCURACY_LIFT = 0.03
USEFUL_RMSE_RATIO = 0.97
BASELINES: tuple[str, ...] = ("naive", "current_value")


def classification_metrics(
    y_true: Sequence[str], y_pred: Sequence[str], classes: Sequence[str]
) -> dict[str, Any]:
    """Accuracy, balanced accuracy, macro F1 and precision/recall/F1/support per class."""
    labels = list(classes)
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "balanced_accuracy": float(balanced_accuracy_score(y_true, y_pred)),
        "macro_f1": float(
            f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)
        ),
        "per_class": {
            name: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, name in enumerate(labels)
        },
    }


def regression_metrics(y_true: Sequence[float], y_pred: Sequence[float]) -> dict[str, float]:
    """Root mean squared error and mean absolute error."""
    return {
        "rmse": float(np.sqrt(mean_squared_error(y_true, y_pred))),
        "mae": float(mean_absolute_error(y_true, y_pred)),
    }


def class_balance(y: Sequence[str], classes: Sequence[str]) -> dict[str, float]:
    """Share of each class (0-1), in class order."""
    counts = pd.Series(list(y), dtype=object).value_counts()
    total = max(int(counts.sum()), 1)
    return {name: round(float(counts.get(name, 0)) / total, 4) for name in classes}


def lift(model: Mapping[str, Any], baseline: Mapping[str, Any], classification: bool) -> dict:
    """How much better the model is than a baseline (positive = better)."""
    if classification:
        return {
            name: round(model[name] - baseline[name], 4)
            for name in ("accuracy", "balanced_accuracy", "macro_f1")
        }
    return {
        "rmse": round(baseline["rmse"] - model["rmse"], 4),
        "mae": round(baseline["mae"] - model["mae"], 4),
        "rmse_ratio": round(model["rmse"] / baseline["rmse"], 4) if baseline["rmse"] else None,
    }


def is_useful(metrics: Mapping[str, Mapping[str, Any]], classification: bool) -> bool:
    """Whether the model beats the current-value baseline by more than noise."""
    model, baseline = metrics["model"], metrics["current_value"]
    if classification:
        gain = model["balanced_accuracy"] - baseline["balanced_accuracy"]
        return gain > USEFUL_BALANCED_ACCURACY_LIFT
    return model["rmse"] < USEFUL_RMSE_RATIO * baseline["rmse"]


def verdict(name: str, metrics: Mapping[str, Mapping[str, Any]], classification: bool) -> str:
    """A plain-words sentence saying whether the model learned more than its own current value."""
    model, base = metrics["model"], metrics["current_value"]
    if classification:
        score = (
            f"balanced accuracy {model['balanced_accuracy']:.3f} against "
            f"{base['balanced_accuracy']:.3f} for the current-value baseline"
        )
    else:
        score = (
            f"RMSE {model['rmse']:.3f} against {base['rmse']:.3f} for the current-value "
            f"baseline (ratio {model['rmse'] / base['rmse']:.2f})"
        )
    if is_useful(metrics, classification):
        return f"{name} is useful: it beats the current-value baseline ({score})."
    return (
        f"{name} is NOT useful: it does not beat the current-value baseline by more than noise "
        f"({score}). Its predictions carry no information beyond today's value; do not act "
        "on them."
    )


def build_report(
    name: str,
    label: str,
    classes: Sequence[str],
    y_train: pd.Series,
    y_test: pd.Series,
    predictions: Mapping[str, np.ndarray],
) -> dict[str, Any]:
    """The evaluation report of one model: rows, balance, metrics, lifts, usefulness, verdict.

    Args:
        name: Model name.
        label: Label column.
        classes: Class names, empty for a regressor.
        y_train: Training labels.
        y_test: Test labels.
        predictions: Test predictions keyed ``model``, ``naive`` and ``current_value``.

    Returns:
        A JSON-ready dict (also the metrics part of the model's sidecar).
    """
    classification = bool(classes)
    metrics: dict[str, Any] = {}
    for key, predicted in predictions.items():
        metrics[key] = (
            classification_metrics(y_test, predicted, classes)
            if classification
            else regression_metrics(y_test, predicted)
        )
    report: dict[str, Any] = {
        "model": name,
        "label": label,
        "kind": "classification" if classification else "regression",
        "train_rows": len(y_train),
        "test_rows": len(y_test),
        "metrics": metrics,
        "lift": {b: lift(metrics["model"], metrics[b], classification) for b in BASELINES},
        "useful": is_useful(metrics, classification),
        "verdict": verdict(name, metrics, classification),
    }
    if classification:
        report["class_balance"] = {
            "train": class_balance(y_train, classes),
            "test": class_balance(y_test, classes),
        }
    else:
        report["label_summary"] = {
            split: {"mean": round(float(y.mean()), 4), "std": round(float(y.std()), 4)}
            for split, y in (("train", y_train), ("test", y_test))
        }
    return report


def permutation_importances(
    pipeline: Any,
    x: pd.DataFrame,
    y: pd.Series,
    *,
    classification: bool,
    repeats: int,
    seed: int,
) -> list[tuple[str, float, float]]:
    """Drop in test score when each input column is shuffled: (feature, mean, std), best first."""
    scoring = "balanced_accuracy" if classification else "neg_root_mean_squared_error"
    result = permutation_importance(
        pipeline, x, y, scoring=scoring, n_repeats=repeats, random_state=seed, n_jobs=1
    )
    rows = [
        (name, float(result.importances_mean[i]), float(result.importances_std[i]))
        for i, name in enumerate(x.columns)
    ]
    return sorted(rows, key=lambda row: (-row[1], row[0]))
