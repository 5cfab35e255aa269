"""Spark DataFrames in the lake: written as directory-form datasets at the table's path,
replaced only by a complete write, and readable by pandas and Spark alike.

No ``from __future__ import annotations`` here: Dagster reads the input annotations of the
assets below to decide between an Arrow table and a Spark DataFrame.
"""

from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as st
from upath import UPath

from fitness_platform.engine.spark_engine import spark_engine
from fitness_platform.storage.io_manager import ParquetIOManager
from fitness_platform.storage.parquet import (
    read_spark_table,
    read_table,
    write_spark_table,
    write_table,
)
from fitness_platform.tracker.gold import calendar
from fitness_platform.tracker.schema import arrow_schema

pytestmark = pytest.mark.spark

SCHEMA = pa.schema(
    [
        ("i", pa.int64()),
        ("f", pa.float64()),
        ("b", pa.bool_()),
        ("d", pa.date32()),
        ("t", pa.timestamp("us", tz="UTC")),
        ("s", pa.string()),
    ]
)
STAMP = datetime(2024, 12, 31, 23, 59, 59, 123456, tzinfo=UTC)


def sample(offset: int = 0) -> pa.Table:
    """Every SPEC 1.6 stored type, with nulls."""
    return pa.table(
        {
            "i": [2**62 + offset, None, offset],
            "f": [0.1, None, 1e-300],
            "b": [True, None, False],
            "d": [date(2024, 2, 29), None, date(1970, 1, 1)],
            "t": [STAMP, None, STAMP],
            "s": ["Sunday é", None, ""],
        },
        schema=SCHEMA,
    )


def _visible(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_spark_output_is_a_dataset_pandas_reads_with_spec_types(
    spark: SparkSession, tmp_path: Path
) -> None:
    path = UPath(tmp_path / "silver" / "t.parquet")
    write_spark_table(spark_engine(spark).from_arrow(sample()).to_native(), path)
    folder = tmp_path / "silver" / "t.parquet"
    assert folder.is_dir()
    assert any(name.startswith("part-") and name.endswith(".parquet") for name in _visible(folder))
    # Nothing staged is left beside the table.
    assert _visible(tmp_path / "silver") == ["t.parquet"]
    back = read_table(path, SCHEMA)
    # Micros tagged UTC, not Spark's default INT96 (zone-less nanoseconds to pyarrow).
    assert read_table(path).schema.field("t").type == pa.timestamp("us", tz="UTC")
    assert sorted(back.to_pylist(), key=repr) == sorted(sample().to_pylist(), key=repr)


def test_spark_reads_the_pandas_file_and_its_own_dataset(
    spark: SparkSession, tmp_path: Path
) -> None:
    single = UPath(tmp_path / "pandas.parquet")
    write_table(sample(), single)
    assert Path(single.path).is_file()
    folder = UPath(tmp_path / "spark.parquet")
    write_spark_table(spark_engine(spark).from_arrow(sample(5)).to_native(), folder)
    frame = read_spark_table(spark, [single, folder], SCHEMA)
    rows = spark_engine(spark).to_arrow(spark_engine(spark).from_arrow(sample()), SCHEMA)
    assert frame.count() == 6
    assert sorted(frame.toArrow().cast(SCHEMA).to_pylist(), key=repr) == sorted(
        rows.to_pylist() + sample(5).to_pylist(), key=repr
    )
    with pytest.raises(FileNotFoundError):
        read_spark_table(spark, UPath(tmp_path / "absent.parquet"))


def test_each_engine_replaces_the_others_table(spark: SparkSession, tmp_path: Path) -> None:
    path = UPath(tmp_path / "t.parquet")
    write_table(sample(1), path)
    write_spark_table(spark_engine(spark).from_arrow(sample(2)).to_native(), path)
    assert Path(path.path).is_dir()
    assert sorted(read_table(path)["i"].to_pylist(), key=repr) == sorted(
        sample(2)["i"].to_pylist(), key=repr
    )
    write_table(sample(3), path)
    assert Path(path.path).is_file()
    assert read_table(path).equals(sample(3))
    write_spark_table(spark_engine(spark).from_arrow(sample(4)).to_native(), path)
    write_spark_table(spark_engine(spark).from_arrow(sample(5)).to_native(), path)
    assert sorted(read_table(path)["i"].to_pylist(), key=repr) == sorted(
        sample(5)["i"].to_pylist(), key=repr
    )
    assert _visible(tmp_path) == ["t.parquet"]


def test_a_failed_spark_write_leaves_the_old_table_and_no_debris(
    spark: SparkSession, tmp_path: Path
) -> None:
    path = UPath(tmp_path / "t.parquet")
    write_table(sample(1), path)

    @F.udf(returnType=st.LongType())
    def explode(value: int | None) -> int:
        raise ValueError(f"boom on {value}")

    frame = spark_engine(spark).from_arrow(sample(2)).to_native()
    with pytest.raises(Exception, match="boom"):
        write_spark_table(frame.withColumn("i", explode(frame["i"])), path)
    assert read_table(path).equals(sample(1))
    assert _visible(tmp_path) == ["t.parquet"]


def test_io_manager_writes_spark_frames_and_hands_them_to_either_kind_of_input(
    spark: SparkSession, tmp_path: Path
) -> None:
    engine = spark_engine(spark)
    days = calendar((date(2024, 12, 28), date(2025, 1, 6)))

    @dg.asset(key=["gold", "dim_date"])
    def dim_date() -> DataFrame:
        # Columns out of order and a wider type: the IO manager writes the SPEC schema.
        native = engine.from_arrow(days).to_native()
        return native.select(*reversed(native.columns)).withColumn("day", native["day"].cast("int"))

    @dg.asset(ins={"dim_date": dg.AssetIn(key=["gold", "dim_date"])}, io_manager_key="counts")
    def as_spark(dim_date: DataFrame) -> int:
        assert isinstance(dim_date, DataFrame)
        assert dict(dim_date.dtypes)["day"] == "bigint"
        return dim_date.count()

    @dg.asset(ins={"dim_date": dg.AssetIn(key=["gold", "dim_date"])}, io_manager_key="counts")
    def as_arrow(dim_date: pa.Table) -> int:
        assert dim_date.schema == arrow_schema("gold/dim_date")
        assert dim_date.sort_by("date_key").equals(days)
        return dim_date.num_rows

    class Memory(dg.ConfigurableIOManager):
        def handle_output(self, context: dg.OutputContext, obj: int) -> None:
            assert obj == days.num_rows

        def load_input(self, context: dg.InputContext) -> None:
            raise AssertionError("not loaded")

    result = dg.materialize(
        [dim_date, as_spark, as_arrow],
        resources={"io_manager": ParquetIOManager(base_dir=str(tmp_path)), "counts": Memory()},
    )
    assert result.success
    assert (tmp_path / "gold" / "dim_date.parquet").is_dir()
    stored = read_table(UPath(tmp_path / "gold" / "dim_date.parquet"))
    assert stored.schema == arrow_schema("gold/dim_date")
