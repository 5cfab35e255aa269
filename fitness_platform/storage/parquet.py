"""Reading and writing Parquet tables on a local path or ``s3://`` with no half-written state.

A table path is either a single Parquet file (the pandas engine) or a directory of part files
(the Spark engine); :func:`read_table` accepts both, so either engine reads the other's output.
"""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from upath import UPath

from fitness_platform.storage.lake import write_local_atomic


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


def write_table(table: pa.Table, path: UPath, layout: str = "file") -> None:
    """Write ``table`` to ``path`` so a reader sees the old table or the new one, never half.

    Locally the bytes go to a temporary file in the same folder and are renamed into place;
    on S3 the object is written with a single PUT. A directory-form table left by the Spark
    engine is replaced by the file only after the new file is complete.
    """
    data = table_to_parquet_bytes(table)
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
    if fs.isdir(path.path):
        parts = sorted(p for p in fs.find(path.path) if p.endswith(".parquet") and not _hidden(p))
        tables = [pq.read_table(p, filesystem=fs) for p in parts]
        table = pa.concat_tables(tables) if tables else (schema or pa.schema([])).empty_table()
    else:
        with fs.open(path.path, "rb") as handle:
            table = pq.read_table(handle)
    return conform(table, schema) if schema is not None else table


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
