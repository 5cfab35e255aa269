"""Synthetic tracker CSVs of the reference shape (SPEC 1.1 and 5), with planted, counted defects.

:func:`generate_tracker_files` writes ``files`` CSV files (header + the 12 SPEC columns, UTF-8,
LF line endings) into a folder and returns a :class:`GenerationReport` with the exact number of
every planted defect and the rejects the pipeline must produce for them, per file.

How rows are laid out:

- The clean grid is every (user, day): users ``0 .. users-1`` x days ``start .. start+days-1``
  (:mod:`~fitness_platform.datagen.population`, plus :mod:`~fitness_platform.datagen.signal`
  with ``signal=True``). Missing days are removed first.
- With several files, the rows are split into contiguous date ranges of (nearly) equal size,
  like periodic exports. Inside a file rows are ordered by user, then date; duplicate copies are
  inserted at random positions.
- Conflicting duplicates go to another file than their original when ``files > 1``. The report's
  expected rejects assume the SPEC 1.3 winner rule with the files ingested in one run or in name
  order: the file written later (later modification time, else greater name) wins, so the
  original's or the copy's row in the *earlier* file is the ``duplicate`` reject.

File names: ``{prefix}_{days}days.csv`` for one file (the reference name at the default
shape) and ``{prefix}_{days}days_part{i:03}.csv`` (i = 0 .. files-1) for several, so names sort
in writing order. Existing files of the same name are replaced atomically.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from fitness_platform.datagen import defects as dq
from fitness_platform.datagen import physiology as ph
from fitness_platform.datagen import population as pop
from fitness_platform.datagen.signal import apply_signal

DEFAULT_USERS = 1_000
DEFAULT_DAYS = 365
DEFAULT_START = date(2024, 9, 6)
DEFAULT_SEED = 42
DEFAULT_PREFIX = "health_fitness_tracking"

_WRITE_OPTIONS = pacsv.WriteOptions(include_header=False, quoting_style="none")


@dataclass(frozen=True)
class GenerationReport:
    """What :func:`generate_tracker_files` wrote and which rejects the pipeline owes for it.

    - ``rows_per_file``: data records per file name (header not counted).
    - ``defects``: count of every planted kind of :data:`~fitness_platform.datagen.defects.DEFECT_KINDS`
      (``missing_day`` = absent user-days). ``defects_by_file`` counts the row kinds per file
      (a duplicate counts in the file of the copy).
    - ``defect_columns``: for the cell kinds, the count per column hit.
    - ``negatives_to_zero``: per column, the values silver must turn from negative into 0.
    - ``expected_rejects`` / ``expected_rejects_by_file``: reason -> rows that bronze
      (``unparseable:*``) or silver (the rest) must reject; see
      :func:`~fitness_platform.datagen.defects.expected_reason`.
    """

    out_dir: Path
    files: tuple[Path, ...]
    rows_per_file: dict[str, int]
    defects: dict[str, int]
    defects_by_file: dict[str, dict[str, int]]
    defect_columns: dict[str, dict[str, int]]
    negatives_to_zero: dict[str, int]
    expected_rejects: dict[str, int]
    expected_rejects_by_file: dict[str, dict[str, int]]
    users: int
    days: int
    start: date
    seed: int
    signal: bool
    rates: dq.DefectRates
    elapsed_seconds: float = field(default=0.0, compare=False)

    @property
    def total_rows(self) -> int:
        return sum(self.rows_per_file.values())

    @property
    def total_expected_rejects(self) -> int:
        return sum(self.expected_rejects.values())

    @property
    def expected_silver_rows(self) -> int:
        """Rows silver keeps: one per (user_id, date) that has at least one valid record."""
        return self.total_rows - self.total_expected_rejects

    @property
    def reject_rate_by_file(self) -> dict[str, float]:
        return {
            name: sum(self.expected_rejects_by_file[name].values()) / rows if rows else 0.0
            for name, rows in self.rows_per_file.items()
        }

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.elapsed_seconds if self.elapsed_seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable view."""
        return {
            "out_dir": str(self.out_dir),
            "files": [str(p) for p in self.files],
            "rows_per_file": self.rows_per_file,
            "total_rows": self.total_rows,
            "defects": self.defects,
            "defects_by_file": self.defects_by_file,
            "defect_columns": self.defect_columns,
            "negatives_to_zero": self.negatives_to_zero,
            "expected_rejects": self.expected_rejects,
            "expected_rejects_by_file": self.expected_rejects_by_file,
            "expected_silver_rows": self.expected_silver_rows,
            "reject_rate_by_file": self.reject_rate_by_file,
            "users": self.users,
            "days": self.days,
            "start": self.start.isoformat(),
            "seed": self.seed,
            "signal": self.signal,
            "rates": self.rates.as_dict(),
            "elapsed_seconds": self.elapsed_seconds,
            "rows_per_second": self.rows_per_second,
        }

    def summary(self) -> str:
        """A few human-readable lines for the CLI."""
        worst = max(self.reject_rate_by_file.values(), default=0.0)
        planted = ", ".join(f"{k}={v}" for k, v in self.defects.items() if v)
        return "\n".join(
            [
                f"wrote {len(self.files)} file(s) to {self.out_dir}: {self.total_rows:,} rows "
                f"({self.users} users x {self.days} days from {self.start.isoformat()}, "
                f"seed {self.seed}, signal {'on' if self.signal else 'off'})",
                f"defects: {planted or 'none'}",
                f"expected rejects: {self.total_expected_rejects:,} "
                f"(worst file {worst:.2%}); expected silver rows: {self.expected_silver_rows:,}",
                f"{self.elapsed_seconds:.2f} s, {self.rows_per_second:,.0f} rows/s",
            ]
        )


