"""Sensors that start bronze runs when raw tracker files land, and refresh what depends on them.

* ``tracker_drop_folder_sensor`` watches the local drop folder (when the raw root is local).
* ``tracker_s3_sensor`` watches the S3 raw prefix (when the raw root is ``s3://``), by listing
  with ``dagster_aws.s3.sensor.get_objects`` or, with ``FITNESS_S3_EVENTS_QUEUE_URL``, by
  reading S3 event notifications from SQS.
* ``tracker_automation_sensor`` evaluates the eager automation conditions of silver, gold and
  everything downstream, so they refresh once new bronze partitions are materialised.

Each tick adds one dynamic partition per new file and requests one bronze run covering all
of them; its run key is a digest of the files' identities (key plus ETag or SHA-256). The
decisions are pure functions in ``fitness_platform.tracker.sensing``; see docs/sensors.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import dagster as dg

from fitness_platform.aws.session import boto3_client
from fitness_platform.defs.resources import LakeResource, TrackerIngestResource
from fitness_platform.defs.tracker.jobs import tracker_bronze_job
from fitness_platform.defs.tracker.partitions import RAW_FILE_PARTITIONS
from fitness_platform.tracker.ingestion import load_ledger
from fitness_platform.tracker.sensing import (
    PendingAck,
    RawObject,
    SensorCursor,
    list_local_objects,
    parse_s3_event,
    partition_range,
    pending_receipts,
    relative_to_prefix,
    select_batch,
    skip_reason_for,
)

RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"
RUN_KEY_TAG = "dagster/run_key"
TICK_INTERVAL_S = 30
LOGGED_NAMES = 50  # per list in a tick's log; the rest are counted
SQS_VISIBILITY_S = 600  # longer than a few ticks, so a message stays hidden until acknowledged
SQS_MAX_MESSAGES = 1000  # per tick; the rest wait for the next tick


def _log_names(context: dg.SensorEvaluationContext, header: str, lines: list[str]) -> None:
    if not lines:
        return
    shown = lines[:LOGGED_NAMES]
    more = f"\n  ... and {len(lines) - len(shown)} more" if len(lines) > len(shown) else ""
    context.log.info(f"{header} ({len(lines)}):\n  " + "\n  ".join(shown) + more)


def _tick_result(
    context: dg.SensorEvaluationContext,
    cursor: SensorCursor,
    objects: list[RawObject],
    lake: LakeResource,
    source: str,
) -> dg.SensorResult:
    """The tick's partitions, its one run request (if anything is new) and the new cursor."""
    ledger = load_ledger(lake.lake())
    ordered = list(context.instance.get_dynamic_partitions(RAW_FILE_PARTITIONS.name))
    selection = select_batch(objects, cursor=cursor, ledger=ledger, known_partitions=set(ordered))
    cursor.advance(objects)
    _log_names(
        context, "left out, already handled", [f"{o.key}: {why}" for o, why in selection.already]
    )
    if not selection.batch or selection.run_key is None:
        return dg.SensorResult(
            skip_reason=f"no new or changed tracker CSV in {source}", cursor=cursor.to_json()
        )
    known = set(ordered)
    new_keys = [k for k in dict.fromkeys(selection.partition_keys) if k not in known]
    start, end = partition_range(ordered, selection.partition_keys)
    _log_names(
        context,
        f"new or changed files in {source}, partition <- source object",
        [f"{o.partition_key} <- {o.key} ({o.checksum[:12]})" for o in selection.batch],
    )
    request = dg.RunRequest(
        run_key=selection.run_key,
        tags={RANGE_START: start, RANGE_END: end, "fitness/raw_files": str(len(selection.batch))},
    )
    return dg.SensorResult(
        run_requests=[request],
        dynamic_partitions_requests=(
            [RAW_FILE_PARTITIONS.build_add_request(new_keys)] if new_keys else []
        ),
        cursor=cursor.to_json(),
    )


def _note_skips(
    context: dg.SensorEvaluationContext,
    cursor: SensorCursor,
    skipped: Iterable[tuple[RawObject, str]],
) -> None:
    lines = [
        f"{obj.key}: {reason}"
        for obj, reason in skipped
        if cursor.note_skipped(obj.key, obj.modified_at, obj.size, reason)
    ]
    _log_names(context, "skipped objects", lines)


