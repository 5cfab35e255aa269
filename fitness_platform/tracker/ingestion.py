"""Which raw files to ingest: partition keys, file identities and the ingestion ledger.

The ledger (file, size, checksum, modification time, status, rows) lives under the lake root
next to bronze, not only in ``DAGSTER_HOME``, so a fresh Dagster instance or another machine
pointed at the same lake agrees on what has been ingested. A file is ingested once, and again
only when its content changed.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from fitness_platform.storage.lake import Lake
from fitness_platform.tracker.bronze import ParsedFile, failed_file, parse_tracker_csv

LEDGER_KEY = "bronze/_ledger/fitness_logs.json"
MAX_PARTITION_KEY_LENGTH = 120
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def is_tracker_csv(name: str) -> bool:
    """Whether a raw object looks like a tracker CSV (by its extension, case-insensitively)."""
    return name.lower().endswith(".csv")


def partition_key_for(relative_path: str) -> str:
    """A readable, unique, valid dynamic partition key for a raw file's relative path.

    Folder separators become ``__`` and anything outside ``[A-Za-z0-9._-]`` becomes ``_``
    after NFKD folding (so ``Übung.csv`` reads ``Ubung.csv``). When the key had to change, or
    would be too long, an 8-hex-digit digest of the exact original path is appended, so two
    different paths can never share a key.
    """
    folded = unicodedata.normalize("NFKD", relative_path).encode("ascii", "ignore").decode()
    readable = _UNSAFE.sub("_", folded.replace("/", "__")).strip("._") or "file"
    readable = readable.replace("...", "_")
    if readable == relative_path and len(readable) <= MAX_PARTITION_KEY_LENGTH:
        return readable
    digest = hashlib.sha256(relative_path.encode("utf-8")).hexdigest()[:8]
    return f"{readable[: MAX_PARTITION_KEY_LENGTH - 9]}-{digest}"


@dataclass(frozen=True)
class RawFile:
    """A raw tracker file as listed from the drop folder or the S3 prefix."""

    relative_path: str
    size: int
    modified_at: datetime
    checksum: str

    @property
    def partition_key(self) -> str:
        """Its dynamic partition key."""
        return partition_key_for(self.relative_path)

    @property
    def identity(self) -> str:
        """Path plus content checksum: an unchanged file has an unchanged identity."""
        return f"{self.relative_path}@{self.checksum}"


@dataclass
class LedgerEntry:
    """One row of the ingestion ledger."""

    source_file: str
    partition_key: str
    size: int
    checksum: str
    modified_at: str
    status: str
    rows: int = 0
    rejects: int = 0
    reason: str | None = None
    ingested_at: str | None = None
    run_id: str | None = None


@dataclass
class Ledger:
    """The ingestion ledger of one lake, keyed by source file."""

    entries: dict[str, LedgerEntry] = field(default_factory=dict)

    def is_current(self, raw: RawFile) -> bool:
        """Whether ``raw`` was already ingested (or failed) with exactly this content."""
        entry = self.entries.get(raw.relative_path)
        return entry is not None and entry.checksum == raw.checksum and entry.status != "pending"

    def pending(self, files: list[RawFile]) -> list[RawFile]:
        """The files that are new or whose content changed since they were ingested."""
        return [raw for raw in files if not self.is_current(raw)]

    def failed(self) -> list[LedgerEntry]:
        """Entries whose file failed as a whole."""
        return [e for e in self.entries.values() if e.status == "failed"]

    def record(
        self,
        raw: RawFile,
        *,
        status: str,
        rows: int,
        rejects: int,
        reason: str | None,
        ingested_at: datetime,
        run_id: str | None,
    ) -> None:
        """Record the outcome of ingesting ``raw``."""
        self.entries[raw.relative_path] = LedgerEntry(
            source_file=raw.relative_path,
            partition_key=raw.partition_key,
            size=raw.size,
            checksum=raw.checksum,
            modified_at=raw.modified_at.astimezone(UTC).isoformat(),
            status=status,
            rows=rows,
            rejects=rejects,
            reason=reason,
            ingested_at=ingested_at.astimezone(UTC).isoformat(),
            run_id=run_id,
        )

    def to_json(self) -> str:
        """Stable JSON text of the ledger."""
        return json.dumps(
            {"version": 1, "files": [asdict(e) for _, e in sorted(self.entries.items())]},
            indent=1,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Ledger:
        """Parse a ledger written by :meth:`to_json`."""
        data = json.loads(text)
        return cls({e["source_file"]: LedgerEntry(**e) for e in data.get("files", [])})


def load_ledger(lake: Lake) -> Ledger:
    """The lake's ledger, empty when none was written yet."""
    return Ledger.from_json(lake.read_text(LEDGER_KEY)) if lake.exists(LEDGER_KEY) else Ledger()


def save_ledger(lake: Lake, ledger: Ledger) -> None:
    """Write the ledger atomically next to bronze."""
    lake.write_text(LEDGER_KEY, ledger.to_json())


def ingest_raw_file(
    raw_lake: Lake,
    raw: RawFile,
    *,
    ingested_at: datetime,
    max_row_kb: int,
    max_file_mb: int,
    workers: int | None = None,
) -> ParsedFile:
    """Read and parse one raw file; an oversize file is refused before it is read."""
    limit = max_file_mb * 1024 * 1024
    if raw.size > limit:
        reason = f"file_too_large: {raw.size} bytes > FITNESS_MAX_FILE_MB={max_file_mb}"
        return failed_file(raw.relative_path, reason, "")
    return parse_tracker_csv(
        raw_lake.read_bytes(raw.relative_path),
        source_file=raw.relative_path,
        modified_at=raw.modified_at,
        ingested_at=ingested_at,
        max_row_kb=max_row_kb,
        workers=workers,
    )