def file_names(prefix: str, days: int, files: int) -> list[str]:
    """The deterministic names of the files one generation writes."""
    if files == 1:
        return [f"{prefix}_{days}days.csv"]
    width = max(3, len(str(files - 1)))
    return [f"{prefix}_{days}days_part{i:0{width}d}.csv" for i in range(files)]


def _validate(users: int, days: int, seed: int, files: int) -> None:
    if users < 1 or days < 1:
        raise ValueError("users and days must be at least 1")
    if seed < 0:
        raise ValueError("seed must not be negative")
    if files < 1:
        raise ValueError("files must be at least 1")


def _clean_frame(users: int, days: int, start: date, seed: int, signal: bool) -> pd.DataFrame:
    frame = pop.clean_grid(users, days, start, seed)
    if signal:
        frame = apply_signal(frame, pop.rng_for(seed, pop.STREAM_SIGNAL))
    return pop.finalize(frame)


def generate_tracker_frame(
    *,
    users: int = DEFAULT_USERS,
    days: int = DEFAULT_DAYS,
    start: date = DEFAULT_START,
    seed: int = DEFAULT_SEED,
    signal: bool = False,
) -> pd.DataFrame:
    """The clean grid (no defects, no gaps) as the files would hold it, one row per user-day.

    The 12 raw columns: ints as int64, floats rounded to their written decimals, ``gender`` and
    ``date`` (``YYYY-MM-DD``) as strings; sorted by ``user_id`` then ``date``. With
    ``DefectRates.none()`` :func:`generate_tracker_files` writes exactly these rows.
    """
    _validate(users, days, seed, 1)
    frame = _clean_frame(users, days, start, seed, signal)
    out = frame[list(ph.RAW_COLUMNS)].copy()
    out["date"] = np.datetime_as_string(frame["date"].to_numpy().astype("datetime64[D]"), unit="D")
    out["date"] = out["date"].astype(object)
    return out.reset_index(drop=True)


