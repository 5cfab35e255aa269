"""The code location loads without deprecation, beta, preview or supersession warnings.

Warnings of a decorator fire when its module is first imported, and other tests import the
definitions early, so the check runs in a fresh interpreter where every import happens inside
``warnings.catch_warnings``.
"""

import subprocess
import sys
import textwrap
from pathlib import Path

from fitness_platform.definitions import build_definitions
from fitness_platform.settings import load_settings

PROJECT = Path(__file__).resolve().parents[2]
DAGSTER_WARNINGS = ("BetaWarning", "PreviewWarning", "SupersessionWarning")

LOAD = textwrap.dedent(
    """
    import warnings

    import dagster as dg

    from fitness_platform.settings import load_settings

    categories = [DeprecationWarning, PendingDeprecationWarning]
    categories += [getattr(dg, name) for name in {names!r} if hasattr(dg, name)]
    with warnings.catch_warnings():
        for category in categories:
            warnings.simplefilter("error", category)
        from fitness_platform.definitions import build_definitions

        defs = build_definitions(load_settings({{"FITNESS_LOCAL_ROOT": {root!r}}}))
        repository = defs.get_repository_def()
        repository.get_all_jobs()
        print("loaded", len(list(repository.assets_defs_by_key)))
    """
)


def test_definitions_load_without_warnings(tmp_path: Path, child_env: dict[str, str]) -> None:
    script = LOAD.format(names=DAGSTER_WARNINGS, root=str(tmp_path / "lake"))
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert done.stdout.startswith("loaded ")
    assert int(done.stdout.split()[1]) >= 8


def test_every_tracker_table_is_an_asset(tmp_path: Path) -> None:
    defs = build_definitions(load_settings({"FITNESS_LOCAL_ROOT": str(tmp_path)}))
    keys = {key.to_user_string() for key in defs.get_repository_def().assets_defs_by_key}
    assert {
        "bronze/fitness_logs",
        "bronze/fitness_rejects",
        "silver/daily_activity",
        "silver/fitness_rejects",
        "gold/fact_daily",
        "gold/dim_user",
        "gold/dim_date",
        "gold/dim_activity",
    } <= keys
    jobs = {job.name for job in defs.get_repository_def().get_all_jobs()}
    assert {"tracker_bronze_job", "tracker_refresh_job"} <= jobs
