"""``gold/fact_predictions``: every user-day's predictions next to what actually happened.

Predictions are made for every row of the feature store, including the latest days whose
future is not known yet (those are the useful ones). ``actual_*`` is the row's label and is
null exactly where the label's future day is absent. ``model_version`` names the version of
each of the three models that produced the row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from threadpoolctl import threadpool_limits

from fitness_platform.ml.features import (
    SLEEP_QUALITY_LABEL,
    STRESS_TREND_LABEL,
    WEIGHT_CHANGE_LABEL,
)
from fitness_platform.ml.specs import TRAINING_THREADS
from fitness_platform.tracker.schema import arrow_schema

PREDICTIONS_TABLE = "gold/fact_predictions"
STRESS_MODEL = "stress_trend_model"
SLEEP_MODEL = "sleep_quality_model"
WEIGHT_MODEL = "weight_change_model"
MODEL_NAMES: tuple[str, ...] = (STRESS_MODEL, SLEEP_MODEL, WEIGHT_MODEL)


def combined_model_version(versions: Mapping[str, str]) -> str:
    """One string naming every model's version, e.g. ``stress_trend_model:1a2b...|...``."""
    return "|".join(f"{name}:{versions[name]}" for name in MODEL_NAMES)


def _strings(values: Sequence[Any]) -> pa.Array:
    return pa.array([v if isinstance(v, str) else None for v in values], pa.string())


def predictions_table(
    frame: pd.DataFrame,
    models: Mapping[str, Any],
    features: Mapping[str, Sequence[str]],
    model_version: str,
) -> pa.Table:
    """Predict all three targets for every row of the feature store.

    Args:
        frame: The feature store as pandas (keys, features, labels).
        models: Fitted pipelines keyed by :data:`MODEL_NAMES`.
        features: Each model's input columns (from its sidecar).
        model_version: See :func:`combined_model_version`.

    Returns:
        The table with the SPEC 1.5 columns and SPEC 1.6 types, sorted by user and date.
    """
    schema = arrow_schema(PREDICTIONS_TABLE)
    if frame.empty:
        return schema.empty_table()
    with threadpool_limits(TRAINING_THREADS):
        return _predict(frame, models, features, model_version, schema)


def _predict(
    frame: pd.DataFrame,
    models: Mapping[str, Any],
    features: Mapping[str, Sequence[str]],
    model_version: str,
    schema: pa.Schema,
) -> pa.Table:
    def inputs(name: str) -> pd.DataFrame:
        return frame.loc[:, list(features[name])]

    stress = models[STRESS_MODEL]
    stress_proba = stress.predict_proba(inputs(STRESS_MODEL))
    stress_classes = np.asarray(stress.classes_, dtype=object)
    stress_pick = stress_proba.argmax(axis=1)
    weight = frame[WEIGHT_CHANGE_LABEL].to_numpy(dtype=np.float64)
    columns = {
        "user_id": pa.array(frame["user_id"].to_numpy(), pa.int64()),
        "date_key": pa.array(frame["date_key"].to_numpy(), pa.int64()),
        "model_version": pa.array([model_version] * len(frame), pa.string()),
        "predicted_stress_trend": _strings(stress_classes[stress_pick]),
        "predicted_stress_trend_proba": pa.array(
            stress_proba[np.arange(len(frame)), stress_pick], pa.float64()
        ),
        "actual_stress_trend": _strings(frame[STRESS_TREND_LABEL].tolist()),
        "predicted_sleep_quality": _strings(models[SLEEP_MODEL].predict(inputs(SLEEP_MODEL))),
        "actual_sleep_quality": _strings(frame[SLEEP_QUALITY_LABEL].tolist()),
        "predicted_weight_change_30d": pa.array(
            models[WEIGHT_MODEL].predict(inputs(WEIGHT_MODEL)).astype(np.float64), pa.float64()
        ),
        "actual_weight_change_30d": pa.array(weight, pa.float64(), mask=np.isnan(weight)),
    }
    table = pa.table(columns, schema=schema)
    return table.sort_by([("user_id", "ascending"), ("date_key", "ascending")])
