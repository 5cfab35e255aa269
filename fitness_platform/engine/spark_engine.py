"""The Spark engine: the tracker rules on a ``SparkSession``, through narwhals. No business rules.

Arrow tables enter Spark with an explicit Spark schema mapped from their Arrow types (so a
column that is all null keeps its type) and leave through Arrow again, cast to exactly the
SPEC 1.6 schema the caller asks for. Timestamps are UTC on both sides; the session should run
with ``spark.sql.session.timeZone=UTC`` so that Spark's own date functions agree.

:func:`spark_config` is the one place that says how a session is configured; the Dagster
resource (``LazyPySparkResource``), the benchmark and the Pipes job all build their session
from it. This module imports no dagster, so it runs on a bare Spark cluster too.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

import narwhals as nw
import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as st

from fitness_platform.engine import Engine

LOCAL_SHUFFLE_PARTITIONS = 4
"""Shuffle partitions of a ``local[*]`` session: the tables fit one machine, and Spark's default
of 200 spends most of a small job scheduling empty tasks."""


def spark_config(master: str = "local[*]", overrides: Mapping[str, str] | None = None) -> dict:
    """The Spark settings every tracker session uses.

    - ``spark.sql.session.timeZone=UTC``: date and timestamp functions agree with pandas.
    - Arrow on (``spark.sql.execution.arrow.pyspark.enabled``): tables cross the Python/JVM
      boundary as Arrow batches, not pickled rows.
    - ``spark.sql.parquet.outputTimestampType=TIMESTAMP_MICROS``: Spark's default (INT96) is
      read by pyarrow as zone-less nanoseconds; micros tagged UTC match SPEC 1.6.
    - The web UI off; for a ``local`` master also few shuffle partitions and a driver bound
      to 127.0.0.1 (the only network the tests may use).

    Args:
        master: ``spark.master`` (``local[*]``, ``yarn``, ``spark://host:7077``, ...).
        overrides: Extra settings that win over these defaults.

    Returns:
        A flat ``{key: value}`` mapping, as ``PySparkResource(spark_config=...)`` takes it.
    """
    config: dict[str, str] = {
        "spark.master": master,
        "spark.app.name": "fitness-platform",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
    }
    if master.startswith("local"):
        config |= {
            "spark.sql.shuffle.partitions": str(LOCAL_SHUFFLE_PARTITIONS),
            "spark.default.parallelism": str(LOCAL_SHUFFLE_PARTITIONS),
            "spark.driver.host": "127.0.0.1",
            "spark.driver.bindAddress": "127.0.0.1",
        }
    return config | dict(overrides or {})


def start_spark(
    master: str = "local[*]", overrides: Mapping[str, str] | None = None
) -> SparkSession:
    """Get or create the process's ``SparkSession`` with :func:`spark_config`.

    An already running session is reused (one JVM per process); its runtime SQL settings
    (time zone, Arrow, Parquet timestamps) are then set again, so they hold either way.
    """
    config = spark_config(master, overrides)
    prepare_local_environment(master)
    builder = SparkSession.builder
    for key, value in config.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    apply_runtime_settings(session)
    return session


def prepare_local_environment(master: str) -> None:
    """Environment a ``local`` Spark reads when it starts (existing values win).

    ``SPARK_LOCAL_IP``: the JVM binds to 127.0.0.1 instead of resolving the host name.
    ``PYSPARK_PYTHON``: Python workers (UDFs) run this interpreter with its packages, not
    the first ``python3`` on the PATH; PySpark reads only the variable for this.
    """
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)


RUNTIME_SETTINGS = (
    "spark.sql.session.timeZone",
    "spark.sql.execution.arrow.pyspark.enabled",
    "spark.sql.parquet.outputTimestampType",
)


def apply_runtime_settings(session: SparkSession) -> None:
    """Set the SQL settings results depend on, also on a session someone else created."""
    defaults = spark_config()
    for key in RUNTIME_SETTINGS:
        session.conf.set(key, defaults[key])


def conform_spark(frame: DataFrame, schema: pa.Schema) -> DataFrame:
    """``frame`` with exactly ``schema``'s columns, in its order, cast to its Spark types.

    Raises:
        ValueError: naming the columns ``frame`` lacks.
    """
    missing = [name for name in schema.names if name not in frame.columns]
    if missing:
        raise ValueError(f"Spark frame lacks columns {missing} required by its schema")
    target = spark_schema(schema)
    return frame.select(
        *[frame[field.name].cast(field.dataType).alias(field.name) for field in target.fields]
    )


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
    """The table with UTC microsecond timestamps and plain strings, as Spark ingests them.

    Dictionary-encoded strings (compact silver, ``build_silver(..., compact=True)``) become
    plain strings: Spark has no dictionary type.
    """
    fields = []
    for field in table.schema:
        if pa.types.is_dictionary(field.type):
            field = field.with_type(field.type.value_type)
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
