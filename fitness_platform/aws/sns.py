"""Alerts: readable messages for failed checks and runs, published to SNS or logged only."""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from pydantic import Field

from fitness_platform.aws.session import AwsClientResource

logger = logging.getLogger("fitness_platform.alerts")

SUBJECT_MAX_CHARS = 100  # SNS Publish limit for Subject
MESSAGE_MAX_BYTES = 256 * 1024  # SNS Publish limit for Message (with attributes)
_MESSAGE_BUDGET_BYTES = MESSAGE_MAX_BYTES - 8 * 1024  # room for attributes
_SUBJECT_PREFIX = "[fitness_platform]"
_FALLBACK_SUBJECT = f"{_SUBJECT_PREFIX} alert"
_ASCII_FOR = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "..."})


def sns_subject(subject: str) -> str:
    """``subject`` made acceptable to SNS: ASCII, one line, at most 100 characters.

    Accents are stripped (``é`` -> ``e``), other non-ASCII characters dropped, control
    characters and runs of whitespace become one space, and a long subject is cut to 97
    characters plus ``...``. An empty result becomes a generic subject.
    """
    text = unicodedata.normalize("NFKD", subject.translate(_ASCII_FOR))
    text = text.encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[\x00-\x20\x7f]+", " ", text).strip()
    if len(text) > SUBJECT_MAX_CHARS:
        text = text[: SUBJECT_MAX_CHARS - 3].rstrip() + "..."
    return text or _FALLBACK_SUBJECT


def message_text(message: str | Mapping[str, Any]) -> str:
    """The SNS message body: a string as is, a mapping as indented JSON; cut to SNS's size."""
    if isinstance(message, str):
        text = message
    else:
        text = json.dumps(message, indent=2, sort_keys=True, default=str, ensure_ascii=False)
    text = text or "(empty message)"
    data = text.encode("utf-8")
    if len(data) <= _MESSAGE_BUDGET_BYTES:
        return text
    marker = "\n[message truncated]"
    head = data[: _MESSAGE_BUDGET_BYTES - len(marker)].decode("utf-8", "ignore")
    return head + marker


def message_attributes(attributes: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """SNS MessageAttributes: numbers as ``Number``, everything else as ``String``; None skipped."""
    out: dict[str, dict[str, str]] = {}
    for name, value in attributes.items():
        if value is None:
            continue
        if isinstance(value, int | float) and not isinstance(value, bool):
            out[name] = {"DataType": "Number", "StringValue": str(value)}
        else:
            out[name] = {"DataType": "String", "StringValue": str(value)}
    return out


def _asset_name(asset: Any) -> str:
    if hasattr(asset, "to_user_string"):  # dg.AssetKey
        return asset.to_user_string()
    if isinstance(asset, Sequence) and not isinstance(asset, str):
        return "/".join(str(part) for part in asset)
    return str(asset)


def short_reason(text: str | None, limit: int = 500) -> str:
    """One line of at most ``limit`` characters; for a Python traceback, its last line."""
    if not text or not text.strip():
        return "(no reason given)"
    if "Traceback (most recent call last)" in text:
        lines = [line for line in text.splitlines() if line.strip()]
        text = lines[-1]
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _count(value: int | None) -> str:
    return "unknown" if value is None else f"{value:,}"


def _table(rows: Sequence[tuple[str, str]]) -> str:
    width = max(len(label) for label, _ in rows) + 1
    return "\n".join(f"{label + ':':<{width}} {value}" for label, value in rows)


def format_check_alert(
    asset: Any,
    check: str,
    partition: str | None,
    rows_checked: int | None,
    rows_failing: int | None,
    run_id: str | None,
    reason: str | None,
) -> tuple[str, str]:
    """Subject and body for a failed asset check.

    ``asset`` may be a string, a path such as ``["silver", "daily_activity"]`` or a
    ``dg.AssetKey``. The body names the asset, check, partition, row counts (with the
    failing share), run id and a one-line reason.
    """
    name = _asset_name(asset)
    where = f" [{partition}]" if partition else ""
    subject = sns_subject(f"{_SUBJECT_PREFIX} Check failed: {name} {check}{where}")
    failing = _count(rows_failing)
    if rows_failing is not None and rows_checked:
        failing += f" ({rows_failing / rows_checked:.2%})"
    body = "\n".join(
        [
            "An asset check failed.",
            "",
            _table(
                [
                    ("Asset", name),
                    ("Check", check),
                    ("Partition", partition or "(not partitioned)"),
                    ("Rows checked", _count(rows_checked)),
                    ("Rows failing", failing),
                    ("Run id", run_id or "(unknown)"),
                    ("Reason", short_reason(reason)),
                ]
            ),
        ]
    )
    return subject, body


def format_run_failure_alert(
    job: str, run_id: str | None, step: str | None, error: str | None
) -> tuple[str, str]:
    """Subject and body for a failed run: job, run id, failing step and a short error."""
    at = f" at {step}" if step else ""
    subject = sns_subject(f"{_SUBJECT_PREFIX} Run failed: {job}{at}")
    body = "\n".join(
        [
            "A Dagster run failed.",
            "",
            _table(
                [
                    ("Job", job),
                    ("Run id", run_id or "(unknown)"),
                    ("Step", step or "(unknown)"),
                    ("Error", short_reason(error, limit=1000)),
                ]
            ),
        ]
    )
    return subject, body


class SNSAlertsResource(AwsClientResource):
    """Publishes alerts to an SNS topic; with no topic configured they are logged only."""

    service: ClassVar[str] = "sns"

    topic_arn: str | None = Field(
        default=None,
        description="SNS topic for alerts (FITNESS_ALERT_TOPIC_ARN); empty means log only.",
    )

    def publish(
        self,
        subject: str,
        message: str | Mapping[str, Any],
        attributes: Mapping[str, Any] | None = None,
    ) -> str | None:
        """Publish an alert and return its SNS message id, or log it and return None.

        The subject is cleaned with :func:`sns_subject`, a mapping message becomes JSON.
        Errors from SNS propagate (after botocore's standard retries), so the caller decides
        whether a lost alert should fail its step.
        """
        subject = sns_subject(subject)
        body = message_text(message)
        if not self.topic_arn:
            logger.warning(
                "alert (logged only: no SNS topic configured): %s\n%s%s",
                subject,
                body,
                f"\nattributes: {dict(attributes)}" if attributes else "",
            )
            return None
        request: dict[str, Any] = {"TopicArn": self.topic_arn, "Subject": subject, "Message": body}
        if attributes:
            request["MessageAttributes"] = message_attributes(attributes)
        message_id = self.get_client().publish(**request)["MessageId"]
        logger.info("alert published to %s as %s: %s", self.topic_arn, message_id, subject)
        return message_id
