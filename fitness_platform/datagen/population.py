"""Clean, defect-free tracker values on the full users x days grid (no signal).

Each user has fixed traits (age, gender, height, baseline weight, activity habits); each day
draws the measures around them. Without the signal (see :mod:`fitness_platform.datagen.signal`)
the three ML targets are deliberately unpredictable beyond their own current value:

- ``stress_level`` and ``sleep_hours`` are independent daily draws from one population
  distribution, the same for every user and day, and nothing else depends on them;
- ``weight_kg`` is the user's baseline plus independent daily changes (a random walk), so the
  change over the next 30 days is independent of everything known on day d. (Independent noise
  *around* a fixed baseline would make the forward change mean-revert, and the lag feature
  ``weight_change_30d`` would predict it with correlation -0.5: a signal that was never planted.)

Everything is vectorised over the grid; the frame is sorted by ``user_id`` then ``date``, and
row ``u * days + t`` is user ``u`` on day ``t``. Helper columns start with ``_`` and are not
written to files: ``_t`` (day index), ``_height_cm``, ``_weight_base_kg``.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from fitness_platform.datagen import physiology as ph

# Independent random streams, so that e.g. changing defect rates never changes clean values.
STREAM_POPULATION = 1
STREAM_DAILY = 2
STREAM_SIGNAL = 3
STREAM_GAPS = 4
STREAM_DEFECTS = 5
STREAM_PLACEMENT = 6
STREAM_DUPLICATE_VALUES = 7

# Population of users.
MALE_SHARE = 0.5
HEIGHT_CM_MEAN = {"F": 163.0, "M": 176.5}
HEIGHT_CM_SD = {"F": 6.5, "M": 7.0}
BMI_BASELINE_MEDIAN = 26.0
BMI_BASELINE_LOG_SD = 0.16
STEPS_BASE_MEDIAN = 6_500.0
STEPS_BASE_LOG_SD = 0.35
STEPS_DAILY_LOG_SD = 0.28
# Weekly rhythm: factor per weekday (Monday = 0); Saturday and Sunday are per-user draws.
WEEKDAY_STEP_FACTORS = (1.0, 1.03, 1.0, 1.04, 0.96)
SATURDAY_FACTOR_RANGE = (0.95, 1.45)
SUNDAY_FACTOR_RANGE = (0.55, 0.95)
SEASON_AMPLITUDE = 0.07  # steps peak in mid-July
WORKOUT_PROBABILITY_RANGE = (0.15, 0.75)
WORKOUT_MINUTES_RANGE = (25.0, 70.0)
WORKOUT_GAMMA_SHAPE = 4.0
RESTING_HR_MEAN, RESTING_HR_SD = 68.0, 6.0
HEART_RATE_DAILY_SD = 2.5
CALORIES_DAILY_SD = 90.0
WEIGHT_DAILY_CHANGE_SD = 0.1  # kg/day random-walk step
SLEEP_MEAN, SLEEP_SD = 7.1, 1.1
# Population distribution of stress_level 1..10.
STRESS_PMF = np.array([0.04, 0.07, 0.10, 0.13, 0.15, 0.15, 0.13, 0.10, 0.08, 0.05])


def rng_for(seed: int, stream: int) -> np.random.Generator:
    """The generator of one independent random stream of ``seed``."""
    return np.random.default_rng([seed, stream])


def clean_grid(users: int, days: int, start: date, seed: int) -> pd.DataFrame:
    """Clean values for every (user, day), unrounded, sorted by user then date."""
    rng = rng_for(seed, STREAM_POPULATION)
    male = rng.random(users) < MALE_SHARE
    gender = np.where(male, "M", "F")
    age = rng.integers(ph.AGE_RANGE[0], ph.AGE_RANGE[1] + 1, users)
    height_cm = np.where(
        male,
        rng.normal(HEIGHT_CM_MEAN["M"], HEIGHT_CM_SD["M"], users),
        rng.normal(HEIGHT_CM_MEAN["F"], HEIGHT_CM_SD["F"], users),
    ).clip(*ph.HEIGHT_CM_RANGE)
    bmi0 = np.exp(rng.normal(np.log(BMI_BASELINE_MEDIAN), BMI_BASELINE_LOG_SD, users))
    weight0 = bmi0.clip(*ph.BMI_BASELINE_RANGE) * (height_cm / 100.0) ** 2
    steps_base = np.exp(rng.normal(np.log(STEPS_BASE_MEDIAN), STEPS_BASE_LOG_SD, users))
    saturday = rng.uniform(*SATURDAY_FACTOR_RANGE, users)
    sunday = rng.uniform(*SUNDAY_FACTOR_RANGE, users)
    workout_p = rng.uniform(*WORKOUT_PROBABILITY_RANGE, users)
    workout_minutes = rng.uniform(*WORKOUT_MINUTES_RANGE, users)
    resting_hr = rng.normal(RESTING_HR_MEAN, RESTING_HR_SD, users).clip(56.0, 85.0)

    rng = rng_for(seed, STREAM_DAILY)
    shape = (users, days)
    t = np.arange(days)
    day0 = np.datetime64(start, "D")
    dates = day0 + t
    weekday = (start.weekday() + t) % 7
    doy = (dates - dates.astype("datetime64[Y]")).astype(np.int64)
    season = 1.0 + SEASON_AMPLITUDE * np.cos(2 * np.pi * (doy - 196) / 365.25)

    workout = rng.random(shape) < workout_p[:, None]
    session = rng.gamma(WORKOUT_GAMMA_SHAPE, workout_minutes[:, None] / WORKOUT_GAMMA_SHAPE, shape)
    light = np.where(rng.random(shape) < 0.5, 0.0, rng.uniform(0.0, 15.0, shape))
    exercise = np.rint(np.where(workout, session.clip(10.0, ph.EXERCISE_CLEAN_RANGE[1]), light))

    factors = np.ones(shape)
    weekday_factors = np.array([*WEEKDAY_STEP_FACTORS, 1.0, 1.0])
    factors *= weekday_factors[weekday][None, :]
    factors = np.where(weekday[None, :] == 5, saturday[:, None], factors)
    factors = np.where(weekday[None, :] == 6, sunday[:, None], factors)
    steps = (
        steps_base[:, None]
        * factors
        * season[None, :]
        * np.exp(rng.normal(0.0, STEPS_DAILY_LOG_SD, shape))
        + ph.STEPS_PER_EXERCISE_MINUTE * exercise
    ).clip(*ph.STEPS_CLEAN_RANGE)

    heart_rate = (
        resting_hr[:, None]
        + ph.HEART_RATE_PER_EXERCISE_MINUTE * exercise
        + rng.normal(0.0, HEART_RATE_DAILY_SD, shape)
    ).clip(*ph.HEART_RATE_CLEAN_RANGE)

    weight = weight0[:, None] + np.cumsum(rng.normal(0.0, WEIGHT_DAILY_CHANGE_SD, shape), axis=1)
    h2 = (height_cm[:, None] / 100.0) ** 2
    weight = weight.clip(ph.BMI_CLEAN_RANGE[0] * h2, ph.BMI_CLEAN_RANGE[1] * h2)

    bmr0 = ph.mifflin_bmr(weight0, height_cm, age, male)
    calories = (
        ph.RESTING_ACTIVITY_FACTOR * bmr0[:, None]
        + ph.KCAL_PER_STEP * steps
        + ph.KCAL_PER_EXERCISE_MINUTE * exercise
        + rng.normal(0.0, CALORIES_DAILY_SD, shape)
    ).clip(*ph.CALORIES_CLEAN_RANGE)

    sleep = rng.normal(SLEEP_MEAN, SLEEP_SD, shape).clip(*ph.SLEEP_CLEAN_RANGE)
    stress = rng.choice(np.arange(1, 11), size=shape, p=STRESS_PMF / STRESS_PMF.sum())

    n = users * days
    return pd.DataFrame(
        {
            "user_id": np.repeat(np.arange(users, dtype=np.int64), days),
            "age": np.repeat(age.astype(np.int64), days),
            "gender": np.repeat(gender, days).astype(object),
            "date": np.tile(dates, users).astype("datetime64[ns]"),
            "steps": steps.reshape(n),
            "heart_rate_avg": heart_rate.reshape(n),
            "sleep_hours": sleep.reshape(n),
            "calories_burned": calories.reshape(n),
            "exercise_minutes": exercise.reshape(n),
            "stress_level": stress.reshape(n).astype(np.int64),
            "weight_kg": weight.reshape(n),
            "bmi": (weight / h2).reshape(n),
            "_t": np.tile(t, users),
            "_height_cm": np.repeat(height_cm, days),
            "_weight_base_kg": np.repeat(weight0, days),
        }
    )


def finalize(frame: pd.DataFrame) -> pd.DataFrame:
    """Round to the written precision: ints as int64, floats to their decimals.

    ``bmi`` is recomputed from the *rounded* weight and the user's height, so that
    ``sqrt(weight_kg / bmi)`` gives back the height to within rounding. Values are clipped to the
    clean bounds once more after rounding, so the written text is always inside them.
    """
    out = frame.copy()
    out["steps"] = np.rint(out["steps"].to_numpy()).clip(*ph.STEPS_CLEAN_RANGE).astype(np.int64)
    out["stress_level"] = (
        np.rint(out["stress_level"].to_numpy()).clip(*ph.STRESS_CLEAN_RANGE).astype(np.int64)
    )
    clip = {
        "heart_rate_avg": ph.HEART_RATE_CLEAN_RANGE,
        "sleep_hours": ph.SLEEP_CLEAN_RANGE,
        "calories_burned": ph.CALORIES_SIGNAL_RANGE,
        "exercise_minutes": ph.EXERCISE_CLEAN_RANGE,
    }
    for column, bounds in clip.items():
        decimals = ph.FLOAT_DECIMALS[column]
        out[column] = np.round(out[column].to_numpy().clip(*bounds), decimals) + 0.0
    h2 = (out["_height_cm"].to_numpy() / 100.0) ** 2
    weight = (
        out["weight_kg"].to_numpy().clip(ph.BMI_CLEAN_RANGE[0] * h2, ph.BMI_CLEAN_RANGE[1] * h2)
    )
    weight = np.round(weight, ph.FLOAT_DECIMALS["weight_kg"]) + 0.0
    out["weight_kg"] = weight
    out["bmi"] = np.round(weight / h2, ph.FLOAT_DECIMALS["bmi"]) + 0.0
    return out
