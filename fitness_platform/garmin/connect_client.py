"""A :class:`~fitness_platform.garmin.client.GarminClient` over Garmin Connect.

It wraps the optional ``garminconnect`` library (``pip install 'fitness-platform[garmin]'``),
imported only when a client is built, so the rest of the package works without it.

Logging in is what Garmin rate-limits, so the client logs in at most once per instance and
keeps its tokens in a caller-given directory: ``Garmin.login(tokenstore=token_dir)`` resumes
from ``garmin_tokens.json`` there and falls back to the email and password only when there are
no usable tokens; after a login the tokens are written back (``client.dump``) for the next run.

Failures are retried with exponential back-off (the sleep is injectable) when they may pass:
HTTP 429 (rate limiting) and connection errors. A refused login (wrong credentials, two-factor
authentication required) is not retried, because repeating a bad login only brings an account
lock closer. Every error raised here says what to do next and never contains the email or the
password.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, Protocol

from fitness_platform.garmin.client import validate_limit

logger = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'fitness-platform[garmin]'"
TOKEN_FILE = "garmin_tokens.json"

_Failure = Literal["rate_limited", "auth", "transient"]


class GarminConnectError(RuntimeError):
    """Garmin Connect could not deliver activities; the message says what to do."""


class GarminDependencyError(GarminConnectError, ImportError):
    """The optional ``garminconnect`` library is not installed."""


class GarminRateLimitError(GarminConnectError):
    """Garmin Connect kept answering HTTP 429 (too many requests)."""


class GarminAuthError(GarminConnectError):
    """Garmin Connect refused the login."""


class GarminUnavailableError(GarminConnectError):
    """Garmin Connect could not be reached, or answered with something unusable."""


class GarminApi(Protocol):
    """The part of ``garminconnect.Garmin`` this client uses."""

    def login(self, /, tokenstore: str | None = None) -> Any:
        """Log in from saved tokens, else with the credentials given at construction."""
        ...

    def get_activities(self, start: int = 0, limit: int = 20) -> Any:
        """The activity-search response: a list of summaries, newest first."""
        ...


GarminFactory = Callable[[str | None, str | None], GarminApi]


def garminconnect_factory() -> GarminFactory:
    """Build ``garminconnect.Garmin`` objects; raise :class:`GarminDependencyError` without it."""
    try:
        from garminconnect import Garmin
    except ImportError as exc:
        raise GarminDependencyError(
            f"Pulling from Garmin Connect needs the optional 'garminconnect' package: "
            f"{INSTALL_HINT}"
        ) from exc

    def build(email: str | None, password: str | None) -> GarminApi:
        return Garmin(email=email, password=password)

    return build


def _classify(exc: BaseException) -> _Failure | None:
    # By class name, so the client also understands errors of a library version (or a test
    # double) whose classes it did not import.
    names = {cls.__name__ for cls in type(exc).__mro__}
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if "GarminConnectTooManyRequestsError" in names:
        return "rate_limited"
    if "GarminConnectAuthenticationError" in names:
        return "auth"
    if status == 429 or re.search(r"\b429\b", str(exc)):
        return "rate_limited"
    if status in (401, 403):
        return "auth"
    if names & {"GarminConnectConnectionError", "RequestException"} or isinstance(
        exc, ConnectionError | TimeoutError
    ):
        return "transient"
    return None


class GarminConnectClient:
    """Recent activities from Garmin Connect, through ``garminconnect``.

    Args:
        email: the account's email (the caller reads ``GARMIN_EMAIL``); may be ``None`` when
            ``token_dir`` holds valid tokens.
        password: the account's password (``GARMIN_PASSWORD``); same rule.
        token_dir: directory for ``garmin_tokens.json``, reused between runs; created with
            owner-only permissions if missing.
        garmin_factory: builds the ``garminconnect.Garmin``-like object from (email, password);
            defaults to the real library (tests inject a fake).
        sleep: called with the back-off in seconds between attempts.
        max_attempts: attempts for a failure that may pass (HTTP 429, connection errors).
        backoff_seconds: the first back-off; it doubles after each failed attempt.
    """

    def __init__(
        self,
        email: str | None,
        password: str | None,
        token_dir: str | os.PathLike[str],
        *,
        garmin_factory: GarminFactory | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_attempts: int = 3,
        backoff_seconds: float = 30.0,
    ) -> None:
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {max_attempts}")
        self._email = email or None
        self._password = password or None
        self.token_dir = Path(token_dir).expanduser()
        self._factory = garmin_factory or garminconnect_factory()
        self._sleep = sleep
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self._api: GarminApi | None = None

    def __repr__(self) -> str:
        return f"GarminConnectClient(token_dir={str(self.token_dir)!r})"

    def recent_activities(self, limit: int) -> list[dict[str, Any]]:
        """The ``limit`` (1-1000) most recent activities, newest first, as Garmin sends them."""
        validate_limit(limit)
        activities = self._with_retries(lambda api: api.get_activities(0, limit))
        if not isinstance(activities, list):
            raise GarminUnavailableError(
                f"Garmin Connect answered the activity search with a {type(activities).__name__}"
                ", not a list; try again later, and update garminconnect if it persists"
            )
        return activities

    def _session(self) -> GarminApi:
        if self._api is None:
            self.token_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            api = self._factory(self._email, self._password)
            api.login(str(self.token_dir))
            self._save_tokens(api)
            self._api = api
        return self._api

    def _save_tokens(self, api: GarminApi) -> None:
        store = getattr(api, "client", None) or getattr(api, "garth", None)
        if not callable(getattr(store, "dump", None)):
            return
        try:
            store.dump(str(self.token_dir))
        except OSError as exc:
            # Not fatal for this run, but the next one will need a full login again.
            logger.warning(
                "Could not save Garmin tokens to %s (%s); the next run will log in again",
                self.token_dir,
                type(exc).__name__,
            )

    def _with_retries(self, call: Callable[[GarminApi], Any]) -> Any:
        attempt = 1
        while True:
            try:
                return call(self._session())
            except Exception as exc:
                kind = _classify(exc)
                if kind is None:
                    raise
                if kind == "auth":
                    self._api = None
                if kind == "auth" or attempt >= self.max_attempts:
                    # Chained to nothing on purpose: the library's exception may echo what it
                    # was sent; the scrubbed text of it is in the message instead.
                    raise self._error(kind, exc, attempt) from None
                delay = self.backoff_seconds * 2 ** (attempt - 1)
                logger.warning(
                    "Garmin Connect attempt %d/%d failed (%s); retrying in %.0f s",
                    attempt,
                    self.max_attempts,
                    kind,
                    delay,
                )
            self._sleep(delay)
            attempt += 1

    def _scrub(self, exc: BaseException) -> str:
        text = f"{type(exc).__name__}: {exc}"
        for secret in (self._password, self._email):
            if secret:
                text = text.replace(secret, "***")
        return text[:300]

    def _error(self, kind: _Failure, exc: BaseException, attempts: int) -> GarminConnectError:
        detail = self._scrub(exc)
        tokens = self.token_dir / TOKEN_FILE
        if kind == "rate_limited":
            return GarminRateLimitError(
                f"Garmin Connect is rate limiting (HTTP 429) and still was after {attempts} "
                f"attempt(s). Wait at least an hour before the next run: every new login "
                f"extends the block. After one successful login the tokens saved in {tokens} "
                f"let later runs skip the login. Last error: {detail}"
            )
        if kind == "auth":
            return GarminAuthError(
                f"Garmin Connect refused the login. Check GARMIN_EMAIL and GARMIN_PASSWORD. "
                f"If the account uses two-factor authentication, log in once interactively "
                f"and save the tokens to {tokens}. If the saved tokens are stale, delete "
                f"{tokens} so the next run logs in afresh. Last error: {detail}"
            )
        return GarminUnavailableError(
            f"Could not reach Garmin Connect after {attempts} attempt(s). Check the network "
            f"and try again later; if it keeps failing, delete {tokens} to force a fresh "
            f"login. Last error: {detail}"
        )
