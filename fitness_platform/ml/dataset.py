"""The feature store's rows: one per user-day with every feature and the three labels.

:func:`build_dataset` turns ``gold/fact_daily`` (or ``silver/daily_activity``) into the
``ml/features`` table; :func:`to_frame` turns that table into the pandas frame the models
train on. :func:`fingerprint` hashes a table's values, so that an unchanged table gets the
same data version and its models are not trained again.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pyarrow as pa

from fitness_platform.ml.features import (
    CATEGORICAL_FEATURES,
    FEATURES,
    INPUT_COLUMNS,
    KEY_COLUMNS,
    LABELS,
    NUMERIC_FEATURES,
)
from fitness_platform.ml.targets import forward_labels

FLOAT = pa.float64()
STRING = pa.string()
# Stored types follow SPEC 1.6: ids and keys int64, measures float64, categories string.
FEATURE_STORE_SCHEMA = pa.schema(
    [
        ("user_id", pa.int64()),
        ("date_key", pa.int64()),
        ("date", pa.date32()),
        *((name, FLOAT) for name in NUMERIC_FEATURES),
        *((name, STRING) for name in CATEGORICAL_FEATURES),
        *((spec.column, STRING if spec.is_classification else FLOAT) for spec in LABELS.values()),
    ]
)


def _dates(date_key: pd.Series) -> pd.Series:
    return pd.to_datetime(date_key.astype("int64").astype(str), format="%Y%m%d")


def build_dataset(table: pa.Table) -> pa.Table:
    """The ``ml/features`` table of a fact_daily-shaped table, sorted by user and date.

    Args:
        table: Rows at grain (``user_id``, ``date_key``) holding at least
            :data:`fitness_platform.ml.features.INPUT_COLUMNS`.

    Returns:
        A table with :data:`FEATURE_STORE_SCHEMA`: keys, ``date``, features and labels.

    Raises:
        ValueError: If an input column is missing or a (user_id, date_key) repeats.
    """
    missing = [c for c in INPUT_COLUMNS if c not in table.column_names]
    if missing:
        raise ValueError(f"ml features: input table lacks columns {missing}")
    frame = _typed_frame(table.select(list(INPUT_COLUMNS)))
    duplicated = frame.duplicated(list(KEY_COLUMNS))
    if duplicated.any():
        first = frame.loc[duplicated, list(KEY_COLUMNS)].iloc[0].to_dict()
        raise ValueError(f"ml features: input repeats (user_id, date_key), e.g. {first}")
    frame["date"] = _dates(frame["date_key"])
    frame = frame.sort_values(["user_id", "date"], kind="stable").reset_index(drop=True)
    frame = pd.concat([frame, forward_labels(frame)], axis=1)
    return to_table(frame)


def _typed_frame(table: pa.Table) -> pd.DataFrame:
    data: dict[str, pd.Series] = {}
    for name in table.column_names:
        column = table.column(name)
        if name in KEY_COLUMNS:
            data[name] = pd.Series(column.to_numpy(), dtype="int64")
        elif name in CATEGORICAL_FEATURES or pa.types.is_string(column.type):
            data[name] = pd.Series(column.to_pylist(), dtype=object)
        else:
            data[name] = pd.Series(column.cast(FLOAT).to_numpy(zero_copy_only=False))
    return pd.DataFrame(data)


def to_table(frame: pd.DataFrame) -> pa.Table:
    """A dataset frame as an Arrow table with :data:`FEATURE_STORE_SCHEMA`."""
    columns = {}
    for field in FEATURE_STORE_SCHEMA:
        values = frame[field.name]
        if field.type == STRING:
            columns[field.name] = pa.array(values.to_numpy(dtype=object), STRING, from_pandas=True)
        elif field.type == pa.date32():
            columns[field.name] = pa.array(values.dt.date, pa.date32())
        else:
            columns[field.name] = pa.array(values.to_numpy(), from_pandas=True).cast(field.type)
    return pa.table(columns, schema=FEATURE_STORE_SCHEMA)


def to_frame(table: pa.Table) -> pd.DataFrame:
    """The ``ml/features`` table as pandas: float64 with NaN, object strings with None."""
    frame = _typed_frame(table.drop_columns(["date"]))
    frame["date"] = pd.to_datetime(table.column("date").to_numpy(zero_copy_only=False))
    for name in (*CATEGORICAL_FEATURES, *(s.column for s in LABELS.values() if s.classes)):
        frame[name] = frame[name].astype(object)
    return frame


def feature_matrix(frame: pd.DataFrame, features: tuple[str, ...] = FEATURES) -> pd.DataFrame:
    """The model inputs of ``frame`` in a fixed column order."""
    return frame.loc[:, list(features)]


def fingerprint(table: pa.Table) -> str:
    """A hash of a table's column names, types and values, independent of chunking.

    Values are hashed through pandas, which ignores what lies under null slots, so two
    tables with equal content always get the same fingerprint.
    """
    digest = hashlib.sha256()
    digest.update(str(table.schema).encode())
    frame = table.to_pandas()
    for name in frame.columns:
        column = frame[name]
        hashed = pd.util.hash_pandas_object(column, index=False).to_numpy(dtype=np.uint64)
        digest.update(name.encode())
        digest.update(hashed.tobytes())
    return digest.hexdigest()
