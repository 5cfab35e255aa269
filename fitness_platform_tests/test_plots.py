"""Charts for asset metadata are real PNGs embedded as markdown."""

from __future__ import annotations

import base64
import datetime as dt
import re

import numpy as np
import pyarrow as pa

from fitness_platform import plots
from fitness_platform.defs.garmin.tables import weekly_chart
from fitness_platform.defs.tracker.gold import daily_averages_chart
from fitness_platform.defs.tracker.silver import silver_distributions

PNG = b"\x89PNG\r\n\x1a\n"


def _png(markdown: str) -> bytes:
    match = re.fullmatch(r"!\[[^\]]*\]\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", markdown)
    assert match, markdown[:80]
    data = base64.b64decode(match.group(1))
    assert data.startswith(PNG)
    return data


def test_every_chart_kind_renders_a_png() -> None:
    rng = np.random.default_rng(0)
    _png(plots.histograms({"a": rng.random(500), "b": rng.random(500)}, "h"))
    _png(plots.bar_counts({"duplicate": 3, "zero_steps": 1}, "b"))
    _png(plots.bar_counts({}, "empty"))
    _png(plots.time_series([1, 2, 3], {"x": [1.0, 2.0, 3.0]}, "t"))
    _png(plots.weekly_bars(["2024-W01", "2024-W02"], {"s": [1, None]}, "w"))


def test_tracker_and_garmin_charts_come_from_their_tables() -> None:
    days = [dt.date(2024, 9, 6) + dt.timedelta(days=i) for i in range(20)]
    silver = pa.table(
        {
            "steps": pa.array(range(1000, 1020), pa.int64()),
            "sleep_hours": pa.array([7.0] * 20),
            "stress_level": pa.array([3] * 20, pa.int64()),
        }
    )
    _png(silver_distributions(silver))
    fact = pa.table(
        {
            "date_key": [d.year * 10000 + d.month * 100 + d.day for d in days],
            "steps": list(range(20)),
            "sleep_hours": [7.5] * 20,
        }
    )
    _png(daily_averages_chart(fact))
    daily = pa.table({"date": days, "distance_km": [5.0] * 20, "duration_min": [30.0] * 20})
    # A bigger chart for more data: the weekly totals are really drawn.
    assert len(_png(weekly_chart(daily))) > 1000
