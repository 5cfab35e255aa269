"""Property test of SPEC 1.2: the bronze parser against the reference on random CSV files.

400 seeded random files: shuffled headers, LF/CRLF/CR endings, BOMs, blank and whitespace-only
lines, cells quoted when they must be (commas, quotes, line breaks) and sometimes when they
need not be, wrong field counts, exotic whitespace, multi-byte text and over-long records.
Every bronze row and reject must match the reference field by field.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from fitness_platform.tracker.bronze import parse_tracker_csv
from fitness_platform_tests.tracker import reference
from fitness_platform_tests.tracker.helpers import GOOD, HEADER, assert_rows_match

MODIFIED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
INGESTED = datetime(2024, 5, 2, 0, 0, tzinfo=UTC)
ALPHABET = [*'0123456789,"\n\r \t.-+eaFm', "\u00a0", "\u3000", "\x1c", "é", "😀"]
SPECIAL_CELLS = ["", " ", "7.0", "1e3", " 12 ", "2024-02-29", "nan", "-5", "f", "1_0"]
FILES = 400
LIMIT_KB = 1


def _cell(rng: random.Random, column: str) -> str:
    roll = rng.random()
    if roll < 0.5:
        return GOOD[column]
    if roll < 0.75:
        return rng.choice(SPECIAL_CELLS)
    if roll < 0.78:
        return "😀" * rng.randint(200, 300)  # 800-1,200 bytes: around the 1 KiB limit
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 6)))


def _encode(rng: random.Random, value: str) -> str:
    if any(c in value for c in ',"\r\n') or rng.random() < 0.1:
        return '"' + value.replace('"', '""') + '"'
    return value


def _random_file(rng: random.Random) -> bytes:
    order = list(HEADER)
    rng.shuffle(order)
    newline = rng.choice(["\n", "\r\n", "\r"])
    lines = [",".join(rng.choice([n, n.upper(), f" {n} "]) for n in order)]
    for _ in range(rng.randint(0, 12)):
        if rng.random() < 0.08:
            lines.append(rng.choice(["", "  ", "\t\u3000"]))
            continue
        width = 12 if rng.random() < 0.9 else rng.choice([1, 11, 13])
        columns = (order * 2)[:width]
        lines.append(",".join(_encode(rng, _cell(rng, c)) for c in columns))
    body = newline.join(lines) + (newline if rng.random() < 0.8 else "")
    return (("\ufeff" if rng.random() < 0.1 else "") + body).encode("utf-8")


@pytest.mark.parametrize("block", range(4))
def test_bronze_parser_matches_reference(block: int) -> None:
    reasons: set[str] = set()
    for seed in range(block * FILES // 4, (block + 1) * FILES // 4):
        data = _random_file(random.Random(seed))
        real = parse_tracker_csv(
            data,
            source_file=f"f{seed}.csv",
            modified_at=MODIFIED,
            ingested_at=INGESTED,
            max_row_kb=LIMIT_KB,
        )
        ref = reference.parse_file(
            data,
            source_file=f"f{seed}.csv",
            modified_at=MODIFIED,
            ingested_at=INGESTED,
            max_row_kb=LIMIT_KB,
        )
        context = f"seed {seed}: {data[:120]!r}"
        assert real.failed_reason == ref.failed_reason, context
        assert real.data_records == ref.data_records, context
        assert_rows_match(real.rows.to_pylist(), ref.rows, ("_row_number",), context=context)
        assert_rows_match(real.rejects.to_pylist(), ref.rejects, ("_row_number",), context=context)
        reasons |= {r["reason"] for r in ref.rejects}
    # The files really exercise the record-level reasons.
    assert {"row_too_long", "unparseable:field_count"} <= reasons
    assert any(r.startswith("unparseable:") and r != "unparseable:field_count" for r in reasons)
