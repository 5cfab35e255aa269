"""Jobs of the ML domain."""

import dagster as dg

ml_refresh_job = dg.define_asset_job(
    name="ml_refresh_job",
    selection=dg.AssetSelection.groups("ml"),
    description="Rebuild the feature store, train or reuse the three models (a model whose "
    "version is already stored is not trained again) and write gold/fact_predictions.",
)
