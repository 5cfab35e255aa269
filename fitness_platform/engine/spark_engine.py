"""The Spark engine: the tracker rules on a ``SparkSession``, through narwhals. No business rules.

Arrow tables enter Spark with an explicit Spark schema mapped from their Arrow types (so a
column that is all null keeps its type) and leave through Arrow again, cast to exactly the
SPEC 1.6 schema the caller asks for. Timestamps are UTC on both sides; the session should run
with ``spark.sql.session.timeZone=UTC`` so that Spark's own date functions agree.
"""

from __future__ import annotations

import narwhals as nw
import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as st

from fitness_platform.engine import Engine


def spark_type(arrow_type: pa.DataType) -> st.DataType:
    """The Spark type a SPEC 1.6 Arrow type is held in.

    Raises:
        TypeError: For an Arrow type that no tracker table uses (smaller ints, nanosecond or
            zone-less timestamps, categoricals, ...), so such a column cannot slip in unnoticed.
    """
    if pa.types.is_int64(arrow_type):
        return st.LongType()
    if pa.types.is_float64(arrow_type):
        return st.DoubleType()
    if pa.types.is_boolean(arrow_type):
        return st.BooleanType()
    if pa.types.is_date32(arrow_type):
        return st.DateType()
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return st.StringType()
    if pa.types.is_timestamp(arrow_type) and arrow_type.tz is not None:
        # Spark's TimestampType is an instant (microseconds since the epoch, UTC).
        return st.TimestampType()
    raise TypeError(f"no Spark type for Arrow type {arrow_type} (not a SPEC 1.6 stored type)")


def spark_schema(schema: pa.Schema) -> st.StructType:
    """The Spark schema of an Arrow schema of SPEC 1.6 types, every field nullable."""
    return st.StructType(
        [st.StructField(field.name, spark_type(field.type), nullable=True) for field in schema]
    )


def _normalised(table: pa.Table) -> pa.Table:
    """The table with UTC microsecond timestamps and plain strings, as Spark ingests them."""
    fields = []
    for field in table.schema:
        if pa.types.is_timestamp(field.type) and field.type.tz is not None:
            # The same instants, spelled the one way Spark ingests without guessing a zone.
            fields.append(field.with_type(pa.timestamp("us", tz="UTC")))
        elif pa.types.is_large_string(field.type):
            fields.append(field.with_type(pa.string()))
        else:
            fields.append(field)
    return table.cast(pa.schema(fields))


def spark_engine(spark: SparkSession) -> Engine:
    """An :class:`Engine` running the tracker rules on ``spark``.

    Args:
        spark: An active session; its ``spark.sql.session.timeZone`` should be ``UTC``.

    Returns:
        The engine: ``from_arrow`` builds a Spark DataFrame with the Spark types of the Arrow
        columns (int64 -> LongType, float64 -> DoubleType, date32 -> DateType, timestamp ->
        TimestampType, bool -> BooleanType, string -> StringType) wrapped as a narwhals
        LazyFrame; ``to_arrow`` collects through Arrow into exactly the requested schema.
    """

    def from_arrow(table: pa.Table) -> nw.LazyFrame:
        normalised = _normalised(table)
        frame = spark.createDataFrame(normalised, schema=spark_schema(normalised.schema))
        return nw.from_native(frame)

    def to_arrow(frame: nw.LazyFrame, schema: pa.Schema) -> pa.Table:
        native: DataFrame = frame.to_native()
        # Selecting after a sort keeps the order: Spark collects partitions in sequence.
        collected = native.select(*schema.names).toArrow()
        return pa.table(
            [_conform(collected.column(field.name), field.type) for field in schema],
            schema=schema,
        )

    return Engine(name="spark", from_arrow=from_arrow, to_arrow=to_arrow)


def _conform(column: pa.ChunkedArray, target: pa.DataType) -> pa.ChunkedArray:
    """One collected column in exactly the target type (UTC instants stay the same instants)."""
    if column.type == target:
        return column
    return column.cast(target)
