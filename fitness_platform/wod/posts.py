"""Identity, version and date of a WordPress post dict, shared by the raw store and the parser.

A post is the dict exactly as the REST API returned it. These helpers read the few fields the
pipeline depends on and raise :class:`PostFieldError` naming the post and the field when one
is missing or malformed, so a bad post is reported rather than crashing a run.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

_WHITESPACE = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]*>")


class PostFieldError(ValueError):
    """A post lacks a field the pipeline needs, or the field is malformed."""


def describe_post(post: Mapping[str, Any]) -> str:
    """A short label for messages: ``post 94860 (slug 'december-21-27-2020-...')``."""
    return f"post {post.get('id')!r} (slug {post.get('slug')!r})"


def post_id(post: Mapping[str, Any]) -> int:
    """The post's numeric id; WordPress ids are positive integers."""
    value = post.get("id")
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise PostFieldError(f"{describe_post(post)}: field 'id' is missing or not an integer")
    if isinstance(value, str):
        if not value.isascii() or not value.isdigit():
            raise PostFieldError(f"{describe_post(post)}: field 'id' {value!r} is not an integer")
        value = int(value)
    if value <= 0:
        raise PostFieldError(f"{describe_post(post)}: field 'id' {value!r} is not positive")
    return value


def _parse_wp_datetime(post: Mapping[str, Any], field: str) -> datetime | None:
    value = post.get(field)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise PostFieldError(f"{describe_post(post)}: field {field!r} is not a string")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise PostFieldError(
            f"{describe_post(post)}: field {field!r} = {value!r} is not an ISO date-time"
        ) from None


def post_local_datetime(post: Mapping[str, Any]) -> datetime:
    """The post's ``date``: its publication time in the site's local time zone."""
    value = _parse_wp_datetime(post, "date")
    if value is None:
        raise PostFieldError(f"{describe_post(post)}: field 'date' is missing")
    return value


def post_local_date(post: Mapping[str, Any]) -> date:
    """The calendar day of the post's ``date`` (the site's local time, as WordPress gives it)."""
    return post_local_datetime(post).date()


def post_version(post: Mapping[str, Any]) -> datetime:
    """When the post was last modified; a later value means the post was edited.

    ``modified_gmt`` is preferred because local time can repeat an hour when the clocks go
    back; ``modified`` (local) is the fallback. A post with neither gets ``datetime.min``, so
    any dated copy of it counts as newer. Time-zone suffixes, if any, are dropped so that
    values are always comparable (WordPress sends naive values in both fields).
    """
    for field in ("modified_gmt", "modified"):
        value = _parse_wp_datetime(post, field)
        if value is not None:
            return value.replace(tzinfo=None)
    return datetime.min


def post_slug(post: Mapping[str, Any]) -> str:
    """The post's slug as received, or an empty string when it has none."""
    value = post.get("slug")
    return value if isinstance(value, str) else ""


def rendered_field(post: Mapping[str, Any], field: str) -> str:
    """The HTML of a rendered field (``title``, ``content``): ``{"rendered": ...}`` or a plain str."""
    value = post.get(field)
    if isinstance(value, Mapping):
        value = value.get("rendered")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise PostFieldError(f"{describe_post(post)}: field {field!r} is not text")
    return value


def post_title_text(post: Mapping[str, Any]) -> str:
    """The title as plain text: tags removed, entities decoded, whitespace collapsed."""
    text = html.unescape(_TAG.sub(" ", rendered_field(post, "title")))
    return _WHITESPACE.sub(" ", text).strip()
