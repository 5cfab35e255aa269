"""Blocking gates end to end: a failed ERROR check stops gold in the same run, leaves the
previous gold files byte-identical, makes ``fitness-platform run`` exit non-zero with every
failed check printed, and publishes SNS alerts that a subscribed SQS queue receives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import dagster as dg
import pyarrow.parquet as pq
import pytest

import fitness_platform.runner as runner
from fitness_platform.aws.session import boto3_client
from fitness_platform.aws.sns import SNSAlertsResource
from fitness_platform.defs.alerts.sensors import check_failure_alerts, run_failure_alerts
from fitness_platform.defs.tracker.checks import CHECKS, GOLD_FRESHNESS_POLICY
from fitness_platform.settings import Settings
from fitness_platform.tracker.schema import TABLE_KEYS
from fitness_platform_tests.quality.harness import (
    clean_rows,
    csv_text,
    digest_tree,
    good_row,
    tracker_definitions,
    with_field,
)
from fitness_platform_tests.support.aws import REGION

GOLD = ("gold/fact_daily", "gold/dim_user", "gold/dim_date", "gold/dim_activity")


def _topic_and_queue(endpoint: str) -> tuple[str, Any, str]:
    sns = boto3_client("sns", region_name=REGION, endpoint_url=endpoint)
    sqs = boto3_client("sqs", region_name=REGION, endpoint_url=endpoint)
    topic_arn = sns.create_topic(Name="fitness-quality-alerts")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="fitness-quality-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    return topic_arn, sqs, queue_url


def _drain(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    envelopes: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
        ).get("Messages", [])
        if not batch:
            return envelopes
        for message in batch:
            envelopes.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def _latest_run(instance: dg.DagsterInstance, job: str) -> dg.DagsterRun:
    return instance.get_runs(filters=dg.RunsFilter(job_name=job), limit=1)[0]


@pytest.mark.timeout(300)
def test_blocking_check_stops_gold_keeps_files_and_alerts(
    tmp_path: Path, aws_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    topic_arn, sqs, queue_url = _topic_and_queue(aws_env)
    monkeypatch.setattr(runner, "build_definitions", tracker_definitions)
    lake = tmp_path / "lake"
    (lake / "raw").mkdir(parents=True)
    settings = Settings(
        local_root=str(lake),
        alert_topic_arn=topic_arn,
        aws_endpoint_url=aws_env,
        aws_region=REGION,
    )
    instance = dg.DagsterInstance.ephemeral()

    (lake / "raw" / "a.csv").write_text(csv_text(clean_rows(4, 35)))
    first = runner.run_tracker(settings, instance=instance, echo=lambda _: None)
    assert first.exit_code == 0, (first.failed_checks, first.failed_steps)
    assert first.table_rows["gold/fact_daily"] == 140
    assert _drain(sqs, queue_url) == []
    gold_before = digest_tree(lake / "gold")
    assert len(gold_before) == 4

    # 3 of 23 records out of range: 13% rejected, above the 5% ERROR bound.
    bad = [with_field(good_row(11, day), "age", "250") for day in range(3)]
    (lake / "raw" / "b.csv").write_text(csv_text([good_row(10, d) for d in range(20)] + bad))
    second = runner.run_tracker(settings, instance=instance, echo=lambda _: None)
    printed: list[str] = []
    runner.print_summary(second, echo=printed.append)

    assert second.exit_code == 1
    assert second.failed_checks == ["silver/daily_activity:reject_rate"]
    assert (
        "FAILED CHECK: silver/daily_activity:reject_rate (ERROR, blocking) 3 of 163 rows "
        "failing; 1 file(s) above the reject-rate bound: b.csv 13.04%"
    ) in printed
    assert set(GOLD) <= set(second.not_materialized)
    # Silver took the new file; gold was held back and its files were not touched.
    assert pq.read_metadata(lake / "silver" / "daily_activity.parquet").num_rows == 160
    assert digest_tree(lake / "gold") == gold_before
    refresh = _latest_run(instance, "tracker_refresh_job")
    assert refresh.status == dg.DagsterRunStatus.FAILURE
    materialized = {
        r.dagster_event.asset_key.to_user_string()
        for r in instance.all_logs(
            refresh.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
        )
    }
    assert materialized == {"silver/daily_activity", "silver/fitness_rejects"}

    envelopes = _drain(sqs, queue_url)
    by_subject = {e["Subject"]: e["Message"] for e in envelopes}
    assert set(by_subject) == {
        "[fitness_platform] Check failed: silver/daily_activity reject_rate",
        "[fitness_platform] Run failed: tracker_refresh_job at silver_quality_checks",
    }
    check_body = by_subject["[fitness_platform] Check failed: silver/daily_activity reject_rate"]
    for expected in (
        "Asset:        silver/daily_activity",
        "Check:        reject_rate",
        "Partition:    (not partitioned)",
        "Rows checked: 163",
        "Rows failing: 3 (1.84%)",
        f"Run id:       {refresh.run_id}",
        "b.csv 13.04%",
    ):
        assert expected in check_body
    run_body = by_subject[
        "[fitness_platform] Run failed: tracker_refresh_job at silver_quality_checks"
    ]
    assert refresh.run_id in run_body and "reject_rate" in run_body

    # The same alerts go out through the run-failure sensor when a daemon watches the run.
    failure = instance.all_logs(refresh.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)[0]
    alerts = SNSAlertsResource(topic_arn=topic_arn, region_name=REGION, endpoint_url=aws_env)
    context = dg.build_run_status_sensor_context(
        sensor_name="run_failure_alerts",
        dagster_event=failure.dagster_event,
        dagster_instance=instance,
        dagster_run=refresh,
        resources={"alerts": alerts},
    ).for_run_failure()
    run_failure_alerts(context)
    assert {e["Subject"] for e in _drain(sqs, queue_url)} == set(by_subject)

    # A successful run without failed ERROR checks alerts nobody.
    ok_run = _latest_run(instance, "tracker_bronze_job")
    success = instance.all_logs(ok_run.run_id, of_type=dg.DagsterEventType.RUN_SUCCESS)[0]
    check_failure_alerts(
        dg.build_run_status_sensor_context(
            sensor_name="check_failure_alerts",
            dagster_event=success.dagster_event,
            dagster_instance=instance,
            dagster_run=ok_run,
            resources={"alerts": alerts},
        )
    )
    assert _drain(sqs, queue_url) == []


def test_every_tracker_table_is_guarded_and_gold_has_a_freshness_policy(tmp_path: Path) -> None:
    defs = tracker_definitions(Settings(local_root=str(tmp_path)))
    graph = defs.resolve_asset_graph()
    for table in TABLE_KEYS:
        key = dg.AssetKey(table.split("/"))
        names = {c.name for c in CHECKS if c.table == table}
        assert {"schema", "keys", "schema_drift"} <= names, table
        check_keys = {k.name for k in graph.get_check_keys_for_assets({key})}
        assert names == check_keys, table
    assert all(c.blocking == (c.name != "schema_drift") for c in CHECKS)
    for table in GOLD:
        spec = graph.get(dg.AssetKey(table.split("/")))
        assert spec.freshness_policy == GOLD_FRESHNESS_POLICY, table
    assert GOLD_FRESHNESS_POLICY.fail_window.to_timedelta().total_seconds() == 48 * 3600
