"""Signal off: the targets are independent of the features; signal on: the planted effects."""

from __future__ import annotations

import numpy as np
import pytest

from fitness_platform.datagen import generate_tracker_frame

USERS, DAYS = 200, 240


def ra30(grid: np.ndarray) -> np.ndarray:
    """Trailing 30-day means: column j is the window ending on day j + 29."""
    csum = np.concatenate([np.zeros((grid.shape[0], 1)), np.cumsum(grid, axis=1)], axis=1)
    return (csum[:, 30:] - csum[:, :-30]) / 30


def corr(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.corrcoef(x.ravel(), y.ravel())[0, 1])


def correlations(signal: bool) -> dict[str, float]:
    frame = generate_tracker_frame(users=USERS, days=DAYS, signal=signal)

    def grid(column: str) -> np.ndarray:
        return frame[column].to_numpy(dtype=float).reshape(USERS, DAYS)

    stress, exercise, sleep = grid("stress_level"), grid("exercise_minutes"), grid("sleep_hours")
    weight, calories, bmi, age = (
        grid("weight_kg"),
        grid("calories_burned"),
        grid("bmi"),
        grid("age"),
    )
    male = (frame["gender"].to_numpy() == "M").reshape(USERS, DAYS)
    bmr = 10 * weight + 625 * np.sqrt(weight / bmi) - 5 * age + np.where(male, 5, -161)
    d = np.arange(30, DAYS - 30)  # days with a full window behind, 30 days ahead
    j = d - 29
    return {
        "stress_today_vs_ra30_exercise": corr(stress[:, d], ra30(exercise)[:, j]),
        "stress_in_30d_vs_ra30_exercise": corr(stress[:, d + 30], ra30(exercise)[:, j]),
        "stress_change_vs_ra30_exercise": corr(
            stress[:, d + 30] - stress[:, d], ra30(exercise)[:, j]
        ),
        "sleep_tomorrow_vs_stress": corr(sleep[:, d + 1], stress[:, d]),
        "weight_change_vs_ra30_balance": corr(
            weight[:, d + 30] - weight[:, d], ra30(calories - bmr)[:, j]
        ),
        "weight_change_vs_past_change": corr(
            weight[:, d + 30] - weight[:, d], weight[:, d] - weight[:, d - 30]
        ),
    }


def test_without_signal_nothing_predicts_the_forward_targets() -> None:
    for name, value in correlations(signal=False).items():
        assert abs(value) < 0.06, (name, value)


def test_with_signal_the_planted_effects_are_strong() -> None:
    c = correlations(signal=True)
    assert c["stress_in_30d_vs_ra30_exercise"] < -0.8
    assert c["stress_change_vs_ra30_exercise"] < -0.4
    assert c["sleep_tomorrow_vs_stress"] < -0.7
    assert c["weight_change_vs_ra30_balance"] < -0.25
    assert c["weight_change_vs_past_change"] > 0.3


def test_signal_only_rewrites_signal_columns() -> None:
    plain = generate_tracker_frame(users=20, days=60)
    planted = generate_tracker_frame(users=20, days=60, signal=True)
    for column in ("user_id", "age", "gender", "date"):
        assert plain[column].equals(planted[column])
    assert not plain["stress_level"].equals(planted["stress_level"])


@pytest.mark.parametrize("signal", [False, True])
def test_population_distribution_of_stress_and_sleep(signal: bool) -> None:
    frame = generate_tracker_frame(users=USERS, days=DAYS, signal=signal)
    assert 4.5 < frame["stress_level"].mean() < 6.5
    assert 6.5 < frame["sleep_hours"].mean() < 7.8
    if not signal:  # the same distribution for every user
        per_user = frame.groupby("user_id")["stress_level"].mean()
        assert per_user.std() < 0.3
