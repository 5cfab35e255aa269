"""Issue 8 parity: generated data with every defect kind and gaps, through pandas and Spark.

50 users x 120 days in two files (conflicting duplicates across them), defect rates ten times
the defaults so every kind occurs, plus missing days. Every tracker table must agree: same
keys in the same order, ints/strings/bools/dates exact, floats within 1e-9 relative, and the
dim_user averages equal except where the exact mean is a rounding tie.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from pyspark.sql import SparkSession

from fitness_platform.datagen.defects import DEFECT_KINDS
from fitness_platform.engine.pandas_engine import PANDAS_ENGINE
from fitness_platform.engine.spark_engine import spark_engine
from fitness_platform.tracker.pipeline import build_gold, build_silver
from fitness_platform.tracker.schema import arrow_schema
from fitness_platform_tests.spark.compare import KEYS, assert_same_table
from fitness_platform_tests.spark.conftest import Generated

pytestmark = pytest.mark.spark


def test_generated_data_exercises_every_defect_kind_and_gaps(generated: Generated) -> None:
    report = generated.report
    assert generated.bronze.num_rows >= 50 * 120 * 0.9
    assert {kind for kind, count in report.defects.items() if count > 0} == set(DEFECT_KINDS)
    assert report.defects["missing_day"] > 0


def test_every_tracker_table_is_identical_on_pandas_and_spark(
    spark: SparkSession, generated: Generated
) -> None:
    engine = spark_engine(spark)
    on_pandas = build_silver(generated.bronze, PANDAS_ENGINE)
    on_spark = build_silver(generated.bronze, engine)
    assert on_spark.negatives_zeroed == on_pandas.negatives_zeroed
    assert sum(on_pandas.negatives_zeroed.values()) > 0
    tables: dict[str, tuple[pa.Table, pa.Table]] = {
        "silver/daily_activity": (on_spark.daily_activity, on_pandas.daily_activity),
        "silver/fitness_rejects": (on_spark.rejects, on_pandas.rejects),
    }
    gold_pandas = build_gold(on_pandas.daily_activity, PANDAS_ENGINE)
    gold_spark = build_gold(on_spark.daily_activity, engine)
    assert set(gold_spark) == set(gold_pandas) == {n for n in KEYS if n.startswith("gold/")}
    tables |= {name: (gold_spark[name], gold_pandas[name]) for name in gold_pandas}

    for name, (actual, expected) in tables.items():
        assert actual.schema == expected.schema == arrow_schema(name), name
        # Same order as well: both engines sort their output by the table's key.
        for key in KEYS[name]:
            assert actual[key].to_pylist() == expected[key].to_pylist(), (name, key)
        assert_same_table(name, actual, expected, on_pandas.daily_activity)

    # What differs between backends really occurs in the data.
    silver = on_pandas.daily_activity
    reasons = set(on_pandas.rejects["reason"].to_pylist())
    assert {"duplicate", "zero_steps", "missing_key"} <= reasons
    assert any(r.startswith("out_of_range:") for r in reasons)
    weekday = dict(
        zip(silver["weekday"].to_pylist(), silver["weekday_num"].to_pylist(), strict=True)
    )
    assert weekday["Sunday"] == 6 and weekday["Monday"] == 0
    assert pc.min(silver["ra30_days"]).as_py() == 1
    assert silver["yesterday_stress"].null_count > 0
    assert silver["stress_change_30d"].null_count < silver.num_rows


def test_spark_gold_from_compact_silver_equals_gold_from_plain_silver(
    spark: SparkSession, generated: Generated
) -> None:
    """Spark has no dictionary type: compact silver (as the silver asset holds it) enters the
    Spark engine as plain strings and gives the same gold."""
    engine = spark_engine(spark)
    compact = build_silver(generated.bronze, engine, compact=True).daily_activity
    assert pa.types.is_dictionary(compact.schema.field("weekday").type)

    from_compact = build_gold(compact, engine)
    from_plain = build_gold(compact.cast(arrow_schema("silver/daily_activity")), engine)

    for name, table in from_plain.items():
        assert from_compact[name].equals(table), name
