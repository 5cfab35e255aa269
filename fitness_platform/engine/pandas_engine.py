"""The default in-process engine: pandas with Arrow-backed columns."""

from __future__ import annotations

import narwhals as nw
import pandas as pd
import pyarrow as pa

from fitness_platform.engine import Engine


def pandas_from_arrow(table: pa.Table) -> nw.LazyFrame:
    """Wrap an Arrow table as a pandas-backed LazyFrame; Arrow dtypes keep nulls as nulls."""
    return nw.from_native(table.to_pandas(types_mapper=pd.ArrowDtype)).lazy()


def pandas_to_arrow(frame: nw.LazyFrame, schema: pa.Schema) -> pa.Table:
    """Collect a pandas-backed LazyFrame into an Arrow table with exactly ``schema``."""
    native = frame.collect().to_native()
    columns = {}
    for field in schema:
        series = native[field.name]
        array = pa.array(series, from_pandas=True)
        columns[field.name] = array.cast(field.type) if array.type != field.type else array
    return pa.table(columns, schema=schema)


PANDAS_ENGINE = Engine(name="pandas", from_arrow=pandas_from_arrow, to_arrow=pandas_to_arrow)
