"""Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

# A hundred years: the most a server's Retry-After can mean; a larger one
# is read as this, so no arithmetic on it overflows.
MAX_RETRY_AFTER = 100 * 365 * 24 * 3600.0


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait, or None when the header is absent or unreadable.
    A date in the past means now (0)."""
    if value is None:
        return None
    v = value.strip()
    if not v:
        return None
    if v.isdigit():
        return min(float(int(v)), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(v)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    now = time.time() if now is None else now
    return min(max(when.timestamp() - now, 0.0), MAX_RETRY_AFTER)
