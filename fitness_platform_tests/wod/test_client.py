"""The WordPress client against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator

import pytest

from fitness_platform.wod.client import (
    WordPressAuthError,
    WordPressClient,
    WordPressConfig,
    WordPressRequestError,
    fetch_posts,
)
from fitness_platform_tests.wod.posts import make_post, numbered_posts
from fitness_platform_tests.wod.wp_server import DROP, Failure, WordPressStub, serve

PASSWORD = "s3cret-Pa55-do-not-leak"


class SleepRecorder:
    """Stands in for time.sleep: records the waits instead of waiting."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def stub() -> Iterator[WordPressStub]:
    """25 posts of category 213 plus one of another category."""
    other = make_post(999, slug="other-category")
    other["categories"] = [5]
    with serve(WordPressStub(posts=[*numbered_posts(25), other])) as running:
        yield running


def client_for(stub: WordPressStub, sleep: SleepRecorder, **config: object) -> WordPressClient:
    settings: dict[str, object] = {"per_page": 10, "max_retries": 3, **config}
    return WordPressClient(
        WordPressConfig(stub.base_url, **settings),  # type: ignore[arg-type]
        sleep=sleep,
        jitter=lambda: 0.0,
    )


def test_fetches_every_post_exactly_once_across_pages_despite_a_503(stub: WordPressStub) -> None:
    stub.failures[2] = [Failure(503)]
    sleep = SleepRecorder()
    with client_for(stub, sleep) as client:
        posts = client.fetch_posts()
    assert posts == stub.posts[:25]  # dicts exactly as served, in order; 999 filtered out
    assert [p["id"] for p in posts] == list(range(1, 26))
    assert stub.pages_requested() == [(1, 200), (2, 503), (2, 200), (3, 200)]
    served = [e["page"] for e in stub.log if e["status"] == 200]
    assert served == [1, 2, 3]  # each page (so each post) delivered exactly once
    assert all(
        e["query"] == {"categories": "213", "per_page": "10", "page": str(e["page"])}
        for e in stub.log
    )
    assert all(e["path"] == "/wp-json/wp/v2/posts" for e in stub.log)
    assert all(e["authorization"] is None for e in stub.log)
    assert sleep.calls == [0.5]  # backoff 1s with zero jitter waits the lower half


