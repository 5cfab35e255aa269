"""A Garmin activity source over exported files in a folder or an S3 prefix.

Every object below the prefix is read:

- ``*.json``: one activity dict in Garmin's JSON shape, or a list of them (the shape of
  ``activitylist-service/activities/search/activities``), kept exactly as written;
- ``*.fit``: a FIT activity file, mapped to the same field names by
  :func:`~fitness_platform.garmin.fit.parse_fit_activity`.

An activity seen more than once (as JSON and as FIT, or in two files) is returned once; the rules
are in :mod:`fitness_platform.garmin.identity` (the JSON record wins over the FIT one). A file
that cannot be read, and any other kind of file, is reported as ``(file, reason)`` and never
stops the others from loading.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fitness_platform.garmin.client import newest_first, validate_limit
from fitness_platform.garmin.fit import FitFileError, parse_fit_activity
from fitness_platform.garmin.identity import SourcedActivity, merge_activities
from fitness_platform.garmin.ids import InvalidActivityIdError, parse_activity_id
from fitness_platform.garmin.shape import ID, activity_source
from fitness_platform.storage.lake import Lake


@dataclass(frozen=True)
class FileLoad:
    """Everything one read of the files produced.

    Attributes:
        activities: one dict per activity, newest first.
        failures: ``(file, reason)`` for every file or list item that could not be used;
            a list item is named ``file[index]``.
        duplicates: ``(activity_id, reason)`` for every record dropped as another record of
            an activity that was kept.
    """

    activities: list[dict[str, Any]]
    failures: list[tuple[str, str]] = field(default_factory=list)
    duplicates: list[tuple[int, str]] = field(default_factory=list)


class FileActivitySource:
    """Exported Garmin activities (``.json`` and ``.fit``) below a prefix of a :class:`Lake`.

    Args:
        lake: the folder or ``s3://`` root the files live in.
        prefix: the key prefix below that root to read (``""`` reads everything).
    """

    def __init__(self, lake: Lake, prefix: str = "") -> None:
        self.lake = lake
        self.prefix = prefix.strip("/")
        self.last_load: FileLoad | None = None

    def __repr__(self) -> str:
        return f"FileActivitySource({self.lake!r}, prefix={self.prefix!r})"

    @classmethod
    def from_location(
        cls, location: str, storage_options: Mapping[str, Any] | None = None
    ) -> FileActivitySource:
        """A source reading a local folder or an ``s3://bucket/prefix`` location."""
        return cls(Lake(location, storage_options))

    def recent_activities(self, limit: int) -> list[dict[str, Any]]:
        """The ``limit`` most recent activities, newest first.

        The files that could not be read are in ``self.last_load.failures`` afterwards; call
        :meth:`load` directly to get them together with the activities.
        """
        validate_limit(limit)
        self.last_load = self.load()
        return self.last_load.activities[:limit]

    def load(self) -> FileLoad:
        """Read every file below the prefix (see the module docstring for the rules)."""
        records: list[SourcedActivity] = []
        failures: list[tuple[str, str]] = []
        for key in self.lake.list(self.prefix):
            name = key.rsplit("/", 1)[-1]
            if name.startswith("."):
                continue  # hidden files (.DS_Store, editor swap files) are not exports
            suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
            try:
                if suffix == "json":
                    records.extend(self._read_json(key, failures))
                elif suffix == "fit":
                    activity = parse_fit_activity(self.lake.read_bytes(key), key)
                    records.append(SourcedActivity(activity[ID], "fit", activity))
                else:
                    failures.append((key, "unsupported file type: only .json and .fit are read"))
            except (FitFileError, OSError, ValueError) as exc:
                failures.append((key, str(exc) or type(exc).__name__))
            except Exception as exc:
                # A decoder bug on one odd file must not cost the other files their load.
                failures.append((key, f"unexpected {type(exc).__name__}: {exc}"))
        merged = merge_activities(records)
        activities = newest_first(dict(record.activity) for record in merged.kept)
        return FileLoad(activities, failures, merged.dropped)

    def _read_json(self, key: str, failures: list[tuple[str, str]]) -> list[SourcedActivity]:
        try:
            document = json.loads(self.lake.read_bytes(key).decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            raise ValueError(f"not UTF-8 text: {exc}") from exc
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON: {exc}") from exc
        if isinstance(document, dict):
            items, names = [document], [key]
        elif isinstance(document, list):
            items, names = document, [f"{key}[{index}]" for index in range(len(document))]
        else:
            raise ValueError("JSON must be an activity object or a list of activity objects")
        records: list[SourcedActivity] = []
        for item, name in zip(items, names, strict=True):
            if not isinstance(item, dict):
                failures.append((name, f"not an activity object: {type(item).__name__}"))
                continue
            try:
                activity_id = parse_activity_id(item.get(ID))
            except InvalidActivityIdError as exc:
                failures.append((name, str(exc)))
                continue
            records.append(SourcedActivity(activity_id, activity_source(item), item))
        return records
