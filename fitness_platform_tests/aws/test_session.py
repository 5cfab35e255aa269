from __future__ import annotations

from botocore.config import Config

from fitness_platform.aws.dynamodb import DynamoDBResource
from fitness_platform.aws.glue import GlueCatalogResource
from fitness_platform.aws.session import (
    CONNECT_TIMEOUT_S,
    MAX_ATTEMPTS,
    READ_TIMEOUT_S,
    boto3_client,
)
from fitness_platform.aws.sns import SNSAlertsResource
from fitness_platform_tests.support.aws import REGION


def test_client_has_timeouts_and_standard_retries() -> None:
    client = boto3_client("s3", region_name=REGION, endpoint_url="http://127.0.0.1:1")
    config = client.meta.config
    assert config.connect_timeout == CONNECT_TIMEOUT_S
    assert config.read_timeout == READ_TIMEOUT_S
    assert config.retries["mode"] == "standard"
    assert config.retries["total_max_attempts"] == MAX_ATTEMPTS
    assert client.meta.endpoint_url == "http://127.0.0.1:1"
    assert client.meta.region_name == REGION


def test_config_override_is_merged_over_defaults() -> None:
    client = boto3_client("sns", region_name=REGION, config=Config(read_timeout=3))
    assert client.meta.config.read_timeout == 3
    assert client.meta.config.connect_timeout == CONNECT_TIMEOUT_S


def test_empty_endpoint_means_aws_itself(monkeypatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    client = boto3_client("dynamodb", region_name="eu-west-1", endpoint_url="")
    assert client.meta.endpoint_url == "https://dynamodb.eu-west-1.amazonaws.com"


def test_resources_build_clients_from_their_fields() -> None:
    endpoint = "http://127.0.0.1:9"
    for resource, service in [
        (DynamoDBResource(region_name="eu-west-1", endpoint_url=endpoint), "dynamodb"),
        (SNSAlertsResource(region_name="eu-west-1", endpoint_url=endpoint), "sns"),
        (GlueCatalogResource(region_name="eu-west-1", endpoint_url=endpoint), "glue"),
    ]:
        client = resource.get_client()
        assert client.meta.service_model.service_name == service
        assert client.meta.endpoint_url == endpoint
        assert client.meta.region_name == "eu-west-1"


def test_no_resource_has_a_credential_field() -> None:
    secret_words = ("secret", "access_key", "password", "token", "credential")
    for resource in (DynamoDBResource, SNSAlertsResource, GlueCatalogResource):
        for field in resource.model_fields:
            assert not any(word in field.lower() for word in secret_words), (resource, field)
