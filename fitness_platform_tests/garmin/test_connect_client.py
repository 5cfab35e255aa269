"""GarminConnectClient against a fake ``garminconnect.Garmin`` (no network).

The fake keeps the 0.3.2 contract the client relies on: ``login(tokenstore)`` resumes from
``<tokenstore>/garmin_tokens.json`` when it holds a valid token and otherwise logs in with the
email and password; ``client.dump(path)`` saves tokens; ``get_activities(start, limit)``
returns the newest activities first.
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from fitness_platform.garmin.client import GarminClient
from fitness_platform.garmin.connect_client import (
    TOKEN_FILE,
    GarminAuthError,
    GarminConnectClient,
    GarminDependencyError,
    GarminRateLimitError,
    GarminUnavailableError,
    garminconnect_factory,
)
from fitness_platform_tests.garmin.builders import make_activity

EMAIL = "athlete@example.org"
PASSWORD = "s3cret-Pa55word!"


# Same class names as garminconnect's, so the client recognises them without the library.
class GarminConnectTooManyRequestsError(Exception):
    """Stand-in for garminconnect's rate-limit error."""


class GarminConnectAuthenticationError(Exception):
    """Stand-in for garminconnect's authentication error."""


class GarminConnectConnectionError(Exception):
    """Stand-in for garminconnect's connection error."""


@dataclass
class Account:
    """The server side the fakes talk to: valid credentials, a token, scripted failures."""

    activities: list[dict[str, Any]]
    valid_token: str = "token-1"
    login_errors: list[Exception] = field(default_factory=list)
    fetch_errors: list[Exception] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    fetch_limits: list[int] = field(default_factory=list)
    odd_response: Any = None


class FakeTokenStore:
    def __init__(self, garmin: FakeGarmin) -> None:
        self.garmin = garmin

    def dump(self, path: str) -> None:
        Path(path, TOKEN_FILE).write_text(json.dumps({"di_token": self.garmin.token}))


class FakeGarmin:
    def __init__(self, account: Account, email: str | None, password: str | None) -> None:
        self.account = account
        self.email, self.password = email, password
        self.client = FakeTokenStore(self)
        self.token: str | None = None

    def login(self, /, tokenstore: str | None = None) -> tuple[None, None]:
        if self.account.login_errors:
            raise self.account.login_errors.pop(0)
        token_file = Path(tokenstore or "", TOKEN_FILE)
        if token_file.exists():
            saved = json.loads(token_file.read_text()).get("di_token")
            if saved == self.account.valid_token:
                self.token = saved
                self.account.logins.append("tokens")
                return None, None
        if (self.email, self.password) != (EMAIL, PASSWORD):
            # Real libraries do sometimes echo what they were given; the client must not.
            raise GarminConnectAuthenticationError(
                f"401 Unauthorized for {self.email}:{self.password}"
            )
        self.token = self.account.valid_token
        self.account.logins.append("credentials")
        return None, None

    def get_activities(self, start: int = 0, limit: int = 20) -> Any:
        assert self.token == self.account.valid_token, "fetch before login"
        self.account.fetch_limits.append(limit)
        if self.account.fetch_errors:
            raise self.account.fetch_errors.pop(0)
        if self.account.odd_response is not None:
            return self.account.odd_response
        return self.account.activities[start : start + limit]


@pytest.fixture
def account() -> Account:
    return Account(
        activities=[
            make_activity(3, type_key="trail_running", start_gmt="2025-03-10 14:00:00"),
            make_activity(2, type_key="hiking", start_gmt="2025-03-08 13:00:00"),
            make_activity(
                1, type_key="stand_up_paddleboarding_v2", start_gmt="2025-03-06 12:00:00"
            ),
        ]
    )


def client_for(
    account: Account,
    token_dir: Path,
    sleeps: list[float],
    email: str | None = EMAIL,
    password: str | None = PASSWORD,
) -> GarminConnectClient:
    return GarminConnectClient(
        email,
        password,
        token_dir,
        garmin_factory=lambda e, p: FakeGarmin(account, e, p),
        sleep=sleeps.append,
        max_attempts=3,
        backoff_seconds=10.0,
    )


def test_fetches_newest_first_and_reuses_tokens_between_runs(
    account: Account, tmp_path: Path
) -> None:
    token_dir = tmp_path / "tokens"
    sleeps: list[float] = []
    first_run = client_for(account, token_dir, sleeps)
    assert isinstance(first_run, GarminClient)
    assert first_run.recent_activities(2) == account.activities[:2]
    assert first_run.recent_activities(50) == account.activities  # no second login
    assert account.logins == ["credentials"]
    assert (token_dir / TOKEN_FILE).exists()
    assert (token_dir.stat().st_mode & 0o777) == 0o700

    # The next run resumes from the saved tokens, even without credentials.
    next_run = client_for(account, token_dir, sleeps, email=None, password=None)
    assert next_run.recent_activities(1) == account.activities[:1]
    assert account.logins == ["credentials", "tokens"]
    assert account.fetch_limits == [2, 50, 1]
    assert sleeps == []


