"""Safe object keys: user-supplied names can never escape the prefix they are written under."""

from __future__ import annotations

import unicodedata

_FORBIDDEN_SEGMENTS = {"", ".", ".."}


class UnsafeKeyError(ValueError):
    """A relative key would escape its prefix or is otherwise unusable as an object name."""


def safe_relative_key(key: str) -> str:
    """Return ``key`` unchanged when it is a relative, forward-slash key inside its prefix.

    The checks run on the NFKC-normalised key, so look-alikes such as the fullwidth solidus
    or a one-dot leader cannot smuggle in a separator or a ``..`` segment that some later
    normaliser would produce. The key itself is returned as given: object stores compare keys
    byte for byte, so a decomposed (NFD) name must be read back exactly as it was listed.
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
    # Also refuse raw-key segments that are empty or dots (normalisation never removes these).
    if any(s.strip() in _FORBIDDEN_SEGMENTS for s in key.split("/")):
        raise UnsafeKeyError(f"object key {key!r} has an empty, '.' or '..' segment")
    return key
