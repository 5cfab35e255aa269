"""Features use only what is known on day d; no label is a feature."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from fitness_platform.ml import features as f
from fitness_platform.ml.dataset import FEATURE_STORE_SCHEMA, build_dataset, to_frame
from fitness_platform.ml.targets import value_on
from fitness_platform.tracker.schema import FACT_DAILY_COLUMNS
from fitness_platform_tests.ml.data import generated_bronze, silver_of

CUT = date(2024, 11, 20)


def future_dependent_columns(build, bronze: pa.Table, cut: date) -> list[str]:
    """Columns of ``build(silver)`` whose rows dated <= ``cut`` change when later days vanish.

    A feature known on day d cannot depend on any day after d; if it does, deleting every
    day after ``cut`` from bronze changes it for some row dated on or before ``cut``.
    """
    full = build(silver_of(bronze))
    past = build(silver_of(bronze.filter(pc.less_equal(bronze.column("date"), cut))))
    keep = full["date"] <= pd.Timestamp(cut)
    full = full.loc[keep].reset_index(drop=True)
    past = past.reset_index(drop=True)
    assert len(full) == len(past) > 0
    return [c for c in f.FEATURES if not full[c].equals(past[c])]


def _features(silver: pa.Table) -> pd.DataFrame:
    return to_frame(build_dataset(silver))


def test_no_label_is_a_feature_and_features_are_day_d_columns() -> None:
    assert set(f.LABEL_COLUMNS).isdisjoint(f.FEATURES)
    assert len(set(f.FEATURES)) == len(f.FEATURES)
    # Every feature is a column of the day-d row of gold/fact_daily (= silver), used as is.
    assert set(f.FEATURES) <= set(FACT_DAILY_COLUMNS)
    assert all(spec.source in f.FEATURES for spec in f.LABELS.values())
    stored = set(FEATURE_STORE_SCHEMA.names)
    assert set(f.FEATURES) | set(f.LABEL_COLUMNS) | {"user_id", "date_key", "date"} == stored


def test_no_feature_changes_when_the_future_is_removed(tmp_path: Path) -> None:
    bronze = generated_bronze(tmp_path, users=30, days=120, signal=True)
    assert future_dependent_columns(_features, bronze, CUT) == []


def test_the_future_check_catches_a_feature_built_from_a_later_day(tmp_path: Path) -> None:
    bronze = generated_bronze(tmp_path, users=30, days=120, signal=True)

    def leaky(silver: pa.Table) -> pd.DataFrame:
        frame = _features(silver)
        # Deliberately derived from the stress-trend target's future day.
        frame["yesterday_sleep"] = value_on(frame, "stress_level", 30)
        return frame

    assert future_dependent_columns(leaky, bronze, CUT) == ["yesterday_sleep"]


def test_labels_are_null_where_the_future_day_is_absent(tmp_path: Path) -> None:
    bronze = generated_bronze(tmp_path, users=20, days=90, signal=False)
    frame = _features(silver_of(bronze))
    present = set(zip(frame["user_id"], frame["date"], strict=True))
    for spec in f.LABELS.values():
        ahead = frame["date"] + pd.Timedelta(days=spec.horizon_days)
        has_future = [(u, d) in present for u, d in zip(frame["user_id"], ahead, strict=True)]
        assert frame[spec.column].notna().tolist() == has_future, spec.column
