"""Garmin activity ids: validation of ids that arrive from outside, and synthetic FIT ids.

An id ends up inside an object key (``activity_<id>.json``), so anything that is not a plain
positive integer is refused instead of being coerced: a hostile id such as ``"../../x"`` or
``"1/../../2"`` can never escape its prefix.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

# Garmin ids are int64 on their side too; staying below 2**63 keeps them valid Arrow int64.
MAX_ACTIVITY_ID = 2**63 - 1
# Synthetic ids of FIT files without a Garmin export name live in [2**62, 2**63): real Garmin
# ids are around 2e10 today, so a synthetic id can never collide with a real one.
SYNTHETIC_ID_BASE = 2**62

_DIGITS = re.compile(r"[0-9]+")


class InvalidActivityIdError(ValueError):
    """An activity id that is not a positive integer (or a string of ASCII digits)."""


def parse_activity_id(value: object) -> int:
    """Return ``value`` as a positive int activity id, or raise :class:`InvalidActivityIdError`.

    Accepted: an ``int`` (not ``bool``), an integral ``float`` (JSON writers sometimes emit
    ``123.0``) and a string of ASCII digits. Everything else is refused with a message that
    says what was received, so a bad record can be reported by its reason.
    """
    if isinstance(value, bool):
        raise InvalidActivityIdError(f"activityId must be an integer, got a boolean {value!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _DIGITS.fullmatch(value):
        number = int(value)
    elif value is None:
        raise InvalidActivityIdError("activityId is missing")
    else:
        raise InvalidActivityIdError(f"activityId must be a positive integer, got {value!r:.80}")
    if not 0 < number <= MAX_ACTIVITY_ID:
        raise InvalidActivityIdError(f"activityId must be in 1..2**63-1, got {number}")
    return number


def synthetic_fit_activity_id(start_time_utc: datetime, sport: str) -> int:
    """A stable id for a FIT file that carries no Garmin activity id.

    The id is derived from what identifies an activity physically: its start (UTC, to the
    second) and the FIT ``sport`` name, as ``sha256("<YYYY-MM-DDTHH:MM:SSZ>|<sport>")``; the
    first 8 bytes, read big-endian, keep their low 62 bits and are offset by ``2**62``. The same
    recording therefore gets the same id whatever the file is called or where it is stored, and
    the id never collides with a real Garmin id (see :data:`SYNTHETIC_ID_BASE`).
    """
    if start_time_utc.tzinfo is None:
        start_time_utc = start_time_utc.replace(tzinfo=UTC)
    stamp = start_time_utc.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    digest = hashlib.sha256(f"{stamp}|{sport}".encode()).digest()
    return SYNTHETIC_ID_BASE + (int.from_bytes(digest[:8], "big") & (SYNTHETIC_ID_BASE - 1))
