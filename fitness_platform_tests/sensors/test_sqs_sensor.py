"""The S3 sensor in SQS mode: S3 event notifications from a real moto queue over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import dagster as dg
import pytest

from fitness_platform.defs.tracker.sensors import RANGE_END, RANGE_START, tracker_s3_sensor
from fitness_platform.settings import Settings
from fitness_platform.tracker.ingestion import partition_key_for
from fitness_platform.tracker.sensing import SensorCursor
from fitness_platform_tests.sensors.harness import apply_partitions, launch, resources_for, tick
from fitness_platform_tests.sensors.tracker_csv import tracker_csv

REGION = "us-east-1"


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as test_instance:
        yield test_instance


@pytest.fixture
def queue(aws_env: str, s3_bucket: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A queue that receives the bucket's object-created events under raw/."""
    sqs = boto3.client("sqs", endpoint_url=aws_env, region_name=REGION)
    url = sqs.create_queue(QueueName=f"{s3_bucket}-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    boto3.client(
        "s3", endpoint_url=aws_env, region_name=REGION
    ).put_bucket_notification_configuration(
        Bucket=s3_bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "QueueArn": arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "raw/"}]}},
                }
            ]
        },
    )
    monkeypatch.setenv("FITNESS_STORAGE_MODE", "s3")
    monkeypatch.setenv("FITNESS_S3_BUCKET", s3_bucket)
    monkeypatch.setenv("FITNESS_S3_EVENTS_QUEUE_URL", url)
    return url


def messages_left(aws_env: str, url: str) -> int:
    """Visible plus in-flight (received, not deleted) messages of the queue."""
    attributes = boto3.client("sqs", endpoint_url=aws_env, region_name=REGION).get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def test_message_in_run_request_out_message_deleted_once_the_run_is_recorded(
    queue: str,
    s3_bucket: str,
    aws_env: str,
    instance: dg.DagsterInstance,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sqs = boto3.client("sqs", endpoint_url=aws_env, region_name=REGION)
    s3 = boto3.client("s3", endpoint_url=aws_env, region_name=REGION)
    resources = resources_for(f"s3://{s3_bucket}/raw", f"s3://{s3_bucket}", aws_env)
    s3.put_object(Bucket=s3_bucket, Key="raw/week 1/Übung.csv", Body=tracker_csv())
    s3.put_object(Bucket=s3_bucket, Key="raw/readme.txt", Body=b"hello")
    sqs.send_message(QueueUrl=queue, MessageBody="not json")
    # S3 (and moto) also send an s3:TestEvent when the notification is configured
    assert messages_left(aws_env, queue) == 4
    key = partition_key_for("week 1/Übung.csv")

    first = tick(tracker_s3_sensor, instance, None, resources, capsys)
    [request] = first.run_requests
    assert first.added_partitions == [key]
    assert request.tags[RANGE_START] == request.tags[RANGE_END] == key
    log = "\n".join(first.logs)
    assert "readme.txt: not a .csv file" in log
    assert "s3:TestEvent" in log
    assert "message body is not JSON" in log
    # the messages with nothing to run are gone; the data message waits for its run
    assert messages_left(aws_env, queue) == 1
    acks = SensorCursor.from_json(first.cursor).acks
    assert [a.run_keys for a in acks] == [[request.run_key]]

    # a crash before the tick's result is stored: the message comes back (its visibility
    # timeout expires; forced here) and a fresh evaluation asks for the same run again
    sqs.change_message_visibility(
        QueueUrl=queue, ReceiptHandle=acks[0].receipt, VisibilityTimeout=0
    )
    replay = tick(tracker_s3_sensor, instance, None, resources, capsys)
    assert [r.run_key for r in replay.run_requests] == [request.run_key]
    assert messages_left(aws_env, queue) == 1
    apply_partitions(instance, replay)

    # next tick, run not recorded yet: the message stays
    waiting = tick(tracker_s3_sensor, instance, replay.cursor, resources, capsys)
    assert waiting.run_requests == []
    assert messages_left(aws_env, queue) == 1
    assert any("wait until their run key is recorded" in line for line in waiting.logs)

    settings = Settings(storage_mode="s3", s3_bucket=s3_bucket, aws_endpoint_url=aws_env)
    launch(instance, settings, request)  # the daemon records the run under the run key

    done = tick(tracker_s3_sensor, instance, waiting.cursor, resources, capsys)
    assert done.run_requests == []
    assert messages_left(aws_env, queue) == 0
    assert any("deleted 1 SQS message(s) whose run is recorded" in line for line in done.logs)
    assert SensorCursor.from_json(done.cursor).acks == []

    # an identical re-upload: its event is dropped at once, the ledger already holds it
    s3.put_object(Bucket=s3_bucket, Key="raw/week 1/Übung.csv", Body=tracker_csv())
    again = tick(tracker_s3_sensor, instance, None, resources, capsys)
    assert again.run_requests == []
    assert messages_left(aws_env, queue) == 0
