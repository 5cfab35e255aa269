"""Safe object keys: user-supplied names can never escape the prefix they are written under."""

from __future__ import annotations

import unicodedata

_FORBIDDEN_SEGMENTS = {"", ".", ".."}


class UnsafeKeyError(ValueError):
    """A relative key would escape its prefix or is otherwise unusable as an object name."""


def safe_relative_key(key: str) -> str:
    """Return ``key`` normalised to a relative, forward-slash key that stays inside its prefix.

    Unicode is NFKC-normalised first, so look-alikes such as the fullwidth solidus or a
    one-dot leader cannot smuggle in a separator or a ``..`` segment after normalisation.
    Absolute paths, drive letters, backslashes, empty, ``.`` and ``..`` segments and control
    characters are refused with :class:`UnsafeKeyError`.
    """
    normalised = unicodedata.normalize("NFKC", key)
    if any(unicodedata.category(ch) == "Cc" for ch in normalised):
        raise UnsafeKeyError(f"object key {key!r} contains control characters")
    if "\\" in normalised:
        raise UnsafeKeyError(f"object key {key!r} contains a backslash")
    if normalised.startswith("/") or (len(normalised) > 1 and normalised[1] == ":"):
        raise UnsafeKeyError(f"object key {key!r} is absolute")
    segments = normalised.split("/")
    bad = [s for s in segments if s.strip() in _FORBIDDEN_SEGMENTS]
    if bad:
        raise UnsafeKeyError(f"object key {key!r} has an empty, '.' or '..' segment")
    return "/".join(segments)
