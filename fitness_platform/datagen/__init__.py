"""Synthetic tracker data (SPEC 1.1 and 5): pure Python + numpy/pandas/pyarrow, no dagster.

``generate_tracker_files`` writes CSVs of the reference shape with planted, counted defects;
``generate_tracker_frame`` gives the clean rows; ``DefectRates`` sets the defect mix;
``signal=True`` plants the lagged effects the ML models must find (see ``datagen.signal``).
"""

from fitness_platform.datagen.defects import DEFECT_KINDS, DefectRates, expected_reason
from fitness_platform.datagen.tracker import (
    GenerationReport,
    file_names,
    generate_tracker_files,
    generate_tracker_frame,
)

__all__ = [
    "DEFECT_KINDS",
    "DefectRates",
    "GenerationReport",
    "expected_reason",
    "file_names",
    "generate_tracker_files",
    "generate_tracker_frame",
]