def _format(values: np.ndarray, column: str) -> pa.Array:
    """Text of numeric values: ints as ints, floats with exactly their column's decimals.

    Floats are formatted from scaled integers (``72.25`` -> ``7225`` -> ``72.25``), which is
    exact for values already rounded to those decimals, never uses exponents, and is faster
    than a float-to-text cast.
    """
    if column in ph.INT_COLUMNS:
        return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())
    decimals = ph.FLOAT_DECIMALS[column]
    scale = 10**decimals
    scaled = np.rint(np.asarray(values, dtype=np.float64) * scale).astype(np.int64)
    magnitude = np.abs(scaled)
    whole = pc.cast(pa.array(magnitude // scale), pa.string())
    fraction = pc.cast(pa.array(magnitude % scale), pa.string())
    if decimals > 1:
        fraction = pc.utf8_lpad(fraction, width=decimals, padding="0")
    text = pc.binary_join_element_wise(whole, fraction, ".")
    negative = scaled < 0
    if negative.any():
        text = pc.if_else(pa.array(negative), pc.binary_join_element_wise("-", text, ""), text)
    return text


def _perturb(
    rng: np.random.Generator, values: dict[str, np.ndarray], height_cm: np.ndarray
) -> dict[str, np.ndarray]:
    """Different but still clean measures for conflicting duplicates (steps always differ)."""
    n = len(height_cm)
    out = dict(values)
    steps = values["steps"]
    step_delta = np.rint(rng.uniform(500.0, 3_000.0, n)) * np.where(steps > 10_000, -1, 1)
    out["steps"] = (steps + step_delta).clip(*ph.STEPS_CLEAN_RANGE).astype(np.int64)
    noise = {
        "heart_rate_avg": (3.0, ph.HEART_RATE_CLEAN_RANGE),
        "sleep_hours": (0.7, ph.SLEEP_CLEAN_RANGE),
        "calories_burned": (150.0, ph.CALORIES_CLEAN_RANGE),
        "exercise_minutes": (10.0, ph.EXERCISE_CLEAN_RANGE),
    }
    for column, (sd, bounds) in noise.items():
        moved = (values[column] + rng.normal(0.0, sd, n)).clip(*bounds)
        out[column] = np.round(moved, ph.FLOAT_DECIMALS[column]) + 0.0
    out["exercise_minutes"] = np.rint(out["exercise_minutes"]) + 0.0
    out["stress_level"] = (values["stress_level"] + rng.integers(-2, 3, n)).clip(
        *ph.STRESS_CLEAN_RANGE
    )
    h2 = (height_cm / 100.0) ** 2
    weight = (values["weight_kg"] + rng.normal(0.0, 0.5, n)).clip(
        ph.BMI_CLEAN_RANGE[0] * h2, ph.BMI_CLEAN_RANGE[1] * h2
    )
    out["weight_kg"] = np.round(weight, 1) + 0.0
    out["bmi"] = np.round(out["weight_kg"] / h2, 2) + 0.0
    return out


def generate_tracker_files(
    out_dir: Path,
    *,
    users: int = DEFAULT_USERS,
    days: int = DEFAULT_DAYS,
    start: date = DEFAULT_START,
    seed: int = DEFAULT_SEED,
    files: int = 1,
    defects: dq.DefectRates = dq.DefectRates(),  # noqa: B008 - frozen, immutable default
    signal: bool = False,
    file_prefix: str = DEFAULT_PREFIX,
) -> GenerationReport:
    """Write synthetic tracker CSVs into ``out_dir`` and report what was planted.

    Same arguments, same bytes: every random draw comes from ``seed``. Clean values do not
    depend on ``defects`` or ``files``, and the defects do not depend on ``files``
    (independent random streams).
    """
    started = time.perf_counter()
    _validate(users, days, seed, files)
    if not file_prefix or "/" in file_prefix or "\\" in file_prefix:
        raise ValueError(f"invalid file prefix {file_prefix!r}")
    frame = _clean_frame(users, days, start, seed, signal)
    layout = _layout(users, days, seed, files, defects)
    ledger = _Ledger(files)

    duplicate_rng = pop.rng_for(seed, pop.STREAM_DUPLICATE_VALUES)
    values, text = _text_columns(frame, layout, start, days, duplicate_rng)
    _plant_cell_defects(text, values, layout, ledger)
    ledger.count_duplicates(layout)

    order = np.lexsort((layout.sort_key, layout.file))
    table = pa.table({c: text[c] for c in ph.RAW_COLUMNS}).take(pa.array(order))
    counts = np.bincount(layout.file, minlength=files)
    names = file_names(file_prefix, days, files)
    paths = _write(Path(out_dir), names, table, counts)

    totals = {k: sum(c[k] for c in ledger.kinds) for k in dq.ROW_KINDS}
    totals["missing_day"] = layout.missing_days
    expected = Counter()
    for c in ledger.rejects:
        expected.update(c)
    return GenerationReport(
        out_dir=Path(out_dir),
        files=tuple(paths),
        rows_per_file={name: int(c) for name, c in zip(names, counts, strict=True)},
        defects=totals,
        defects_by_file={
            name: {k: ledger.kinds[f][k] for k in dq.ROW_KINDS} for f, name in enumerate(names)
        },
        defect_columns=ledger.columns,
        negatives_to_zero={c: n for c, n in ledger.columns["negative"].items() if n},
        expected_rejects=dict(sorted((r, n) for r, n in expected.items() if n)),
        expected_rejects_by_file={
            name: dict(sorted((r, n) for r, n in ledger.rejects[f].items() if n))
            for f, name in enumerate(names)
        },
        users=users,
        days=days,
        start=start,
        seed=seed,
        signal=signal,
        rates=defects,
        elapsed_seconds=time.perf_counter() - started,
    )


@dataclass
class _Layout:
    """Which clean rows are written where, and which defect each carries.

    Output rows are the ``n_base`` present grid rows, then the exact copies, then the
    conflicting copies; ``source`` maps each to its grid row.
    """

    source: np.ndarray  # grid row of every output row
    file: np.ndarray  # file index of every output row
    sort_key: np.ndarray  # order inside a file
    kind: np.ndarray  # index into dq.ROW_KINDS per base row, -1 for none
    n_base: int
    exact_rows: np.ndarray  # base rows that get an exact copy
    conflict_rows: np.ndarray  # base rows that get a conflicting copy
    missing_days: int
    rng: np.random.Generator  # draws the defect values, after the kinds

    @property
    def conflict_slice(self) -> slice:
        return slice(self.n_base + len(self.exact_rows), len(self.source))


def _layout(users: int, days: int, seed: int, files: int, rates: dq.DefectRates) -> _Layout:
    absent = dq.gap_mask(pop.rng_for(seed, pop.STREAM_GAPS), users, days, rates.missing_day)
    base = np.flatnonzero(~absent.reshape(-1))  # (user, date) order = grid order
    n_base = len(base)
    if files > n_base:
        raise ValueError(f"cannot spread {n_base} rows over {files} files")
    # Files: contiguous date ranges of near-equal row counts.
    by_date = np.lexsort((base // days, base % days))
    rank = np.empty(n_base, dtype=np.int64)
    rank[by_date] = np.arange(n_base)
    file_base = rank * files // n_base

    rng = pop.rng_for(seed, pop.STREAM_DEFECTS)
    kind = dq.draw_kinds(rng, n_base, rates)
    exact_rows = np.flatnonzero(kind == dq.ROW_KINDS.index("exact_duplicate"))
    conflict_rows = np.flatnonzero(kind == dq.ROW_KINDS.index("conflicting_duplicate"))
    conflict_file = file_base[conflict_rows]
    placement = pop.rng_for(seed, pop.STREAM_PLACEMENT)
    if files > 1:  # always another file than the original
        conflict_file = (conflict_file + placement.integers(1, files, len(conflict_rows))) % files
    n_copies = len(exact_rows) + len(conflict_rows)
    return _Layout(
        source=np.concatenate([base, base[exact_rows], base[conflict_rows]]),
        file=np.concatenate([file_base, file_base[exact_rows], conflict_file]),
        # base rows by user then date; copies at random places of their file
        sort_key=np.concatenate(
            [base.astype(np.float64), placement.uniform(0.0, users * days, n_copies)]
        ),
        kind=kind,
        n_base=n_base,
        exact_rows=exact_rows,
        conflict_rows=conflict_rows,
        missing_days=int(absent.sum()),
        rng=rng,
    )


class _Ledger:
    """Planted defects and expected rejects, per file."""

    def __init__(self, files: int) -> None:
        self.files = files
        self.kinds: list[Counter] = [Counter() for _ in range(files)]
        self.rejects: list[Counter] = [Counter() for _ in range(files)]
        self.columns: dict[str, dict[str, int]] = {}

    def add(self, kind: str, column: str | None, file_of_rows: np.ndarray) -> None:
        reason = dq.expected_reason(kind, column)
        if column is not None:
            self.columns.setdefault(kind, {})
            self.columns[kind][column] = self.columns[kind].get(column, 0) + len(file_of_rows)
        for f, count in enumerate(np.bincount(file_of_rows, minlength=self.files)):
            self.kinds[f][kind] += int(count)
            if reason is not None:
                self.rejects[f][reason] += int(count)

    def count_duplicates(self, layout: _Layout) -> None:
        """One ``duplicate`` reject per copy, in the file that loses (see module docstring)."""
        exact_files = layout.file[layout.exact_rows]
        self.add("exact_duplicate", None, exact_files)
        copy_files = layout.file[layout.conflict_slice]
        original_files = layout.file[layout.conflict_rows]
        loser = np.minimum(original_files, copy_files)
        for f in range(self.files):
            self.kinds[f]["conflicting_duplicate"] += int((copy_files == f).sum())
            self.rejects[f]["duplicate"] += int((loser == f).sum())


def _text_columns(
    frame: pd.DataFrame, layout: _Layout, start: date, days: int, rng: np.random.Generator
) -> tuple[dict[str, np.ndarray], dict[str, pa.Array]]:
    """The clean measures and text of every output row; conflicting copies get other values."""
    source = layout.source
    values = {c: frame[c].to_numpy()[source] for c in ph.MEASURE_COLUMNS}
    part = layout.conflict_slice
    height = frame["_height_cm"].to_numpy()[source[part]]
    moved = _perturb(rng, {c: v[part] for c, v in values.items()}, height)
    for column in ph.MEASURE_COLUMNS:
        values[column][part] = moved[column]
    day_text = np.datetime_as_string(np.datetime64(start, "D") + np.arange(days), unit="D")
    text: dict[str, pa.Array] = {
        "user_id": _format(frame["user_id"].to_numpy()[source], "user_id"),
        "age": _format(frame["age"].to_numpy()[source], "age"),
        "gender": pc.if_else(pa.array(frame["gender"].to_numpy()[source] == "M"), "M", "F"),
        "date": pa.array(day_text.astype(object)).take(pa.array(source % days)),
    }
    for column in ph.MEASURE_COLUMNS:
        text[column] = _format(values[column], column)
    return values, text


def _plant_cell_defects(
    text: dict[str, pa.Array], values: dict[str, np.ndarray], layout: _Layout, ledger: _Ledger
) -> None:
    """Overwrite one cell of each base row drawn for a cell defect, and record it."""
    rng = layout.rng
    base_file = layout.file[: layout.n_base]
    overrides: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {c: [] for c in ph.RAW_COLUMNS}
    for k, kind in enumerate(dq.CELL_KINDS):
        rows = np.flatnonzero(layout.kind == k)
        columns = _cell_columns(kind)
        pick = rng.choice(len(columns), size=len(rows), p=_cell_weights(kind, columns))
        for j, column in enumerate(columns):
            at = rows[pick == j]
            ledger.add(kind, column, base_file[at])
            if len(at):
                cells = _cell_text(rng, kind, column, at, values, text)
                overrides[column].append((at, cells))
    n_out = len(layout.source)
    for column, parts in overrides.items():
        if not parts:
            continue
        at = np.concatenate([p[0] for p in parts])
        cells = np.concatenate([p[1] for p in parts])
        mask = np.zeros(n_out, dtype=bool)
        mask[at] = True
        text[column] = pc.replace_with_mask(
            text[column], pa.array(mask), pa.array(cells[np.argsort(at)], type=pa.string())
        )


def _write(out_dir: Path, names: list[str], table: pa.Table, counts: np.ndarray) -> list[Path]:
    """Write consecutive slices of ``table`` as the files, each atomically, in name order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    header = (",".join(ph.RAW_COLUMNS) + "\n").encode()
    paths = []
    offset = 0
    for name, count in zip(names, counts, strict=True):
        path = out_dir / name
        tmp = out_dir / f".{name}.tmp"
        with pa.OSFile(str(tmp), "wb") as sink:
            sink.write(header)
            pacsv.write_csv(table.slice(offset, int(count)), sink, _WRITE_OPTIONS)
        os.replace(tmp, path)
        paths.append(path)
        offset += int(count)
    return paths


def _cell_columns(kind: str) -> tuple[str, ...]:
    if kind == "negative":
        return tuple(dq.NEGATIVE_COLUMN_WEIGHTS)
    if kind == "out_of_range":
        return dq.OUT_OF_RANGE_COLUMNS
    if kind == "zero_steps":
        return ("steps",)
    if kind == "unparseable":
        return dq.UNPARSEABLE_COLUMNS
    return dq.EMPTY_COLUMNS


def _cell_weights(kind: str, columns: tuple[str, ...]) -> np.ndarray:
    if kind == "negative":
        weights = np.array([dq.NEGATIVE_COLUMN_WEIGHTS[c] for c in columns])
    else:
        weights = np.ones(len(columns))
    return weights / weights.sum()


def _cell_text(
    rng: np.random.Generator,
    kind: str,
    column: str,
    at: np.ndarray,
    values: dict[str, np.ndarray],
    text: dict[str, pa.Array],
) -> np.ndarray:
    """The defective text of ``column`` at output rows ``at`` (an object array of str)."""
    n = len(at)
    if kind == "negative":
        cells = _format(dq.negative_values(rng, column, values[column][at]), column)
    elif kind == "out_of_range":
        if column == "gender":
            pick = rng.integers(0, len(dq.OUT_OF_RANGE_GENDERS), n)
            return np.array(dq.OUT_OF_RANGE_GENDERS, dtype=object)[pick]
        cells = _format(dq.out_of_range_values(rng, column, n), column)
    elif kind == "zero_steps":
        return np.full(n, "0", dtype=object)
    elif kind == "unparseable":
        clean = text[column].take(pa.array(at)).to_numpy(zero_copy_only=False)
        return dq.fill_templates(rng, dq.unparseable_tokens(column), clean)
    else:
        return np.full(n, "", dtype=object)
    return cells.to_numpy(zero_copy_only=False).astype(object)
