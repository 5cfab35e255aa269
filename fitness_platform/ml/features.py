"""The one place that lists the models' features and labels (SPEC 1.5).

Every feature is a column of the day-d row of ``gold/fact_daily`` (equally of
``silver/daily_activity``, which holds the same columns): the day's measures, its trailing
30-calendar-day means, its lags and its backward deltas. None is derived from a later day.
The labels look forward and are computed in :mod:`fitness_platform.ml.targets`; a label column
is never a feature (``fitness_platform_tests/ml/test_features.py`` enforces both rules).

Calendar parts other than the weekday are left out on purpose: with one year of history a
time split puts the test months outside the training months, so ``month`` or ``day`` could
only memorise the season of the training period.
"""

from __future__ import annotations

from dataclasses import dataclass

KEY_COLUMNS: tuple[str, ...] = ("user_id", "date_key")

NUMERIC_FEATURES: tuple[str, ...] = (
    "age",
    "sleep_hours",
    "heart_rate_avg",
    "stress_level",
    "steps",
    "exercise_minutes",
    "calories_burned",
    "weight_kg",
    "bmi",
    "height_cm",
    "bmr",
    "caloric_balance",
    "ra30_steps",
    "ra30_calories",
    "ra30_ex_minutes",
    "ra30_stress",
    "ra30_days",
    "weight_change_30d_raw",
    "stress_change_30d",
    "yesterday_stress",
    "yesterday_sleep",
    "weekday_num",
    "is_weekend",
)
CATEGORICAL_FEATURES: tuple[str, ...] = (
    "gender",
    "activity_level",
    "sleep_quality",
    "bmi_category",
)
FEATURES: tuple[str, ...] = NUMERIC_FEATURES + CATEGORICAL_FEATURES

STRESS_TREND_LABEL = "stress_trend_next_30d"
SLEEP_QUALITY_LABEL = "sleep_quality_next_day"
WEIGHT_CHANGE_LABEL = "weight_change_next_30d"


@dataclass(frozen=True)
class LabelSpec:
    """A forward label: its column, horizon, the day-d value it is a change of, and classes.

    Attributes:
        column: Label column in the feature store.
        horizon_days: The label of day d is known on day d + horizon_days.
        source: The target variable's day-d column, the current-value baseline's only input.
        classes: Class names in display order; empty for a regression label.
    """

    column: str
    horizon_days: int
    source: str
    classes: tuple[str, ...] = ()

    @property
    def is_classification(self) -> bool:
        """Whether the label is a class (else a real number)."""
        return bool(self.classes)


STRESS_TREND_CLASSES: tuple[str, ...] = ("less_stress", "no_changes", "more_stress")
SLEEP_QUALITY_CLASSES: tuple[str, ...] = ("poor", "fair", "good", "excellent")

LABELS: dict[str, LabelSpec] = {
    STRESS_TREND_LABEL: LabelSpec(STRESS_TREND_LABEL, 30, "stress_level", STRESS_TREND_CLASSES),
    SLEEP_QUALITY_LABEL: LabelSpec(SLEEP_QUALITY_LABEL, 1, "sleep_hours", SLEEP_QUALITY_CLASSES),
    WEIGHT_CHANGE_LABEL: LabelSpec(WEIGHT_CHANGE_LABEL, 30, "weight_kg"),
}
LABEL_COLUMNS: tuple[str, ...] = tuple(LABELS)

# Day-d columns the labels are computed from (looked up on d + horizon by the targets).
TARGET_SOURCE_COLUMNS: tuple[str, ...] = ("stress_level", "sleep_quality", "weight_kg")

# Every column the feature store reads from its input table.
INPUT_COLUMNS: tuple[str, ...] = tuple(
    dict.fromkeys(KEY_COLUMNS + FEATURES + TARGET_SOURCE_COLUMNS)
)

LABEL_DESCRIPTIONS: dict[str, str] = {
    STRESS_TREND_LABEL: "Label: stress_level(d+30) - stress_level(d) >= 3 more_stress, <= -3 "
    "less_stress, else no_changes; null when day d+30 is absent.",
    SLEEP_QUALITY_LABEL: "Label: sleep_quality on day d+1; null when day d+1 is absent.",
    WEIGHT_CHANGE_LABEL: "Label: weight_kg(d+30) - weight_kg(d) in kg; null when day d+30 is "
    "absent.",
}
