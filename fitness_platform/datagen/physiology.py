"""Shared constants of the synthetic tracker population: value bounds, decimals, body formulas.

The clean bounds are where generated (defect-free) values are clipped to. They sit strictly
inside the silver cleaning ranges of SPEC 1.3 (:data:`SILVER_RANGES`, mirrored here so the
generator does not depend on the pipeline code it is meant to test), so a clean row is never
rejected.
"""

from __future__ import annotations

import numpy as np

from fitness_platform.tracker.schema import RAW_COLUMNS as SCHEMA_RAW_COLUMNS

# The 12 raw columns in the order of SPEC 1.1 (the order the generator writes them in): the
# data contract itself, so it comes from the one place that states it.
RAW_COLUMNS: tuple[str, ...] = SCHEMA_RAW_COLUMNS
INT_COLUMNS: tuple[str, ...] = ("user_id", "age", "steps", "stress_level")
# Float columns and the number of decimals they are written with.
FLOAT_DECIMALS: dict[str, int] = {
    "heart_rate_avg": 1,
    "sleep_hours": 1,
    "calories_burned": 1,
    "exercise_minutes": 1,
    "weight_kg": 1,
    "bmi": 2,
}
MEASURE_COLUMNS: tuple[str, ...] = (
    "steps",
    "heart_rate_avg",
    "sleep_hours",
    "calories_burned",
    "exercise_minutes",
    "stress_level",
    "weight_kg",
    "bmi",
)

# SPEC 1.3 step 3: the silver range filters (inclusive), in the order silver checks them.
SILVER_RANGES: dict[str, tuple[float, float]] = {
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
GENDERS: tuple[str, ...] = ("F", "M")
# SPEC 1.3 step 1: columns whose negative values silver turns into 0.
NEGATIVE_TO_ZERO_COLUMNS: tuple[str, ...] = (
    "steps",
    "heart_rate_avg",
    "sleep_hours",
    "calories_burned",
    "exercise_minutes",
    "weight_kg",
    "bmi",
)

# Bounds of clean generated values (inside SILVER_RANGES; steps never 0).
AGE_RANGE = (18, 80)
HEIGHT_CM_RANGE = (150.0, 200.0)
BMI_BASELINE_RANGE = (17.5, 40.0)
BMI_CLEAN_RANGE = (15.0, 50.0)
STEPS_CLEAN_RANGE = (300.0, 35_000.0)
HEART_RATE_CLEAN_RANGE = (55.0, 110.0)
SLEEP_CLEAN_RANGE = (4.0, 10.0)
CALORIES_CLEAN_RANGE = (1_500.0, 4_000.0)
# With the signal, calories carry a +-550 kcal/day surplus, so they get a wider clean range.
CALORIES_SIGNAL_RANGE = (1_200.0, 4_500.0)
EXERCISE_CLEAN_RANGE = (0.0, 120.0)
STRESS_CLEAN_RANGE = (1, 10)

# Activity physiology shared by the base generator and the signal.
STEPS_PER_EXERCISE_MINUTE = 90.0
HEART_RATE_PER_EXERCISE_MINUTE = 0.10
KCAL_PER_STEP = 0.04
KCAL_PER_EXERCISE_MINUTE = 7.0
RESTING_ACTIVITY_FACTOR = 1.2  # calories of a sedentary day = 1.2 x BMR


def mifflin_bmr(weight_kg, height_cm, age, is_male):
    """Mifflin-St Jeor basal metabolic rate in kcal/day, as silver computes ``bmr`` (SPEC 1.3)."""
    return 10.0 * weight_kg + 6.25 * height_cm - 5.0 * age + np.where(is_male, 5.0, -161.0)
