"""``ml/features``: the feature store the three models read from, and nothing else."""

import warnings

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc

from fitness_platform.defs.metadata import column_schema, table_metadata
from fitness_platform.defs.ml.conditions import FEATURES_CONDITION
from fitness_platform.defs.tracker.policies import LAKE_RETRY
from fitness_platform.ml.dataset import build_dataset, fingerprint
from fitness_platform.ml.features import FEATURES, LABEL_DESCRIPTIONS, LABELS

OWNERS = ["team:ml"]
FEATURES_KEY = dg.AssetKey(["ml", "features"])
FEATURES_CODE_VERSION = "ml-features-1"


@dg.asset(
    retry_policy=LAKE_RETRY,
    key=FEATURES_KEY,
    ins={"fact_daily": dg.AssetIn(key=["gold", "fact_daily"])},
    group_name="ml",
    kinds={"pandas", "parquet"},
    owners=OWNERS,
    code_version=FEATURES_CODE_VERSION,
    automation_condition=FEATURES_CONDITION,
)
def ml_features(context: dg.AssetExecutionContext, fact_daily: pa.Table) -> dg.Output[pa.Table]:
    """One row per user-day with every model feature (known on day d) and the three forward
    labels (SPEC 1.5), read from gold/fact_daily once its blocking checks passed.

    Refresh strategy: the table is rebuilt as a whole and *filtered by content*, not
    partitioned. A label of day d depends on day d+30, so a late or corrected day changes rows
    up to 30 days earlier, across any date partition; and gold/fact_daily, its only input, is
    itself one unpartitioned table. Rebuilding 365,000 rows takes about a second, while
    training takes far longer, so the incremental part is where the cost is: the asset's data
    version is a hash of its content, and the models retrain only when that hash changes.
    """
    table = build_dataset(fact_daily)
    version = fingerprint(table)
    labelled = {
        spec.column: int(pc.sum(pc.is_valid(table.column(spec.column))).as_py() or 0)
        for spec in LABELS.values()
    }
    metadata = table_metadata(table)
    schema = column_schema(table.schema)
    metadata["dagster/column_schema"] = dg.MetadataValue.table_schema(
        dg.TableSchema(
            columns=[
                dg.TableColumn(
                    c.name, c.type, description=LABEL_DESCRIPTIONS.get(c.name, c.description)
                )
                for c in schema.columns
            ]
        )
    )
    # Output(data_version=...) is marked beta; the content hash as data version is what lets
    # the models skip retraining, so the warning is silenced here rather than the feature lost.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.BetaWarning)
        return _versioned_output(table, version, metadata, labelled)


def _versioned_output(table: pa.Table, version: str, metadata: dict, labelled: object) -> dg.Output:
    return dg.Output(
        table,
        data_version=dg.DataVersion(version),
        metadata={
            **metadata,
            "features": dg.MetadataValue.json(list(FEATURES)),
            "labelled_rows": dg.MetadataValue.json(labelled),
            "content_hash": dg.MetadataValue.text(version),
        },
    )
