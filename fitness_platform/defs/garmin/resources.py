"""The Garmin source resource: which client the raw asset pulls from, and its clock.

Built from settings in :func:`fitness_platform.definitions.build_resources`. A configured
``source_path`` (``FITNESS_GARMIN_SOURCE``) selects the file source; otherwise ``use_api``
(``FITNESS_GARMIN_API=1``) selects Garmin Connect, whose credentials arrive through
``dg.EnvVar("GARMIN_EMAIL")`` / ``dg.EnvVar("GARMIN_PASSWORD")`` so they never show in the UI,
in run config or in logs. With neither, the resource is still valid (the tracker keeps working)
and asking it for a client raises :class:`GarminSourceNotConfiguredError`.
"""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg
from pydantic import Field

from fitness_platform.garmin.client import GarminClient
from fitness_platform.garmin.connect_client import GarminConnectClient
from fitness_platform.garmin.file_source import FileActivitySource
from fitness_platform.garmin.raw import DEFAULT_PREFIX
from fitness_platform.settings import Settings
from fitness_platform.storage.lake import s3_storage_options

NOT_CONFIGURED = (
    "No Garmin source is configured: set FITNESS_GARMIN_SOURCE to a folder or s3:// prefix of "
    "exported .json/.fit files, or FITNESS_GARMIN_API=1 with GARMIN_EMAIL and GARMIN_PASSWORD "
    "(or saved tokens in FITNESS_GARMIN_TOKEN_DIR), then reload the code location."
)


class GarminSourceNotConfiguredError(RuntimeError):
    """Neither a Garmin file source nor the Garmin Connect API is configured."""


class GarminSourceResource(dg.ConfigurableResource):
    """Where Garmin activities come from, where their raw JSON goes, and what "now" is."""

    source_path: str | None = Field(
        default=None,
        description="Folder or s3:// prefix of exported .json/.fit files (FITNESS_GARMIN_SOURCE).",
    )
    endpoint_url: str | None = Field(
        default=None, description="S3-compatible endpoint for an s3:// source_path."
    )
    use_api: bool = Field(
        default=False, description="Pull from Garmin Connect when no source_path is set."
    )
    email: str | None = Field(
        default=None, repr=False, description="Garmin Connect email, from GARMIN_EMAIL."
    )
    password: str | None = Field(
        default=None, repr=False, description="Garmin Connect password, from GARMIN_PASSWORD."
    )
    token_dir: str = Field(
        default="~/.garminconnect",
        description="Directory of saved Garmin Connect tokens, reused between runs.",
    )
    bronze_prefix: str = Field(
        default=DEFAULT_PREFIX,
        description="Lake prefix of the raw activity JSON objects (FITNESS_GARMIN_PREFIX).",
    )
    now_iso: str | None = Field(
        default=None,
        description="Fixed ISO-8601 'now' for reproducible runs and tests; the real clock "
        "when unset. A time without an offset is read as UTC.",
    )

    @property
    def configured(self) -> bool:
        """Whether a file source or the Garmin Connect API is configured."""
        return bool(self.source_path) or self.use_api

    @property
    def mode(self) -> str:
        """``file``, ``api`` or ``none``: which client :meth:`client` builds."""
        if self.source_path:
            return "file"
        return "api" if self.use_api else "none"

    def client(self) -> GarminClient:
        """The configured client: the file source first, else Garmin Connect.

        Raises:
            GarminSourceNotConfiguredError: when neither is configured.
        """
        if self.source_path:
            options = (
                s3_storage_options(self.endpoint_url)
                if self.source_path.startswith("s3://")
                else {}
            )
            return FileActivitySource.from_location(self.source_path, options)
        if self.use_api:
            return GarminConnectClient(self.email, self.password, self.token_dir)
        raise GarminSourceNotConfiguredError(NOT_CONFIGURED)

    def now(self) -> datetime:
        """The run's "now" (timezone-aware): ``now_iso`` when set, else the current UTC time."""
        if not self.now_iso:
            return datetime.now(tz=UTC)
        try:
            moment = datetime.fromisoformat(self.now_iso.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(
                f"now_iso={self.now_iso!r} is not an ISO-8601 time such as 2025-03-12T12:00:00Z"
            ) from None
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)

    def describe(self) -> str:
        """A printable, secret-free description of the source."""
        if self.source_path:
            return f"files at {self.source_path}"
        if self.use_api:
            return f"Garmin Connect (tokens in {self.token_dir})"
        return "not configured"


def garmin_source_resource(settings: Settings) -> GarminSourceResource:
    """The Garmin source resource for ``settings``; credentials only as ``dg.EnvVar``.

    The credentials are bound only when the API is the source, so a code location without
    Garmin Connect never needs ``GARMIN_EMAIL`` / ``GARMIN_PASSWORD`` to be set.
    """
    source = settings.garmin_source_path
    use_api = settings.garmin_use_api and not source
    return GarminSourceResource(
        source_path=source,
        endpoint_url=settings.aws_endpoint_url if source and source.startswith("s3://") else None,
        use_api=use_api,
        email=dg.EnvVar("GARMIN_EMAIL") if use_api else None,
        password=dg.EnvVar("GARMIN_PASSWORD") if use_api else None,
        token_dir=settings.garmin_token_dir,
        bronze_prefix=settings.garmin_prefix,
    )
