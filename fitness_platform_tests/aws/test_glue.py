from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from fitness_platform.aws.glue import (
    PARQUET_INPUT_FORMAT,
    PARQUET_OUTPUT_FORMAT,
    PARQUET_SERDE,
    GlueCatalogResource,
    arrow_type_to_glue,
    register_parquet_table,
)
from fitness_platform_tests.support.aws import REGION

SCHEMA = pa.schema(
    [
        pa.field("date", pa.date32(), metadata={"description": "Calendar day"}),
        pa.field("activities", pa.int64()),
        pa.field("distance_km", pa.float64()),
        pa.field("dominant_activity_type", pa.large_string()),
        pa.field("updated_at", pa.timestamp("us", tz="UTC")),
        pa.field("is_rest_day", pa.bool_()),
    ]
)
LOCATION = "s3://fitness-lake/gold/garmin_daily.parquet/"


def get_table(glue: Any, name: str = "garmin_daily") -> dict[str, Any]:
    return glue.get_table(DatabaseName="fitness_gold", Name=name)["Table"]


def versions(glue: Any, name: str = "garmin_daily") -> int:
    return len(
        glue.get_table_versions(DatabaseName="fitness_gold", TableName=name)["TableVersions"]
    )


def test_register_creates_database_and_table(glue: Any) -> None:
    result = register_parquet_table(
        glue, "fitness_gold", "garmin_daily", SCHEMA, LOCATION, "Daily Garmin"
    )
    assert result == "created"
    assert glue.get_database(Name="fitness_gold")["Database"]["Name"] == "fitness_gold"
    table = get_table(glue)
    sd = table["StorageDescriptor"]
    assert [(c["Name"], c["Type"]) for c in sd["Columns"]] == [
        ("date", "date"),
        ("activities", "bigint"),
        ("distance_km", "double"),
        ("dominant_activity_type", "string"),
        ("updated_at", "timestamp"),
        ("is_rest_day", "boolean"),
    ]
    assert sd["Columns"][0]["Comment"] == "Calendar day"
    assert sd["Location"] == LOCATION
    assert sd["InputFormat"] == PARQUET_INPUT_FORMAT
    assert sd["OutputFormat"] == PARQUET_OUTPUT_FORMAT
    assert sd["SerdeInfo"]["SerializationLibrary"] == PARQUET_SERDE
    assert table["TableType"] == "EXTERNAL_TABLE"
    assert table["Parameters"]["classification"] == "parquet"
    assert table["Description"] == "Daily Garmin"


def test_second_registration_is_unchanged_and_writes_nothing(glue: Any) -> None:
    register_parquet_table(glue, "fitness_gold", "garmin_daily", SCHEMA, LOCATION, "Daily Garmin")
    before = versions(glue)
    again = register_parquet_table(
        glue, "fitness_gold", "garmin_daily", SCHEMA, LOCATION, "Daily Garmin"
    )
    assert again == "unchanged"
    assert versions(glue) == before
    wider = SCHEMA.append(pa.field("calories", pa.int32()))
    register_parquet_table(glue, "fitness_gold", "garmin_daily", wider, LOCATION, "Daily Garmin")
    assert versions(glue) == before + 1  # an update does make a version


def test_schema_or_location_change_updates(glue: Any) -> None:
    register_parquet_table(glue, "fitness_gold", "garmin_daily", SCHEMA, LOCATION)
    wider = SCHEMA.append(pa.field("calories", pa.int32()))
    assert (
        register_parquet_table(glue, "fitness_gold", "garmin_daily", wider, LOCATION) == "updated"
    )
    columns = get_table(glue)["StorageDescriptor"]["Columns"]
    assert columns[-1] == {"Name": "calories", "Type": "int"}
    assert (
        register_parquet_table(glue, "fitness_gold", "garmin_daily", wider, LOCATION) == "unchanged"
    )

    moved = "s3://fitness-lake/v2/gold/garmin_daily.parquet/"
    assert register_parquet_table(glue, "fitness_gold", "garmin_daily", wider, moved) == "updated"
    assert get_table(glue)["StorageDescriptor"]["Location"] == moved


def test_parameters_set_by_others_are_kept(glue: Any) -> None:
    register_parquet_table(glue, "fitness_gold", "garmin_daily", SCHEMA, LOCATION)
    table = get_table(glue)
    table_input = {
        "Name": "garmin_daily",
        "TableType": table["TableType"],
        "StorageDescriptor": table["StorageDescriptor"],
        "Parameters": {**table["Parameters"], "owner_team": "analytics"},
    }
    glue.update_table(DatabaseName="fitness_gold", TableInput=table_input)
    assert (
        register_parquet_table(glue, "fitness_gold", "garmin_daily", SCHEMA, LOCATION)
        == "unchanged"
    )
    assert (
        register_parquet_table(glue, "fitness_gold", "garmin_daily", SCHEMA.remove(0), LOCATION)
        == "updated"
    )
    assert get_table(glue)["Parameters"]["owner_team"] == "analytics"


def test_resource_uses_its_database(aws_env: str) -> None:
    resource = GlueCatalogResource(
        region_name=REGION, endpoint_url=aws_env, database="fitness_gold_ci"
    )
    assert resource.register_parquet_table("wod_weekly", SCHEMA, LOCATION) == "created"
    client = resource.get_client()
    assert (
        client.get_table(DatabaseName="fitness_gold_ci", Name="wod_weekly")["Table"]["Name"]
        == "wod_weekly"
    )


@pytest.mark.parametrize(
    ("arrow_type", "glue_type"),
    [
        (pa.int8(), "tinyint"),
        (pa.int16(), "smallint"),
        (pa.int32(), "int"),
        (pa.int64(), "bigint"),
        (pa.uint32(), "bigint"),
        (pa.float32(), "float"),
        (pa.float64(), "double"),
        (pa.bool_(), "boolean"),
        (pa.date32(), "date"),
        (pa.date64(), "date"),
        (pa.timestamp("ns"), "timestamp"),
        (pa.timestamp("ms", tz="Europe/Berlin"), "timestamp"),
        (pa.string(), "string"),
        (pa.large_string(), "string"),
        (pa.binary(), "binary"),
        (pa.decimal128(10, 2), "decimal(10,2)"),
        (pa.dictionary(pa.int32(), pa.string()), "string"),
        (pa.list_(pa.int64()), "array<bigint>"),
        (
            pa.struct([("Lift", pa.string()), ("pct", pa.float64())]),
            "struct<lift:string,pct:double>",
        ),
        (pa.map_(pa.string(), pa.int32()), "map<string,int>"),
        (pa.null(), "string"),
    ],
)
def test_arrow_type_to_glue(arrow_type: pa.DataType, glue_type: str) -> None:
    assert arrow_type_to_glue(arrow_type) == glue_type


def test_types_without_a_hive_counterpart_raise() -> None:
    with pytest.raises(TypeError, match="no Glue/Hive counterpart"):
        arrow_type_to_glue(pa.time64("us"))


def test_column_names_clashing_when_lowercased_raise(glue: Any) -> None:
    schema = pa.schema([("Steps", pa.int64()), ("steps", pa.int64())])
    with pytest.raises(ValueError, match="clashes"):
        register_parquet_table(glue, "fitness_gold", "t", schema, LOCATION)
