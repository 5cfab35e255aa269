"""One way to build boto3 clients: explicit region and endpoint, credentials from the chain."""

from __future__ import annotations

from typing import Any, ClassVar

import boto3
import dagster as dg
from botocore.config import Config
from pydantic import Field

CONNECT_TIMEOUT_S = 5
READ_TIMEOUT_S = 30
MAX_ATTEMPTS = 5  # calls in all, the first included

DEFAULT_CONFIG = Config(
    connect_timeout=CONNECT_TIMEOUT_S,
    read_timeout=READ_TIMEOUT_S,
    retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
)


def boto3_client(
    service: str,
    *,
    region_name: str | None = None,
    endpoint_url: str | None = None,
    config: Config | None = None,
) -> Any:
    """A boto3 client for ``service`` with timeouts and standard-mode retries.

    Credentials are never passed here: boto3 finds them through the standard chain
    (environment, shared config/credentials files, SSO, container or instance roles).
    ``region_name`` and ``endpoint_url`` left as ``None`` fall back to that chain too
    (``AWS_REGION``/``AWS_DEFAULT_REGION``, ``AWS_ENDPOINT_URL``); an empty string counts
    as unset. ``config`` is merged over the defaults.
    """
    merged = DEFAULT_CONFIG.merge(config) if config is not None else DEFAULT_CONFIG
    session = boto3.session.Session(region_name=region_name or None)
    return session.client(service, endpoint_url=endpoint_url or None, config=merged)


class AwsClientResource(dg.ConfigurableResource):
    """Base for resources that talk to one AWS service through :func:`boto3_client`."""

    service: ClassVar[str]

    region_name: str | None = Field(
        default=None, description="AWS region; unset uses the credential chain's region."
    )
    endpoint_url: str | None = Field(
        default=None,
        description="Endpoint of an AWS-compatible server (e.g. moto); unset means AWS itself.",
    )

    def get_client(self) -> Any:
        """A new boto3 client for this resource's service, region and endpoint."""
        return boto3_client(
            self.service, region_name=self.region_name, endpoint_url=self.endpoint_url
        )
