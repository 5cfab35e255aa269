"""The planted ML signal (``--signal``, SPEC 5): known lagged effects on the three targets.

:func:`apply_signal` takes the clean grid of :func:`fitness_platform.datagen.population.clean_grid`
(before rounding and defects) and rewrites exercise, steps, heart rate, calories, weight, BMI,
stress and sleep so that each forward target of SPEC 1.5 depends on what is known on day d:

1. **Stress 30 days later <- exercise over the last 30 days.** Each user follows a slowly
   varying exercise regime, a sine around a personal mean (``EXERCISE_REGIME_*``). Stress on day
   t is ``STRESS_CENTER - STRESS_PER_EXERCISE_MINUTE * (mean exercise over [t-59, t-30] -
   STRESS_EXERCISE_PIVOT)`` plus daily noise. On day d the feature ``ra30_ex_minutes`` is the
   very window that sets stress on d+30, so ``stress_level(d+30) - stress_level(d)`` is
   predictable well beyond what ``stress_level(d)`` alone gives.
2. **Weight over the next 30 days <- caloric balance.** Each user has a slowly varying
   calorie surplus of expenditure over intake (``CALORIC_REGIME_*``, a sine with a period of
   8-13 months, so the next 30 days resemble the last 30). Intake is the user's habitual
   expenditure (``RESTING_ACTIVITY_FACTOR`` x BMR + the average activity burn), and every day
   weight changes by ``-(calories_burned - intake) / KCAL_PER_KG``. The model sees it through
   ``ra30_calories``, ``caloric_balance``, ``bmr`` and ``weight_change_30d``.
3. **Next night's sleep <- today's stress and long workouts.** Sleep on d+1 is
   ``SLEEP_BASE_HOURS - SLEEP_PER_STRESS_POINT * (stress(d) - SLEEP_STRESS_PIVOT)
   - SLEEP_PER_LONG_WORKOUT_MINUTE * max(0, exercise(d) - LONG_WORKOUT_MINUTES)`` plus noise,
   so ``sleep_quality`` on d+1 follows ``stress_level(d)`` far better than ``sleep_hours(d)``.

Every constant below is a tuning knob; values stay inside the SPEC 1.3 cleaning ranges because
the results are clipped to the clean bounds of :mod:`fitness_platform.datagen.physiology`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fitness_platform.datagen import physiology as ph

# 1. Exercise regime (minutes/day) and its effect on stress 30 days later.
EXERCISE_REGIME_MEAN_RANGE = (20.0, 75.0)  # per-user mean of the regime
EXERCISE_REGIME_AMPLITUDE_RANGE = (15.0, 45.0)  # per-user amplitude of the sine
EXERCISE_REGIME_PERIOD_DAYS_RANGE = (70.0, 150.0)  # per-user period of the sine
EXERCISE_DAILY_SD = 12.0  # day-to-day noise around the regime
STRESS_LAG_DAYS = 30  # stress on t follows the exercise window ending on t - STRESS_LAG_DAYS
STRESS_WINDOW_DAYS = 30
STRESS_CENTER = 5.5
STRESS_EXERCISE_PIVOT = 47.5  # minutes/day at which the exercise effect is zero
STRESS_PER_EXERCISE_MINUTE = 0.09  # stress points per minute/day of 30-day mean exercise
STRESS_DAILY_SD = 0.9

# 2. Caloric balance (kcal/day of expenditure above intake) and its effect on weight.
CALORIC_REGIME_AMPLITUDE_RANGE = (250.0, 550.0)
CALORIC_REGIME_PERIOD_DAYS_RANGE = (240.0, 400.0)
CALORIES_DAILY_SD = 90.0
KCAL_PER_KG = 7_700.0  # energy of one kg of body weight
WEIGHT_DAILY_CHANGE_SD = 0.07  # kg/day random walk on top of the energy balance

# 3. Next night's sleep.
SLEEP_BASE_HOURS = 7.3
SLEEP_STRESS_PIVOT = 5.5
SLEEP_PER_STRESS_POINT = 0.45  # hours less per stress point above the pivot
LONG_WORKOUT_MINUTES = 60.0
SLEEP_PER_LONG_WORKOUT_MINUTE = 0.03  # hours less per exercise minute above LONG_WORKOUT_MINUTES
SLEEP_DAILY_SD = 0.5

_BURN_IN = STRESS_LAG_DAYS + STRESS_WINDOW_DAYS  # days simulated before the first day


def apply_signal(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Return ``frame`` (the full clean grid, sorted by user then day) with the signal planted."""
    users = int(frame["user_id"].iloc[-1]) + 1 if len(frame) else 0
    days = len(frame) // users if users else 0
    shape = (users, days)

    def grid(column: str) -> np.ndarray:
        return frame[column].to_numpy(dtype=np.float64).reshape(shape)

    first = np.arange(users) * days
    age = frame["age"].to_numpy()[first].astype(np.float64)
    male = frame["gender"].to_numpy()[first] == "M"
    height_cm = frame["_height_cm"].to_numpy()[first]
    weight0 = frame["_weight_base_kg"].to_numpy()[first]

    # 1. Exercise follows a per-user regime, simulated from _BURN_IN days before day 0.
    t_ext = np.arange(-_BURN_IN, days, dtype=np.float64)
    ex_mean = rng.uniform(*EXERCISE_REGIME_MEAN_RANGE, users)
    ex_amp = rng.uniform(*EXERCISE_REGIME_AMPLITUDE_RANGE, users)
    ex_period = rng.uniform(*EXERCISE_REGIME_PERIOD_DAYS_RANGE, users)
    ex_phase = rng.uniform(0.0, 2 * np.pi, users)
    regime = ex_mean[:, None] + ex_amp[:, None] * np.sin(
        2 * np.pi * t_ext[None, :] / ex_period[:, None] + ex_phase[:, None]
    )
    exercise_ext = np.rint(
        (regime + rng.normal(0.0, EXERCISE_DAILY_SD, regime.shape)).clip(*ph.EXERCISE_CLEAN_RANGE)
    )
    exercise = exercise_ext[:, _BURN_IN:]
    delta_ex = exercise - grid("exercise_minutes")
    steps = (grid("steps") + ph.STEPS_PER_EXERCISE_MINUTE * delta_ex).clip(*ph.STEPS_CLEAN_RANGE)
    heart_rate = (grid("heart_rate_avg") + ph.HEART_RATE_PER_EXERCISE_MINUTE * delta_ex).clip(
        *ph.HEART_RATE_CLEAN_RANGE
    )

    # Stress on extended day e follows mean exercise over [e - 59, e - 30]; needed from day -1.
    csum = np.concatenate([np.zeros((users, 1)), np.cumsum(exercise_ext, axis=1)], axis=1)
    e = np.arange(_BURN_IN - 1, _BURN_IN + days)  # extended index of days -1 .. days-1
    window_end = e - STRESS_LAG_DAYS + 1  # exclusive end in csum terms
    lagged_ex = (
        csum[:, window_end] - csum[:, window_end - STRESS_WINDOW_DAYS]
    ) / STRESS_WINDOW_DAYS
    stress_ext = np.rint(
        STRESS_CENTER
        - STRESS_PER_EXERCISE_MINUTE * (lagged_ex - STRESS_EXERCISE_PIVOT)
        + rng.normal(0.0, STRESS_DAILY_SD, lagged_ex.shape)
    ).clip(*ph.STRESS_CLEAN_RANGE)
    stress = stress_ext[:, 1:]

    # 3. Sleep on day t follows stress and exercise of day t - 1.
    previous_stress = stress_ext[:, :-1]
    previous_ex = exercise_ext[:, _BURN_IN - 1 : _BURN_IN - 1 + days]
    sleep = (
        SLEEP_BASE_HOURS
        - SLEEP_PER_STRESS_POINT * (previous_stress - SLEEP_STRESS_PIVOT)
        - SLEEP_PER_LONG_WORKOUT_MINUTE * np.maximum(previous_ex - LONG_WORKOUT_MINUTES, 0.0)
        + rng.normal(0.0, SLEEP_DAILY_SD, shape)
    ).clip(*ph.SLEEP_CLEAN_RANGE)

    # 2. Calories = habitual expenditure + a slowly varying surplus; weight integrates it.
    t = np.arange(days, dtype=np.float64)
    cal_amp = rng.uniform(*CALORIC_REGIME_AMPLITUDE_RANGE, users)
    cal_period = rng.uniform(*CALORIC_REGIME_PERIOD_DAYS_RANGE, users)
    cal_phase = rng.uniform(0.0, 2 * np.pi, users)
    surplus = cal_amp[:, None] * np.sin(
        2 * np.pi * t[None, :] / cal_period[:, None] + cal_phase[:, None]
    )
    bmr0 = ph.mifflin_bmr(weight0, height_cm, age, male)
    activity = ph.KCAL_PER_STEP * steps + ph.KCAL_PER_EXERCISE_MINUTE * exercise
    intake = ph.RESTING_ACTIVITY_FACTOR * bmr0 + activity.mean(axis=1)
    calories = (
        ph.RESTING_ACTIVITY_FACTOR * bmr0[:, None]
        + activity
        + surplus
        + rng.normal(0.0, CALORIES_DAILY_SD, shape)
    ).clip(*ph.CALORIES_SIGNAL_RANGE)
    daily_change = -(calories - intake[:, None]) / KCAL_PER_KG + rng.normal(
        0.0, WEIGHT_DAILY_CHANGE_SD, shape
    )
    weight = weight0[:, None] + np.cumsum(daily_change, axis=1)
    h2 = (height_cm[:, None] / 100.0) ** 2
    weight = weight.clip(ph.BMI_CLEAN_RANGE[0] * h2, ph.BMI_CLEAN_RANGE[1] * h2)

    out = frame.copy()
    n = users * days
    out["exercise_minutes"] = exercise.reshape(n)
    out["steps"] = steps.reshape(n)
    out["heart_rate_avg"] = heart_rate.reshape(n)
    out["calories_burned"] = calories.reshape(n)
    out["weight_kg"] = weight.reshape(n)
    out["bmi"] = (weight / h2).reshape(n)
    out["stress_level"] = stress.reshape(n).astype(np.int64)
    out["sleep_hours"] = sleep.reshape(n)
    return out
