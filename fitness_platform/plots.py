"""Small PNG charts for asset metadata: where a person would rather look than read.

Each function returns markdown with the PNG embedded as a data URI, which the Dagster UI
renders in the asset's metadata. Charts are small (about 20 KB) and take tens of
milliseconds, so a run pays well under a second for all of them.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")  # no display on servers; must precede pyplot
import matplotlib.pyplot as plt
import numpy as np

FIGSIZE = (6.0, 2.6)
DPI = 80


def _markdown(figure: plt.Figure, title: str) -> str:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=DPI)
    plt.close(figure)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"![{title}](data:image/png;base64,{encoded})"


def histograms(columns: Mapping[str, Sequence[float]], title: str) -> str:
    """Side-by-side histograms of a few numeric columns (nulls ignored)."""
    figure, axes = plt.subplots(1, len(columns), figsize=FIGSIZE)
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
    figure, axis = plt.subplots(figsize=(FIGSIZE[0], height))
    if ordered:
        axis.barh([k for k, _ in ordered], [v for _, v in ordered], color="#dd4f43")
    else:
        axis.text(0.5, 0.5, "no rejects", ha="center", va="center")
    axis.set_title(title, fontsize=10)
    axis.tick_params(labelsize=7)
    return _markdown(figure, title)


def time_series(x: Sequence[object], series: Mapping[str, Sequence[float]], title: str) -> str:
    """One line per series over a shared x axis (dates or week starts), each with its own axis."""
    figure, axes = plt.subplots(1, len(series), figsize=FIGSIZE)
    for axis, (name, values) in zip(np.atleast_1d(axes), series.items(), strict=True):
        axis.plot(list(x), list(values), color="#2b8a3e", linewidth=1)
        axis.set_title(name, fontsize=9)
        axis.tick_params(labelsize=6)
        for label in axis.get_xticklabels():
            label.set_rotation(30)
    figure.suptitle(title, fontsize=10)
    return _markdown(figure, title)
