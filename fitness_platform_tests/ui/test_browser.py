"""The Dagster UI, rendered by headless Chromium, shows the star schema and its checks."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from fitness_platform_tests.support.processes import REPO, dagster_dev, dagster_home
from fitness_platform_tests.ui.sample import write_sample_csv

SCREENSHOTS = REPO / "artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]


def _chromium(url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    profile = tempfile.mkdtemp(prefix="chromium-")
    command = [
        CHROMIUM or "chromium",
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1600,1000",
        "--virtual-time-budget=30000",
        *extra,
        url,
    ]
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def _render(url: str, screenshot: Path, expected: tuple[str, ...]) -> str:
    """Dump the rendered DOM (retrying while the UI is still loading) and save a screenshot."""
    dom = ""
    for _ in range(4):
        dom = _chromium(url, "--dump-dom").stdout
        if all(text in dom for text in expected):
            break
    _chromium(url, f"--screenshot={screenshot}")
    return dom


@pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("CI") != "true",
    reason="chromium is not installed: apt-get update && apt-get install -y chromium",
)
def test_asset_graph_and_checks_pages_render(tmp_path: Path) -> None:
    assert CHROMIUM is not None, "CI must have chromium: .ci/run installs it"
    raw = tmp_path / "raw"
    raw.mkdir()
    write_sample_csv(raw / "sample.csv", users=12, days=45)
    env = {
        "DAGSTER_HOME": str(dagster_home(tmp_path)),
        "FITNESS_LOCAL_ROOT": str(tmp_path / "lake"),
        "FITNESS_RAW_PATH": str(raw),
        "FITNESS_STORAGE_MODE": "local",
    }
    # Materialise everything once, recorded in this DAGSTER_HOME, so the UI has results.
    done = subprocess.run(
        [str(Path(REPO / ".venv/bin/fitness-platform")), "run"],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with dagster_dev(env, tmp_path / "dagster_dev.log") as url:
        graph = _render(
            f"{url}/assets/gold/fact_daily?view=lineage&lineageScope=upstream&lineageDepth=3",
            SCREENSHOTS / "asset_graph.png",
            ("fact_daily", "daily_activity", "fitness_logs"),
        )
        checks = _render(
            f"{url}/assets/gold/fact_daily?view=checks",
            SCREENSHOTS / "fact_daily_checks.png",
            ("referential_integrity", "Passed"),
        )

    assert "fact_daily" in graph and "daily_activity" in graph and "fitness_logs" in graph
    assert "referential_integrity" in checks and "keys" in checks
    assert "Passed" in checks or "Succeeded" in checks
    for name in ("asset_graph.png", "fact_daily_checks.png"):
        image = SCREENSHOTS / name
        assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