@dg.sensor(
    name="tracker_drop_folder_sensor",
    job=tracker_bronze_job,
    minimum_interval_seconds=TICK_INTERVAL_S,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Start one bronze run for the new or changed CSVs in the local drop folder "
    "(FITNESS_RAW_PATH, default <lake>/raw). Idle when the raw root is on S3.",
)
def tracker_drop_folder_sensor(
    context: dg.SensorEvaluationContext, ingest: TrackerIngestResource, lake: LakeResource
) -> dg.SensorResult | dg.SkipReason:
    """Watch the local drop folder: one dynamic partition per new file, one run per tick."""
    if ingest.raw_root.startswith("s3://"):
        return dg.SkipReason(
            f"raw root {ingest.raw_root} is on S3: tracker_s3_sensor watches it, "
            "this sensor only watches a local drop folder"
        )
    cursor = SensorCursor.from_json(context.cursor)
    root = Path(ingest.raw_root).expanduser().resolve()
    if not root.is_dir():
        return dg.SkipReason(f"drop folder {root} does not exist yet; create it to ingest")
    objects, skipped = list_local_objects(root, cursor, ingest.max_file_mb * 1024 * 1024)
    _note_skips(context, cursor, skipped)
    return _tick_result(context, cursor, objects, lake, f"drop folder {root}")


def split_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix/`` -> (``bucket``, ``some/prefix``)."""
    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    return bucket, prefix.strip("/")


def _listed_objects(
    client: object, bucket: str, prefix: str, cursor: SensorCursor
) -> tuple[list[RawObject], list[tuple[RawObject, str]]]:
    """Objects under the prefix modified after the cursor's horizon (all pages)."""
    found: list[RawObject] = []
    skipped: list[tuple[RawObject, str]] = []
    # dagster_aws costs seconds to import; only S3 ticks pay for it, not every code load.
    from dagster_aws.s3.sensor import get_objects

    listed = get_objects(
        bucket,
        prefix=f"{prefix}/" if prefix else "",
        since_last_modified=cursor.since(),
        client=client,
    )
    for item in listed:
        key = relative_to_prefix(str(item["Key"]), prefix) or ""
        obj = RawObject(
            key=key,
            checksum=str(item.get("ETag", "")).strip('"'),
            modified_at=item["LastModified"],
            size=int(item.get("Size", 0)),
        )
        reason = skip_reason_for(key)
        if reason is None:
            found.append(obj)
        else:
            skipped.append((obj, reason))
    return found, skipped


def _delete_acknowledged(
    context: dg.SensorEvaluationContext, sqs: object, queue_url: str, cursor: SensorCursor
) -> None:
    """Delete the messages whose run requests the instance has recorded since the last tick."""
    run_keys = {k for ack in cursor.acks for k in ack.run_keys}
    recorded = {
        key: bool(
            context.instance.get_run_ids(filters=dg.RunsFilter(tags={RUN_KEY_TAG: key}), limit=1)
        )
        for key in run_keys
    }
    ready = pending_receipts(cursor.acks, recorded)
    waiting = len(cursor.acks) - len(ready)
    failed = _delete_messages(context, sqs, queue_url, ready)
    done = set(ready)  # a failed delete had an expired receipt: the message comes back
    cursor.acks = [a for a in cursor.acks if a.receipt not in done]
    if ready:
        context.log.info(f"deleted {len(ready) - len(failed)} SQS message(s) whose run is recorded")
    if waiting:
        context.log.info(f"{waiting} SQS message(s) wait until their run key is recorded")


def _delete_messages(
    context: dg.SensorEvaluationContext, sqs: object, queue_url: str, receipts: list[str]
) -> list[str]:
    """Delete messages in batches of 10; returns the receipts that could not be deleted."""
    failed: list[str] = []
    for start in range(0, len(receipts), 10):
        chunk = receipts[start : start + 10]
        response = sqs.delete_message_batch(  # type: ignore[attr-defined]
            QueueUrl=queue_url,
            Entries=[{"Id": str(i), "ReceiptHandle": r} for i, r in enumerate(chunk)],
        )
        for failure in response.get("Failed", []):
            # An expired receipt: the message is visible again and a later tick re-reads it,
            # sees its identity as handled and deletes it with the new receipt.
            failed.append(chunk[int(failure["Id"])])
            context.log.warning(f"could not delete an SQS message: {failure.get('Message')}")
    return failed


def _receive(sqs: object, queue_url: str) -> list[dict]:
    messages: list[dict] = []
    while len(messages) < SQS_MAX_MESSAGES:
        response = sqs.receive_message(  # type: ignore[attr-defined]
            QueueUrl=queue_url,
            MaxNumberOfMessages=10,
            VisibilityTimeout=SQS_VISIBILITY_S,
            WaitTimeSeconds=0,
        )
        batch = response.get("Messages", [])
        if not batch:
            break
        messages.extend(batch)
    return messages


