"""Helpers of the pipeline tests: raw tracker CSVs with known defects, lake readers, checks.

Raw data comes from the project's generator (its report says which rejects each planted
defect must produce) and from a small hand-written CSV writer for what the generator does not
vary: header order and case, blank lines, CRLF, surplus fields, sub-folders, bad headers.
Either way the test knows every record it wrote, so reconciliation is checked against ground
truth.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import boto3
import dagster as dg
import numpy as np
import pyarrow as pa
import pytest

from fitness_platform.datagen import DefectRates, GenerationReport, generate_tracker_files
from fitness_platform.runner import RunSummary, run_tracker
from fitness_platform.settings import Settings, load_settings
from fitness_platform.storage.lake import Lake
from fitness_platform.storage.parquet import read_table
from fitness_platform.tracker.schema import RAW_COLUMNS, arrow_schema

START = date(2024, 9, 6)
# Generated data: small, with every defect kind at 8x the default rates (reject rate ~2.5%,
# under the 5% per-file gate that would block gold).
USERS, DAYS, SEED = 20, 60, 11
RATES = DefectRates().scaled(8)
FIRST_MTIME = 1_750_000_000.0
SECOND_MTIME = FIRST_MTIME + 3600.0
COLUMN = {name: i for i, name in enumerate(RAW_COLUMNS)}
PARTITIONED_TABLES = ("bronze/fitness_logs", "bronze/fitness_rejects")
SINGLE_FILE_TABLES = (
    "silver/daily_activity",
    "silver/fitness_rejects",
    "gold/fact_daily",
    "gold/dim_user",
    "gold/dim_date",
    "gold/dim_activity",
)
TABLES = PARTITIONED_TABLES + SINGLE_FILE_TABLES

# One replacement cell per defect, with the reject reason it must produce downstream.
CELL_DEFECTS: tuple[tuple[str, str, str], ...] = (
    ("steps", "7.0", "unparseable:steps"),
    ("date", "2024-02-30", "unparseable:date"),
    ("heart_rate_avg", "nan", "unparseable:heart_rate_avg"),
    ("stress_level", "5.5", "unparseable:stress_level"),
    ("age", "1_000", "unparseable:age"),
    ("user_id", "", "missing_key"),
    ("bmi", "", "out_of_range:bmi"),
    ("age", "150", "out_of_range:age"),
    ("sleep_hours", "20", "out_of_range:sleep_hours"),
    ("gender", "X", "out_of_range:gender"),
    ("calories_burned", "9000", "out_of_range:calories_burned"),
    ("weight_kg", "-3", "out_of_range:weight_kg"),
    ("steps", "-120", "zero_steps"),
    ("steps", "0", "zero_steps"),
)
# Defects that must not reject the row.
HARMLESS_DEFECTS: tuple[tuple[str, str], ...] = (
    ("exercise_minutes", "-5"),
    ("gender", " f "),
    ("steps", " 7000 "),
)


@dataclass(frozen=True)
class RawCsv:
    """A raw tracker CSV as bytes, with the number of data records it holds."""

    name: str
    data: bytes
    records: int

    def write(self, folder: Path, mtime: float | None = None) -> Path:
        """Write the file under ``folder`` (creating folders), optionally setting its mtime."""
        path = folder / self.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.data)
        if mtime is not None:
            os.utime(path, (mtime, mtime))
        return path


def clean_rows(
    user_ids: Sequence[int], days: int, seed: int, start: date = START, gap_rate: float = 0.05
) -> list[list[str]]:
    """Realistic, valid tracker records (SPEC 1.1 order) with random missing days (gaps)."""
    rng = np.random.default_rng(seed)
    rows: list[list[str]] = []
    for user_id in user_ids:
        age = int(rng.integers(18, 80))
        gender = str(rng.choice(["F", "M"]))
        height_m = float(rng.normal(1.70, 0.08))
        base_weight = float(np.clip(rng.normal(75, 12), 45, 140))
        for t in range(days):
            if rng.random() < gap_rate:
                continue
            weight = base_weight + float(rng.normal(0, 0.5))
            rows.append(
                [
                    str(user_id),
                    str(age),
                    gender,
                    (start + timedelta(days=t)).isoformat(),
                    str(int(max(800, rng.normal(8000, 3500)))),
                    f"{rng.normal(72, 6):.1f}",
                    f"{np.clip(rng.normal(7.1, 1.0), 3, 12):.2f}",
                    f"{np.clip(rng.normal(2300, 300), 900, 5000):.1f}",
                    f"{np.clip(rng.gamma(2.0, 20.0), 0, 300):.1f}",
                    str(int(rng.integers(1, 11))),
                    f"{weight:.2f}",
                    f"{weight / height_m**2:.2f}",
                ]
            )
    return rows


def with_defects(rows: list[list[str]], seed: int) -> list[list[str]]:
    """A copy of ``rows`` with every defect of CELL_DEFECTS and HARMLESS_DEFECTS, a record
    with an extra field, and exact and conflicting duplicates appended at the end."""
    rng = np.random.default_rng(seed)
    out = [list(row) for row in rows]
    cells = [(c, v) for c, v, _ in CELL_DEFECTS] + list(HARMLESS_DEFECTS)
    targets = rng.choice(len(out), size=len(cells) + 5, replace=False)
    for (column, value), index in zip(cells, targets, strict=False):
        out[index][COLUMN[column]] = value
    extra, exact, conflicting = targets[len(cells)], targets[-4:-2], targets[-2:]
    out[extra] = [*out[extra], "surplus"]
    out.extend(list(rows[i]) for i in exact)
    for i in conflicting:
        copy = list(rows[i])
        copy[COLUMN["steps"]] = str(int(copy[COLUMN["steps"]]) + 1234)
        out.append(copy)
    return out


def csv_bytes(
    rows: Sequence[Sequence[str]],
    header: Sequence[str] = RAW_COLUMNS,
    *,
    blank_every: int = 0,
    crlf: bool = False,
) -> bytes:
    """CSV text of ``rows`` (given in SPEC 1.1 order) under ``header`` (any column order).

    Cells beyond the 12 columns are kept at the end of their record; a blank line is written
    after every ``blank_every`` records (blank lines are not records).
    """
    order = [COLUMN[name.strip().lower()] for name in header if name.strip().lower() in COLUMN]
    end = "\r\n" if crlf else "\n"
    lines = [",".join(header)]
    for n, row in enumerate(rows, start=1):
        lines.append(",".join([row[i] for i in order] + list(row[len(RAW_COLUMNS) :])))
        if blank_every and n % blank_every == 0:
            lines.append("   ")
    return (end.join(lines) + end).encode("utf-8")


def tracker_csv(
    name: str,
    user_ids: Sequence[int],
    days: int,
    seed: int,
    *,
    defects: bool = True,
    start: date = START,
) -> RawCsv:
    """A raw file with shuffled header order, blank lines, and (by default) every defect."""
    rows = clean_rows(user_ids, days, seed, start)
    if defects:
        rows = with_defects(rows, seed + 1)
    header = list(RAW_COLUMNS)
    np.random.default_rng(seed).shuffle(header)
    header = [h.upper() if i % 3 == 0 else h for i, h in enumerate(header)]
    return RawCsv(name, csv_bytes(rows, header, blank_every=97, crlf=seed % 2 == 0), len(rows))


@dataclass(frozen=True)
class Delivery:
    """Raw files delivered in two batches; the second has conflicting duplicates of the first.

    Attributes:
        first: A generated file and a hand-written one (sub-folder, shuffled header).
        second: The second generated file, modified later than the first batch.
        report: What the generator planted in its two files.
    """

    first: tuple[RawCsv, ...]
    second: tuple[RawCsv, ...]
    report: GenerationReport

    @property
    def files(self) -> tuple[RawCsv, ...]:
        """Both batches."""
        return self.first + self.second

    @property
    def records(self) -> dict[str, int]:
        """Data records per source file."""
        return {raw.name: raw.records for raw in self.files}

    def write(self, raw_root: Path, *, second: bool = True) -> None:
        """Write the first batch (and the second, one hour later) under ``raw_root``."""
        for raw in self.first:
            raw.write(raw_root, FIRST_MTIME)
        for raw in self.second if second else ():
            raw.write(raw_root, SECOND_MTIME)

    def expected_reasons(self) -> Counter[str]:
        """Rejects owed: the generator's report plus the hand-written file's known defects."""
        expected = Counter(self.report.expected_rejects)
        expected.update(reason for _, _, reason in CELL_DEFECTS)
        expected.update({"unparseable:field_count": 1, "duplicate": 4})
        return expected


def make_delivery(folder: Path) -> Delivery:
    """Generate the two files (conflicting duplicates across them) and the hand-written one."""
    report = generate_tracker_files(
        folder, users=USERS, days=DAYS, seed=SEED, files=2, defects=RATES
    )
    absent = sorted(kind for kind, n in report.defects.items() if n == 0)
    assert not absent, f"seed {SEED} plants none of {absent}; pick another seed"
    generated = [RawCsv(p.name, p.read_bytes(), report.rows_per_file[p.name]) for p in report.files]
    handwritten = tracker_csv("extra/shuffled.csv", range(100, 108), DAYS, seed=6)
    return Delivery((generated[0], handwritten), (generated[1],), report)


def quiet(_: str) -> None:
    """An ``echo`` for ``run_tracker`` that prints nothing.

    The tests call ``run_tracker(..., ml=False)``: they cover the tracker tables, and the
    models refuse data spanning fewer days than their 30-day horizons plus a test period.
    """


def local_settings(tmp_path: Path) -> Settings:
    """Settings of a local lake at ``tmp_path/lake`` with raw files in ``tmp_path/raw``."""
    return load_settings(
        {"FITNESS_LOCAL_ROOT": str(tmp_path / "lake"), "FITNESS_RAW_PATH": str(tmp_path / "raw")}
    )


def settings_lake(settings: Settings) -> Lake:
    """The lake of ``settings``."""
    return Lake(settings.lake_root, settings.storage_options)


def read_tables(lake: Lake) -> dict[str, pa.Table]:
    """Every tracker table as stored (each file's own schema), bronze over all partitions."""
    tables: dict[str, pa.Table] = {}
    for name in PARTITIONED_TABLES:
        keys = lake.list(name, suffix=".parquet")
        assert keys, f"no partition of {name} under {lake.root}"
        tables[name] = pa.concat_tables([read_table(lake.path(key)) for key in keys])
    for name in SINGLE_FILE_TABLES:
        tables[name] = read_table(lake.path(f"{name}.parquet"))
    return tables


def _canonical_type(data_type: pa.DataType) -> str:
    if pa.types.is_large_string(data_type):
        return "string"
    if pa.types.is_timestamp(data_type) and data_type.tz in ("UTC", "Etc/UTC", "+00:00"):
        return f"timestamp[{data_type.unit}, tz=UTC]"
    return str(data_type)


def assert_spec_schemas(tables: dict[str, pa.Table]) -> None:
    """Every table has exactly the columns and Arrow types of SPEC 1.6 (order ignored)."""
    for name, table in tables.items():
        stored = {f.name: _canonical_type(f.type) for f in table.schema}
        expected = {f.name: _canonical_type(f.type) for f in arrow_schema(name)}
        assert stored == expected, (
            f"{name}: missing {sorted(expected.keys() - stored.keys())}, "
            f"extra {sorted(stored.keys() - expected.keys())}, wrong types "
            f"{ {k: (stored[k], expected[k]) for k in stored.keys() & expected.keys() if stored[k] != expected[k]} }"
        )


def _keys(table: pa.Table) -> list[tuple[str, int]]:
    return list(
        zip(
            table.column("_source_file").to_pylist(),
            table.column("_row_number").to_pylist(),
            strict=True,
        )
    )


def assert_reconciles(
    tables: dict[str, pa.Table], records: dict[str, int], failed: Sequence[str] = ()
) -> None:
    """Row-by-row reconciliation on (``_source_file``, ``_row_number``) (SPEC 1.3).

    Args:
        tables: The tables of one lake (see :func:`read_tables`).
        records: Data records written per source file that did not fail as a whole.
        failed: Source files that failed as a whole (one reject with ``_row_number`` 0).
    """
    bronze = _keys(tables["bronze/fitness_logs"])
    bronze_rejects = _keys(tables["bronze/fitness_rejects"])
    silver = _keys(tables["silver/daily_activity"])
    silver_rejects = _keys(tables["silver/fitness_rejects"])
    for label, keys in (
        ("bronze", bronze),
        ("bronze rejects", bronze_rejects),
        ("silver", silver),
        ("silver rejects", silver_rejects),
    ):
        assert len(keys) == len(set(keys)), f"{label} holds a (_source_file, _row_number) twice"
    file_level = {key for key in bronze_rejects if key[1] == 0}
    assert file_level == {(name, 0) for name in failed}
    data = {(name, n) for name, count in records.items() for n in range(1, count + 1)}
    row_level = set(bronze_rejects) - file_level
    assert not set(bronze) & row_level, "a record is both a bronze row and a bronze reject"
    assert set(bronze) | row_level == data, (
        f"lost records {sorted(data - set(bronze) - row_level)[:10]}, "
        f"unknown records {sorted((set(bronze) | row_level) - data)[:10]}"
    )
    assert not set(silver) & set(silver_rejects), "a row is both in silver and a silver reject"
    assert set(silver) | set(silver_rejects) == set(bronze), (
        f"bronze rows lost by silver: {sorted(set(bronze) - set(silver) - set(silver_rejects))[:10]}"
    )


def record_texts(data: bytes) -> tuple[list[str], list[str]]:
    """Header names and data record texts of a CSV without quoted line breaks."""
    lines = [line for line in data.decode("utf-8-sig").splitlines() if line.strip()]
    return lines[0].split(","), lines[1:]


def assert_rows_match_records(tables: dict[str, pa.Table], files: Sequence[RawCsv]) -> None:
    """``_row_number`` n of a file is its n-th data record: a bronze reject quotes that
    record's text, and a bronze row holds that record's ``user_id`` and ``date``."""
    texts = {raw.name: record_texts(raw.data) for raw in files}
    for reject in tables["bronze/fitness_rejects"].to_pylist():
        if reject["_row_number"] > 0:
            _, records = texts[reject["_source_file"]]
            assert reject["raw"] == records[reject["_row_number"] - 1], reject
    bronze = tables["bronze/fitness_logs"].select(
        ["_source_file", "_row_number", "user_id", "date"]
    )
    for row in bronze.to_pylist():
        header, records = texts[row["_source_file"]]
        cells = dict(
            zip(
                (h.strip().lower() for h in header),
                records[row["_row_number"] - 1].split(","),
                strict=False,
            )
        )
        user_id, day = cells["user_id"].strip(), cells["date"].strip()
        assert row["user_id"] == (int(user_id) if user_id else None), row
        assert row["date"] == (date.fromisoformat(day) if day else None), row


def put_s3_objects(endpoint_url: str, bucket: str, prefix: str, files: Sequence[RawCsv]) -> None:
    """Upload raw files under ``s3://bucket/prefix/`` with a plain boto3 client."""
    client = boto3.client("s3", endpoint_url=endpoint_url, region_name="us-east-1")
    for raw in files:
        client.put_object(Bucket=bucket, Key=f"{prefix}/{raw.name}", Body=raw.data)


@pytest.fixture(scope="session")
def delivery(tmp_path_factory: pytest.TempPathFactory) -> Delivery:
    """The raw files of the local scenarios (generated once per session)."""
    return make_delivery(tmp_path_factory.mktemp("generated"))


@pytest.fixture(scope="session")
def single_run(
    tmp_path_factory: pytest.TempPathFactory, delivery: Delivery
) -> tuple[Settings, RunSummary]:
    """Both batches ingested by one ``run_tracker`` into a fresh local lake."""
    root = tmp_path_factory.mktemp("single_run")
    delivery.write(root / "raw")
    settings = local_settings(root)
    with dg.DagsterInstance.ephemeral() as ephemeral:
        return settings, run_tracker(settings, instance=ephemeral, echo=quiet, ml=False)


@pytest.fixture(scope="session")
def child_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment of child Python processes: no ``FITNESS_*``, ``AWS_*`` or ``DAGSTER_HOME``
    of the caller leaks in. Bytecode goes to a session temp folder (never into the venv), so
    only the first child pays for compiling every import."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path_factory.mktemp("home")),
        "PYTHONPYCACHEPREFIX": str(tmp_path_factory.mktemp("pycache")),
    }


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    """A throwaway Dagster instance: nothing of it survives the test."""
    with dg.DagsterInstance.ephemeral() as ephemeral:
        yield ephemeral
