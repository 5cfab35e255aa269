"""The ML assets in Dagster: materialise on a local lake, show metrics and plots, warn, reuse."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from upath import UPath

from fitness_platform.defs.ml.features import ml_features
from fitness_platform.defs.ml.models import (
    BEATS_BASELINE_CHECK,
    sleep_quality_model,
    stress_trend_model,
    weight_change_model,
)
from fitness_platform.defs.ml.predictions import fact_predictions
from fitness_platform.defs.resources import EngineResource, LakeResource
from fitness_platform.engine.pandas_engine import PANDAS_ENGINE
from fitness_platform.storage.io_manager import ParquetIOManager
from fitness_platform.storage.parquet import read_table, write_table
from fitness_platform.tracker.pipeline import build_gold
from fitness_platform.tracker.schema import arrow_schema
from fitness_platform_tests.ml.data import generated_bronze, silver_of

MODELS = ("stress_trend_model", "sleep_quality_model", "weight_change_model")
ASSETS = [
    dg.AssetSpec(["gold", "fact_daily"]),  # written directly below, as gold would write it
    ml_features,
    stress_trend_model,
    sleep_quality_model,
    weight_change_model,
    fact_predictions,
]


def _materialise(lake_root: Path) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        ASSETS,
        selection=dg.AssetSelection.groups("ml"),
        resources={
            "io_manager": ParquetIOManager(base_dir=str(lake_root)),
            "lake": LakeResource(root=str(lake_root)),
            "engine": EngineResource(),
        },
    )


def _model_metadata(result: dg.ExecuteInProcessResult) -> dict[str, dict]:
    out = {}
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        if (
            materialization.asset_key.path[0] == "ml"
            and materialization.asset_key.path[1] in MODELS
        ):
            out[materialization.asset_key.path[1]] = materialization.metadata
    return out


def test_ml_assets_train_store_predict_and_reuse(tmp_path: Path) -> None:
    bronze = generated_bronze(tmp_path / "raw", users=40, days=200, signal=False)
    gold = build_gold(silver_of(bronze), PANDAS_ENGINE)
    lake_root = tmp_path / "lake"
    write_table(gold["gold/fact_daily"], UPath(str(lake_root / "gold/fact_daily.parquet")))

    first = _materialise(lake_root)
    assert first.success
    metadata = _model_metadata(first)
    assert set(metadata) == set(MODELS)
    for name, values in metadata.items():
        assert values["retrained"].value is True, name
        assert values["confusion_matrix"].value.startswith("![confusion matrix](data:image/png")
        assert values["permutation_importance"].value.startswith("![permutation importance](")
        assert "current-value baseline" in values["metrics"].value
        assert values["training_seconds"].value > 0
        assert (lake_root / f"ml/models/{name}/current.json").is_file()
    # Without a planted signal the verdict says so in plain words and the check warns.
    assert "NOT useful" in metadata["stress_trend_model"]["verdict"].value
    checks = {e.asset_key.path[1]: e for e in first.get_asset_check_evaluations()}
    assert set(checks) == set(MODELS)
    assert all(e.check_name == BEATS_BASELINE_CHECK for e in checks.values())
    assert all(e.severity == dg.AssetCheckSeverity.WARN for e in checks.values())
    assert checks["stress_trend_model"].passed is False

    predictions = read_table(UPath(str(lake_root / "gold/fact_predictions.parquet")))
    assert predictions.schema == arrow_schema("gold/fact_predictions")
    assert predictions.num_rows == gold["gold/fact_daily"].num_rows

    again = _model_metadata(_materialise(lake_root))
    for name in MODELS:
        assert again[name]["retrained"].value is False, name
        assert again[name]["model_version"].value == metadata[name]["model_version"].value
