"""FileActivitySource over a local folder and an S3 prefix of exported JSON and FIT files."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fitness_platform.garmin.client import GarminClient
from fitness_platform.garmin.file_source import FileActivitySource
from fitness_platform.garmin.ids import synthetic_fit_activity_id
from fitness_platform.storage.lake import Lake, s3_storage_options
from fitness_platform_tests.garmin.builders import MISSING, make_activity, write_fit_activity

TRAIL = make_activity(30000000001, type_key="trail_running", start_gmt="2025-03-10 14:00:00")
HIKE = make_activity(30000000002, type_key="hiking", start_gmt="2025-03-08 13:00:00")
SUP = make_activity(
    30000000003,
    type_key="stand_up_paddleboarding_v2",
    start_gmt="2025-03-06 12:00:00",
    steps=MISSING,
    elevationGain=None,
)


def fill_exports(lake: Lake, prefix: str = "") -> None:
    """A realistic drop: a list export, a single export, FIT files, and some broken files."""
    at = f"{prefix}/" if prefix else ""
    lake.write_text(f"{at}list.json", json.dumps([TRAIL, HIKE, {"activityName": "no id"}]))
    lake.write_text(f"{at}sup.json", json.dumps(SUP))
    # The trail run again, as a FIT file with its Garmin export name: the JSON must win.
    trail_start = datetime(2025, 3, 10, 14, 0, tzinfo=UTC)
    lake.write_bytes(f"{at}fit/30000000001_ACTIVITY.fit", write_fit_activity(start_utc=trail_start))
    # The hike again, as a FIT file without an export name (synthetic id): same start second.
    hike_start = datetime(2025, 3, 8, 13, 0, tzinfo=UTC)
    lake.write_bytes(
        f"{at}fit/hike-copy.fit", write_fit_activity(start_utc=hike_start, sport="hiking")
    )
    # An activity known only from its FIT file.
    lake.write_bytes(
        f"{at}fit/evening.fit",
        write_fit_activity(start_utc=datetime(2025, 3, 11, 4, 30, tzinfo=UTC)),
    )
    lake.write_text(f"{at}broken.json", "{not json")
    lake.write_bytes(f"{at}fit/broken.fit", b"\x0e\x10garbage")
    lake.write_text(f"{at}notes.txt", "exported by hand")
    lake.write_text(f"{at}.DS_Store", "finder junk")


def assert_expected_load(source: FileActivitySource, prefix: str = "") -> None:
    at = f"{prefix}/" if prefix else ""
    load = source.load()
    ids = [activity["activityId"] for activity in load.activities]
    evening_id = synthetic_fit_activity_id(datetime(2025, 3, 11, 4, 30, tzinfo=UTC), "running")
    # Newest first; each activity once.
    assert ids == [evening_id, 30000000001, 30000000002, 30000000003]
    by_id = {activity["activityId"]: activity for activity in load.activities}
    assert by_id[30000000001] == TRAIL  # the JSON record, exactly as exported
    assert by_id[30000000002] == HIKE
    assert by_id[30000000003] == SUP
    assert by_id[evening_id]["fitFile"] == f"{at}fit/evening.fit"
    assert by_id[evening_id]["startTimeLocal"] == "2025-03-10 22:30:00"

    failures = dict(load.failures)
    assert set(failures) == {
        f"{at}list.json[2]",
        f"{at}broken.json",
        f"{at}fit/broken.fit",
        f"{at}notes.txt",
    }
    assert failures[f"{at}list.json[2]"] == "activityId is missing"
    assert failures[f"{at}broken.json"].startswith("not valid JSON")
    assert failures[f"{at}fit/broken.fit"].startswith("not a readable FIT file")
    assert "unsupported file type" in failures[f"{at}notes.txt"]

    dropped = dict(load.duplicates)
    assert "the api record was kept" in dropped[30000000001]
    hike_fit_id = synthetic_fit_activity_id(datetime(2025, 3, 8, 13, 0, tzinfo=UTC), "hiking")
    assert "same activity as JSON activity 30000000002" in dropped[hike_fit_id]


def test_local_folder_reads_json_and_fit_and_reports_bad_files(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path / "exports"))
    fill_exports(lake)
    assert_expected_load(FileActivitySource(lake))


def test_s3_prefix_reads_the_same(s3_bucket: str, aws_env: str) -> None:
    lake = Lake(f"s3://{s3_bucket}/lake", s3_storage_options(aws_env))
    fill_exports(lake, "garmin-exports")
    lake.write_text("elsewhere/other.json", json.dumps(make_activity(30000000099)))
    assert_expected_load(FileActivitySource(lake, "garmin-exports"), "garmin-exports")


def test_recent_activities_honours_limit_and_keeps_the_failures(tmp_path: Path) -> None:
    source = FileActivitySource.from_location(str(tmp_path))
    fill_exports(source.lake)
    assert isinstance(source, GarminClient)
    recent = source.recent_activities(2)
    evening_id = synthetic_fit_activity_id(datetime(2025, 3, 11, 4, 30, tzinfo=UTC), "running")
    assert [activity["activityId"] for activity in recent] == [evening_id, 30000000001]
    assert source.last_load is not None and len(source.last_load.failures) == 4
    with pytest.raises(ValueError, match="limit"):
        source.recent_activities(0)


def test_utf8_bom_json_and_empty_folder(tmp_path: Path) -> None:
    empty = FileActivitySource(Lake(str(tmp_path / "missing")))
    assert empty.load().activities == [] and empty.load().failures == []
    lake = Lake(str(tmp_path / "bom"))
    lake.write_bytes("one.json", b"\xef\xbb\xbf" + json.dumps(TRAIL).encode())
    lake.write_text("number.json", "42")
    load = FileActivitySource(lake).load()
    assert [activity["activityId"] for activity in load.activities] == [30000000001]
    assert load.failures == [
        ("number.json", "JSON must be an activity object or a list of activity objects")
    ]


def test_two_exports_of_one_id_resolve_the_same_way_whatever_the_order(tmp_path: Path) -> None:
    sparse = make_activity(30000000001, averageHR=MISSING, maxHR=MISSING)
    for first, second in ((TRAIL, sparse), (sparse, TRAIL)):
        lake = Lake(str(tmp_path / f"order-{first is TRAIL}"))
        lake.write_text("a.json", json.dumps(first))
        lake.write_text("b.json", json.dumps(second))
        assert FileActivitySource(lake).load().activities == [TRAIL]


def test_timestamps_are_compared_in_utc_for_newest_first(tmp_path: Path) -> None:
    early_local_late_utc = make_activity(
        30000000010, start_gmt="2025-03-10 20:00:00", utc_offset_hours=-10
    )
    late_local_early_utc = make_activity(
        30000000011, start_gmt="2025-03-10 19:00:00", utc_offset_hours=9
    )
    lake = Lake(str(tmp_path))
    lake.write_text("x.json", json.dumps([late_local_early_utc, early_local_late_utc]))
    ids = [a["activityId"] for a in FileActivitySource(lake).recent_activities(10)]
    assert ids == [30000000010, 30000000011]
