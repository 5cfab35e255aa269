"""Per-week files under a lake prefix, kept in step with their table.

No Dagster here. :func:`sync_files` writes each file whose text changed (so a rerun with the
same data writes nothing and its count of written weeks is honest) and removes files under the
prefix that the table no longer produces (a post whose week changed would otherwise leave its
old week's file behind).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from fitness_platform.storage.lake import Lake


@dataclass
class FileSync:
    """What :func:`sync_files` did, key by key (keys relative to the lake root)."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Files written, unchanged and removed."""
        return {
            "files_written": len(self.written),
            "files_unchanged": len(self.unchanged),
            "files_removed": len(self.removed),
        }


def sync_files(lake: Lake, prefix: str, suffix: str, files: Mapping[str, str]) -> FileSync:
    """Make ``prefix`` hold exactly ``files`` (``{key: text}``, keys under ``prefix``).

    Args:
        lake: The lake root.
        prefix: The folder the files live in, e.g. ``silver/wod/sessions``.
        suffix: Their extension, e.g. ``.jsonl``; other files under the prefix are left alone.
        files: The wanted files, text in UTF-8.

    Returns:
        A :class:`FileSync`.

    Raises:
        ValueError: A key is not under ``prefix`` or lacks ``suffix``.
    """
    outside = [k for k in files if not (k.startswith(f"{prefix}/") and k.endswith(suffix))]
    if outside:
        raise ValueError(f"keys not under {prefix}/ with suffix {suffix}: {outside[:5]}")
    sync = FileSync()
    existing = set(lake.list(prefix, suffix=suffix))
    for key in sorted(files):
        if key in existing and lake.read_text(key) == files[key]:
            sync.unchanged.append(key)
            continue
        lake.write_text(key, files[key])
        sync.written.append(key)
    for key in sorted(existing - set(files)):
        lake.delete(key)
        sync.removed.append(key)
    return sync
