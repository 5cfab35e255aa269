"""Small, valid tracker CSVs written by the tests (SPEC 1.1 shape, every row survives cleaning)."""

from __future__ import annotations

from datetime import date, timedelta

HEADER = (
    "user_id,age,gender,date,steps,heart_rate_avg,sleep_hours,calories_burned,"
    "exercise_minutes,stress_level,weight_kg,bmi"
)


def tracker_csv(
    users: int = 2, days: int = 3, start: date = date(2024, 9, 6), first_user: int = 0
) -> bytes:
    """``users`` x ``days`` clean rows, one per user and day, as CSV bytes (LF, UTF-8)."""
    lines = [HEADER]
    for user in range(first_user, first_user + users):
        for offset in range(days):
            day = start + timedelta(days=offset)
            steps = 4000 + 731 * ((user * 7 + offset) % 17)
            lines.append(
                f"{user},{25 + user % 50},{'FM'[user % 2]},{day.isoformat()},{steps},"
                f"{60 + offset % 20}.5,{6 + offset % 3}.25,{1800 + 10 * offset}.0,"
                f"{30 + offset % 40}.0,{1 + (user + offset) % 10},{70 + user % 9}.0,24.1"
            )
    return ("\n".join(lines) + "\n").encode("utf-8")
