"""The lake root: one object-store-like API over a local folder or an ``s3://`` prefix.

Local writes go to a temporary file in the same folder and are renamed into place, so a
reader (or a crash) never sees half a file. On S3 every object is written with one PUT,
which S3 makes visible atomically.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from upath import UPath

from fitness_platform.storage.keys import safe_relative_key

TEMP_PREFIX = ".tmp-"


def s3_storage_options(endpoint_url: str | None) -> dict[str, Any]:
    """fsspec/s3fs options for an S3 root; credentials come from the AWS chain, never here.

    Listings are never cached: another process may write an object after we listed its
    folder, and an existence check must see it.
    """
    options: dict[str, Any] = {"use_listings_cache": False}
    if endpoint_url:
        options["client_kwargs"] = {"endpoint_url": endpoint_url}
    return options


class Lake:
    """A lake root addressed by relative keys such as ``bronze/garmin/activity_1.json``."""

    def __init__(self, root: str, options: Mapping[str, Any] | None = None) -> None:
        self.root = root.rstrip("/")
        self.is_local = "://" not in self.root or self.root.startswith("file://")
        self.options = dict(options or {})
        if not self.is_local:
            self.options.setdefault("use_listings_cache", False)

    def __repr__(self) -> str:
        return f"Lake({self.root!r})"

    def path(self, key: str = "") -> UPath:
        """The UPath of a key below the root (the root itself for an empty key)."""
        base = UPath(self.root, **self.options)
        return base / safe_relative_key(key) if key else base

    def uri(self, key: str) -> str:
        """A printable location of ``key`` (a local path or an ``s3://`` URI)."""
        return f"{self.root}/{safe_relative_key(key)}"

    def exists(self, key: str) -> bool:
        """Whether an object exists (``head_object`` on S3, a stat locally)."""
        return self.path(key).exists()

    def read_bytes(self, key: str) -> bytes:
        """The object's bytes."""
        return self.path(key).read_bytes()

    def read_text(self, key: str) -> str:
        """The object's text, decoded as UTF-8."""
        return self.read_bytes(key).decode("utf-8")

    def write_bytes(self, key: str, data: bytes) -> None:
        """Write an object atomically: temp file + rename locally, one PUT on S3."""
        target = self.path(key)
        if self.is_local:
            write_local_atomic(Path(str(target.path)), data)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)

    def write_text(self, key: str, text: str) -> None:
        """Write UTF-8 text atomically."""
        self.write_bytes(key, text.encode("utf-8"))

    def delete(self, key: str) -> None:
        """Remove an object if it exists."""
        target = self.path(key)
        if target.exists():
            target.unlink()

    def list(self, prefix: str = "", suffix: str | None = None) -> list[str]:
        """Relative keys of every object below ``prefix``, sorted, temporary files excluded."""
        return sorted(self._iter_keys(prefix, suffix))

    def _iter_keys(self, prefix: str, suffix: str | None) -> Iterator[str]:
        base = self.path(prefix) if prefix else self.path()
        if not base.exists():
            return
        root_str = str(self.path().path).rstrip("/")
        for item in base.rglob("*"):
            if not item.is_file():
                continue
            name = item.name
            if name.startswith(TEMP_PREFIX) or (suffix and not name.endswith(suffix)):
                continue
            rel = str(item.path)[len(root_str) :].lstrip("/")
            yield rel


def write_local_atomic(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` via a temp file in the same folder, fsync and rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise
