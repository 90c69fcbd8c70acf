"""Sunset (RFC 8594) and Deprecation (RFC 9745): a resource that is going away."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Mapping


@dataclass(frozen=True)
class Notice:
    """An answer said its resource is going away: ``sunset`` is when it stops
    answering, ``deprecation`` when it was (or will be) deprecated; ``link``
    points at the policy or an alternative."""

    url: str
    sunset: datetime | None
    deprecation: datetime | None
    link: str | None


def _http_date(v: str | None) -> datetime | None:
    if not v:
        return None
    try:
        return parsedate_to_datetime(v)
    except (TypeError, ValueError, IndexError):
        return None


def _deprecation(v: str | None) -> datetime | None:
    # RFC 9745's "@<unix seconds>", and the HTTP-date of the drafts before it.
    if v and v.startswith("@") and v[1:].isdigit():
        return datetime.fromtimestamp(int(v[1:]), timezone.utc)
    return _http_date(v)


def notice_from(url: str, headers: Mapping[str, str]) -> Notice | None:
    """The notice an answer carries, or None."""
    sunset, dep = headers.get("Sunset"), headers.get("Deprecation")
    if not sunset and not dep:
        return None
    return Notice(url, _http_date(sunset), _deprecation(dep), headers.get("Link"))
