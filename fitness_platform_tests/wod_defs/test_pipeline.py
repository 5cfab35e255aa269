"""The WOD assets end to end: local WordPress server -> lake -> moto DynamoDB and SNS."""

import json
from pathlib import Path

import boto3
import dagster as dg
import pytest

from fitness_platform.definitions import build_definitions
from fitness_platform.defs.wod.notify import wod_success_notification
from fitness_platform.settings import Settings
from fitness_platform_tests.support.aws import REGION
from fitness_platform_tests.wod.posts import make_post
from fitness_platform_tests.wod.wp_server import WordPressStub, serve
from fitness_platform_tests.wod_defs.helpers import (
    dynamo_records,
    gold_rows,
    jsonl_keys,
    lake_of,
    metadata_of,
    read_jsonl,
    run_job,
    silver_records,
    weekly_keys,
    wod_settings,
)
from fitness_platform_tests.wod_defs.weeks import (
    REST_DAYS_PER_WEEK,
    SESSIONS_PER_WEEK,
    WEEKS,
    Inbox,
    week_posts,
)

RAW_POSTS = ["bronze", "wod", "raw_posts"]
SESSIONS = ["silver", "wod_sessions"]
DYNAMO = ["serving", "wod_sessions_dynamodb"]
WEEKLY = ["gold", "wod_weekly"]


def notify(settings: Settings, instance: dg.DagsterInstance, run_id: str) -> None:
    """Evaluate the success sensor for ``run_id`` as the daemon would."""
    run = instance.get_run_by_id(run_id)
    assert run is not None
    (event,) = instance.all_logs(run_id, of_type=dg.DagsterEventType.RUN_SUCCESS)
    alerts = build_definitions(settings).resources["alerts"]
    context = dg.build_run_status_sensor_context(
        sensor_name=wod_success_notification.name,
        dagster_event=event.dagster_event,
        dagster_instance=instance,
        dagster_run=run,
        resources={"alerts": alerts},
    )
    wod_success_notification(context)


def assert_stored_layout(settings: Settings) -> None:
    """Silver, DynamoDB, JSONL and JSON agree with each other at the SPEC paths."""
    lake = lake_of(settings)
    silver = silver_records(settings)
    assert len(silver) == len(WEEKS) * (SESSIONS_PER_WEEK + REST_DAYS_PER_WEEK)
    assert lake.list("silver/wod/sessions", suffix=".jsonl") == jsonl_keys()
    by_week = {
        key: [r for r in silver if (r["week_start"], r["week_end"]) == week]
        for week, key in zip(sorted(WEEKS), sorted(jsonl_keys(), key=_week_of), strict=True)
    }
    for key, records in by_week.items():
        assert read_jsonl(lake, key) == records
    assert lake.list("gold/wod/weekly", suffix=".json") == weekly_keys()
    gold = gold_rows(settings)
    assert [(g["week_start"], g["week_end"]) for g in gold] == sorted(WEEKS)
    for row in gold:
        assert row["sessions"] == SESSIONS_PER_WEEK
        assert row["rest_days"] == REST_DAYS_PER_WEEK
        stem = WEEKS[(row["week_start"], row["week_end"])]
        assert json.loads(lake.read_text(f"gold/wod/weekly/{stem}.json")) == row
    raw = lake.list("bronze/wod/raw", suffix="__raw.json")
    assert raw == sorted(
        [
            "bronze/wod/raw/2020/12/2020-12-27__december-28-2020-january-3-2021-5-day-weightlifting-program__raw.json",
            "bronze/wod/raw/2021/03/2021-03-07__march-8-14-2021-5-day-weightlifting-program__raw.json",
            "bronze/wod/raw/2021/03/2021-03-14__march-15-21-2021-5-day-weightlifting-program__raw.json",
        ]
    )


def _week_of(key: str) -> tuple[str, str]:
    stem = key.rsplit("--", 1)[1].removesuffix(".jsonl")
    start, end = stem.split("__")
    return start, end


