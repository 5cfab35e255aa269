"""SPEC 1.3, silver features: categories, date parts, body measures, calendar windows, lags,
30-day deltas and the +-5 kg clamp. Each test builds silver once for many cases."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from fitness_platform_tests.tracker.helpers import line, silver_rows

LEVELS = ("sedentary", "light", "moderate", "active")


def _by_user(rows: list[dict[str, object]]) -> dict[object, dict[str, object]]:
    return {r["user_id"]: r for r in rows}


def test_categories_at_every_boundary() -> None:
    steps = {1: "sedentary", 4_999: "sedentary", 5_000: "light", 9_999: "light"}
    steps |= {10_000: "moderate", 14_999: "moderate", 15_000: "active", 50_000: "active"}
    sleep = {"2": "poor", "5.99": "poor", "5.999999": "poor", "6": "fair", "7.99": "fair"}
    sleep |= {"8": "good", "9.99": "good", "10": "excellent", "16": "excellent"}
    bmi = {"10": "underweight", "18.49": "underweight", "18.5": "normal", "24.99": "normal"}
    bmi |= {"25": "overweight", "29.99": "overweight", "30": "obese", "60": "obese"}
    lines, expected = [], {}
    for value, level in steps.items():
        lines.append(line(user_id=len(lines), steps=value))
        expected[len(lines) - 1] = ("activity_level", level)
    for value, quality in sleep.items():
        lines.append(line(user_id=len(lines), sleep_hours=value))
        expected[len(lines) - 1] = ("sleep_quality", quality)
    for value, category in bmi.items():
        lines.append(line(user_id=len(lines), bmi=value))
        expected[len(lines) - 1] = ("bmi_category", category)
    rows = _by_user(silver_rows(*lines))
    for user, (column, label) in expected.items():
        assert rows[user][column] == label, (user, column, rows[user])
    for row in rows.values():
        flags = [row[f"activity_level_{level}"] for level in LEVELS]
        assert flags == [row["activity_level"] == level for level in LEVELS]
        assert sum(flags) == 1
        assert all(type(flag) is bool for flag in flags)


def test_date_parts_weekdays_and_weekend_with_sunday_as_6() -> None:
    # 2024-09-02 is a Monday; two full weeks, a leap day and a year end.
    days = [date(2024, 9, 2) + timedelta(days=k) for k in range(14)]
    days += [date(2024, 2, 29), date(2024, 12, 31), date(2025, 1, 1)]
    rows = _by_user(silver_rows(*(line(user_id=i, date=d) for i, d in enumerate(days))))
    names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    for i, d in enumerate(days):
        row = rows[i]
        assert (row["year"], row["month"], row["day"]) == (d.year, d.month, d.day)
        assert row["date_key"] == int(d.strftime("%Y%m%d"))
        assert row["weekday_num"] == d.weekday()
        assert row["weekday"] == names[d.weekday()]
        assert row["is_weekend"] is (d.weekday() >= 5)
    sunday = rows[6]
    assert (sunday["date"], sunday["weekday"], sunday["weekday_num"]) == (
        date(2024, 9, 8),
        "Sunday",
        6,
    )
    assert sunday["is_weekend"] is True and rows[5]["is_weekend"] is True
    assert rows[4]["is_weekend"] is False  # Friday
    assert (rows[14]["weekday"], rows[15]["weekday"], rows[16]["weekday"]) == (
        "Thursday",
        "Tuesday",
        "Wednesday",
    )


def test_height_bmr_and_caloric_balance() -> None:
    rows = _by_user(
        silver_rows(
            line(user_id=1, gender="M", age=30, weight_kg=81, bmi=25, calories_burned=2000),
            line(user_id=2, gender="F", age=30, weight_kg=81, bmi=25, calories_burned=1500),
            line(
                user_id=3, gender="m", age=47, weight_kg="72.3", bmi="23.1", calories_burned=2500.5
            ),
        )
    )
    male, female, other = rows[1], rows[2], rows[3]
    assert male["height_m"] == pytest.approx(1.8, rel=1e-12)
    assert male["height_cm"] == pytest.approx(180.0, rel=1e-12)
    # 10*81 + 6.25*180 - 5*30 + 5 = 1790; female: -161 instead of +5.
    assert male["bmr"] == pytest.approx(1790.0, rel=1e-12)
    assert female["bmr"] == pytest.approx(1624.0, rel=1e-12)
    assert male["caloric_balance"] == pytest.approx(210.0, rel=1e-12)
    assert female["caloric_balance"] == pytest.approx(-124.0, rel=1e-12)
    height_m = math.sqrt(72.3 / 23.1)
    bmr = 10 * 72.3 + 6.25 * (100 * height_m) - 5 * 47 + 5
    assert other["height_m"] == pytest.approx(height_m, rel=1e-12)
    assert other["height_cm"] == pytest.approx(100 * height_m, rel=1e-12)
    assert other["bmr"] == pytest.approx(bmr, rel=1e-12)
    assert other["caloric_balance"] == pytest.approx(2500.5 - bmr, rel=1e-12)


D0 = date(2024, 9, 1)


def _day(n: int) -> date:
    return D0 + timedelta(days=n)


def test_calendar_windows_differ_from_row_windows_across_gaps() -> None:
    # User 1: days 0-9 (steps 1000*(k+1)), then a gap, then day 35 and day 38.
    # On day 35 the calendar window [6, 35] holds days 6-9 and 35: 5 rows, while the last
    # 30 *rows* would hold all 11. User 2 has rows on every one of the same days with other
    # values and must not leak into user 1.
    days = [*range(10), 35, 38]
    lines = []
    for k in days:
        lines.append(
            line(
                user_id=1,
                date=_day(k),
                steps=1000 * (k + 1),
                calories_burned=1000 + k,
                exercise_minutes=k / 2,
                stress_level=k % 10 + 1,
            )
        )
        lines.append(line(user_id=2, date=_day(k), steps=40000, stress_level=10))
    rows = {(r["user_id"], r["date"]): r for r in silver_rows(*lines)}

    def window(d: int) -> list[int]:
        return [k for k in days if d - 29 <= k <= d]

    for d in days:
        row = rows[(1, _day(d))]
        ks = window(d)
        assert row["ra30_days"] == len(ks), d
        assert row["ra30_steps"] == pytest.approx(sum(1000 * (k + 1) for k in ks) / len(ks))
        assert row["ra30_calories"] == pytest.approx(sum(1000 + k for k in ks) / len(ks))
        assert row["ra30_ex_minutes"] == pytest.approx(sum(k / 2 for k in ks) / len(ks))
        assert row["ra30_stress"] == pytest.approx(sum(k % 10 + 1 for k in ks) / len(ks))
        assert rows[(2, _day(d))]["ra30_steps"] == 40000.0
    assert rows[(1, _day(35))]["ra30_days"] == 5  # days 6, 7, 8, 9, 35
    assert rows[(1, _day(38))]["ra30_days"] == 3  # days 9, 35, 38: day 9 = 38 - 29 is in
    assert rows[(1, _day(35))]["ra30_steps"] == pytest.approx((7 + 8 + 9 + 10 + 36) * 1000 / 5)


def test_ra30_days_runs_from_1_to_30_and_day_d_minus_30_is_out() -> None:
    rows = silver_rows(*(line(user_id=1, date=_day(k), steps=100 + k) for k in range(40)))
    by_day = {(r["date"] - D0).days: r for r in rows}
    assert [by_day[k]["ra30_days"] for k in range(40)] == [min(k + 1, 30) for k in range(40)]
    # On day 30 the window is days 1..30 (day 0 = d-30 is excluded).
    assert by_day[30]["ra30_steps"] == pytest.approx(sum(100 + k for k in range(1, 31)) / 30)
    assert by_day[29]["ra30_steps"] == pytest.approx(sum(100 + k for k in range(30)) / 30)
    assert all(type(r["ra30_days"]) is int for r in rows)


def test_yesterday_lags_are_null_after_a_gap_and_deltas_need_day_d_minus_30() -> None:
    # Days 0, 1, 3 | 29, 31, 32: day 31 has d-30 = day 1; day 32 has d-30 = day 2, absent
    # although days 1 and 3 surround it.
    days = {0: (7.5, 3, 70.0), 1: (6.0, 9, 71.0), 3: (8.0, 4, 72.0), 29: (9.0, 2, 74.0)}
    days |= {31: (5.5, 1, 80.0), 32: (7.0, 6, 60.0)}
    lines = [
        line(user_id=5, date=_day(k), sleep_hours=s, stress_level=t, weight_kg=w)
        for k, (s, t, w) in days.items()
    ]
    rows = {(r["date"] - D0).days: r for r in silver_rows(*lines)}
    assert (rows[0]["yesterday_stress"], rows[0]["yesterday_sleep"]) == (None, None)
    assert (rows[1]["yesterday_stress"], rows[1]["yesterday_sleep"]) == (3, 7.5)
    assert (rows[3]["yesterday_stress"], rows[3]["yesterday_sleep"]) == (None, None)
    assert (rows[29]["yesterday_stress"], rows[31]["yesterday_stress"]) == (None, None)
    assert (rows[32]["yesterday_stress"], rows[32]["yesterday_sleep"]) == (1, 5.5)
    for k in (0, 1, 3, 29, 32):
        assert rows[k]["weight_change_30d_raw"] is None, k  # d-30 absent
        assert rows[k]["weight_change_30d"] is None
        assert rows[k]["weight_change_clamped"] is False
        assert rows[k]["stress_change_30d"] is None
    # Day 31 against day 1: 80 - 71 = 9 (clamped to 5), stress 1 - 9 = -8.
    assert rows[31]["weight_change_30d_raw"] == 9.0
    assert rows[31]["weight_change_30d"] == 5.0
    assert rows[31]["weight_change_clamped"] is True
    assert rows[31]["stress_change_30d"] == -8
    assert type(rows[31]["stress_change_30d"]) is int


@pytest.mark.parametrize("base", ["70", "70.25"])
def test_weight_clamp_at_exactly_5_just_over_and_null(base: str) -> None:
    b = float(base)
    # (weight on day 30, expected raw, clamped value, flag); day 0 weighs ``base`` for each user.
    cases = {
        1: (b + 5, 5.0, 5.0, False),
        2: (b - 5, -5.0, -5.0, False),
        3: (b + 5.25, 5.25, 5.0, True),
        4: (b - 5.25, -5.25, -5.0, True),
        5: (b + 4.75, 4.75, 4.75, False),
        6: (b + 100, 100.0, 5.0, True),
        7: (b, 0.0, 0.0, False),
        8: (b + 5.01, (b + 5.01) - b, 5.0, True),  # just over, as float arithmetic has it
        9: (b - 5.01, (b - 5.01) - b, -5.0, True),
    }
    lines = []
    for user, (weight, *_) in cases.items():
        lines.append(line(user_id=user, date=_day(0), weight_kg=base))
        lines.append(line(user_id=user, date=_day(30), weight_kg=repr(weight)))
    lines.append(line(user_id=10, date=_day(30), weight_kg=base))  # no day 0: raw null
    rows = {r["user_id"]: r for r in silver_rows(*lines) if r["date"] == _day(30)}
    for user, (_, raw, clamped, flag) in cases.items():
        row = rows[user]
        assert row["weight_change_30d_raw"] == raw, user
        assert row["weight_change_30d"] == clamped, user
        assert row["weight_change_clamped"] is flag, user
    assert rows[10]["weight_change_30d_raw"] is None
    assert rows[10]["weight_change_30d"] is None
    assert rows[10]["weight_change_clamped"] is False


def test_windows_and_lags_use_only_rows_that_survived_cleaning() -> None:
    lines = [
        line(user_id=1, date=_day(0), steps=1000, stress_level=2, weight_kg=60),
        line(user_id=1, date=_day(1), steps=0),  # zero_steps: not a silver row
        line(user_id=1, date=_day(2), steps=3000, stress_level=4),
        line(user_id=1, date=_day(30), steps=5000, stress_level=8, weight_kg=66),
        line(user_id=1, date=_day(31), steps=7000, stress_level=9, bmi=99),  # out of range
        line(user_id=1, date=_day(32), steps=9000, stress_level=1),
        # A duplicate of day 2 with a higher row number: it wins, and the loser counts nowhere.
        line(user_id=1, date=_day(2), steps=50000, stress_level=10),
    ]
    rows = {(r["date"] - D0).days: r for r in silver_rows(*lines)}
    assert sorted(rows) == [0, 2, 30, 32]
    assert rows[2]["yesterday_stress"] is None  # day 1 was rejected
    assert rows[2]["steps"] == 50000  # the later row of the file won
    assert rows[2]["ra30_days"] == 2
    assert rows[2]["ra30_steps"] == (1000 + 50000) / 2
    assert rows[30]["weight_change_30d_raw"] == 6.0
    assert rows[30]["stress_change_30d"] == 6
    assert rows[30]["ra30_days"] == 2  # days 2 and 30; day 0 = 30 - 30 is out
    assert rows[32]["yesterday_stress"] is None  # day 31 was rejected
    assert rows[32]["stress_change_30d"] == 1 - 10  # against the winning row of day 2
    assert rows[32]["ra30_days"] == 2  # window [3, 32]: days 30 and 32


def test_window_means_stay_precise_after_a_long_history_of_large_values() -> None:
    # A year of near-maximal values, then 30 tiny ones: a mean computed as a difference of
    # running totals must still match the exact mean of the 30 days within 1e-9 relative.
    lines = []
    for k in range(365):
        large = k < 335
        lines.append(
            line(
                user_id=1,
                date=_day(k),
                exercise_minutes="599.99" if large else "0.01",
                calories_burned="7999.9" if large else "500.1",
                steps=49_999 if large else 1,
                stress_level=10 if large else 1,
            )
        )
    last = silver_rows(*lines)[-1]
    assert last["ra30_days"] == 30
    assert last["ra30_ex_minutes"] == pytest.approx(math.fsum([0.01] * 30) / 30, rel=1e-9)
    assert last["ra30_calories"] == pytest.approx(500.1, rel=1e-9)
    assert last["ra30_steps"] == 1.0
    assert last["ra30_stress"] == 1.0
