"""``run_wod``: the WOD part of ``fitness-platform run``, and the weekly schedule."""

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from fitness_platform.definitions import build_definitions
from fitness_platform.defs.wod.jobs import WOD_CRON, wod_job, wod_weekly_schedule
from fitness_platform.defs.wod.notify import INLINE, NOTIFY_TAG, wod_success_notification
from fitness_platform.defs.wod.resources import WordPressResource
from fitness_platform.wod_run import SKIPPED, run_wod
from fitness_platform_tests.wod.wp_server import WordPressStub
from fitness_platform_tests.wod_defs.helpers import (
    dynamo_records,
    jsonl_keys,
    lake_of,
    weekly_keys,
    wod_settings,
)
from fitness_platform_tests.wod_defs.weeks import Inbox


def test_run_wod_materialises_everything_then_stores_nothing_new(
    tmp_path: Path, wordpress: WordPressStub, aws_env: str, inbox: Inbox
) -> None:
    settings = wod_settings(
        base_url=wordpress.base_url,
        aws_endpoint=aws_env,
        local_root=tmp_path / "lake",
        topic_arn=inbox.topic_arn,
    )
    instance = dg.DagsterInstance.ephemeral()
    lines: list[str] = []

    code, counts = run_wod(settings, instance, lines.append)

    assert code == 0
    assert counts["posts_fetched"] == 3 and counts["posts_written"] == 3
    assert counts["sessions"] == 18 and counts["weeks"] == 3
    assert counts["dynamodb_items_written"] == 18
    assert [w["week_start"] for w in counts["weeks_written"]] == [
        "2020-12-28",
        "2021-03-08",
        "2021-03-15",
    ]
    lake = lake_of(settings)
    assert lake.list("silver/wod/sessions", suffix=".jsonl") == jsonl_keys()
    assert lake.list("gold/wod/weekly", suffix=".json") == weekly_keys()
    assert len(dynamo_records(aws_env)) == 18
    (message,) = inbox.messages()
    assert "3 week(s), 15 session(s), 3 rest day(s)" in message["Subject"]
    assert any("summary published" in line for line in lines)

    code, counts = run_wod(settings, instance, lines.append)

    assert code == 0
    assert counts["posts_written"] == 0 and counts["posts_updated"] == 0
    assert counts["posts_skipped"] == 3
    assert counts["weeks_written"] == []
    assert len(dynamo_records(aws_env)) == 18
    (message,) = inbox.messages()
    assert "0 week(s)" in message["Subject"]

    # The runs carry the inline tag, so a daemon's sensor would not publish them again.
    run = instance.get_runs(dg.RunsFilter(job_name=wod_job.name))[0]
    assert run.tags[NOTIFY_TAG] == INLINE
    (event,) = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.RUN_SUCCESS)
    context = dg.build_run_status_sensor_context(
        sensor_name=wod_success_notification.name,
        dagster_event=event.dagster_event,
        dagster_instance=instance,
        dagster_run=run,
        resources={"alerts": build_definitions(settings).resources["alerts"]},
    )
    assert isinstance(wod_success_notification(context), dg.SkipReason)
    assert inbox.messages() == []


def test_run_wod_without_a_url_says_it_skipped(tmp_path: Path, aws_env: str) -> None:
    settings = wod_settings(base_url=None, aws_endpoint=aws_env, local_root=tmp_path / "lake")
    lines: list[str] = []

    assert run_wod(settings, dg.DagsterInstance.ephemeral(), lines.append) == (0, {})

    assert lines == [SKIPPED]
    assert SKIPPED == "WOD: skipped (FITNESS_WORDPRESS_URL not set)"
    assert not (tmp_path / "lake").exists()


def test_run_wod_reports_a_failing_site(
    tmp_path: Path, wordpress: WordPressStub, aws_env: str
) -> None:
    wordpress.credentials = ("someone", "else")  # the site now wants credentials we lack
    settings = wod_settings(
        base_url=wordpress.base_url, aws_endpoint=aws_env, local_root=tmp_path / "lake"
    )
    lines: list[str] = []

    code, counts = run_wod(settings, dg.DagsterInstance.ephemeral(), lines.append)

    assert code == 1
    assert counts["failures"][0].startswith("step bronze__wod__raw_posts")
    assert any("INVICTUS_USER/INVICTUS_PASS" in line for line in lines)


def test_weekly_schedule_sunday_evening_utc() -> None:
    assert WOD_CRON == "0 18 * * 0"
    assert wod_weekly_schedule.cron_schedule == "0 18 * * 0"
    assert wod_weekly_schedule.execution_timezone == "UTC"
    assert wod_weekly_schedule.job_name == "wod_job"
    tick = datetime(2021, 3, 14, 18, 0, tzinfo=UTC)  # a Sunday

    configured = dg.build_schedule_context(
        scheduled_execution_time=tick,
        resources={"wordpress": WordPressResource(base_url="http://127.0.0.1:9")},
    )
    (request,) = wod_weekly_schedule.evaluate_tick(configured).run_requests or []
    assert request.run_key == tick.isoformat()

    unconfigured = dg.build_schedule_context(
        scheduled_execution_time=tick, resources={"wordpress": WordPressResource()}
    )
    data = wod_weekly_schedule.evaluate_tick(unconfigured)
    assert not data.run_requests
    assert "FITNESS_WORDPRESS_URL" in (data.skip_message or "")