def test_401_is_a_clear_error_that_never_shows_the_password(
    stub: WordPressStub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    stub.credentials = ("coach", "the-right-one")
    config = WordPressConfig(stub.base_url, per_page=10)
    client = WordPressClient(config, username="coach", password=PASSWORD, sleep=SleepRecorder())
    with pytest.raises(WordPressAuthError) as caught:
        client.fetch_posts()
    message = str(caught.value)
    assert "401" in message
    assert "INVICTUS_USER" in message and "INVICTUS_PASS" in message
    shown = "".join(traceback.format_exception(caught.value)) + repr(caught.value)
    shown += repr(client) + caplog.text
    assert PASSWORD not in shown
    assert stub.pages_requested() == [(1, 401)]  # never retried
    assert stub.log[0]["authorization"].startswith("Basic ")

    anonymous = WordPressClient(config, sleep=SleepRecorder())
    with pytest.raises(
        WordPressAuthError, match="wants credentials: set INVICTUS_USER/INVICTUS_PASS"
    ):
        anonymous.fetch_posts()


def test_basic_auth_is_sent_when_credentials_are_right(stub: WordPressStub) -> None:
    stub.credentials = ("coach", PASSWORD)
    posts = fetch_posts(
        WordPressConfig(stub.base_url, per_page=100),
        username="coach",
        password=PASSWORD,
        sleep=SleepRecorder(),
    )
    assert len(posts) == 25
    assert stub.pages_requested() == [(1, 200)]


def test_429_waits_exactly_the_retry_after(stub: WordPressStub) -> None:
    stub.failures[1] = [Failure(429, {"Retry-After": "7"})]
    stub.failures[3] = [Failure(503, {"Retry-After": "2"})]
    sleep = SleepRecorder()
    with client_for(stub, sleep) as client:
        assert len(client.fetch_posts()) == 25
    assert sleep.calls == [7.0, 2.0]
    assert stub.pages_requested() == [(1, 429), (1, 200), (2, 200), (3, 503), (3, 200)]


def test_too_long_retry_after_fails_instead_of_stalling(stub: WordPressStub) -> None:
    stub.failures[1] = [Failure(429, {"Retry-After": "3600"})]
    sleep = SleepRecorder()
    with client_for(stub, sleep, max_retry_after_s=60) as client:
        with pytest.raises(WordPressRequestError, match="Retry-After 3600s"):
            client.fetch_posts()
    assert sleep.calls == []


def test_dropped_connection_is_retried(stub: WordPressStub) -> None:
    stub.failures[2] = [Failure(DROP)]
    sleep = SleepRecorder()
    with client_for(stub, sleep) as client:
        assert [p["id"] for p in client.fetch_posts()] == list(range(1, 26))
    assert stub.pages_requested() == [(1, 200), (2, DROP), (2, 200), (3, 200)]
    assert len(sleep.calls) == 1


def test_retries_back_off_exponentially_then_give_up(stub: WordPressStub) -> None:
    stub.failures[1] = [Failure(502)] * 5
    sleep = SleepRecorder()
    with client_for(stub, sleep, max_retries=3, backoff_base_s=2, backoff_max_s=5) as client:
        with pytest.raises(WordPressRequestError, match="after 4 attempts: last answer 502"):
            client.fetch_posts()
    assert stub.pages_requested() == [(1, 502)] * 4
    assert sleep.calls == [1.0, 2.0, 2.5]  # half of 2, 4, min(8, 5) with zero jitter


def test_jitter_spreads_the_wait_within_the_upper_half(stub: WordPressStub) -> None:
    stub.failures[1] = [Failure(500)]
    sleep = SleepRecorder()
    config = WordPressConfig(stub.base_url, per_page=10, backoff_base_s=4)
    with WordPressClient(config, sleep=sleep, jitter=lambda: 0.75) as client:
        client.fetch_posts()
    assert sleep.calls == [2.0 + 2.0 * 0.75]


def test_max_posts_and_max_pages_stop_early(stub: WordPressStub) -> None:
    sleep = SleepRecorder()
    with client_for(stub, sleep, max_posts=12) as client:
        assert [p["id"] for p in client.fetch_posts()] == list(range(1, 13))
    assert [page for page, _ in stub.pages_requested()] == [1, 2]
    stub.log.clear()
    with client_for(stub, sleep, max_pages=2) as client:
        assert len(client.fetch_posts()) == 20
    assert [page for page, _ in stub.pages_requested()] == [1, 2]


def test_without_total_pages_header_it_stops_at_the_end() -> None:
    with serve(WordPressStub(posts=numbered_posts(20), send_total_pages=False)) as stub:
        with client_for(stub, SleepRecorder()) as client:
            assert len(client.fetch_posts()) == 20
        # Page 3 is past the end: WordPress answers 400 rest_post_invalid_page_number.
        assert stub.pages_requested() == [(1, 200), (2, 200), (3, 400)]


def test_other_client_errors_are_not_retried(stub: WordPressStub) -> None:
    stub.failures[1] = [Failure(404)]
    with client_for(stub, SleepRecorder()) as client:
        with pytest.raises(WordPressRequestError, match="answered 404"):
            client.fetch_posts()
    assert stub.pages_requested() == [(1, 404)]


def test_config_refuses_credentials_in_the_url_without_echoing_them() -> None:
    with pytest.raises(ValueError, match="INVICTUS_USER/INVICTUS_PASS") as caught:
        WordPressConfig(f"https://coach:{PASSWORD}@example.org")
    assert PASSWORD not in str(caught.value)
    with pytest.raises(ValueError, match="per_page"):
        WordPressConfig("https://example.org", per_page=500)
    with pytest.raises(ValueError, match="both user and password"):
        WordPressClient(WordPressConfig("https://example.org"), username="coach")
    assert WordPressConfig("https://example.org/").posts_url == (
        "https://example.org/wp-json/wp/v2/posts"
    )
