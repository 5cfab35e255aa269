"""``fitness-platform bench --engine spark`` reports in the pandas benchmark's format.

Only the format is tested (stage rows, columns, JSON fields), never the timings.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from fitness_platform.cli import main

pytestmark = pytest.mark.spark

NUMBER = re.compile(r"[0-9][0-9,]*(\.[0-9]+)?( \([0-9.]+-[0-9.]+\))?")


def _bench(engine: str, out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, dict]:
    size = ["--users", "20", "--days", "30"]
    code = main(["bench", "--engine", engine, *size, "--no-dagster", "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    report = json.loads((out / f"{engine}_u20_d30.json").read_text())
    markdown = (out / f"{engine}_u20_d30.md").read_text()
    assert markdown in printed
    return markdown, report


def _shape(markdown: str) -> list[str]:
    """The table with every number blanked out and the engine name removed."""
    return [
        NUMBER.sub("N", line).replace("spark", "E").replace("pandas", "E")
        for line in markdown.splitlines()
    ]


def test_spark_bench_has_the_pandas_report_format(
    spark: SparkSession,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # the sample cache lives under ./bench/cache
    spark_md, spark_json = _bench("spark", tmp_path / "results", capsys)
    pandas_md, pandas_json = _bench("pandas", tmp_path / "results", capsys)
    assert _shape(spark_md) == _shape(pandas_md)
    assert "engine spark" in spark_md.splitlines()[0]
    stages = [line.split("|")[1].strip() for line in spark_md.splitlines()[4:]]
    assert stages == ["bronze", "silver", "gold", "bronze->gold", "floor"]
    assert spark_json.keys() == pandas_json.keys()
    assert spark_json["engine"] == "spark"
    assert spark_json["rows"] == pandas_json["rows"] > 0
    assert [m["stage"] for m in spark_json["repeats"][0]] == [
        m["stage"] for m in pandas_json["repeats"][0]
    ]
    assert [m["rows"] for m in spark_json["repeats"][0]] == [
        m["rows"] for m in pandas_json["repeats"][0]
    ]
