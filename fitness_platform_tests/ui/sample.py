"""A small, clean tracker CSV for UI tests (no defects, so every gate passes)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from fitness_platform.tracker.schema import RAW_COLUMNS


def write_sample_csv(path: Path, users: int, days: int, seed: int = 11) -> None:
    """Write ``users`` x ``days`` realistic rows starting 2024-09-06."""
    rng = random.Random(seed)
    lines = [",".join(RAW_COLUMNS)]
    for user in range(users):
        for offset in range(days):
            day = dt.date(2024, 9, 6) + dt.timedelta(days=offset)
            lines.append(
                f"{user},{25 + user},{'FM'[user % 2]},{day},{rng.randint(1500, 19000)},"
                f"{rng.uniform(55, 100):.1f},{rng.uniform(5, 9.5):.1f},"
                f"{rng.uniform(1600, 3800):.0f},{rng.uniform(0, 90):.0f},{rng.randint(1, 10)},"
                f"{68 + rng.random() * 4:.1f},{22 + rng.random():.2f}"
            )
    path.write_text("\n".join(lines) + "\n")