def test_local_mode_end_to_end(
    tmp_path: Path, wordpress: WordPressStub, aws_env: str, inbox: Inbox
) -> None:
    settings = wod_settings(
        base_url=wordpress.base_url,
        aws_endpoint=aws_env,
        local_root=tmp_path / "lake",
        topic_arn=inbox.topic_arn,
    )
    instance = dg.DagsterInstance.ephemeral()

    first = run_job(settings, instance)

    assert first.success
    assert wordpress.pages_requested() == [(1, 200), (2, 200)]  # per_page=2 over 3 posts
    assert all(c.passed for c in first.get_asset_check_evaluations())
    assert len(first.get_asset_check_evaluations()) == 3
    assert_stored_layout(settings)
    silver = silver_records(settings)
    assert sorted(dynamo_records(aws_env), key=_key) == sorted(silver, key=_key)
    assert metadata_of(first, RAW_POSTS)["posts_written"] == 3
    assert metadata_of(first, DYNAMO)["items_written"] == len(silver)
    assert metadata_of(first, DYNAMO)["table"] == "wod-sessions-wodtest"

    notify(settings, instance, first.run_id)
    (message,) = inbox.messages()
    assert message["Subject"] == (
        "[fitness_platform] WOD run complete: 3 week(s), 15 session(s), 3 rest day(s)"
    )
    for start, end in WEEKS:
        assert f"{start} to {end}: 5 session(s), 1 rest day(s)" in message["Message"]
    assert "3 fetched, 3 new" in message["Message"]

    second = run_job(settings, instance)

    assert second.success
    assert metadata_of(second, RAW_POSTS)["posts_written"] == 0
    assert metadata_of(second, RAW_POSTS)["posts_skipped"] == 3
    assert metadata_of(second, SESSIONS)["jsonl_files_written"] == 0
    assert len(dynamo_records(aws_env)) == len(silver)
    notify(settings, instance, second.run_id)
    (message,) = inbox.messages()
    assert "0 week(s), 0 session(s), 0 rest day(s)" in message["Subject"]
    assert "Weeks written: none" in message["Message"]


def _key(record: dict) -> tuple[str, str]:
    return record["date"], record["session"]


def test_an_edited_post_rewrites_only_its_week(
    tmp_path: Path, wordpress: WordPressStub, aws_env: str
) -> None:
    settings = wod_settings(
        base_url=wordpress.base_url, aws_endpoint=aws_env, local_root=tmp_path / "lake"
    )
    instance = dg.DagsterInstance.ephemeral()
    assert run_job(settings, instance).success
    edited = week_posts()[1]
    edited["modified_gmt"] = "2021-03-20T10:00:00"
    edited["content"]["rendered"] = edited["content"]["rendered"].replace(
        "Front Squat x 3 reps", "Front Squat x 2 reps"
    )
    wordpress.posts[1] = edited

    rerun = run_job(settings, instance)

    assert rerun.success
    assert metadata_of(rerun, RAW_POSTS)["posts_updated"] == 1
    assert metadata_of(rerun, SESSIONS)["weeks_written"] == [
        {"week_start": "2021-03-15", "week_end": "2021-03-21", "sessions": 5, "rest_days": 1}
    ]
    tuesday = next(r for r in dynamo_records(aws_env) if r["date"] == "2021-03-16")
    assert "Front Squat x 2 reps" in tuesday["segment_b"]
    assert len(dynamo_records(aws_env)) == 18


