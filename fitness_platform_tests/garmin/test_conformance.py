"""The real Garmin samples in ``shared/fixtures/real`` go through the real parsers.

The samples are read where they are (never copied into the repository); the test skips when
the folder is absent, as it is outside this project's workplace.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from fitness_platform.garmin.file_source import FileActivitySource
from fitness_platform.garmin.fit import parse_fit_activity
from fitness_platform.garmin.raw import raw_json
from fitness_platform.garmin.transform import build_silver, gold_daily, to_arrow
from fitness_platform.storage.lake import Lake

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "real"
ACTIVITY_LIST = REAL / "garmin_activity_list.json"
FIT_FILE = REAL / "garmin_12129115726_ACTIVITY.fit"

pytestmark = pytest.mark.skipif(
    not (ACTIVITY_LIST.is_file() and FIT_FILE.is_file()),
    reason=f"real Garmin samples not found in {REAL} (shared fixtures are not present here)",
)


def test_real_fit_file_maps_to_known_values() -> None:
    activity = parse_fit_activity(FIT_FILE.read_bytes(), FIT_FILE.name)
    assert activity["activityId"] == 12129115726
    assert activity["activityName"] == "Yoga"
    assert activity["activityType"] == {"typeKey": "yoga"}
    assert activity["startTimeGMT"] == "2023-09-29 00:10:57"
    assert activity["startTimeLocal"] == "2023-09-28 18:10:57"  # local_timestamp says UTC-6
    assert activity["duration"] == pytest.approx(9.676)
    assert activity["elapsedDuration"] == pytest.approx(9.676)
    assert (activity["averageHR"], activity["maxHR"], activity["calories"]) == (87, 89, 1)
    assert activity["activityTrainingLoad"] == pytest.approx(0.08111572265625)
    assert activity["distance"] is None and activity["steps"] is None


def test_real_activity_list_and_fit_through_the_file_source(tmp_path: Path) -> None:
    for sample in (ACTIVITY_LIST, FIT_FILE):
        shutil.copy(sample, tmp_path / sample.name)
    load = FileActivitySource(Lake(str(tmp_path))).load()
    assert load.failures == [] and load.duplicates == []
    assert [a["activityId"] for a in load.activities] == [
        21482825013,
        21461718086,
        21419635589,
        12129115726,
    ]
    real_list = json.loads(ACTIVITY_LIST.read_text())
    assert load.activities[:3] == real_list  # JSON kept exactly as received
    assert [len(a) for a in real_list] == [98, 80, 73]
    assert json.loads(raw_json(real_list[0])) == real_list[0]

    result = build_silver(load.activities)
    assert result.dropped == [] and result.invalid_values == []
    silver = result.frame.set_index("activity_id")
    trail = silver.loc[21482825013]
    assert trail["activity_type"] == "trail_running"
    assert trail["activity_name"] == "Cuajimalpa de Morelos - Base"
    assert trail["start_time_local"] == pd.Timestamp("2026-01-08 08:10:21")
    assert trail["start_time_utc"] == pd.Timestamp("2026-01-08 14:10:21", tz="UTC")
    assert trail["date"] == dt.date(2026, 1, 8) and trail["date_key"] == 20260108
    assert trail["distance_km"] == pytest.approx(4.26118994140625)
    assert trail["duration_min"] == pytest.approx(2223.326904296875 / 60)
    assert trail["moving_min"] == pytest.approx(2216.0 / 60)
    assert trail["elevation_gain_m"] == 151.0
    assert trail["avg_speed_kmh"] == pytest.approx(1.9170000553131106 * 3.6)
    assert trail["max_speed_kmh"] == pytest.approx(2.76200008392334 * 3.6)
    assert (trail["avg_hr"], trail["max_hr"], trail["calories"]) == (142.0, 162.0, 390.0)
    assert trail["steps"] == 5310
    assert trail["training_load"] == pytest.approx(50.886444091796875)
    assert trail["source"] == "api"

    hike = silver.loc[21461718086]
    assert hike["activity_type"] == "hiking" and hike["steps"] == 4042
    sup = silver.loc[21419635589]
    assert sup["activity_type"] == "stand_up_paddleboarding_v2"
    assert pd.isna(sup["elevation_gain_m"]) and pd.isna(sup["steps"])
    yoga = silver.loc[12129115726]
    assert yoga["source"] == "fit" and yoga["date"] == dt.date(2023, 9, 28)

    to_arrow(result.frame)
    gold = gold_daily(result.frame)
    assert gold["date_key"].tolist() == [20230928, 20260102, 20260106, 20260108]
    assert gold["dominant_activity_type"].tolist() == [
        "yoga",
        "stand_up_paddleboarding_v2",
        "hiking",
        "trail_running",
    ]
