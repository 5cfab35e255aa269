"""Fixtures of the WOD Dagster tests: a WordPress stand-in, an SNS topic with an SQS inbox."""

from collections.abc import Iterator

import pytest

from fitness_platform.aws.session import boto3_client
from fitness_platform_tests.support.aws import REGION
from fitness_platform_tests.wod.wp_server import WordPressStub, serve
from fitness_platform_tests.wod_defs.weeks import Inbox, week_posts


@pytest.fixture
def wordpress() -> Iterator[WordPressStub]:
    """The three week posts served over HTTP on 127.0.0.1, two per page."""
    with serve(WordPressStub(posts=week_posts())) as stub:
        yield stub


@pytest.fixture
def inbox(aws_env: str) -> Inbox:
    """A topic with an SQS queue subscribed on the moto server."""
    sns = boto3_client("sns", region_name=REGION, endpoint_url=aws_env)
    sqs = boto3_client("sqs", region_name=REGION, endpoint_url=aws_env)
    topic_arn = sns.create_topic(Name="fitness-wod-test")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="fitness-wod-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    return Inbox(topic_arn, sqs, queue_url)
