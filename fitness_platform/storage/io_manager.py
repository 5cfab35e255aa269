"""One Parquet IO manager for the local filesystem and S3.

Asset key ``["silver", "daily_activity"]`` is stored at ``<base>/silver/daily_activity.parquet``
and a partition of a partitioned asset at ``<base>/<layer>/<table>/<partition>.parquet``. The
same class serves ``base_dir="./data"`` and ``base_dir="s3://bucket/prefix"``: only its
configuration changes between storage modes.
"""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import quote

import dagster as dg
import pyarrow as pa
from pydantic import PrivateAttr
from upath import UPath

from fitness_platform.storage.lake import s3_storage_options
from fitness_platform.storage.parquet import read_table, write_table
from fitness_platform.tracker.schema import TABLE_TYPES, arrow_schema


def _table_name(context: dg.InputContext | dg.OutputContext) -> str:
    return "/".join(context.asset_key.path)


def _schema_for(context: dg.InputContext | dg.OutputContext) -> pa.Schema | None:
    name = _table_name(context)
    return arrow_schema(name) if name in TABLE_TYPES else None


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
        """Percent-encode the key so no partition can leave its table's folder."""
        return base_path / quote(partition, safe="-_.@+=,")

    def dump_to_path(self, context: dg.OutputContext, obj: pa.Table, path: UPath) -> None:
        """Write one table (one partition) atomically with its declared schema."""
        schema = _schema_for(context)
        layout = "file" if context.has_asset_partitions else self.layout
        write_table(obj.cast(schema) if schema is not None else obj, path, layout)

    def load_from_path(self, context: dg.InputContext, path: UPath) -> pa.Table:
        """Read a single-file or directory-form Parquet table."""
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
        for key in sorted(context.asset_partition_keys):
            path = self._with_extension(self.make_safe_partition_path(base, key))
            try:
                tables.append(read_table(path, schema))
            except FileNotFoundError:
                missing.append(key)
        if missing:
            context.log.warning(
                f"{len(missing)} partition(s) of {_table_name(context)} are registered but not "
                f"materialised yet and were not loaded: {missing[:10]}"
            )
        if not tables:
            return schema.empty_table() if schema is not None else pa.table({})
        return pa.concat_tables(tables)