def _sqs_tick(
    context: dg.SensorEvaluationContext,
    cursor: SensorCursor,
    *,
    queue_url: str,
    bucket: str,
    prefix: str,
    lake: LakeResource,
    sqs: object,
) -> dg.SensorResult:
    """Read S3 event notifications; a message is deleted only once its run key is recorded."""
    _delete_acknowledged(context, sqs, queue_url, cursor)
    messages = _receive(sqs, queue_url)
    objects: list[RawObject] = []
    keys_of: dict[str, list[str]] = {}
    notes: list[str] = []
    skipped: list[tuple[RawObject, str]] = []
    for message in messages:
        records, ignored = parse_s3_event(message.get("Body", ""))
        notes += [f"message {message.get('MessageId')}: {n}" for n in ignored]
        keys_of[message["ReceiptHandle"]] = []
        for record in records:
            key = relative_to_prefix(record.key, prefix) if record.bucket == bucket else None
            if key is None:
                notes.append(f"s3://{record.bucket}/{record.key}: outside {bucket}/{prefix}")
                continue
            obj = RawObject(key, record.etag, record.event_time, record.size)
            reason = skip_reason_for(key)
            if reason is None:
                objects.append(obj)
                keys_of[message["ReceiptHandle"]].append(key)
            else:
                skipped.append((obj, reason))
    _log_names(context, "ignored SQS messages or records", notes)
    _note_skips(context, cursor, skipped)
    result = _tick_result(context, cursor, objects, lake, f"SQS queue {queue_url}")
    delete_now: list[str] = []
    for receipt, keys in keys_of.items():
        run_keys = sorted(
            {rk for k in keys if (seen := cursor.seen.get(k)) and (rk := seen.run_key)}
        )
        if run_keys:
            cursor.acks.append(PendingAck(receipt, run_keys))
        else:  # nothing to ingest (skipped, or the ledger already holds it): safe to drop
            delete_now.append(receipt)
    failed = _delete_messages(context, sqs, queue_url, delete_now)
    if len(delete_now) > len(failed):
        context.log.info(f"deleted {len(delete_now) - len(failed)} message(s) with nothing to run")
    return dg.SensorResult(
        run_requests=result.run_requests,
        dynamic_partitions_requests=result.dynamic_partitions_requests,
        skip_reason=result.skip_reason,
        cursor=cursor.to_json(),
    )


@dg.sensor(
    name="tracker_s3_sensor",
    job=tracker_bronze_job,
    minimum_interval_seconds=TICK_INTERVAL_S,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Start one bronze run for the new or changed CSVs under the S3 raw prefix, "
    "by listing it or, with FITNESS_S3_EVENTS_QUEUE_URL, from S3 event notifications on "
    "SQS. Idle when the raw root is a local folder.",
)
def tracker_s3_sensor(
    context: dg.SensorEvaluationContext, ingest: TrackerIngestResource, lake: LakeResource
) -> dg.SensorResult | dg.SkipReason:
    """Watch the S3 raw prefix: one dynamic partition per new object, one run per tick."""
    if not ingest.raw_root.startswith("s3://"):
        return dg.SkipReason(
            f"raw root {ingest.raw_root} is a local folder: tracker_drop_folder_sensor "
            "watches it, this sensor only watches S3"
        )
    bucket, prefix = split_s3_uri(ingest.raw_root)
    cursor = SensorCursor.from_json(context.cursor)
    if ingest.events_queue_url:
        sqs = boto3_client("sqs", region_name=ingest.region_name, endpoint_url=ingest.endpoint_url)
        return _sqs_tick(
            context,
            cursor,
            queue_url=ingest.events_queue_url,
            bucket=bucket,
            prefix=prefix,
            lake=lake,
            sqs=sqs,
        )
    client = boto3_client("s3", region_name=ingest.region_name, endpoint_url=ingest.endpoint_url)
    objects, skipped = _listed_objects(client, bucket, prefix, cursor)
    _note_skips(context, cursor, skipped)
    return _tick_result(context, cursor, objects, lake, f"s3://{bucket}/{prefix}")


tracker_automation_sensor = dg.AutomationConditionSensorDefinition(
    name="tracker_automation_sensor",
    target=dg.AssetSelection.groups("tracker").downstream(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=TICK_INTERVAL_S,
    description="Evaluates the eager automation conditions of silver, gold and everything "
    "downstream of the tracker group, so they refresh once after new bronze partitions "
    "land. Running by default: Dagster's own default automation sensor starts stopped.",
)