def test_s3_mode_writes_the_same_files(
    wordpress: WordPressStub, aws_env: str, s3_bucket: str
) -> None:
    settings = wod_settings(base_url=wordpress.base_url, aws_endpoint=aws_env, bucket=s3_bucket)
    assert settings.lake_root == f"s3://{s3_bucket}/lake"

    result = run_job(settings, dg.DagsterInstance.ephemeral())

    assert result.success
    s3 = boto3.client("s3", endpoint_url=aws_env, region_name=REGION)
    keys = [
        o["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=s3_bucket)
        for o in page.get("Contents", [])
    ]
    for key in [*jsonl_keys(), *weekly_keys()]:
        assert f"lake/{key}" in keys
    assert any(k.startswith("lake/silver/wod_sessions.parquet") for k in keys)
    assert any(k.startswith("lake/gold/wod_weekly.parquet") for k in keys)
    assert_stored_layout(settings)
    assert sorted(dynamo_records(aws_env), key=_key) == sorted(silver_records(settings), key=_key)


def test_without_a_url_the_run_fails_clearly_and_the_location_loads(
    tmp_path: Path, aws_env: str
) -> None:
    settings = wod_settings(base_url=None, aws_endpoint=aws_env, local_root=tmp_path / "lake")
    defs = build_definitions(settings)  # the code location still loads
    assert defs.resolve_job_def("wod_job") is not None

    result = run_job(settings, dg.DagsterInstance.ephemeral())

    assert not result.success
    (failure,) = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    assert failure.step_key == "bronze__wod__raw_posts"
    assert "FITNESS_WORDPRESS_URL" in failure.step_failure_data.error.message
    retries = [
        e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY
    ]
    assert retries == []  # a missing URL is not retried
    assert not (tmp_path / "lake" / "silver").exists()


@pytest.mark.parametrize("with_credentials", [True, False])
def test_basic_auth_comes_from_invictus_env_vars(
    tmp_path: Path, aws_env: str, monkeypatch: pytest.MonkeyPatch, with_credentials: bool
) -> None:
    stub = WordPressStub(posts=week_posts(), credentials=("coach", "pa55-word"))
    with serve(stub):
        extra = {}
        if with_credentials:
            monkeypatch.setenv("INVICTUS_USER", "coach")
            monkeypatch.setenv("INVICTUS_PASS", "pa55-word")
            extra = {"INVICTUS_USER": "coach", "INVICTUS_PASS": "pa55-word"}
        settings = wod_settings(
            base_url=stub.base_url, aws_endpoint=aws_env, local_root=tmp_path / "lake", **extra
        )
        result = run_job(settings, dg.DagsterInstance.ephemeral())

    assert result.success is with_credentials
    if not with_credentials:
        messages = [
            e.step_failure_data.error.message
            for e in result.all_events
            if e.event_type == dg.DagsterEventType.STEP_FAILURE
        ]
        assert any("INVICTUS_USER/INVICTUS_PASS" in m for m in messages)
        assert len(stub.log) == 1  # refused credentials are not retried
    else:
        assert all(entry["authorization"] for entry in stub.log)
        assert "pa55-word" not in str(result.all_events)


def test_a_failed_check_blocks_dynamodb_and_gold(tmp_path: Path, aws_env: str) -> None:
    # Monday listed twice, once as a session and once as a rest day: one record per weekday
    # is broken without numbered sessions.
    content = (
        "<p><strong>Monday (Session One)</strong><br />A. Snatch x 3</p>"
        "<p><strong>Monday (Rest Day)</strong></p>"
    )
    with serve(WordPressStub(posts=[make_post(7, content=content)])) as stub:
        settings = wod_settings(
            base_url=stub.base_url, aws_endpoint=aws_env, local_root=tmp_path / "lake"
        )
        result = run_job(settings, dg.DagsterInstance.ephemeral())

    assert not result.success
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    assert checks["unique_date_session"].passed
    assert checks["date_within_post_week"].passed
    failed = checks["one_record_per_weekday"]
    assert not failed.passed
    assert failed.metadata["rows_failing"].value == 1
    assert failed.metadata["failure_sample"].value == [
        {"week_start": "2021-03-08", "weekday": "Monday", "sessions": ["Rest Day", "Session One"]}
    ]
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert dg.AssetKey(DYNAMO) not in materialized
    assert dg.AssetKey(WEEKLY) not in materialized
    assert not lake_of(settings).exists("gold/wod_weekly.parquet")
