"""Small PNG plots for the Dagster UI, embedded in markdown as base64 data URIs.

Figures are built with :class:`matplotlib.figure.Figure` directly, which renders through the
``Agg`` canvas without touching pyplot's global state or a display, so plotting is safe in
worker threads. Figures are small and at a low DPI: a plot costs milliseconds and a few
kilobytes of metadata.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from sklearn.metrics import confusion_matrix

DPI = 80
WEIGHT_DIRECTION_KG = 0.5  # a regressor's change is shown as loss / stable / gain around this
WEIGHT_DIRECTIONS: tuple[str, ...] = ("loss", "stable", "gain")


def _figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height))
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    return buffer.getvalue()


def weight_direction(values: Sequence[float]) -> np.ndarray:
    """Bucket weight changes (kg) into loss / stable / gain at +-WEIGHT_DIRECTION_KG."""
    array = np.asarray(values, dtype=np.float64)
    return np.select(
        [array <= -WEIGHT_DIRECTION_KG, array >= WEIGHT_DIRECTION_KG], ["loss", "gain"], "stable"
    )


def confusion_matrix_png(
    y_true: Sequence[str], y_pred: Sequence[str], classes: Sequence[str], title: str
) -> bytes:
    """A row-normalised confusion matrix (rows: actual, columns: predicted) as PNG bytes."""
    counts = confusion_matrix(y_true, y_pred, labels=list(classes))
    totals = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
    figure = _figure(4.2, 3.6)
    axes = figure.subplots()
    axes.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0)
    ticks = range(len(classes))
    axes.set_xticks(ticks, labels=list(classes), rotation=30, ha="right", fontsize=8)
    axes.set_yticks(ticks, labels=list(classes), fontsize=8)
    axes.set_xlabel("predicted")
    axes.set_ylabel("actual")
    axes.set_title(title, fontsize=9)
    for (row, col), count in np.ndenumerate(counts):
        color = "white" if shares[row, col] > 0.5 else "black"
        axes.text(
            col,
            row,
            f"{count}\n{shares[row, col]:.0%}",
            ha="center",
            va="center",
            fontsize=7,
            color=color,
        )
    return _png(figure)


def importance_png(importances: Sequence[tuple[str, float, float]], title: str) -> bytes:
    """A horizontal bar chart of the top permutation importances (mean +- std) as PNG bytes."""
    top = list(importances)[:12][::-1]
    figure = _figure(4.8, 3.6)
    axes = figure.subplots()
    axes.barh(
        [name for name, _, _ in top],
        [mean for _, mean, _ in top],
        xerr=[std for _, _, std in top],
        color="#4c72b0",
    )
    axes.axvline(0.0, color="black", linewidth=0.8)
    axes.tick_params(labelsize=7)
    axes.set_xlabel("drop in test score when shuffled", fontsize=8)
    axes.set_title(title, fontsize=9)
    return _png(figure)


def markdown_image(png: bytes, alt: str) -> str:
    """Markdown that shows PNG bytes inline (a base64 data URI)."""
    return f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode('ascii')})"
