"""WordPress REST client for the WOD posts: ``GET {base_url}/wp-json/wp/v2/posts``.

It pages through ``?categories={category}&per_page={per_page}&page={p}`` following the
``X-WP-TotalPages`` header (without the header it stops at the first short or empty page, and
a ``400 rest_post_invalid_page_number`` past the end also ends the walk), and returns the
post dicts exactly as received, each post id once (a post published while paging shifts the
pages, so a repeat of an id already fetched is dropped).

Failures:

- 5xx, 429 and connection errors/timeouts are retried up to ``max_retries`` times with
  exponential backoff (``backoff_base_s * 2**attempt``, capped at ``backoff_max_s``) and "equal
  jitter" (a random wait between half and all of that), or exactly the ``Retry-After`` the
  server sent (seconds or an HTTP date); a ``Retry-After`` longer than ``max_retry_after_s``
  fails at once instead of stalling the run.
- 401/403 raise :class:`WordPressAuthError`, telling to check ``INVICTUS_USER`` /
  ``INVICTUS_PASS``. Other 4xx, exhausted retries and non-JSON answers raise
  :class:`WordPressRequestError`.

Credentials are passed in by the caller (who reads ``INVICTUS_USER`` / ``INVICTUS_PASS``) and
sent only as a basic-auth header: they never appear in a log line, an exception message or the
client's ``repr``, and a base URL carrying ``user:password@`` is refused.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.auth import HTTPBasicAuth

logger = logging.getLogger(__name__)

DEFAULT_CATEGORY = 213
WP_MAX_PER_PAGE = 100
CREDENTIAL_VARS = "INVICTUS_USER/INVICTUS_PASS"


class WordPressError(RuntimeError):
    """Any failure to fetch posts from the WordPress REST API."""


class WordPressAuthError(WordPressError):
    """The site refused the request (401/403): credentials missing or wrong."""


class WordPressRequestError(WordPressError):
    """A request failed for good: retries exhausted, a client error, or a malformed answer."""


@dataclass(frozen=True)
class WordPressConfig:
    """Where and how much to fetch.

    Attributes:
        base_url: The site root, e.g. ``https://www.crossfitinvictus.com`` (http or https,
            no credentials, no query).
        category: The category id to filter on (Invictus weightlifting: 213).
        per_page: Posts per page, 1-100 (WordPress's limit).
        max_posts: Stop after this many posts (``None``: all).
        max_pages: Stop after this many pages (``None``: all).
        timeout_s: Connect and read timeout of each request.
        max_retries: Retries after the first attempt of a request.
        backoff_base_s: Backoff before the first retry; doubles each retry.
        backoff_max_s: Upper bound of one backoff.
        max_retry_after_s: The longest ``Retry-After`` honoured before giving up.
    """

    base_url: str
    category: int = DEFAULT_CATEGORY
    per_page: int = WP_MAX_PER_PAGE
    max_posts: int | None = None
    max_pages: int | None = None
    timeout_s: float = 30.0
    max_retries: int = 5
    backoff_base_s: float = 1.0
    backoff_max_s: float = 60.0
    max_retry_after_s: float = 300.0

    def __post_init__(self) -> None:
        """Validate the settings, naming the bad one."""
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("base_url must be an http(s) URL with a host name")
        if parts.username is not None or parts.password is not None:
            # The URL would end up in logs and errors; credentials go in INVICTUS_USER/PASS.
            raise ValueError(f"base_url must not contain credentials; use {CREDENTIAL_VARS}")
        if parts.query or parts.fragment:
            raise ValueError("base_url must not have a query or fragment")
        if not 1 <= self.per_page <= WP_MAX_PER_PAGE:
            raise ValueError(f"per_page must be 1-{WP_MAX_PER_PAGE}, got {self.per_page}")
        if self.category < 1:
            raise ValueError(f"category must be a positive id, got {self.category}")
        for name in ("max_posts", "max_pages"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1 or None, got {value}")
        if self.max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {self.max_retries}")
        for name in ("timeout_s", "backoff_base_s", "backoff_max_s", "max_retry_after_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")

    @property
    def posts_url(self) -> str:
        """The posts endpoint, ``{base_url}/wp-json/wp/v2/posts``."""
        return f"{self.base_url.rstrip('/')}/wp-json/wp/v2/posts"


@dataclass(frozen=True)
class Page:
    """One page of posts and the pagination headers that came with it."""

    number: int
    posts: list[dict[str, Any]]
    total_pages: int | None
    total_posts: int | None


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        logger.warning("ignoring non-integer %s header %r", name, value)
        return None


class WordPressClient:
    """Fetches the posts of one category, with retries, backoff and optional basic auth.

    Args:
        config: Where and how much to fetch.
        username: Basic-auth user (the caller reads ``INVICTUS_USER``), or ``None``.
        password: Basic-auth password (``INVICTUS_PASS``), or ``None``; both or neither.
        session: A ``requests.Session`` to use (a new one by default).
        sleep: Called with the seconds to wait before a retry; tests pass a recorder.
        jitter: Returns a float in [0, 1) for the backoff jitter.
    """

    def __init__(
        self,
        config: WordPressConfig,
        *,
        username: str | None = None,
        password: str | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        """Build the client; no request is made yet."""
        if bool(username) != bool(password):
            raise ValueError(f"give both user and password or neither ({CREDENTIAL_VARS})")
        self.config = config
        self._auth = HTTPBasicAuth(username, password) if username else None
        self._owns_session = session is None
        self._session = session or requests.Session()
        self._sleep = sleep
        self._jitter = jitter

    def __repr__(self) -> str:
        """Shows the site and whether auth is used, never the credentials."""
        auth = "basic auth" if self._auth else "no auth"
        return f"WordPressClient({self.config.base_url!r}, {auth})"

    def __enter__(self) -> WordPressClient:
        """Use as a context manager to close the session afterwards."""
        return self

    def __exit__(self, *_exc: object) -> None:
        """Close the session if this client created it."""
        self.close()

    def close(self) -> None:
        """Close the HTTP session if this client created it."""
        if self._owns_session:
            self._session.close()

    def fetch_posts(self) -> list[dict[str, Any]]:
        """Every post of the category (up to ``max_posts`` / ``max_pages``), each id once.

        Returns:
            Post dicts exactly as received, in the order the API listed them.

        Raises:
            WordPressAuthError: The site answered 401 or 403.
            WordPressRequestError: A request failed for good.
        """
        posts: list[dict[str, Any]] = []
        seen: set[Any] = set()
        number = 1
        while self.config.max_pages is None or number <= self.config.max_pages:
            page = self.fetch_page(number)
            if page is None:
                break
            for post in page.posts:
                post_key = post.get("id")
                if post_key is not None and post_key in seen:
                    logger.info("post %s appeared again on page %d; kept once", post_key, number)
                    continue
                seen.add(post_key)
                posts.append(post)
                if self.config.max_posts is not None and len(posts) >= self.config.max_posts:
                    return posts
            if not page.posts:
                break
            if page.total_pages is not None:
                if number >= page.total_pages:
                    break
            elif len(page.posts) < self.config.per_page:
                break
            number += 1
        return posts

    def fetch_page(self, number: int) -> Page | None:
        """One page of posts, or ``None`` when WordPress says the page is past the end.

        Args:
            number: The 1-based page number.

        Returns:
            The :class:`Page`, or ``None`` for ``400 rest_post_invalid_page_number``.
        """
        params = {
            "categories": self.config.category,
            "per_page": self.config.per_page,
            "page": number,
        }
        response = self._get(params)
        if response is None:
            return None
        where = f"{self.config.posts_url} page {number}"
        try:
            body = response.json()
        except ValueError:
            raise WordPressRequestError(f"{where}: the answer is not JSON") from None
        if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
            raise WordPressRequestError(f"{where}: expected a JSON list of post objects")
        page = Page(
            number=number,
            posts=body,
            total_pages=_int_header(response.headers, "X-WP-TotalPages"),
            total_posts=_int_header(response.headers, "X-WP-Total"),
        )
        logger.info(
            "%s: %d posts (page %d of %s, %s posts in all)",
            self.config.posts_url,
            len(body),
            number,
            page.total_pages if page.total_pages is not None else "?",
            page.total_posts if page.total_posts is not None else "?",
        )
        return page

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.config.backoff_max_s, self.config.backoff_base_s * 2**attempt)
        return ceiling / 2 + ceiling / 2 * self._jitter()

    def _retry_after(self, response: requests.Response) -> float | None:
        value = response.headers.get("Retry-After")
        if value is None:
            return None
        value = value.strip()
        try:
            seconds = float(value)
        except ValueError:
            try:
                when = parsedate_to_datetime(value)
            except (TypeError, ValueError):
                logger.warning("ignoring unparseable Retry-After %r", value)
                return None
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            seconds = (when - datetime.now(UTC)).total_seconds()
        return max(seconds, 0.0)

    def _get(self, params: Mapping[str, Any]) -> requests.Response | None:
        url = self.config.posts_url
        where = f"GET {url} page {params['page']}"
        attempts = self.config.max_retries + 1
        attempt = 0
        while True:
            try:
                response = self._session.get(
                    url, params=params, auth=self._auth, timeout=self.config.timeout_s
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt + 1 >= attempts:
                    raise WordPressRequestError(
                        f"{where} failed after {attempts} attempts: {type(exc).__name__}"
                    ) from exc
                problem, delay = type(exc).__name__, self._backoff(attempt)
            else:
                if not self._is_retryable(response):
                    return self._final(where, params, response)
                problem = f"{response.status_code} {response.reason}"
                retry_after = self._retry_after(response)
                if retry_after is not None and retry_after > self.config.max_retry_after_s:
                    raise WordPressRequestError(
                        f"{where} answered {problem} with Retry-After {retry_after:.0f}s, "
                        f"longer than max_retry_after_s={self.config.max_retry_after_s:.0f}"
                    )
                if attempt + 1 >= attempts:
                    raise WordPressRequestError(
                        f"{where} failed after {attempts} attempts: last answer {problem}"
                    )
                delay = retry_after if retry_after is not None else self._backoff(attempt)
            attempt += 1
            logger.warning(
                "%s: %s; retry %d/%d in %.1fs", where, problem, attempt, attempts - 1, delay
            )
            self._sleep(delay)

    @staticmethod
    def _is_retryable(response: requests.Response) -> bool:
        return response.status_code == 429 or response.status_code >= 500

    def _final(
        self, where: str, params: Mapping[str, Any], response: requests.Response
    ) -> requests.Response | None:
        """A non-retryable answer: the response itself, ``None`` past the end, or an error."""
        status = response.status_code
        if status in (401, 403):
            raise WordPressAuthError(self._auth_message(where, response))
        if status < 400:
            return response
        code = _wp_code(response)
        if status == 400 and params["page"] > 1 and code == "rest_post_invalid_page_number":
            return None
        raise WordPressRequestError(f"{where} answered {status} {response.reason}: {code}")

    def _auth_message(self, where: str, response: requests.Response) -> str:
        status = f"{response.status_code} {response.reason}"
        if self._auth is None:
            hint = f"the site wants credentials: set {CREDENTIAL_VARS}"
        else:
            hint = f"the credentials were refused: check {CREDENTIAL_VARS}"
        return f"{where} answered {status} ({_wp_code(response)}); {hint}"


def _wp_code(response: requests.Response) -> str:
    """WordPress's error ``code`` (e.g. ``rest_forbidden``) from an error body, if any."""
    try:
        body = response.json()
    except ValueError:
        return "no error code"
    code = body.get("code") if isinstance(body, dict) else None
    return str(code)[:100] if code else "no error code"


def fetch_posts(
    config: WordPressConfig,
    *,
    username: str | None = None,
    password: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[dict[str, Any]]:
    """Fetch every post of ``config`` with a short-lived client (see :class:`WordPressClient`).

    Args:
        config: Where and how much to fetch.
        username: Basic-auth user, or ``None``.
        password: Basic-auth password, or ``None``.
        sleep: The wait function used between retries.

    Returns:
        Post dicts exactly as received.
    """
    with WordPressClient(config, username=username, password=password, sleep=sleep) as client:
        return client.fetch_posts()
