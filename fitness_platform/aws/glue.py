"""The Glue Data Catalog: register Parquet tables from their Arrow schema, idempotently."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import pyarrow as pa
import pyarrow.types as pat
from pydantic import Field

from fitness_platform.aws.session import AwsClientResource

PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
PARQUET_INPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
TABLE_PARAMETERS = {"classification": "parquet", "EXTERNAL": "TRUE"}
_COMMENT_MAX_CHARS = 255  # Glue Column.Comment limit

Registration = Literal["created", "updated", "unchanged"]

_SIMPLE: list[tuple[Any, str]] = [
    (pat.is_boolean, "boolean"),
    (pat.is_int8, "tinyint"),
    (pat.is_int16, "smallint"),
    (pat.is_int32, "int"),
    (pat.is_int64, "bigint"),
    (pat.is_uint8, "smallint"),
    (pat.is_uint16, "int"),
    (pat.is_uint32, "bigint"),
    (pat.is_uint64, "bigint"),  # Hive has no unsigned type: values above 2**63-1 overflow
    (pat.is_float16, "float"),
    (pat.is_float32, "float"),
    (pat.is_float64, "double"),
    (pat.is_date, "date"),
    (pat.is_timestamp, "timestamp"),
    (pat.is_duration, "bigint"),  # stored as INT64 in its unit
    (pat.is_string, "string"),
    (pat.is_large_string, "string"),
    (pat.is_binary, "binary"),
    (pat.is_large_binary, "binary"),
    (pat.is_fixed_size_binary, "binary"),
    (pat.is_null, "string"),  # an all-null column (e.g. from pandas) has no better type
]


def arrow_type_to_glue(arrow_type: pa.DataType) -> str:
    """The Hive/Athena type name for an Arrow type, as the Glue catalog expects it.

    Scalars map one to one (int64 -> bigint, float64 -> double, bool -> boolean,
    date32 -> date, any timestamp -> timestamp, string/large_string -> string, decimal ->
    decimal(p,s)); dictionaries map as their values; lists, structs and maps map to
    ``array<>``, ``struct<>`` and ``map<>``. Time-of-day and interval types have no Hive
    counterpart and raise ``TypeError``.
    """
    if pat.is_dictionary(arrow_type):
        return arrow_type_to_glue(arrow_type.value_type)
    if pat.is_decimal(arrow_type):
        return f"decimal({arrow_type.precision},{arrow_type.scale})"
    if (
        pat.is_list(arrow_type)
        or pat.is_large_list(arrow_type)
        or pat.is_fixed_size_list(arrow_type)
    ):
        return f"array<{arrow_type_to_glue(arrow_type.value_type)}>"
    if pat.is_map(arrow_type):
        key, item = (
            arrow_type_to_glue(arrow_type.key_type),
            arrow_type_to_glue(arrow_type.item_type),
        )
        return f"map<{key},{item}>"
    if pat.is_struct(arrow_type):
        fields = ",".join(
            f"{field.name.lower()}:{arrow_type_to_glue(field.type)}" for field in arrow_type
        )
        return f"struct<{fields}>"
    for matches, glue_type in _SIMPLE:
        if matches(arrow_type):
            return glue_type
    string_view = getattr(pat, "is_string_view", None)
    if string_view is not None and string_view(arrow_type):
        return "string"
    raise TypeError(f"Arrow type {arrow_type} has no Glue/Hive counterpart")


def glue_columns(schema: pa.Schema) -> list[dict[str, str]]:
    """Glue columns for an Arrow schema.

    Names are lower-cased (Hive is case-insensitive), types mapped with
    :func:`arrow_type_to_glue`, and a comment is taken from the field metadata key
    ``description`` (or ``comment``) when present.
    """
    columns: list[dict[str, str]] = []
    seen: set[str] = set()
    for field in schema:
        name = field.name.lower()
        if name in seen:
            raise ValueError(f"column {field.name!r} clashes with another once lower-cased")
        seen.add(name)
        column = {"Name": name, "Type": arrow_type_to_glue(field.type)}
        metadata = field.metadata or {}
        comment = metadata.get(b"description") or metadata.get(b"comment")
        if comment:
            column["Comment"] = comment.decode("utf-8")[:_COMMENT_MAX_CHARS]
        columns.append(column)
    return columns


def ensure_database(client: Any, database: str, description: str | None = None) -> bool:
    """Create the Glue database unless it exists; True when this call created it."""
    try:
        client.get_database(Name=database)
        return False
    except client.exceptions.EntityNotFoundException:
        pass
    database_input: dict[str, Any] = {"Name": database}
    if description:
        database_input["Description"] = description
    try:
        client.create_database(DatabaseInput=database_input)
    except client.exceptions.AlreadyExistsException:
        return False
    return True


def _table_input(
    table: str,
    schema: pa.Schema,
    location: str,
    description: str | None,
    parameters: dict[str, str],
) -> dict[str, Any]:
    table_input: dict[str, Any] = {
        "Name": table,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": parameters,
        "StorageDescriptor": {
            "Columns": glue_columns(schema),
            "Location": location,
            "InputFormat": PARQUET_INPUT_FORMAT,
            "OutputFormat": PARQUET_OUTPUT_FORMAT,
            "Compressed": False,
            "SerdeInfo": {
                "SerializationLibrary": PARQUET_SERDE,
                "Parameters": {"serialization.format": "1"},
            },
        },
    }
    if description:
        table_input["Description"] = description
    return table_input


def _comparable(table: dict[str, Any]) -> tuple[Any, ...]:
    """The parts of a table (as given or as returned by GetTable) this module manages."""
    sd = table.get("StorageDescriptor", {})
    columns = tuple((c["Name"], c["Type"], c.get("Comment") or None) for c in sd.get("Columns", []))
    return (
        table.get("TableType"),
        table.get("Description") or None,
        tuple(sorted((table.get("Parameters") or {}).items())),
        columns,
        sd.get("Location"),
        sd.get("InputFormat"),
        sd.get("OutputFormat"),
        sd.get("SerdeInfo", {}).get("SerializationLibrary"),
        tuple(table.get("PartitionKeys") or ()),
    )


def register_parquet_table(
    client: Any,
    database: str,
    table: str,
    schema: pa.Schema,
    location: str,
    description: str | None = None,
) -> Registration:
    """Create or update an external Parquet table in the Glue catalog.

    Ensures ``database`` exists, then compares the wanted definition (columns from
    ``schema``, ``location``, Parquet SerDe and formats, ``EXTERNAL_TABLE``,
    ``classification=parquet``) with the current one and writes only when they differ, so
    re-registering an unchanged table makes no new table version. Table parameters set by
    others (for example by a crawler) are kept. Partition keys are not managed: an update
    keeps none. Athena reads every object under ``location``, so it should be a prefix
    (folder) holding only this table's Parquet files.
    """
    ensure_database(client, database)
    try:
        current: dict[str, Any] | None = client.get_table(DatabaseName=database, Name=table)[
            "Table"
        ]
    except client.exceptions.EntityNotFoundException:
        current = None
    parameters = {**((current or {}).get("Parameters") or {}), **TABLE_PARAMETERS}
    wanted = _table_input(table, schema, location, description, parameters)
    if current is None:
        client.create_table(DatabaseName=database, TableInput=wanted)
        return "created"
    if _comparable(current) == _comparable(wanted):
        return "unchanged"
    client.update_table(DatabaseName=database, TableInput=wanted)
    return "updated"


class GlueCatalogResource(AwsClientResource):
    """Registers gold tables in one Glue database so Athena and QuickSight can query them."""

    service: ClassVar[str] = "glue"

    database: str = Field(
        default="fitness_gold", description="Glue database for gold tables (FITNESS_GLUE_DATABASE)."
    )

    def register_parquet_table(
        self, table: str, schema: pa.Schema, location: str, description: str | None = None
    ) -> Registration:
        """:func:`register_parquet_table` in this resource's database."""
        return register_parquet_table(
            self.get_client(), self.database, table, schema, location, description
        )
