"""Reading and writing Parquet tables on a local path or ``s3://`` with no half-written state.

A table path is either a single Parquet file (the pandas engine) or a directory of part files
(the Spark engine); :func:`read_table` accepts both, so either engine reads the other's output.
:func:`write_spark_table` and :func:`read_spark_table` do the same for Spark DataFrames; pyspark
is imported only when a Spark frame is actually handled.
"""

from __future__ import annotations

import io
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq
from fsspec import AbstractFileSystem
from upath import UPath

from fitness_platform.storage.lake import write_local_atomic

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def is_local(path: UPath) -> bool:
    """Whether a UPath lives on the local filesystem."""
    return getattr(path, "protocol", "") in ("", "file", "local")


def table_to_parquet_bytes(table: pa.Table) -> bytes:
    """Serialise an Arrow table to Parquet bytes (zstd, statistics on)."""
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()


PART_FILE = "part-00000.parquet"
LAYOUTS = ("file", "directory")


class TableWriteError(OSError):
    """A table could not be written; the message names the table's path and the cause."""


def write_table(table: pa.Table, path: UPath, layout: str = "file") -> None:
    """Write ``table`` to ``path`` so a reader sees the old table or the new one, never half.

    Locally the bytes go to a temporary file in the same folder and are renamed into place;
    on S3 the object is written with a single PUT. A directory-form table left by the Spark
    engine is replaced by the file only after the new file is complete.

    Raises:
        TableWriteError: naming ``path``, whatever failed underneath. A dropped connection
            surfaces from aiohttp without any URL, and an operator (or a retry) must still
            know which table was not written.
    """
    data = table_to_parquet_bytes(table)
    try:
        _write_bytes(data, path, layout)
    except Exception as error:
        raise TableWriteError(
            f"could not write table {path}: {type(error).__name__}: {error}"
        ) from error


def _write_bytes(data: bytes, path: UPath, layout: str) -> None:
    if layout == "directory":
        _write_directory_table(data, path)
        return
    if is_local(path):
        target = Path(str(path.path))
        if target.is_dir():
            staged = target.with_name(f".tmp-staged-{target.name}")
            write_local_atomic(staged, data)
            _remove_tree(target)
            staged.replace(target)
        else:
            write_local_atomic(target, data)
        return
    fs = path.fs
    if fs.isdir(path.path):
        fs.rm(path.path, recursive=True)
    fs.pipe_file(path.path, data)


def _write_directory_table(data: bytes, path: UPath) -> None:
    """Write the table as the single part file of a folder (what Athena and Spark expect).

    The part file replaces the previous one in one rename (local) or one PUT (S3), so the
    folder always holds one complete table.
    """
    if is_local(path):
        target = Path(str(path.path))
        if target.is_file():
            staged = target.with_name(f".tmp-staged-{target.name}")
            write_local_atomic(staged / PART_FILE, data)
            target.unlink()
            staged.replace(target)
        else:
            write_local_atomic(target / PART_FILE, data)
        return
    fs = path.fs
    fs.pipe_file(f"{path.path}/{PART_FILE}", data)
    if fs.isfile(path.path):
        fs.rm_file(path.path)


def read_table(path: UPath, schema: pa.Schema | None = None) -> pa.Table:
    """Read a single-file or directory-form Parquet table, optionally cast to ``schema``.

    Raises:
        FileNotFoundError: when nothing exists at ``path``.
    """
    fs = path.fs
    if not fs.exists(path.path):
        raise FileNotFoundError(str(path))
    local = is_local(path)
    if fs.isdir(path.path):
        parts = sorted(p for p in fs.find(path.path) if p.endswith(".parquet") and not _hidden(p))
        tables = [_read_file(fs, p, local) for p in parts]
        table = pa.concat_tables(tables) if tables else (schema or pa.schema([])).empty_table()
    else:
        table = _read_file(fs, path.path, local)
    return conform(table, schema) if schema is not None else table


