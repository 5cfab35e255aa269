"""A local write killed with SIGKILL mid-way leaves the previous table intact and readable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
from upath import UPath

from fitness_platform.storage.lake import TEMP_PREFIX, Lake
from fitness_platform.storage.parquet import read_table, write_table

WRITER = """
import sys, pyarrow as pa, numpy as np
from upath import UPath
from fitness_platform.storage import parquet
from fitness_platform.storage import lake

real_replace = lake.os.replace

def slow_replace(src, dst):
    # Stop between the complete temp file and the rename: the worst moment to die.
    print("READY", flush=True)
    import time; time.sleep(60)
    real_replace(src, dst)

lake.os.replace = slow_replace
rows = 2_000_000
table = pa.table({"v": np.arange(rows), "w": np.random.default_rng(0).random(rows)})
parquet.write_table(table, UPath(sys.argv[1]), sys.argv[2])
"""


def _kill_mid_write(path: Path, layout: str) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), layout],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.strip() == "READY", line
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def test_sigkill_during_a_file_write_keeps_the_previous_table(tmp_path: Path) -> None:
    target = tmp_path / "silver" / "daily_activity.parquet"
    previous = pa.table({"v": [1, 2, 3]})
    write_table(previous, UPath(target))

    _kill_mid_write(target, "file")

    assert read_table(UPath(target)).equals(previous)
    # The orphaned temp file is hidden: it is never listed or read as a table.
    leftovers = [p.name for p in target.parent.iterdir() if p.name.startswith(TEMP_PREFIX)]
    assert leftovers, "the kill should have left the temporary file behind"
    assert Lake(str(tmp_path)).list("silver") == ["silver/daily_activity.parquet"]


def test_sigkill_during_a_directory_write_keeps_the_previous_table(tmp_path: Path) -> None:
    target = tmp_path / "gold" / "fact_daily.parquet"
    previous = pa.table({"v": [7, 8]})
    write_table(previous, UPath(target), "directory")

    _kill_mid_write(target, "directory")

    assert read_table(UPath(target)).equals(previous)
    assert Lake(str(tmp_path)).list("gold") == ["gold/fact_daily.parquet/part-00000.parquet"]
