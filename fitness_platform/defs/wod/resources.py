"""The WordPress resource: where the WOD posts come from, and the optional basic-auth secrets."""

from typing import Any

import dagster as dg
from pydantic import Field

from fitness_platform.settings import Settings
from fitness_platform.wod.client import (
    DEFAULT_CATEGORY,
    WP_MAX_PER_PAGE,
    WordPressClient,
    WordPressConfig,
)

NOT_CONFIGURED = (
    "WOD: no WordPress site configured. Set FITNESS_WORDPRESS_URL to the site root "
    "(e.g. https://www.crossfitinvictus.com) and reload the code location."
)


class WordPressNotConfiguredError(ValueError):
    """The WOD assets were materialised without a WordPress base URL."""


class WordPressResource(dg.ConfigurableResource):
    """The WordPress REST API of the WOD posts (``{base_url}/wp-json/wp/v2/posts``).

    ``username``/``password`` come from ``dg.EnvVar("INVICTUS_USER")`` /
    ``dg.EnvVar("INVICTUS_PASS")`` when both are set, so they never show in the UI or logs.
    """

    base_url: str | None = Field(
        default=None, description="Site root (FITNESS_WORDPRESS_URL); unset: WOD not configured."
    )
    category: int = Field(default=DEFAULT_CATEGORY, description="Category id (Invictus: 213).")
    per_page: int = Field(default=WP_MAX_PER_PAGE, description="Posts per request, 1-100.")
    max_posts: int | None = Field(default=None, description="Most posts per run; unset: all.")
    max_pages: int | None = Field(default=None, description="Most pages per run; unset: all.")
    username: str | None = Field(default=None, description="Basic-auth user (INVICTUS_USER).")
    password: str | None = Field(default=None, description="Basic-auth password (INVICTUS_PASS).")
    timeout_s: float = Field(default=30.0, description="Connect and read timeout per request.")
    max_retries: int = Field(default=5, description="Retries of a request on 5xx, 429, timeouts.")
    backoff_base_s: float = Field(default=1.0, description="First retry's backoff; doubles.")

    @property
    def configured(self) -> bool:
        """True when a base URL is set."""
        return bool(self.base_url)

    def client_config(self) -> WordPressConfig:
        """The client configuration.

        Raises:
            WordPressNotConfiguredError: No base URL is set.
            ValueError: A setting is out of range (the message names it).
        """
        if not self.base_url:
            raise WordPressNotConfiguredError(NOT_CONFIGURED)
        return WordPressConfig(
            base_url=self.base_url,
            category=self.category,
            per_page=self.per_page,
            max_posts=self.max_posts,
            max_pages=self.max_pages,
            timeout_s=self.timeout_s,
            max_retries=self.max_retries,
            backoff_base_s=self.backoff_base_s,
        )

    def fetch_posts(self) -> list[dict[str, Any]]:
        """Every post of the category (within the limits), each id once, as received."""
        with WordPressClient(
            self.client_config(), username=self.username, password=self.password
        ) as client:
            return client.fetch_posts()


def wordpress_resource(settings: Settings) -> WordPressResource:
    """The resource for ``settings``; credentials bound as ``dg.EnvVar`` only when both are set.

    An unset ``dg.EnvVar`` fails every run that uses the resource, so the secrets are bound
    only when settings saw both variables present.
    """
    secrets: dict[str, Any] = {}
    if settings.wordpress_auth:
        secrets = {"username": dg.EnvVar("INVICTUS_USER"), "password": dg.EnvVar("INVICTUS_PASS")}
    return WordPressResource(
        base_url=settings.wordpress_base_url,
        category=settings.wordpress_category,
        per_page=settings.wordpress_per_page,
        max_posts=settings.wordpress_max_posts,
        max_pages=settings.wordpress_max_pages,
        **secrets,
    )
