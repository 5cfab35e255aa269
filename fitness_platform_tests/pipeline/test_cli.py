"""``fitness-platform run`` as a real process: default settings, rows per table, exit codes."""

import re
import subprocess
import sys
from pathlib import Path

from fitness_platform.settings import load_settings
from fitness_platform_tests.pipeline.conftest import (
    TABLES,
    RawCsv,
    read_tables,
    settings_lake,
    tracker_csv,
)

# The console script installed next to the interpreter that runs the tests (.venv/bin).
CLI = Path(sys.executable).parent / "fitness-platform"
ROW_LINE = re.compile(r"^\s+(\S+/\S+)\s+([\d,]+)$")
BAD = RawCsv("bad.csv", b"user_id,age,gender\n1,30,F\n", 1)


def run_cli(workdir: Path, files: list[RawCsv], env: dict[str, str]) -> tuple[int, str, str]:
    """Run ``fitness-platform run`` in ``workdir`` with only defaults (lake ``./data``, raw
    files in ``./data/raw``) and a Dagster home of its own; exit code, stdout, stderr."""
    workdir.mkdir()
    for raw in files:
        raw.write(workdir / "data" / "raw")
    home = workdir / "dagster_home"
    home.mkdir()
    done = subprocess.run(
        # The models need months of history; their run is tested with the ML assets.
        [str(CLI), "run", "--no-ml"],
        cwd=workdir,
        env={**env, "DAGSTER_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


def printed_rows(stdout: str) -> dict[str, int]:
    """The rows-per-table block of the summary."""
    rows: dict[str, int] = {}
    for line in stdout.splitlines():
        match = ROW_LINE.match(line)
        if match and match.group(1) in TABLES:
            rows[match.group(1)] = int(match.group(2).replace(",", ""))
    return rows


def test_run_prints_rows_per_table_and_exits_0(tmp_path: Path, child_env: dict[str, str]) -> None:
    good = tracker_csv("daily.csv", range(5), 40, seed=31, defects=False)

    code, out, err = run_cli(tmp_path / "good", [good], child_env)

    assert code == 0, out + err[-3000:]
    settings = load_settings({"FITNESS_LOCAL_ROOT": str(tmp_path / "good" / "data")})
    tables = read_tables(settings_lake(settings))
    assert printed_rows(out) == {name: table.num_rows for name, table in tables.items()}
    assert printed_rows(out)["silver/daily_activity"] == good.records
    assert "FAILED" not in out


def test_run_with_a_bad_file_exits_1_and_names_it(
    tmp_path: Path, child_env: dict[str, str]
) -> None:
    ok = tracker_csv("ok.csv", range(3), 40, seed=32, defects=False)

    code, out, err = run_cli(tmp_path / "bad", [ok, BAD], child_env)

    assert code == 1, out + err[-3000:]
    assert "FAILED FILE: bad.csv: bad_header: missing ['date', 'steps'" in out
    assert printed_rows(out)["gold/fact_daily"] > 0
