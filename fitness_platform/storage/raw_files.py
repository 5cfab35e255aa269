"""Listing raw tracker files in the local drop folder or under an S3 prefix."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fitness_platform.storage.lake import Lake
from fitness_platform.tracker.ingestion import RawFile, is_tracker_csv
from fitness_platform.tracker.sensing import local_checksum


@dataclass(frozen=True)
class RawListing:
    """Tracker CSVs found under a raw root, and the objects skipped with a reason."""

    files: list[RawFile]
    skipped: list[tuple[str, str]]


def _modified_at(info: dict) -> datetime:
    value = info.get("LastModified") or info.get("mtime") or info.get("created")
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromtimestamp(float(value or 0), tz=UTC)


def file_checksum(lake: Lake, key: str, info: dict, max_bytes: int | None = None) -> str:
    """The ETag on S3 (no download needed), else the local file's ledger checksum."""
    etag = info.get("ETag") or info.get("etag")
    if etag and not lake.is_local:
        return str(etag).strip('"')
    return local_checksum(Path(str(lake.path(key).path)), max_bytes)


def list_raw_files(raw: Lake, max_bytes: int | None = None) -> RawListing:
    """Every tracker CSV below ``raw`` with size, modification time (UTC) and checksum.

    Local files over ``max_bytes`` are identified without being read (see ``local_checksum``).
    """
    files: list[RawFile] = []
    skipped: list[tuple[str, str]] = []
    for key in raw.list():
        if not is_tracker_csv(key):
            skipped.append((key, "not a .csv file"))
            continue
        info = raw.path(key).fs.info(raw.path(key).path)
        files.append(
            RawFile(
                relative_path=key,
                size=int(info.get("size") or info.get("Size") or 0),
                modified_at=_modified_at(info),
                checksum=file_checksum(raw, key, info, max_bytes),
            )
        )
    return RawListing(files=files, skipped=skipped)
