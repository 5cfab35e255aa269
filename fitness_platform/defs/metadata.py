"""Typed materialisation metadata shared by every table asset."""

from __future__ import annotations

from collections.abc import Mapping

import dagster as dg
import pyarrow as pa

from fitness_platform.tracker.columns import COLUMN_DESCRIPTIONS

PREVIEW_ROWS = 5


def column_schema(
    schema: pa.Schema, descriptions: Mapping[str, str] | None = None
) -> dg.TableSchema:
    """A TableSchema whose column descriptions say unit, meaning and rule.

    Args:
        schema: the table's Arrow schema.
        descriptions: description by column name; the tracker's when not given.
    """
    described = COLUMN_DESCRIPTIONS if descriptions is None else descriptions
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=f.name,
                # Dictionary-encoded strings exist in memory only; files store the values.
                type=str(f.type.value_type if pa.types.is_dictionary(f.type) else f.type),
                description=described.get(f.name),
            )
            for f in schema
        ]
    )


def markdown_preview(table: pa.Table, rows: int = PREVIEW_ROWS) -> str:
    """The first rows of a table as a markdown table."""
    head = table.slice(0, rows).to_pylist()
    if not head:
        return "_(no rows)_"
    names = table.column_names
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    lines += ["| " + " | ".join(_cell(r[n]) for n in names) + " |" for r in head]
    return "\n".join(lines)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")[:80]


def table_metadata(
    table: pa.Table, descriptions: Mapping[str, str] | None = None
) -> dict[str, dg.MetadataValue]:
    """Row count, column schema and a preview for a stored table.

    Args:
        table: the table as stored.
        descriptions: column descriptions by name; the tracker's when not given.
    """
    return {
        "dagster/row_count": dg.MetadataValue.int(table.num_rows),
        "dagster/column_schema": dg.MetadataValue.table_schema(
            column_schema(table.schema, descriptions)
        ),
        "preview": dg.MetadataValue.md(markdown_preview(table)),
    }
