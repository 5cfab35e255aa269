"""The fixture weeks of the WOD Dagster tests and an SNS inbox reader."""

import json
from dataclasses import dataclass
from typing import Any

from fitness_platform_tests.wod.posts import make_post

# Three weeks of the standard fixture programme (Monday-Saturday, Thursday a rest day): one
# inside March, one the next week, one spanning a year end (ISO week 53 of 2020).
WEEK_SLUGS = {
    1: ("march-8-14-2021-5-day-weightlifting-program", "2021-03-07T17:00:00"),
    2: ("march-15-21-2021-5-day-weightlifting-program", "2021-03-14T17:00:00"),
    3: ("december-28-2020-january-3-2021-5-day-weightlifting-program", "2020-12-27T17:00:00"),
}
WEEKS = {
    ("2021-03-08", "2021-03-14"): "2021/week_10--2021-03-08__2021-03-14",
    ("2021-03-15", "2021-03-21"): "2021/week_11--2021-03-15__2021-03-21",
    ("2020-12-28", "2021-01-03"): "2020/week_53--2020-12-28__2021-01-03",
}
SESSIONS_PER_WEEK = 5
REST_DAYS_PER_WEEK = 1


def week_posts() -> list[dict[str, Any]]:
    """The three week posts as WordPress serves them."""
    return [
        make_post(pid, slug=slug, title=f"Week {pid}", date=date)
        for pid, (slug, date) in WEEK_SLUGS.items()
    ]


@dataclass
class Inbox:
    """An SNS topic and the SQS queue subscribed to it."""

    topic_arn: str
    sqs: Any
    queue_url: str

    def messages(self) -> list[dict[str, Any]]:
        """The SNS envelopes delivered so far (each read once)."""
        found: list[dict[str, Any]] = []
        while True:
            batch = self.sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
            ).get("Messages", [])
            if not batch:
                return found
            for message in batch:
                found.append(json.loads(message["Body"]))
                self.sqs.delete_message(
                    QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
