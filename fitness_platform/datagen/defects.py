"""Planted data-quality defects: their rates, the bad values, and what the pipeline makes of them.

Every defect row carries exactly one defect, so the reject reason of SPEC 1.2/1.3 it must get is
known in advance (:func:`expected_reason`). Cell defects are placed on rows that exist in the
clean data; duplicates copy rows that are otherwise clean; missing days remove rows.

=====================  ===========================================  ==============================
kind                   what is written                              expected pipeline outcome
=====================  ===========================================  ==============================
negative               a measure written with a minus sign          silver sets it to 0, then:
                       (column by ``NEGATIVE_COLUMN_WEIGHTS``)      ``exercise_minutes`` row kept;
                                                                    ``steps`` -> ``zero_steps``;
                                                                    other columns ->
                                                                    ``out_of_range:<column>``
out_of_range           one column outside its SPEC 1.3 range        ``out_of_range:<column>``
                       (``OUT_OF_RANGE_INTERVALS``, gender ``X``..)
zero_steps             ``steps`` = 0                                ``zero_steps``
unparseable            one cell that does not parse (SPEC 1.2)      bronze ``unparseable:<column>``
empty_cell             one empty cell                               ``missing_key`` (user_id,
                                                                    date), else
                                                                    ``out_of_range:<column>``
exact_duplicate        a clean row written twice in its file        one copy ``duplicate``
conflicting_duplicate  the same (user_id, date) again with other    one of the two ``duplicate``
                       (clean) values; with several files, in
                       another file than the original
missing_day            the row is absent (runs of 1-5 days)         nothing (a gap)
=====================  ===========================================  ==============================
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

import numpy as np

from fitness_platform.datagen import physiology as ph

# Defects that change one cell of an existing row, in the order rows are drawn for them.
CELL_KINDS: tuple[str, ...] = (
    "negative",
    "out_of_range",
    "zero_steps",
    "unparseable",
    "empty_cell",
)
DUPLICATE_KINDS: tuple[str, ...] = ("exact_duplicate", "conflicting_duplicate")
ROW_KINDS: tuple[str, ...] = CELL_KINDS + DUPLICATE_KINDS
DEFECT_KINDS: tuple[str, ...] = (*ROW_KINDS, "missing_day")

# Which column a negative value goes to. Silver turns negatives into 0 (SPEC 1.3 step 1):
# 0 passes the range only for exercise_minutes; steps then fail as zero_steps, the rest as
# out_of_range. So 40% of negatives stay in silver (as 0) and 60% are rejected.
NEGATIVE_COLUMN_WEIGHTS: dict[str, float] = {
    "exercise_minutes": 0.4,
    "steps": 0.1,
    "heart_rate_avg": 0.1,
    "sleep_hours": 0.1,
    "calories_burned": 0.1,
    "weight_kg": 0.1,
    "bmi": 0.1,
}
# Out-of-range values: one of the intervals is picked at random, then a value inside it.
OUT_OF_RANGE_INTERVALS: dict[str, tuple[tuple[float, float], ...]] = {
    "age": ((1, 17), (101, 130)),
    "steps": ((50_001, 150_000),),
    "heart_rate_avg": ((5.0, 29.0), (201.0, 260.0)),
    "sleep_hours": ((0.1, 1.9), (16.1, 24.0)),
    "calories_burned": ((50.0, 499.0), (8_001.0, 15_000.0)),
    "exercise_minutes": ((601.0, 1_440.0),),
    "stress_level": ((0, 0), (11, 20)),
    "weight_kg": ((5.0, 29.9), (200.1, 400.0)),
    "bmi": ((2.0, 9.99), (60.01, 99.0)),
}
OUT_OF_RANGE_GENDERS: tuple[str, ...] = ("X", "U", "Other", "unknown")
OUT_OF_RANGE_COLUMNS: tuple[str, ...] = ("gender", *OUT_OF_RANGE_INTERVALS)

# Unparseable cells: templates, where "{v}" is the clean value as it would have been written.
UNPARSEABLE_INT_TOKENS: tuple[str, ...] = (
    "{v}.0",
    "{v}.5",
    "1_000",
    "\u0663",
    "abc",
    "nan",
    "NA",
    "12 3",
)
UNPARSEABLE_FLOAT_TOKENS: tuple[str, ...] = (
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "1e309",
    "NA",
    "N/A",
    "abc",
    "{v}.5",
)
UNPARSEABLE_DATE_TOKENS: tuple[str, ...] = (
    "2024-02-30",
    "2025-02-29",
    "2024-13-01",
    "2024-04-31",
    "2024-9-6",
    "06/09/2024",
    "20240906",
    "{v}T00:00:00",
    "not a date",
)
UNPARSEABLE_COLUMNS: tuple[str, ...] = tuple(c for c in ph.RAW_COLUMNS if c != "gender")
EMPTY_COLUMNS: tuple[str, ...] = ph.RAW_COLUMNS

# Missing days come in runs of 1 .. 2 * GAP_MEAN_DAYS - 1 days.
GAP_MEAN_DAYS = 3


@dataclass(frozen=True)
class DefectRates:
    """Per-row probabilities of each planted defect (each may be 0).

    ``missing_day`` is the (approximate) share of user-days left out; the other rates are the
    probability that a present row gets that defect. A row gets at most one defect, so the
    row rates must add up to at most 1. The defaults keep every file's reject rate around 0.4%
    (well under the 1% quality gate): see :meth:`expected_reject_share`.
    """

    negative: float = 0.0010
    out_of_range: float = 0.0010
    zero_steps: float = 0.0005
    unparseable: float = 0.0008
    empty_cell: float = 0.0002
    exact_duplicate: float = 0.0005
    conflicting_duplicate: float = 0.0005
    missing_day: float = 0.0030

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not (0.0 <= value <= 1.0) or value != value:
                raise ValueError(f"defect rate {f.name}={value!r} must be between 0 and 1")
        if sum(getattr(self, k) for k in ROW_KINDS) > 1.0:
            raise ValueError("the per-row defect rates add up to more than 1")
        if self.missing_day >= 1.0:
            raise ValueError("missing_day must be below 1")

    @classmethod
    def none(cls) -> DefectRates:
        """No defects at all: the files hold exactly the clean grid."""
        return cls(**{f.name: 0.0 for f in fields(cls)})

    def scaled(self, factor: float) -> DefectRates:
        """Every rate multiplied by ``factor`` (0 disables all defects)."""
        if factor < 0:
            raise ValueError("the scale factor must not be negative")
        return replace(self, **{k: v * factor for k, v in asdict(self).items()})

    def as_dict(self) -> dict[str, float]:
        return asdict(self)

    def expected_reject_share(self) -> float:
        """The expected share of written records that bronze or silver reject."""
        kept_negative = NEGATIVE_COLUMN_WEIGHTS["exercise_minutes"] / sum(
            NEGATIVE_COLUMN_WEIGHTS.values()
        )
        rejects = (
            self.negative * (1.0 - kept_negative)
            + self.out_of_range
            + self.zero_steps
            + self.unparseable
            + self.empty_cell
            + self.exact_duplicate
            + self.conflicting_duplicate
        )
        return rejects / (1.0 + self.exact_duplicate + self.conflicting_duplicate)


def expected_reason(kind: str, column: str | None) -> str | None:
    """The reject reason SPEC 1.2/1.3 gives a row with this defect, None if the row is kept."""
    if kind == "negative":
        if column == "exercise_minutes":
            return None
        return "zero_steps" if column == "steps" else f"out_of_range:{column}"
    if kind == "out_of_range":
        return f"out_of_range:{column}"
    if kind == "zero_steps":
        return "zero_steps"
    if kind == "unparseable":
        return f"unparseable:{column}"
    if kind == "empty_cell":
        return "missing_key" if column in ("user_id", "date") else f"out_of_range:{column}"
    if kind in DUPLICATE_KINDS:
        return "duplicate"
    if kind == "missing_day":
        return None
    raise ValueError(f"unknown defect kind {kind!r}")


def draw_kinds(rng: np.random.Generator, n: int, rates: DefectRates) -> np.ndarray:
    """For each of ``n`` rows, the index into :data:`ROW_KINDS` of its defect, or -1 for none."""
    cumulative = np.cumsum([getattr(rates, k) for k in ROW_KINDS])
    u = rng.random(n)
    kind = np.searchsorted(cumulative, u, side="right")
    return np.where(kind < len(ROW_KINDS), kind, -1)


def gap_mask(rng: np.random.Generator, users: int, days: int, rate: float) -> np.ndarray:
    """A (users, days) boolean mask of absent user-days, in runs averaging GAP_MEAN_DAYS days."""
    if rate <= 0 or users == 0 or days == 0:
        return np.zeros((users, days), dtype=bool)
    starts = rng.random((users, days)) < rate / GAP_MEAN_DAYS
    su, st = np.nonzero(starts)
    lengths = rng.integers(1, 2 * GAP_MEAN_DAYS, len(su))
    diff = np.zeros((users, days + 1), dtype=np.int32)
    np.add.at(diff, (su, st), 1)
    np.add.at(diff, (su, np.minimum(st + lengths, days)), -1)
    return np.cumsum(diff, axis=1)[:, :days] > 0


def negative_values(rng: np.random.Generator, column: str, clean: np.ndarray) -> np.ndarray:
    """Strictly negative stand-ins for clean values (a sign error; a 0 becomes -5..-60)."""
    magnitude = np.abs(clean.astype(np.float64))
    magnitude = np.where(magnitude >= 1.0, magnitude, rng.uniform(5.0, 60.0, len(clean)))
    if column in ph.INT_COLUMNS:
        return -np.rint(magnitude).astype(np.int64)
    return -np.round(magnitude, ph.FLOAT_DECIMALS[column])


def out_of_range_values(rng: np.random.Generator, column: str, n: int) -> np.ndarray:
    """``n`` values of ``column`` outside its SPEC 1.3 range (never negative)."""
    intervals = np.array(OUT_OF_RANGE_INTERVALS[column], dtype=np.float64)
    pick = rng.integers(0, len(intervals), n)
    lo, hi = intervals[pick, 0], intervals[pick, 1]
    if column in ph.INT_COLUMNS:
        return np.floor(lo + rng.random(n) * (hi - lo + 1)).clip(lo, hi).astype(np.int64)
    decimals = ph.FLOAT_DECIMALS[column]
    return np.round(rng.uniform(lo, hi), decimals).clip(lo, hi)


def unparseable_tokens(column: str) -> tuple[str, ...]:
    """Templates of unparseable text for ``column`` ("{v}" = the clean text)."""
    if column == "date":
        return UNPARSEABLE_DATE_TOKENS
    if column in ph.INT_COLUMNS:
        return UNPARSEABLE_INT_TOKENS
    return UNPARSEABLE_FLOAT_TOKENS


def fill_templates(
    rng: np.random.Generator, templates: tuple[str, ...], clean_text: np.ndarray
) -> np.ndarray:
    """One template per row, with "{v}" replaced by that row's clean text (vectorised)."""
    pick = rng.integers(0, len(templates), len(clean_text))
    out = np.empty(len(clean_text), dtype=object)
    for j, template in enumerate(templates):
        rows = pick == j
        if not rows.any():
            continue
        if "{v}" in template:
            prefix, suffix = template.split("{v}", 1)
            out[rows] = np.char.add(np.char.add(prefix, clean_text[rows].astype(str)), suffix)
        else:
            out[rows] = template
    return out
