"""Item 7: object keys built from user input never leave their prefix.

Hostile inputs: ``../`` segments, absolute paths, drive letters, backslashes, and unicode
look-alikes that a later NFKC normaliser would turn into separators or dots.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from upath import UPath

from fitness_platform.garmin.raw import activity_key
from fitness_platform.storage.io_manager import ParquetIOManager
from fitness_platform.storage.keys import UnsafeKeyError
from fitness_platform.storage.lake import Lake
from fitness_platform.tracker.ingestion import partition_key_for
from fitness_platform.wod.bronze import raw_post_key

ESCAPING_KEYS = [
    "../outside.csv",
    "raw/../../outside.csv",
    "/etc/passwd",
    "C:/outside.csv",
    "raw\\..\\outside.csv",
    "\uff0e\uff0e/outside.csv",  # fullwidth full stops: NFKC ".."
    "raw/\u2025/outside.csv",  # two dot leader: NFKC ".."
    "raw\uff0f..\uff0foutside.csv",  # fullwidth solidus: NFKC "/"
    "raw/./x.csv",
    "raw//x.csv",
    "raw/x\x00.csv",
]
HOSTILE_NAMES = [*ESCAPING_KEYS, "..", ".", "...", "%2e%2e%2f", "Übung/../x.csv", "a" * 300]


@pytest.mark.parametrize("key", ESCAPING_KEYS)
def test_lake_refuses_keys_that_escape_its_root(tmp_path: Path, key: str) -> None:
    root = tmp_path / "lake"
    root.mkdir()
    lake = Lake(str(root))
    for action in (
        lambda: lake.write_bytes(key, b"x"),
        lambda: lake.read_bytes(key),
        lambda: lake.exists(key),
        lambda: lake.delete(key),
    ):
        with pytest.raises(UnsafeKeyError):
            action()
    s3_lake = Lake("s3://bucket/prefix", {"anon": True})
    with pytest.raises(UnsafeKeyError):
        s3_lake.path(key)
    assert [p.name for p in tmp_path.iterdir()] == ["lake"]
    assert list(root.iterdir()) == []


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_partition_keys_are_one_plain_segment(name: str) -> None:
    key = partition_key_for(name)
    assert re.fullmatch(r"[A-Za-z0-9._-]{1,120}", key), key
    assert not key.startswith(".") and "..." not in key
    assert partition_key_for(name) == key  # stable


@pytest.mark.parametrize("key", ["..", ".", "../../x", "a/../../b", "\u2025", "%2e%2e"])
def test_the_io_manager_keeps_any_partition_key_inside_its_table(key: str) -> None:
    base = UPath("/lake/bronze/fitness_logs")
    path = ParquetIOManager(base_dir="/lake").make_safe_partition_path(base, key)
    assert path.parent == base, path
    assert path.name not in ("", ".", "..")


@pytest.mark.parametrize(
    "activity_id", ["../1", "1/../2", "/1", "１２３", "1.0", "-1", "0", "", None, "1\\2"]
)
def test_garmin_keys_take_only_positive_integer_ids(activity_id: object) -> None:
    with pytest.raises(ValueError):
        activity_key(activity_id)


@pytest.mark.parametrize("prefix", ["../garmin", "x/../../g", "bronze/\u2025/g", "a\\b"])
def test_garmin_key_prefix_is_checked(prefix: str) -> None:
    with pytest.raises(UnsafeKeyError):
        activity_key(123, prefix)


@pytest.mark.parametrize("slug", HOSTILE_NAMES)
def test_wod_raw_keys_stay_under_their_month(slug: str) -> None:
    key = raw_post_key({"id": 7, "date": "2020-12-21T06:00:00", "slug": slug})
    folder, name = key.rsplit("/", 1)
    assert folder == "bronze/wod/raw/2020/12"
    assert re.fullmatch(r"2020-12-21__[\w-]+__raw\.json", name), name
    assert ".." not in name
