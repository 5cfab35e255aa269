"""boto3 clients on the moto server, built the way production builds them."""

from __future__ import annotations

from typing import Any

import pytest

from fitness_platform.aws.session import boto3_client
from fitness_platform_tests.support.aws import REGION


def _client(service: str, endpoint: str) -> Any:
    return boto3_client(service, region_name=REGION, endpoint_url=endpoint)


@pytest.fixture
def dynamodb(aws_env: str) -> Any:
    return _client("dynamodb", aws_env)


@pytest.fixture
def glue(aws_env: str) -> Any:
    return _client("glue", aws_env)


@pytest.fixture
def s3(aws_env: str) -> Any:
    return _client("s3", aws_env)
