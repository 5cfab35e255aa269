"""ParquetIOManager round trips on a local folder and on a moto S3 server over HTTP.

Small assets named like the tracker tables go through ``dg.materialize``; the files are then
inspected where the IO manager promises to put them.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from upath import UPath

from fitness_platform.storage.io_manager import ParquetIOManager
from fitness_platform.storage.lake import Lake, s3_storage_options
from fitness_platform.storage.parquet import TableWriteError, table_to_parquet_bytes, write_table
from fitness_platform.tracker.schema import arrow_schema, compact_strings

SILVER = ["silver", "daily_activity"]
BRONZE = ["bronze", "fitness_logs"]
FILES = dg.DynamicPartitionsDefinition(name="io_test_files")


@dataclass(frozen=True)
class Store:
    """Where a test's IO manager writes, and how the test looks at what it wrote."""

    base_dir: str
    endpoint_url: str | None
    lake: Lake

    def io_manager(self) -> ParquetIOManager:
        """The IO manager under test, configured as in production."""
        return ParquetIOManager(base_dir=self.base_dir, endpoint_url=self.endpoint_url)

    def is_file(self, key: str) -> bool:
        """Whether ``key`` is a single object (not a folder of parts)."""
        path = self.lake.path(key)
        return path.fs.isfile(path.path)

    def stored_schema(self, key: str) -> pa.Schema:
        """The physical schema of one stored Parquet file."""
        return pq.read_schema(pa.BufferReader(self.lake.read_bytes(key)))

    def put(self, key: str, data: bytes) -> None:
        """Write an object the way another engine would (plain file / boto3 PUT)."""
        if self.lake.is_local:
            target = Path(self.lake.root, key)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            return
        bucket, _, prefix = self.base_dir.removeprefix("s3://").partition("/")
        client = boto3.client("s3", endpoint_url=self.endpoint_url, region_name="us-east-1")
        client.put_object(Bucket=bucket, Key=f"{prefix}/{key}", Body=data)


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A local lake folder, or ``s3://<fresh bucket>/lake`` on the moto server."""
    if request.param == "local":
        base = str(tmp_path / "lake")
        yield Store(base, None, Lake(base))
        return
    endpoint = request.getfixturevalue("aws_env")
    base = f"s3://{request.getfixturevalue('s3_bucket')}/lake"
    yield Store(base, endpoint, Lake(base, s3_storage_options(endpoint)))


def _value(data_type: pa.DataType, i: int) -> Any:
    if pa.types.is_integer(data_type):
        return i + 1
    if pa.types.is_floating(data_type):
        return i + 0.25
    if pa.types.is_boolean(data_type):
        return i % 2 == 0
    if pa.types.is_date(data_type):
        return date(2024, 9, 6) + timedelta(days=i)
    if pa.types.is_timestamp(data_type):
        return datetime(2024, 9, 6, 12, tzinfo=UTC) + timedelta(hours=i)
    return f"v{i}"


def sample(table: str, rows: int, all_null: tuple[str, ...] = (), **fixed: Any) -> pa.Table:
    """A table with the SPEC columns of ``table`` in reverse order; ``all_null`` columns are
    untyped nulls (as pandas or a literal ``None`` column produce); ``fixed`` sets a column."""
    columns: dict[str, pa.Array] = {}
    for field in reversed(arrow_schema(table)):
        if field.name in all_null:
            columns[field.name] = pa.nulls(rows)
        elif field.name in fixed:
            columns[field.name] = pa.array([fixed[field.name]] * rows, field.type)
        else:
            columns[field.name] = pa.array([_value(field.type, i) for i in range(rows)], field.type)
    return pa.table(columns)


def typed(table: str, data: pa.Table) -> pa.Table:
    """``data`` as it must come back: SPEC column order and types."""
    schema = arrow_schema(table)
    return data.select(schema.names).cast(schema)


def silver_assets(source: pa.Table, seen: dict[str, pa.Table]) -> tuple[Any, Any]:
    """An asset writing ``source`` as silver/daily_activity and one that loads it back."""

    @dg.asset(key=SILVER)
    def silver() -> pa.Table:
        return source

    @dg.asset(key=["test", "silver_reader"], ins={"table": dg.AssetIn(key=SILVER)})
    def reader(table: pa.Table) -> None:
        seen["silver"] = table

    return silver, reader


def test_unpartitioned_table_round_trip_keeps_spec_types(store: Store) -> None:
    source = sample("silver/daily_activity", 3, all_null=("yesterday_stress", "weekday"))
    seen: dict[str, pa.Table] = {}

    result = dg.materialize(
        list(silver_assets(source, seen)), resources={"io_manager": store.io_manager()}
    )

    assert result.success
    assert store.is_file("silver/daily_activity.parquet")
    stored = store.stored_schema("silver/daily_activity.parquet")
    assert stored.field("yesterday_stress").type == pa.int64()
    assert stored.field("weekday").type == pa.string()
    assert stored.remove_metadata() == arrow_schema("silver/daily_activity")
    assert seen["silver"].equals(typed("silver/daily_activity", source))
    assert seen["silver"].column("yesterday_stress").null_count == 3


