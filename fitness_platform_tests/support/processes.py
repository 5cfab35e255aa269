"""Real processes for end-to-end tests: ``dagster dev`` on a free port, always cleaned up."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import requests

from fitness_platform_tests.support.aws import free_port

REPO = Path(__file__).resolve().parents[2]
DAGSTER = Path(sys.executable).with_name("dagster")


def dagster_home(tmp: Path) -> Path:
    """A fresh DAGSTER_HOME with the repository's dagster.yaml (nux disabled)."""
    home = tmp / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    return home


@contextmanager
def dagster_dev(env: Mapping[str, str], log: Path, timeout_s: float = 240) -> Iterator[str]:
    """Start ``dagster dev`` (webserver + daemon) and yield its base URL.

    The process group is killed on exit, so no webserver, daemon or code server outlives
    the test, whatever happened inside it.
    """
    port = free_port()
    command = [
        str(DAGSTER),
        "dev",
        "-m",
        "fitness_platform.definitions",
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
    ]
    with log.open("w") as out:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"dagster dev exited early:\n{log.read_text()[-3000:]}")
            try:
                if requests.get(f"{url}/server_info", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"dagster dev did not answer in {timeout_s} s")
            time.sleep(1)
        yield url
    finally:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                break
            try:
                process.wait(timeout=20)
                break
            except subprocess.TimeoutExpired:
                continue
