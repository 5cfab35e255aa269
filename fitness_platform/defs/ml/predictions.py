"""``gold/fact_predictions``: the three models' predictions for every user-day."""

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc

from fitness_platform.defs.metadata import table_metadata
from fitness_platform.defs.ml.conditions import PREDICTIONS_CONDITION
from fitness_platform.defs.ml.features import FEATURES_KEY
from fitness_platform.defs.resources import LakeResource
from fitness_platform.defs.tracker.policies import LAKE_RETRY
from fitness_platform.ml.dataset import fingerprint, to_frame
from fitness_platform.ml.predict import MODEL_NAMES, combined_model_version, predictions_table
from fitness_platform.ml.store import ModelStore

OWNERS = ["team:ml"]
ACTUAL_COLUMNS = ("actual_stress_trend", "actual_sleep_quality", "actual_weight_change_30d")


@dg.asset(
    retry_policy=LAKE_RETRY,
    key=["gold", "fact_predictions"],
    ins={"features": dg.AssetIn(key=FEATURES_KEY)},
    deps=[dg.AssetKey(["ml", name]) for name in MODEL_NAMES],
    group_name="ml",
    kinds={"scikit-learn", "parquet"},
    owners=OWNERS,
    code_version="ml-predictions-1",
    automation_condition=PREDICTIONS_CONDITION,
)
def fact_predictions(
    context: dg.AssetExecutionContext, features: pa.Table, lake: LakeResource
) -> dg.Output[pa.Table]:
    """Predicted stress trend (with its probability), next night's sleep quality and 30-day
    weight change for every user-day, next to the actual outcome; actual_* is null exactly
    where the outcome's day is not known (yet). model_version names all three models."""
    store = ModelStore(lake.lake())
    loaded = {name: store.load(name) for name in MODEL_NAMES}
    versions = {name: card["model_version"] for name, (_, card) in loaded.items()}
    current = fingerprint(features)
    stale = [name for name, (_, card) in loaded.items() if card["data_version"] != current]
    table = predictions_table(
        to_frame(features),
        {name: model for name, (model, _) in loaded.items()},
        {name: card["features"] for name, (_, card) in loaded.items()},
        combined_model_version(versions),
    )
    known = {c: int(pc.sum(pc.is_valid(table.column(c))).as_py() or 0) for c in ACTUAL_COLUMNS}
    return dg.Output(
        table,
        metadata={
            **table_metadata(table),
            "model_versions": dg.MetadataValue.json(versions),
            "rows_with_known_actuals": dg.MetadataValue.json(known),
            "models_trained_on_other_features": dg.MetadataValue.json(stale),
        },
    )
