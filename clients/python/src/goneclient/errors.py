"""The exceptions a gone server's answers become: one class per kind of
answer, each carrying the RFC 9457 problem, so a caller tells a 410 from a
404 by type, never by matching words in a message."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from .retryafter import parse_retry_after


def parse_stamp(value: Any) -> datetime | None:
    """An RFC 3339 timestamp from a problem member, or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


class GoneClientError(Exception):
    """An answer from gone that is not a success.

    ``problem`` is the RFC 9457 body (an empty dict when the answer was not
    JSON, such as a page from a proxy in front of gone); ``message`` is the
    most specific human text it carries, in the server's language.
    """

    def __init__(self, status: int, problem: dict[str, Any] | None, url: str, method: str = "GET") -> None:
        self.status = status
        self.problem: dict[str, Any] = problem if isinstance(problem, dict) else {}
        self.url = url
        self.method = method
        p = self.problem
        self.message: str = p.get("message") or p.get("detail") or p.get("title") or f"HTTP {status}"
        self.type: str | None = p.get("type")
        self.title: str | None = p.get("title")
        self.detail: str | None = p.get("detail")
        self.instance: str | None = p.get("instance")
        self.request_id: str | None = p.get("requestId")
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"{self.method} {self.url}: {self.status} {self.message}"


class BadRequest(GoneClientError):
    """400: the request was refused as written; ``errors`` maps fields to what is wrong."""

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.errors: dict[str, str] = self.problem.get("errors") or {}


class Unauthorized(GoneClientError):
    """401: no token, or one the server refuses (``token_state``: unknown, revoked, expired)."""

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.token_state: str | None = self.problem.get("tokenState")


class Forbidden(GoneClientError):
    """403: the token may not do this."""


class NotFound(GoneClientError):
    """404: the server does not know the id (or will not say). It may come
    back: check the URL (``suggestion`` holds the server's "did you mean"),
    or try again later."""

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.suggestion: str | None = self.problem.get("suggestion")


class Conflict(GoneClientError):
    """409: for example a PUT on a retired id; carries the tombstone's facts."""

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.state: str | None = self.problem.get("state")
        self.deleted_at = parse_stamp(self.problem.get("deletedAt"))


class Gone(GoneClientError):
    """410: gone for good. Never retried; the client remembers it and
    answers later reads of the path with this exception, without a request
    (``local`` is then True)."""

    def __init__(self, *a: Any, local: bool = False, **kw: Any) -> None:
        super().__init__(*a, **kw)
        p = self.problem
        self.deleted_at = parse_stamp(p.get("deletedAt"))
        self.expired_at = parse_stamp(p.get("expiredAt"))
        self.reason: str | None = p.get("reason")
        self.alternative: str | None = p.get("alternative")
        self.local = local


class PreconditionFailed(GoneClientError):
    """412: an If-Match or If-None-Match did not hold; nothing changed.
    ``etag`` is the resource's current ETag, to read and try again."""

    def __init__(self, *a: Any, etag: str | None = None, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.etag = etag


class Unavailable(GoneClientError):
    """503: briefly unavailable, never "gone". ``retry_after`` is in seconds
    (the server caps it); ``available_at`` is the exact time a withheld
    resource is due back, when the server knows it."""

    def __init__(self, *a: Any, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(*a, **kw)
        body = self.problem.get("retryAfter")
        self.retry_after = retry_after if retry_after is not None else (float(body) if isinstance(body, (int, float)) else None)
        self.available_at = parse_stamp(self.problem.get("availableAt"))


class TooManyRequests(Unavailable):
    """429: too many requests (or failed authentications); wait ``retry_after``."""


class Moved(GoneClientError):
    """301 or 308 (or another redirect) that was not followed: ``location``
    is where the resource lives now."""

    def __init__(self, *a: Any, location: str | None = None, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.location = location
        if not self.problem:
            self.message = f"moved to {location}"
            self.args = (self.message,)


_BY_STATUS: dict[int, type[GoneClientError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    410: Gone,
    412: PreconditionFailed,
    429: TooManyRequests,
    503: Unavailable,
}


def error_for(method: str, url: str, status: int, headers: Any, body: bytes) -> GoneClientError:
    """The exception for one non-success answer: the one table from status
    to class."""
    problem: dict[str, Any] = {}
    if body:
        try:
            import json

            parsed = json.loads(body)
            if isinstance(parsed, dict):
                problem = parsed
        except ValueError:
            pass  # not JSON (a proxy's page): the status says enough
    if status in (301, 302, 303, 307, 308):
        return Moved(status, problem, url, method, location=headers.get("Location"))
    cls = _BY_STATUS.get(status, GoneClientError)
    if issubclass(cls, Unavailable):
        return cls(status, problem, url, method, retry_after=parse_retry_after(headers.get("Retry-After")))
    if cls is PreconditionFailed:
        return PreconditionFailed(status, problem, url, method, etag=headers.get("ETag"))
    return cls(status, problem, url, method)