def test_rate_limit_backs_off_then_succeeds(account: Account, tmp_path: Path) -> None:
    account.login_errors = [
        GarminConnectTooManyRequestsError("429"),
        GarminConnectTooManyRequestsError("429"),
    ]
    sleeps: list[float] = []
    assert client_for(account, tmp_path, sleeps).recent_activities(3) == account.activities
    assert sleeps == [10.0, 20.0]


def test_persistent_rate_limit_fails_with_advice_and_no_secrets(
    account: Account, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    account.login_errors = [
        GarminConnectTooManyRequestsError(f"Too many requests for {EMAIL}") for _ in range(3)
    ]
    sleeps: list[float] = []
    caplog.set_level(logging.DEBUG)
    with pytest.raises(GarminRateLimitError) as raised:
        client_for(account, tmp_path, sleeps).recent_activities(3)
    message = str(raised.value)
    assert "Wait at least an hour" in message
    assert str(tmp_path / TOKEN_FILE) in message
    assert EMAIL not in message and PASSWORD not in message
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    assert sleeps == [10.0, 20.0]
    assert EMAIL not in caplog.text and PASSWORD not in caplog.text


def test_a_429_inside_a_connection_error_counts_as_rate_limiting(
    account: Account, tmp_path: Path
) -> None:
    account.fetch_errors = [GarminConnectConnectionError("HTTP error: API Error 429 - slow down")]
    sleeps: list[float] = []
    assert client_for(account, tmp_path, sleeps).recent_activities(1) == account.activities[:1]
    assert sleeps == [10.0]
    assert account.logins == ["credentials"]  # the session survived the failed fetch


def test_wrong_credentials_fail_at_once_without_leaking_them(
    account: Account, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sleeps: list[float] = []
    caplog.set_level(logging.DEBUG)
    client = client_for(account, tmp_path, sleeps, password="wrong-Pa55word")
    with pytest.raises(GarminAuthError) as raised:
        client.recent_activities(3)
    message = str(raised.value)
    assert "Check GARMIN_EMAIL and GARMIN_PASSWORD" in message
    assert "delete" in message and TOKEN_FILE in message
    assert "wrong-Pa55word" not in message and EMAIL not in message
    assert "***" in message  # the library's echo of the credentials was scrubbed
    assert "wrong-Pa55word" not in caplog.text and EMAIL not in repr(client)
    assert sleeps == []


def test_connection_errors_give_up_after_the_attempts(account: Account, tmp_path: Path) -> None:
    account.login_errors = [GarminConnectConnectionError("connection reset") for _ in range(3)]
    sleeps: list[float] = []
    with pytest.raises(GarminUnavailableError, match="after 3 attempt"):
        client_for(account, tmp_path, sleeps).recent_activities(3)
    assert sleeps == [10.0, 20.0]


def test_unexpected_response_shape_is_an_error(account: Account, tmp_path: Path) -> None:
    account.odd_response = {"error": "maintenance"}
    with pytest.raises(GarminUnavailableError, match="not a list"):
        client_for(account, tmp_path, []).recent_activities(3)


def test_programming_errors_are_not_swallowed(account: Account, tmp_path: Path) -> None:
    account.fetch_errors = [KeyError("displayName")]
    with pytest.raises(KeyError):
        client_for(account, tmp_path, []).recent_activities(3)


def test_limit_is_validated(account: Account, tmp_path: Path) -> None:
    client = client_for(account, tmp_path, [])
    for bad in (0, 1001, True):
        with pytest.raises(ValueError, match="limit"):
            client.recent_activities(bad)
    assert account.logins == []


def test_missing_library_gives_the_install_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "garminconnect", None)
    with pytest.raises(GarminDependencyError, match=r"pip install 'fitness-platform\[garmin\]'"):
        GarminConnectClient(EMAIL, PASSWORD, tmp_path)


def test_real_library_errors_are_recognised(account: Account, tmp_path: Path) -> None:
    garminconnect = pytest.importorskip(
        "garminconnect", reason="the optional garminconnect library is not installed"
    )
    account.login_errors = [garminconnect.GarminConnectTooManyRequestsError("429")]
    account.fetch_errors = [garminconnect.GarminConnectAuthenticationError("expired")]
    sleeps: list[float] = []
    with pytest.raises(GarminAuthError):
        client_for(account, tmp_path, sleeps).recent_activities(1)
    assert sleeps == [10.0]
    # The default factory builds the real library's Garmin object (no request is made).
    assert isinstance(garminconnect_factory()(EMAIL, PASSWORD), garminconnect.Garmin)