def _read_file(fs: AbstractFileSystem, path: str, local: bool) -> pa.Table:
    """Read one Parquet file synchronously, from a native file or from fetched bytes.

    Never hand pyarrow a Python file object: its dataset reader pre-buffers through
    background I/O threads that may release Python-backed buffers only at interpreter exit,
    when they can no longer take the GIL, and the process then aborts
    ("terminate called without an active exception", exit 134; apache/arrow#34314).
    """
    source = path if local else pa.BufferReader(fs.cat_file(path))
    return pq.ParquetFile(source).read()


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Select and cast ``table`` to exactly ``schema`` (order and types), failing loudly.

    Raises:
        ValueError: naming the missing columns when the table lacks any of them.
    """
    missing = [name for name in schema.names if name not in table.column_names]
    if missing:
        raise ValueError(f"table lacks columns {missing} required by its schema")
    return table.select(schema.names).cast(schema)


def _hidden(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name.startswith((".", "_"))


def _remove_tree(target: Path) -> None:
    for child in sorted(target.rglob("*"), reverse=True):
        if child.is_dir():
            child.rmdir()
        else:
            child.unlink()
    target.rmdir()


def is_spark_frame(obj: object) -> bool:
    """Whether ``obj`` is a Spark DataFrame (without importing pyspark when nobody has)."""
    module = sys.modules.get("pyspark.sql")
    return module is not None and isinstance(obj, module.DataFrame)


def is_spark_type(typing_type: Any) -> bool:
    """Whether an annotation asks for a Spark DataFrame (``pyspark.sql.DataFrame``)."""
    return (
        isinstance(typing_type, type)
        and typing_type.__name__ == "DataFrame"
        and typing_type.__module__.startswith("pyspark.sql")
    )


def spark_uri(path: UPath) -> str:
    """The location of ``path`` as Spark's Hadoop filesystems spell it.

    ``s3://`` becomes ``s3a://`` (open-source Spark's S3 connector, ``hadoop-aws``); on EMR and
    Glue, whose ``s3://`` is native, the Pipes job gets ``s3://`` paths instead.
    """
    if is_local(path):
        return str(path.path)
    protocol = path.protocol if isinstance(path.protocol, str) else path.protocol[0]
    scheme = "s3a" if protocol in ("s3", "s3a") else protocol
    return f"{scheme}://{path.path}"


def write_spark_table(frame: DataFrame, path: UPath) -> None:
    """Write a Spark DataFrame as a directory-form Parquet table at ``path``.

    Locally Spark writes into a hidden sibling folder; only a complete write is renamed into
    place, replacing the previous table (a file or a folder) afterwards, so a failed job
    leaves the old table untouched and no partial folder. On object stores Spark's committer
    writes in place (``mode("overwrite")``): S3 has no rename, so there a reader may briefly
    see the folder being replaced, as with any Spark job.
    """
    if not is_local(path):
        frame.write.mode("overwrite").parquet(spark_uri(path))
        return
    target = Path(str(path.path))
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(f".tmp-spark-{uuid.uuid4().hex}-{target.name}")
    try:
        frame.write.mode("errorifexists").parquet(str(staged))
    except BaseException:
        if staged.exists():
            _remove_tree(staged)
        raise
    if not target.exists():
        staged.replace(target)
        return
    retired = target.with_name(f".tmp-old-{uuid.uuid4().hex}-{target.name}")
    target.replace(retired)
    staged.replace(target)
    if retired.is_dir():
        _remove_tree(retired)
    else:
        retired.unlink()


def read_spark_table(
    spark: SparkSession, paths: UPath | list[UPath], schema: pa.Schema | None = None
) -> DataFrame:
    """Read single-file or directory-form Parquet tables (pandas' or Spark's) as one frame.

    Raises:
        FileNotFoundError: when a path does not exist.
    """
    from fitness_platform.engine.spark_engine import conform_spark, spark_schema

    locations = paths if isinstance(paths, list) else [paths]
    for location in locations:
        if not location.exists():
            raise FileNotFoundError(str(location))
    if not locations:
        if schema is None:
            raise ValueError("no Parquet paths to read and no schema for an empty table")
        return spark.createDataFrame([], schema=spark_schema(schema))
    frame = spark.read.parquet(*[spark_uri(location) for location in locations])
    return conform_spark(frame, schema) if schema is not None else frame
