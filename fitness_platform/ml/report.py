"""Markdown views of an evaluation report, for the Dagster UI (plain strings, no dagster)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ROW_NAMES = {"model": "model", "naive": "naive baseline", "current_value": "current-value baseline"}


def _number(value: Any) -> str:
    return "" if value is None else f"{value:.4f}" if isinstance(value, float) else str(value)


def metrics_markdown(report: Mapping[str, Any]) -> str:
    """A table of the model's and both baselines' metrics, with the lifts over each baseline."""
    classification = report["kind"] == "classification"
    names = ["accuracy", "balanced_accuracy", "macro_f1"] if classification else ["rmse", "mae"]
    lines = [
        "| | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for key, title in ROW_NAMES.items():
        row = report["metrics"][key]
        lines.append(f"| {title} | " + " | ".join(_number(row[n]) for n in names) + " |")
    for baseline in ("naive", "current_value"):
        gains = report["lift"][baseline]
        lines.append(
            f"| lift over {ROW_NAMES[baseline]} | "
            + " | ".join(_number(gains.get(n)) for n in names)
            + " |"
        )
    if not classification:
        ratio = report["lift"]["current_value"]["rmse_ratio"]
        lines.append("")
        lines.append(f"RMSE ratio to the current-value baseline: **{_number(ratio)}**")
    lines += ["", f"**Verdict:** {report['verdict']}"]
    return "\n".join(lines)


def per_class_markdown(report: Mapping[str, Any]) -> str:
    """Precision, recall, F1 and support per class of the model, with the class balance."""
    balance = report["class_balance"]
    lines = [
        "| class | train share | test share | precision | recall | f1 | support |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row in report["metrics"]["model"]["per_class"].items():
        lines.append(
            f"| {name} | {balance['train'][name]:.3f} | {balance['test'][name]:.3f} | "
            f"{row['precision']:.3f} | {row['recall']:.3f} | {row['f1']:.3f} | {row['support']} |"
        )
    return "\n".join(lines)
