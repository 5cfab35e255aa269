from __future__ import annotations

import json
import logging
from typing import Any

import dagster as dg
import pytest

from fitness_platform.aws.session import boto3_client
from fitness_platform.aws.sns import (
    SUBJECT_MAX_CHARS,
    SNSAlertsResource,
    format_check_alert,
    format_run_failure_alert,
    message_text,
    short_reason,
    sns_subject,
)
from fitness_platform_tests.support.aws import REGION


@pytest.fixture
def topic_and_queue(aws_env: str) -> tuple[str, Any, str]:
    """A topic with an SQS queue subscribed (standard JSON envelope, not raw delivery)."""
    sns = boto3_client("sns", region_name=REGION, endpoint_url=aws_env)
    sqs = boto3_client("sqs", region_name=REGION, endpoint_url=aws_env)
    topic_arn = sns.create_topic(Name="fitness-alerts-test")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="fitness-alerts-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    return topic_arn, sqs, queue_url


def received(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    messages = sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
    ).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def test_publish_reaches_a_subscribed_queue(aws_env: str, topic_and_queue: Any) -> None:
    topic_arn, sqs, queue_url = topic_and_queue
    alerts = SNSAlertsResource(topic_arn=topic_arn, region_name=REGION, endpoint_url=aws_env)
    subject, body = format_check_alert(
        ["silver", "daily_activity"],
        "steps_non_negative",
        "2024-09-06",
        1000,
        12,
        "run-42",
        "12 rows have steps < 0",
    )

    message_id = alerts.publish(subject, body, attributes={"severity": "error", "rows": 12})

    (envelope,) = received(sqs, queue_url)
    assert envelope["MessageId"] == message_id
    assert envelope["TopicArn"] == topic_arn
    assert envelope["Subject"] == subject
    assert "silver/daily_activity" in envelope["Subject"]
    assert envelope["Message"] == body
    assert "steps_non_negative" in envelope["Message"] and "run-42" in envelope["Message"]
    assert envelope["MessageAttributes"]["severity"] == {"Type": "String", "Value": "error"}
    assert envelope["MessageAttributes"]["rows"] == {"Type": "Number", "Value": "12"}


def test_publish_dict_message_as_json(aws_env: str, topic_and_queue: Any) -> None:
    topic_arn, sqs, queue_url = topic_and_queue
    alerts = SNSAlertsResource(topic_arn=topic_arn, region_name=REGION, endpoint_url=aws_env)
    alerts.publish("WOD run complete — 7 sessions", {"sessions": 7, "week": "2020-12-21"})
    (envelope,) = received(sqs, queue_url)
    assert envelope["Subject"] == "WOD run complete - 7 sessions"
    assert json.loads(envelope["Message"]) == {"sessions": 7, "week": "2020-12-21"}


def test_resource_in_a_dagster_run_with_envvar_topic(
    aws_env: str, topic_and_queue: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    topic_arn, sqs, queue_url = topic_and_queue
    monkeypatch.setenv("FITNESS_ALERT_TOPIC_ARN", topic_arn)

    @dg.asset
    def wod_summary(alerts: SNSAlertsResource) -> None:
        alerts.publish("WOD run complete", "7 sessions written")

    resource = SNSAlertsResource(
        topic_arn=dg.EnvVar("FITNESS_ALERT_TOPIC_ARN"), region_name=REGION, endpoint_url=aws_env
    )
    assert dg.materialize([wod_summary], resources={"alerts": resource}).success
    (envelope,) = received(sqs, queue_url)
    assert envelope["Message"] == "7 sessions written"


@pytest.mark.parametrize("topic_arn", [None, ""])
def test_without_topic_the_alert_is_logged_only(
    aws_env: str, topic_and_queue: Any, caplog: pytest.LogCaptureFixture, topic_arn: str | None
) -> None:
    _, sqs, queue_url = topic_and_queue
    alerts = SNSAlertsResource(topic_arn=topic_arn, region_name=REGION, endpoint_url=aws_env)
    subject, body = format_run_failure_alert("tracker_job", "run-7", "silver_daily", "boom")
    with caplog.at_level(logging.WARNING, logger="fitness_platform.alerts"):
        assert alerts.publish(subject, body) is None
    (record,) = [r for r in caplog.records if r.name == "fitness_platform.alerts"]
    assert record.levelno == logging.WARNING
    assert "logged only" in record.getMessage()
    assert subject in record.getMessage() and "run-7" in record.getMessage()
    assert received(sqs, queue_url) == []


def test_subject_is_ascii_one_line_and_within_the_limit() -> None:
    assert sns_subject("Café\nstress  ≥ 10\t“high”") == 'Cafe stress 10 "high"'
    long = sns_subject("x" * 500)
    assert len(long) == SUBJECT_MAX_CHARS and long.endswith("...")
    assert sns_subject("   ") == "[fitness_platform] alert"
    assert sns_subject("ok") == "ok"


def test_message_text_is_cut_to_the_sns_size() -> None:
    text = message_text("é" * 300_000)
    assert len(text.encode("utf-8")) < 256 * 1024
    assert text.endswith("[message truncated]")


def test_format_check_alert() -> None:
    subject, body = format_check_alert(
        dg.AssetKey(["silver", "daily_activity"]),
        "no_conflicting_duplicates",
        "2024-09-06",
        2000,
        3,
        "abc-123",
        "3 (user_id, date) pairs\nhave conflicting rows",
    )
    assert subject == (
        "[fitness_platform] Check failed: silver/daily_activity no_conflicting_duplicates [2024-09-06]"
    )
    assert body.splitlines() == [
        "An asset check failed.",
        "",
        "Asset:        silver/daily_activity",
        "Check:        no_conflicting_duplicates",
        "Partition:    2024-09-06",
        "Rows checked: 2,000",
        "Rows failing: 3 (0.15%)",
        "Run id:       abc-123",
        "Reason:       3 (user_id, date) pairs have conflicting rows",
    ]


def test_format_check_alert_without_partition_or_counts() -> None:
    subject, body = format_check_alert("gold/garmin_daily", "fresh", None, None, None, None, "")
    assert subject == "[fitness_platform] Check failed: gold/garmin_daily fresh"
    assert "Partition:    (not partitioned)" in body
    assert "Rows checked: unknown" in body and "Rows failing: unknown" in body
    assert "Run id:       (unknown)" in body and "(no reason given)" in body


def test_format_run_failure_alert_keeps_the_traceback_last_line() -> None:
    error = (
        "Traceback (most recent call last):\n"
        '  File "x.py", line 1, in <module>\n'
        "ValueError: stress_level out of range\n"
    )
    subject, body = format_run_failure_alert("wod_job", "run-9", "wod_sessions", error)
    assert subject == "[fitness_platform] Run failed: wod_job at wod_sessions"
    assert body.splitlines()[2:] == [
        "Job:    wod_job",
        "Run id: run-9",
        "Step:   wod_sessions",
        "Error:  ValueError: stress_level out of range",
    ]


def test_short_reason_truncates() -> None:
    assert short_reason("a " * 400, limit=50).endswith("...")
    assert len(short_reason("a " * 400, limit=50)) == 50
