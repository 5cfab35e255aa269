"""Start ``dagster dev`` (webserver, daemon, code server) for a test and stop every process.

The processes run in their own session, so the whole tree can be signalled; descendants that
left the group are found through psutil and stopped too.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import requests

from fitness_platform_tests.support.aws import free_port

REPO = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 180


@dataclass
class DagsterDev:
    """A running ``dagster dev``: its GraphQL endpoint and its log file."""

    url: str
    log_path: Path

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        """POST a GraphQL query and return its ``data``; GraphQL errors raise."""
        response = requests.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables or {}}, timeout=30
        )
        response.raise_for_status()
        body = response.json()
        if body.get("errors"):
            raise AssertionError(f"GraphQL errors: {body['errors']}")
        return body["data"]

    def log_tail(self, lines: int = 80) -> str:
        """The end of the processes' combined output, for failure messages."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _stop_tree(process: subprocess.Popen) -> None:
    try:
        descendants = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        descendants = []
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    for child in descendants:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.terminate()
    _gone, alive = psutil.wait_procs(descendants, timeout=20)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    for child in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


@contextlib.contextmanager
def dagster_dev(tmp_path: Path, env_overrides: dict[str, str]) -> Iterator[DagsterDev]:
    """Run ``dagster dev -w workspace.yaml`` with a temp ``DAGSTER_HOME`` and the given env."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FITNESS_")}
    env.update(env_overrides)
    env["DAGSTER_HOME"] = str(home)
    env["PYTHONUNBUFFERED"] = "1"
    port = free_port()
    log_path = tmp_path / "dagster_dev.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(REPO / ".venv" / "bin" / "dagster"),
                "dev",
                "-w",
                "workspace.yaml",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
            ],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = DagsterDev(url=f"http://127.0.0.1:{port}", log_path=log_path)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise AssertionError(f"dagster dev exited early:\n{server.log_tail()}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{server.url}/server_info", timeout=5).ok:
                    break
            if time.monotonic() > deadline:
                raise AssertionError(f"dagster dev did not come up:\n{server.log_tail()}")
            time.sleep(1)
        yield server
    finally:
        _stop_tree(process)
