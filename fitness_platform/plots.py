"""Small PNG charts for asset metadata: where a person would rather look than read.

Each function returns markdown with the PNG embedded as a data URI, which the Dagster UI
renders in the asset's metadata. Charts are small (about 20 KB) and take tens of
milliseconds, so a run pays well under a second for all of them.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FIGSIZE = (6.0, 2.6)
DPI = 80


def _figure(width: float, height: float) -> Figure:
    # matplotlib loads on first use, not with the definitions; the object API needs no
    # display and no global pyplot state.
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=DPI)


def _markdown(figure: Figure, title: str) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buffer = io.BytesIO()
    figure.tight_layout()
    FigureCanvasAgg(figure).print_png(buffer)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"![{title}](data:image/png;base64,{encoded})"


def histograms(columns: Mapping[str, Sequence[float]], title: str) -> str:
    """Side-by-side histograms of a few numeric columns (nulls ignored)."""
    figure = _figure(*FIGSIZE)
    axes = figure.subplots(1, len(columns))
    for axis, (name, values) in zip(np.atleast_1d(axes), columns.items(), strict=True):
        data = np.asarray(values, dtype=float)
        data = data[~np.isnan(data)]
        axis.hist(data, bins=30, color="#4f43dd")
        axis.set_title(name, fontsize=9)
        axis.tick_params(labelsize=7)
    figure.suptitle(title, fontsize=10)
    return _markdown(figure, title)


def bar_counts(counts: Mapping[str, int], title: str) -> str:
    """Horizontal bars of counts by label, largest first."""
    ordered = sorted(counts.items(), key=lambda item: item[1])
    height = max(1.6, 0.28 * len(ordered) + 0.8)
    figure = _figure(FIGSIZE[0], height)
    axis = figure.subplots()
    if ordered:
        axis.barh([k for k, _ in ordered], [v for _, v in ordered], color="#dd4f43")
    else:
        axis.text(0.5, 0.5, "no rejects", ha="center", va="center")
    axis.set_title(title, fontsize=10)
    axis.tick_params(labelsize=7)
    return _markdown(figure, title)


def time_series(x: Sequence[object], series: Mapping[str, Sequence[float]], title: str) -> str:
    """One line per series over a shared x axis (dates or week starts), each with its own axis."""
    figure = _figure(*FIGSIZE)
    axes = figure.subplots(1, len(series))
    for axis, (name, values) in zip(np.atleast_1d(axes), series.items(), strict=True):
        axis.plot(list(x), list(values), color="#2b8a3e", linewidth=1)
        axis.set_title(name, fontsize=9)
        axis.tick_params(labelsize=6)
        for label in axis.get_xticklabels():
            label.set_rotation(30)
    figure.suptitle(title, fontsize=10)
    return _markdown(figure, title)


def weekly_bars(weeks: Sequence[str], series: Mapping[str, Sequence[float]], title: str) -> str:
    """One small bar chart per series over the same weeks (labels such as ``2024-W36``)."""
    figure = _figure(*FIGSIZE)
    axes = figure.subplots(1, len(series))
    for axis, (name, values) in zip(np.atleast_1d(axes), series.items(), strict=True):
        axis.bar(range(len(weeks)), [v or 0 for v in values], color="#4f43dd")
        axis.set_title(name, fontsize=9)
        step = max(1, len(weeks) // 6)
        axis.set_xticks(range(0, len(weeks), step), list(weeks)[::step], fontsize=6, rotation=30)
        axis.tick_params(labelsize=6)
    figure.suptitle(title, fontsize=10)
    return _markdown(figure, title)
