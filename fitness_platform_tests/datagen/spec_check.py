"""An independent, row-by-row reading of generated files by the SPEC 1.2/1.3 rules (test oracle).

Deliberately written without the generator's code: plain ``csv``, regexes and Python floats, so
the tests check the generator's report against what the files actually contain.
"""

from __future__ import annotations

import csv
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

COLUMNS = (
    "user_id",
    "age",
    "gender",
    "date",
    "steps",
    "heart_rate_avg",
    "sleep_hours",
    "calories_burned",
    "exercise_minutes",
    "stress_level",
    "weight_kg",
    "bmi",
)
INTS = {"user_id", "age", "steps", "stress_level"}
FLOATS = {
    "heart_rate_avg",
    "sleep_hours",
    "calories_burned",
    "exercise_minutes",
    "weight_kg",
    "bmi",
}
NEG_TO_ZERO = (
    "steps",
    "heart_rate_avg",
    "sleep_hours",
    "calories_burned",
    "exercise_minutes",
    "weight_kg",
    "bmi",
)
RANGES = {
    "age": (18, 100),
    "steps": (0, 50_000),
    "heart_rate_avg": (30, 200),
    "sleep_hours": (2, 16),
    "calories_burned": (500, 8_000),
    "exercise_minutes": (0, 600),
    "stress_level": (1, 10),
    "weight_kg": (30, 200),
    "bmi": (10, 60),
}
INT_RE = re.compile(r"[+-]?[0-9]+")
FLOAT_RE = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_cell(column: str, text: str):
    """(ok, value) for one cell; an empty cell is (True, None)."""
    text = text.strip()
    if text == "":
        return True, None
    if column in INTS:
        if not INT_RE.fullmatch(text):
            return False, None
        return True, int(text)
    if column in FLOATS:
        if not FLOAT_RE.fullmatch(text):
            return False, None
        value = float(text)
        return (math.isfinite(value), value)
    if column == "date":
        if not DATE_RE.fullmatch(text):
            return False, None
        try:
            return True, date.fromisoformat(text)
        except ValueError:
            return False, None
    return True, text.upper()  # gender


@dataclass
class Oracle:
    rows_per_file: dict[str, int] = field(default_factory=dict)
    rejects_by_file: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    negatives: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)
    keys: set = field(default_factory=set)
    records: list = field(default_factory=list)  # (file index, row number, key, raw list)
    silver: dict = field(default_factory=dict)  # key -> typed winner row

    @property
    def rejects(self) -> Counter:
        total = Counter()
        for c in self.rejects_by_file.values():
            total.update(c)
        return total


def read(paths: list[Path]) -> Oracle:
    """Apply SPEC 1.2/1.3 to the files, in name order = ingestion order (later name wins)."""
    oracle = Oracle()
    survivors = []  # (file index, row number, name, key, typed)
    exact_seen: dict[str, set] = defaultdict(set)
    texts_by_key: dict[tuple, set] = defaultdict(set)
    for fi, path in enumerate(sorted(paths)):
        name = path.name
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            assert [h.strip().lower() for h in header] == list(COLUMNS)
            n = 0
            for n, record in enumerate(reader, start=1):
                assert len(record) == 12, (name, n, record)
                line = ",".join(record)
                if line in exact_seen[name]:
                    oracle.kinds["exact_duplicate"] += 1
                exact_seen[name].add(line)
                typed = {}
                bad = None
                for column, text in zip(COLUMNS, record, strict=True):
                    ok, value = parse_cell(column, text)
                    if not ok:
                        bad = column
                        break
                    typed[column] = value
                if bad is not None:
                    oracle.rejects_by_file[name][f"unparseable:{bad}"] += 1
                    oracle.kinds["unparseable"] += 1
                    continue
                if any(text.strip() == "" for text in record):
                    oracle.kinds["empty_cell"] += 1
                if record[COLUMNS.index("steps")] == "0":
                    oracle.kinds["zero_steps"] += 1
                negative = False
                for column in NEG_TO_ZERO:
                    if typed[column] is not None and typed[column] < 0:
                        oracle.negatives[column] += 1
                        typed[column] = 0 if column == "steps" else 0.0
                        negative = True
                if negative:
                    oracle.kinds["negative"] += 1
                key = (typed["user_id"], typed["date"])
                if typed["user_id"] is None or typed["date"] is None:
                    oracle.rejects_by_file[name]["missing_key"] += 1
                    continue
                oracle.keys.add(key)
                texts_by_key[key].add(line)
                reason = None
                if typed["gender"] not in ("F", "M"):
                    reason = "out_of_range:gender"
                else:
                    for column, (lo, hi) in RANGES.items():
                        value = typed[column]
                        if value is None or not (lo <= value <= hi):
                            reason = f"out_of_range:{column}"
                            break
                if reason is None and typed["steps"] == 0:
                    reason = "zero_steps"
                if reason is not None:
                    if reason.startswith("out_of_range") and not negative:
                        if typed[reason.split(":")[1]] is not None:
                            oracle.kinds["out_of_range"] += 1
                    oracle.rejects_by_file[name][reason] += 1
                    continue
                survivors.append((fi, n, name, key, typed))
            oracle.rows_per_file[name] = n
    oracle.kinds["conflicting_duplicate"] = sum(len(t) - 1 for t in texts_by_key.values())
    by_key: dict[tuple, list] = defaultdict(list)
    for item in survivors:
        by_key[item[3]].append(item)
    for key, items in by_key.items():
        items.sort(key=lambda it: (it[0], it[1]))
        for loser in items[:-1]:
            oracle.rejects_by_file[loser[2]]["duplicate"] += 1
        oracle.silver[key] = items[-1][4]
    return oracle
