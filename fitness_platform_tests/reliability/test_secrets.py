"""Item 7: secrets never reach the event log, run config, metadata, logs or the lake.

Recognisable fake secrets are set in the environment; the tracker runs in s3 mode on moto
(with a failing file), the WOD pull meets a WordPress 401 and the Garmin pull a refused login
whose library error echoes the password. Then every run record, every event of every run,
every file under ``DAGSTER_HOME``, every lake object, the token folder and the captured console
output are searched for the secret strings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dagster as dg
import pytest
from dagster._serdes import serialize_value

from fitness_platform.defs.garmin.raw import garmin_raw_activities
from fitness_platform.defs.garmin.resources import GarminSourceResource
from fitness_platform.defs.resources import LakeResource
from fitness_platform.garmin.client import GarminClient
from fitness_platform.garmin.connect_client import GarminConnectClient
from fitness_platform.runner import run_tracker
from fitness_platform_tests.reliability.helpers import (
    s3_client,
    s3_settings,
    sample_csv_bytes,
)
from fitness_platform_tests.support.processes import dagster_home
from fitness_platform_tests.wod.wp_server import WordPressStub, serve
from fitness_platform_tests.wod_defs.helpers import run_job, wod_settings
from fitness_platform_tests.wod_defs.weeks import week_posts

pytestmark = pytest.mark.slow

SECRETS = {
    "AWS_SECRET_ACCESS_KEY": "FAKE-aws-secret-7f3a9c1e",
    "AWS_SESSION_TOKEN": "FAKE-aws-session-token-2b8d",
    "GARMIN_EMAIL": "fake-runner-4e1a@example.com",
    "GARMIN_PASSWORD": "FAKE-garmin-pass-51d2",
    "INVICTUS_USER": "fake-coach-90c3",
    "INVICTUS_PASS": "FAKE-wp-pass-88e1",
}


class GarminConnectAuthenticationError(Exception):
    """Named like garminconnect's error, so the client classifies it as a refused login."""


class RefusingGarmin:
    """A Garmin Connect stand-in that refuses the login, echoing what it was sent."""

    def __init__(self, email: str | None, password: str | None) -> None:
        self.email, self.password = email, password

    def login(self, /, tokenstore: str | None = None) -> Any:
        """Refuse, the way a careless library might: with the credentials in the message."""
        raise GarminConnectAuthenticationError(f"401 for {self.email}:{self.password}")

    def get_activities(self, start: int = 0, limit: int = 20) -> Any:
        """Never reached: the login fails first."""
        raise AssertionError("no activities without a login")


class RefusingGarminResource(GarminSourceResource):
    """The real Garmin resource, with the Garmin Connect server replaced by the stand-in."""

    def client(self) -> GarminClient:
        """The real client over the refusing stand-in."""
        return GarminConnectClient(
            self.email, self.password, self.token_dir, garmin_factory=RefusingGarmin
        )


def _found_in(text: bytes) -> list[str]:
    return [name for name, secret in SECRETS.items() if secret.encode() in text]


def _scan_tree(root: Path) -> dict[str, list[str]]:
    hits: dict[str, list[str]] = {}
    for path in root.rglob("*"):
        if path.is_file() and (found := _found_in(path.read_bytes())):
            hits[str(path)] = found
    return hits


def test_secrets_never_appear_in_events_run_config_metadata_logs_or_files(
    tmp_path: Path,
    aws_env: str,
    s3_bucket: str,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    home = dagster_home(tmp_path)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    s3 = s3_client(aws_env)
    s3.put_object(
        Bucket=s3_bucket, Key="lake/raw/day.csv", Body=sample_csv_bytes(tmp_path, 2, 70, 1)
    )
    s3.put_object(Bucket=s3_bucket, Key="lake/raw/broken.csv", Body=b"\xff\xfe not utf-8\n")
    lake_root = tmp_path / "wod_lake"
    tokens = tmp_path / "garmin_tokens"

    with dg.DagsterInstance.from_config(str(home)) as instance:
        tracker = run_tracker(
            s3_settings(s3_bucket, aws_env), instance=instance, echo=print, ml=False
        )
        assert tracker.failed_files and tracker.exit_code == 1  # a failure was exercised

        stub = WordPressStub(posts=week_posts(), credentials=("fake-coach-90c3", "other"))
        with serve(stub):
            settings = wod_settings(
                base_url=stub.base_url,
                aws_endpoint=aws_env,
                local_root=lake_root,
                INVICTUS_USER=SECRETS["INVICTUS_USER"],
                INVICTUS_PASS=SECRETS["INVICTUS_PASS"],
            )
            wod = run_job(settings, instance)
        assert not wod.success and stub.log and all(e["status"] == 401 for e in stub.log)

        garmin = dg.materialize(
            [garmin_raw_activities],
            instance=instance,
            resources={
                "garmin": RefusingGarminResource(
                    use_api=True,
                    email=dg.EnvVar("GARMIN_EMAIL"),
                    password=dg.EnvVar("GARMIN_PASSWORD"),
                    token_dir=str(tokens),
                ),
                "lake": LakeResource(root=str(lake_root)),
            },
            raise_on_error=False,
        )
        assert not garmin.success
        [failure] = garmin.get_step_failure_events()
        assert "refused the login" in failure.step_failure_data.error.message

        records: list[bytes] = []
        for run in instance.get_runs():
            records.append(serialize_value(run).encode())  # run config and tags
            records.extend(serialize_value(e).encode() for e in instance.all_logs(run.run_id))
        assert len(records) > 100

    leaks = {f"record {i}": _found_in(r) for i, r in enumerate(records) if _found_in(r)}
    assert leaks == {}
    assert _scan_tree(home) == {}
    assert _scan_tree(lake_root) == {}
    assert _scan_tree(tokens) == {}
    for obj in s3.list_objects_v2(Bucket=s3_bucket).get("Contents", []):
        body = s3.get_object(Bucket=s3_bucket, Key=obj["Key"])["Body"].read()
        assert _found_in(body) == [], obj["Key"]
    captured = capfd.readouterr()
    assert _found_in((captured.out + captured.err).encode()) == []
