"""gold/fact_predictions: SPEC columns and types; actual_* null exactly where unknown."""

from __future__ import annotations

import pandas as pd

from fitness_platform.ml.features import LABELS
from fitness_platform.ml.predict import combined_model_version, predictions_table
from fitness_platform.tracker.schema import arrow_schema
from fitness_platform_tests.ml.conftest import TrainedSet

ACTUALS = {
    "actual_stress_trend": "stress_trend_next_30d",
    "actual_sleep_quality": "sleep_quality_next_day",
    "actual_weight_change_30d": "weight_change_next_30d",
}


def _table(trained: TrainedSet):
    versions = {name: f"v-{name}" for name in trained.models}
    return predictions_table(
        trained.frame,
        {name: m.pipeline for name, m in trained.models.items()},
        {name: m.features for name, m in trained.models.items()},
        combined_model_version(versions),
    )


def test_columns_types_and_one_row_per_user_day(with_signal: TrainedSet) -> None:
    table = _table(with_signal)
    assert table.schema == arrow_schema("gold/fact_predictions")
    assert table.num_rows == len(with_signal.frame)
    frame = table.to_pandas()
    assert not frame.duplicated(["user_id", "date_key"]).any()
    assert frame["predicted_stress_trend"].notna().all()
    assert frame["predicted_sleep_quality"].isin(LABELS["sleep_quality_next_day"].classes).all()
    assert frame["predicted_stress_trend_proba"].between(1 / 3, 1.0).all()
    assert frame["predicted_weight_change_30d"].notna().all()
    assert frame["model_version"].unique().tolist() == [
        "stress_trend_model:v-stress_trend_model|sleep_quality_model:v-sleep_quality_model|"
        "weight_change_model:v-weight_change_model"
    ]


def test_actuals_are_null_exactly_where_the_future_day_is_unknown(with_signal: TrainedSet) -> None:
    frame = _table(with_signal).to_pandas()
    source = with_signal.frame
    present = set(zip(source["user_id"], source["date"], strict=True))
    dates = pd.to_datetime(frame["date_key"].astype(str), format="%Y%m%d")
    for actual, label in ACTUALS.items():
        ahead = dates + pd.Timedelta(days=LABELS[label].horizon_days)
        known = [(u, d) in present for u, d in zip(frame["user_id"], ahead, strict=True)]
        assert frame[actual].notna().tolist() == known, actual
        # The last `horizon` days of the data have no future yet; earlier gaps exist too.
        assert not any(known[-LABELS[label].horizon_days :])
        assert 0 < sum(known) < len(known)
    matched = frame["actual_stress_trend"].notna()
    assert (
        frame.loc[matched, "actual_stress_trend"].tolist()
        == source.loc[matched.to_numpy(), "stress_trend_next_30d"].tolist()
    )