def test_dictionary_encoded_strings_are_stored_as_plain_strings(store: Store) -> None:
    """The silver asset holds compact strings in memory; files keep the SPEC's strings."""
    plain = sample("silver/daily_activity", 4, gender="F", _source_file="a.csv")
    source = compact_strings(plain)
    assert pa.types.is_dictionary(source.schema.field("gender").type)
    seen: dict[str, pa.Table] = {}

    result = dg.materialize(
        list(silver_assets(source, seen)), resources={"io_manager": store.io_manager()}
    )

    assert result.success
    stored = store.stored_schema("silver/daily_activity.parquet")
    assert stored.remove_metadata() == arrow_schema("silver/daily_activity")
    assert seen["silver"].equals(typed("silver/daily_activity", plain))


def test_partitions_are_files_and_load_as_one_table(
    store: Store, instance: dg.DagsterInstance
) -> None:
    keys = ["a.csv", "sub__b.csv-0123abcd", "c_failed.csv"]
    instance.add_dynamic_partitions(FILES.name, keys)
    seen: dict[str, pa.Table] = {}

    @dg.asset(key=BRONZE, partitions_def=FILES)
    def bronze(context: dg.AssetExecutionContext) -> pa.Table:
        key = context.partition_key
        if key == "c_failed.csv":
            # A failed file's partition is written empty, so downstream still loads it.
            return arrow_schema("bronze/fitness_logs").empty_table()
        return sample("bronze/fitness_logs", 2, all_null=("bmi",), _source_file=key)

    @dg.asset(key=["test", "bronze_reader"], ins={"rows": dg.AssetIn(key=BRONZE)})
    def reader(rows: pa.Table) -> None:
        seen["bronze"] = rows

    resources = {"io_manager": store.io_manager()}
    for key in keys:
        result = dg.materialize([bronze], partition_key=key, resources=resources, instance=instance)
        assert result.success

    for key in keys:
        assert store.is_file(f"bronze/fitness_logs/{key}.parquet"), key
        schema = store.stored_schema(f"bronze/fitness_logs/{key}.parquet").remove_metadata()
        assert schema == arrow_schema("bronze/fitness_logs")

    result = dg.materialize(
        [bronze, reader], selection=[reader], resources=resources, instance=instance
    )

    assert result.success
    loaded = seen["bronze"]
    assert loaded.schema == arrow_schema("bronze/fitness_logs")
    assert loaded.num_rows == 4
    assert sorted(set(loaded.column("_source_file").to_pylist())) == keys[:2]
    assert loaded.column("bmi").null_count == 4


def test_a_folder_of_part_files_is_read_and_then_replaced(store: Store) -> None:
    """Spark writes a table as a folder of parts; pandas reads it and may overwrite it."""
    parts = [sample("silver/daily_activity", n) for n in (2, 3)]
    folder = "silver/daily_activity.parquet"
    for i, part in enumerate(parts):
        store.put(f"{folder}/part-{i:05d}-c000.snappy.parquet", table_to_parquet_bytes(part))
    store.put(f"{folder}/_SUCCESS", b"")
    seen: dict[str, pa.Table] = {}
    replacement = sample("silver/daily_activity", 1, user_id=77)
    silver, reader = silver_assets(replacement, seen)
    resources = {"io_manager": store.io_manager()}

    read_parts = dg.materialize([silver, reader], selection=[reader], resources=resources)

    assert read_parts.success
    assert seen["silver"].equals(typed("silver/daily_activity", pa.concat_tables(parts)))

    overwrite = dg.materialize([silver, reader], resources=resources)

    assert overwrite.success
    assert store.is_file(folder)
    assert seen["silver"].column("user_id").to_pylist() == [77]
    assert not [key for key in store.lake.list("silver") if key.startswith(f"{folder}/")]


def test_a_write_that_fails_names_the_table(tmp_path: Path) -> None:
    """Whatever breaks underneath (here: the layer folder is a file), the error names the
    table, so the step's failure and each retry say which table was not written."""
    (tmp_path / "silver").write_text("a file where the silver folder should be")
    target = UPath(tmp_path / "silver" / "daily_activity.parquet")

    with pytest.raises(TableWriteError, match=r"silver/daily_activity\.parquet") as raised:
        write_table(sample("silver/daily_activity", 2), target)

    assert isinstance(raised.value.__cause__, OSError)
    assert (tmp_path / "silver").read_text().startswith("a file")
