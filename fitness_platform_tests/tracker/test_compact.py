"""Compact silver (dictionary-encoded strings in memory) holds the same values as plain silver,
takes less memory, and gives the same gold."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from fitness_platform.datagen import generate_tracker_files
from fitness_platform.defs.metadata import column_schema
from fitness_platform.engine.pandas_engine import PANDAS_ENGINE
from fitness_platform.tracker.bronze import parse_tracker_csv
from fitness_platform.tracker.pipeline import build_gold, build_silver, combine_bronze
from fitness_platform.tracker.schema import COMPACT_STRING_INDEXES, arrow_schema, compact_strings

NOW = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
SPEC = arrow_schema("silver/daily_activity")


@pytest.fixture(scope="module")
def bronze(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    folder = tmp_path_factory.mktemp("raw")
    generate_tracker_files(folder, users=30, days=60, seed=11, files=3)
    parsed = [
        parse_tracker_csv(p.read_bytes(), source_file=p.name, modified_at=NOW, ingested_at=NOW)
        for p in sorted(folder.glob("*.csv"))
    ]
    return combine_bronze(parsed)[0]


@pytest.mark.parametrize("chunk_rows", [None, 400])
def test_compact_silver_has_the_values_of_plain_silver_in_less_memory(
    bronze: pa.Table, chunk_rows: int | None
) -> None:
    plain = build_silver(bronze, PANDAS_ENGINE, chunk_rows=chunk_rows)
    compact = build_silver(bronze, PANDAS_ENGINE, chunk_rows=chunk_rows, compact=True)

    for name, index_type in COMPACT_STRING_INDEXES.items():
        assert compact.daily_activity.schema.field(name).type == pa.dictionary(
            index_type, pa.string()
        )
    assert plain.daily_activity.schema == SPEC
    assert compact.daily_activity.cast(SPEC).equals(plain.daily_activity)
    assert compact.rejects.equals(plain.rejects)
    assert compact.daily_activity.nbytes < plain.daily_activity.nbytes * 0.9


def test_gold_from_compact_silver_equals_gold_from_plain_silver(bronze: pa.Table) -> None:
    plain = build_silver(bronze, PANDAS_ENGINE).daily_activity
    compact = build_silver(bronze, PANDAS_ENGINE, compact=True).daily_activity

    from_plain, from_compact = build_gold(plain, PANDAS_ENGINE), build_gold(compact, PANDAS_ENGINE)

    for name, table in from_plain.items():
        assert table.schema == arrow_schema(name)
        assert from_compact[name].equals(table), name


def test_compacting_twice_or_without_those_columns_changes_nothing() -> None:
    table = pa.table({"gender": ["F", "M", "F"], "steps": [1, 2, 3]})
    once = compact_strings(table)
    assert once.schema.field("gender").type == pa.dictionary(pa.int8(), pa.string())
    assert compact_strings(once).equals(once)
    assert once.column("steps").equals(table.column("steps"))
    assert once.column("gender").to_pylist() == ["F", "M", "F"]


def test_column_schema_metadata_shows_the_stored_type_of_compact_columns() -> None:
    table = compact_strings(pa.table({"gender": ["F"], "steps": [1]}))
    columns = {c.name: c.type for c in column_schema(table.schema).columns}
    assert columns == {"gender": "string", "steps": "int64"}
