"""The raw WOD store: every post JSON exactly as received, under ``bronze/wod/raw/``.

Key: ``bronze/wod/raw/{year}/{month}/{YYYY-MM-DD}__{slug}__raw.json`` from the post's
``date`` (the site's local time, as WordPress sends it; the real post of the week of
2020-12-21 went up on Sunday 2020-12-20 and is filed under that day). ``month`` is two digits,
zero-padded (``2021/01/``), so keys sort by time.

The slug becomes one safe path segment: percent-escapes decoded, NFKC-normalised (so
look-alikes such as a fullwidth solidus turn into what they imitate), lower-cased, and every
character that is not a letter, digit or ``-`` replaced by ``-`` (runs collapsed, 120
characters at most). A normal WordPress slug (``december-21-27-2020-5-day-weightlifting-program``)
is unchanged. When sanitising changed the slug, ``-{post id}`` is appended so that two hostile
slugs that sanitise alike cannot overwrite each other; an empty result becomes
``post-{id}``. The whole key is finally checked with
:func:`fitness_platform.storage.keys.safe_relative_key`.

Each object holds ``json.dumps(post, ensure_ascii=False)`` in UTF-8: the dict as received, key
order kept, so ``json.loads`` of it gives the post back unchanged.

Idempotency (by post id): an index object ``bronze/wod/_index.json`` maps post id -> ``{key,
modified, modified_gmt}``. The stored files are the truth and the index is only a cache over
them, which keeps it robust:

- an index entry whose file is gone is ignored (one LIST of the raw prefix per run, no HEAD
  per post), so a deleted file is stored again;
- a raw file the index does not know (the index was lost, or a run died between writing posts
  and writing the index) is read once and added back, so nothing is rewritten needlessly;
- the index is written at the end of every run, also when a write failed half-way.

A post is written when its id is unknown, or when its ``modified_gmt`` (else ``modified``) is
later than the stored copy's; otherwise it is skipped (an older copy never replaces a newer
one). If an edit moved the post to another key (its ``date`` changed), the new object is
written first and the old one removed, so there is one raw object per post id. Two runs at
once are safe for the data (whole-object writes); the index is last-writer-wins and heals
on the next run.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from fitness_platform.storage.keys import safe_relative_key
from fitness_platform.storage.lake import Lake
from fitness_platform.wod.posts import (
    PostFieldError,
    post_id,
    post_local_date,
    post_slug,
    post_version,
)

logger = logging.getLogger(__name__)

RAW_PREFIX = "bronze/wod/raw"
RAW_SUFFIX = "__raw.json"
INDEX_KEY = "bronze/wod/_index.json"
INDEX_FORMAT = 1
MAX_SLUG_CHARS = 120

_NOT_SLUG = re.compile(r"[^\w-]|_", re.UNICODE)
_DASHES = re.compile(r"-{2,}")


def safe_slug(slug: str, pid: int) -> str:
    """``slug`` as one safe key segment (rules in the module docstring).

    Args:
        slug: The post's slug as received.
        pid: The post id, used to keep sanitised slugs unique.

    Returns:
        A non-empty segment of letters, digits and single hyphens.
    """
    text = unicodedata.normalize("NFKC", unquote(slug)).lower()
    cleaned = _DASHES.sub("-", _NOT_SLUG.sub("-", text)).strip("-")[:MAX_SLUG_CHARS].strip("-")
    if not cleaned:
        return f"post-{pid}"
    if cleaned != slug:
        return f"{cleaned}-{pid}"
    return cleaned


def raw_post_key(post: Mapping[str, Any]) -> str:
    """The raw-store key of a post: ``bronze/wod/raw/{year}/{MM}/{YYYY-MM-DD}__{slug}__raw.json``.

    Args:
        post: The post dict as received.

    Returns:
        The key, relative to the lake root.

    Raises:
        PostFieldError: The post has no usable ``id`` or ``date``.
    """
    day = post_local_date(post)
    slug = safe_slug(post_slug(post), post_id(post))
    key = f"{RAW_PREFIX}/{day.year:04d}/{day.month:02d}/{day.isoformat()}__{slug}{RAW_SUFFIX}"
    return safe_relative_key(key)


def serialize_post(post: Mapping[str, Any]) -> bytes:
    """The stored bytes of a post: ``json.dumps(post, ensure_ascii=False)`` in UTF-8."""
    return json.dumps(post, ensure_ascii=False).encode("utf-8")


@dataclass
class StoreReport:
    """What one :func:`store_posts` run did, key by key.

    Attributes:
        written: Keys of posts stored for the first time.
        updated: Keys of posts stored again because they were edited (later ``modified``).
        skipped: Keys of posts already stored with the same or a newer version.
        removed: Old keys deleted because an edit moved the post to a new key.
        rejected: ``{"post_id", "slug", "reason"}`` for each post that could not be stored.
        reindexed: Raw files found without an index entry and added back to the index.
        unreadable: Raw files that are not valid post JSON (left in place, not indexed).
    """

    written: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    reindexed: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)

    @property
    def stored_count(self) -> int:
        """Objects written in this run (new plus updated)."""
        return len(self.written) + len(self.updated)

    def counts(self) -> dict[str, int]:
        """Counts per outcome, e.g. for asset metadata."""
        return {
            "written": len(self.written),
            "updated": len(self.updated),
            "skipped": len(self.skipped),
            "removed": len(self.removed),
            "rejected": len(self.rejected),
            "reindexed": len(self.reindexed),
            "unreadable": len(self.unreadable),
        }


def _entry(post: Mapping[str, Any], key: str) -> dict[str, Any]:
    return {"key": key, "modified": post.get("modified"), "modified_gmt": post.get("modified_gmt")}


def _index_text(index: Mapping[int, Mapping[str, Any]]) -> str:
    document = {
        "format": INDEX_FORMAT,
        "posts": {str(pid): dict(index[pid]) for pid in sorted(index)},
    }
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def _read_index_text(lake: Lake) -> str | None:
    return lake.read_text(INDEX_KEY) if lake.exists(INDEX_KEY) else None


def _parse_index(text: str | None, lake: Lake) -> dict[int, dict[str, Any]]:
    if text is None:
        return {}
    try:
        posts = json.loads(text)["posts"]
        index = {int(pid): dict(entry) for pid, entry in posts.items()}
        for entry in index.values():
            if not isinstance(entry.get("key"), str):
                raise ValueError("entry without key")
            post_version(entry)
        return index
    except (ValueError, KeyError, TypeError, AttributeError):
        # A damaged index is only a cache: rebuild it from the raw files.
        logger.warning("WOD raw index %s is unreadable; rebuilding it", lake.uri(INDEX_KEY))
        return {}


def load_index(
    lake: Lake, report: StoreReport | None = None, index_text: str | None = None
) -> dict[int, dict[str, Any]]:
    """The index of stored posts, checked against (and completed from) the raw files.

    Args:
        lake: The lake root.
        report: Where to note re-indexed and unreadable files, if given.
        index_text: The index object's text when the caller has read it already.

    Returns:
        ``{post id: {"key", "modified", "modified_gmt"}}`` for every raw file present. When
        two files hold the same id, the newer version wins.
    """
    report = report if report is not None else StoreReport()
    present = set(lake.list(RAW_PREFIX, suffix=RAW_SUFFIX))
    text = index_text if index_text is not None else _read_index_text(lake)
    index = {pid: e for pid, e in _parse_index(text, lake).items() if e["key"] in present}
    known = {entry["key"] for entry in index.values()}
    for key in sorted(present - known):
        try:
            post = json.loads(lake.read_text(key))
            pid = post_id(post)
            version = post_version(post)
        except (ValueError, TypeError, AttributeError, UnicodeDecodeError):
            logger.warning("WOD raw file %s is not a readable post; not indexed", key)
            report.unreadable.append(key)
            continue
        current = index.get(pid)
        if current is None or version > post_version(current):
            index[pid] = _entry(post, key)
            report.reindexed.append(key)
    return index


def _newest_by_id(
    posts: Iterable[Mapping[str, Any]], report: StoreReport
) -> list[tuple[int, str, Mapping[str, Any]]]:
    newest: dict[int, tuple[str, Mapping[str, Any]]] = {}
    for post in posts:
        if not isinstance(post, Mapping):
            reason = f"unstorable: a post must be a JSON object, got {type(post).__name__}"
            report.rejected.append({"post_id": None, "slug": None, "reason": reason})
            continue
        try:
            pid, key, version = post_id(post), raw_post_key(post), post_version(post)
        except (PostFieldError, ValueError) as exc:
            report.rejected.append(
                {
                    "post_id": post.get("id"),
                    "slug": post.get("slug"),
                    "reason": f"unstorable: {exc}",
                }
            )
            continue
        kept = newest.get(pid)
        if kept is not None and version <= post_version(kept[1]):
            report.skipped.append(key)
            continue
        if kept is not None:
            report.skipped.append(kept[0])
        newest[pid] = (key, post)
    return [(pid, key, post) for pid, (key, post) in newest.items()]


def store_posts(lake: Lake, posts: Iterable[Mapping[str, Any]]) -> StoreReport:
    """Store posts in the raw store, idempotently by post id (see the module docstring).

    Args:
        lake: The lake root (local folder or ``s3://`` prefix).
        posts: Post dicts exactly as received from WordPress.

    Returns:
        A :class:`StoreReport`; a rerun with the same posts has ``stored_count == 0``.
    """
    report = StoreReport()
    stored_text = _read_index_text(lake)
    index = load_index(lake, report, stored_text)
    try:
        for pid, key, post in _newest_by_id(posts, report):
            stored = index.get(pid)
            if stored is not None and post_version(post) <= post_version(stored):
                report.skipped.append(stored["key"])
                continue
            lake.write_bytes(key, serialize_post(post))
            if stored is None:
                report.written.append(key)
            else:
                report.updated.append(key)
                if stored["key"] != key:
                    lake.delete(stored["key"])
                    report.removed.append(stored["key"])
            index[pid] = _entry(post, key)
    finally:
        # Also after a failed write, so the posts stored so far are indexed.
        text = _index_text(index)
        if text != stored_text:
            lake.write_text(INDEX_KEY, text)
    return report


def read_stored_posts(lake: Lake) -> list[dict[str, Any]]:
    """Every stored post (the newest copy per id), parsed from its raw JSON, sorted by id.

    Args:
        lake: The lake root.

    Returns:
        The post dicts as they were received.
    """
    index = load_index(lake)
    return [json.loads(lake.read_text(index[pid]["key"])) for pid in sorted(index)]
