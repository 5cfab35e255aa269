"""One Parquet IO manager for the local filesystem and S3.

Asset key ``["silver", "daily_activity"]`` is stored at ``<base>/silver/daily_activity.parquet``
and a partition of a partitioned asset at ``<base>/<layer>/<table>/<partition>.parquet``. The
same class serves ``base_dir="./data"`` and ``base_dir="s3://bucket/prefix"``: only its
configuration changes between storage modes.

An asset may also return a Spark DataFrame: it is written by Spark as a directory-form
dataset at the same path, and an input annotated ``pyspark.sql.DataFrame`` is read back by the
active SparkSession. Arrow and Spark readers accept each other's files, so a table's producer
and its consumers need not use the same engine (see ``docs/spark.md``).
"""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import quote

import dagster as dg
import pyarrow as pa
from pydantic import PrivateAttr
from upath import UPath

from fitness_platform.storage.lake import s3_storage_options
from fitness_platform.storage.parquet import (
    is_spark_frame,
    is_spark_type,
    read_spark_table,
    read_table,
    write_spark_table,
    write_table,
)
from fitness_platform.tracker.schema import TABLE_TYPES, arrow_schema


def _table_name(context: dg.InputContext | dg.OutputContext) -> str:
    return "/".join(context.asset_key.path)


def _schema_for(context: dg.InputContext | dg.OutputContext) -> pa.Schema | None:
    name = _table_name(context)
    return arrow_schema(name) if name in TABLE_TYPES else None


def _with_schema(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` in the order and types of ``schema``.

    Column order carries no meaning (SPEC 1.4), so a table with exactly the schema's columns in
    another order is reordered first; missing or extra columns still fail the cast, loudly.
    """
    if sorted(table.column_names) == sorted(schema.names):
        table = table.select(schema.names)
    return table.cast(schema)


class ParquetIOManager(dg.ConfigurableIOManager, dg.UPathIOManager):
    """Stores Arrow tables as Parquet under ``base_dir`` (a local folder or ``s3://`` URI).

    Writes are atomic (temp file + rename locally, one PUT on S3). Tracker tables are written
    with their SPEC 1.6 schema. A partitioned upstream asset is loaded as one table that
    concatenates every requested partition, so downstream assets see all files at once.
    """

    base_dir: str
    endpoint_url: str | None = None
    layout: str = "file"
    """``file``: one ``<table>.parquet`` file; ``directory``: ``<table>.parquet/part-00000.parquet``
    (a folder, as Athena/Glue table locations and Spark need; the default in s3 mode)."""

    extension: ClassVar[str] = ".parquet"
    _base_path: UPath = PrivateAttr()

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """Bind the base path once per run."""
        self._base_path = self.base_upath()

    def base_upath(self) -> UPath:
        """The configured base directory as a UPath (with the S3 endpoint when set)."""
        options: dict[str, Any] = {}
        if self.base_dir.startswith("s3://"):
            options = s3_storage_options(self.endpoint_url)
        return UPath(self.base_dir, **options)

    def make_safe_partition_path(self, base_path: UPath, partition: str) -> UPath:
        """Percent-encode the key so no partition can leave its table's folder.

        Dagster accepts ``.`` and ``..`` as dynamic partition keys: a segment of dots only is
        encoded too, or ``.`` would land on the table's own path and ``..`` on its parent.
        """
        segment = quote(partition, safe="-_.@+=,")
        if set(segment) <= {"."}:
            segment = segment.replace(".", "%2E")
        return base_path / segment

    def dump_to_path(self, context: dg.OutputContext, obj: Any, path: UPath) -> None:
        """Write one table (one partition) atomically with its declared schema.

        ``obj`` is an Arrow table, or a Spark DataFrame written as a directory of part files.
        """
        schema = _schema_for(context)
        if is_spark_frame(obj):
            from fitness_platform.engine.spark_engine import conform_spark

            write_spark_table(conform_spark(obj, schema) if schema is not None else obj, path)
            return
        layout = "file" if context.has_asset_partitions else self.layout
        write_table(_with_schema(obj, schema) if schema is not None else obj, path, layout)

    def load_from_path(self, context: dg.InputContext, path: UPath) -> Any:
        """Read a single-file or directory-form Parquet table (as Spark if the input asks)."""
        if _wants_spark(context):
            return read_spark_table(_active_spark(context), path, _schema_for(context))
        return read_table(path, _schema_for(context))

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        """Write the output; a multi-partition run passes ``{partition_key: table}``."""
        if obj is None:
            return
        if context.has_asset_partitions and isinstance(obj, dict):
            base = self._get_path_without_extension(context)
            for key, table in sorted(obj.items()):
                path = self._with_extension(self.make_safe_partition_path(base, key))
                self.make_directory(path.parent)
                self.dump_to_path(context, table, path)
            context.add_output_metadata({"partitions_written": len(obj)})
            return
        super().handle_output(context, obj)

    def load_input(self, context: dg.InputContext) -> pa.Table:
        """Load a table; for a partitioned upstream, every requested partition concatenated."""
        if not (context.has_asset_key and context.has_asset_partitions):
            return self.load_from_path(context, self._get_path(context))
        schema = _schema_for(context)
        base = self._get_path_without_extension(context)
        tables: list[pa.Table] = []
        missing: list[str] = []
        present: list[UPath] = []
        spark = _wants_spark(context)
        for key in sorted(context.asset_partition_keys):
            path = self._with_extension(self.make_safe_partition_path(base, key))
            try:
                if spark:
                    if not path.exists():
                        raise FileNotFoundError(str(path))
                    present.append(path)
                else:
                    tables.append(read_table(path, schema))
            except FileNotFoundError:
                missing.append(key)
        if missing:
            context.log.warning(
                f"{len(missing)} partition(s) of {_table_name(context)} are registered but not "
                f"materialised yet and were not loaded: {missing[:10]}"
            )
        if spark:
            return read_spark_table(_active_spark(context), present, schema)
        if not tables:
            return schema.empty_table() if schema is not None else pa.table({})
        return pa.concat_tables(tables)


def _wants_spark(context: dg.InputContext) -> bool:
    return is_spark_type(context.dagster_type.typing_type)


def _active_spark(context: dg.InputContext) -> Any:
    """The SparkSession of this process (the engine resource starts it)."""
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession()
    if session is None:
        raise RuntimeError(
            f"input {_table_name(context)} is annotated as a Spark DataFrame but no SparkSession "
            "is active; run with FITNESS_ENGINE=spark so the engine resource starts one"
        )
    return session
