"""When and how long the client retries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping


@dataclass(frozen=True)
class RetryPolicy:
    """503, 429 and network errors are retried for requests that are safe to
    send again: GET, HEAD, DELETE, and a PUT with If-Match or If-None-Match
    (the repeat of a PUT that did land then fails its precondition instead of
    overwriting a write made since). Any other write (POST, PATCH, a PUT
    without a precondition) is retried only when the server certainly did not
    act on it: a 429, or a connection that was never made. A 410 is never
    retried, whatever the policy says.

    Times are in seconds. The defaults are the Go client's: 4 attempts,
    0.1 s doubling to 5 s with jitter, Retry-After honoured up to 30 s.
    """

    attempts: int = 4
    base_delay: float = 0.1
    max_delay: float = 5.0
    # The longest Retry-After waited out; a server asking for longer (a
    # maintenance window) gets Unavailable back at once, for the caller to
    # decide, so a Retry-After of years never becomes a burst of retries.
    max_retry_after: float = 30.0
    # 404 is not retried unless the caller opts in: most 404s are wrong
    # ids, but the seeds' "it may come back later" is the caller's call.
    not_found_retries: int = 0
    not_found_delay: float = 1.0

    def backoff(self, attempt: int, jitter: float) -> float:
        """The delay before retry ``attempt`` (1 for the first): doubling, capped,
        half fixed and half random ("equal jitter"), so clients that failed
        together do not retry together."""
        d = min(self.base_delay * 2 ** (attempt - 1), self.max_delay)
        return d / 2 + jitter * d / 2


def safe_to_repeat(method: str, headers: Mapping[str, str]) -> bool:
    """Whether sending the request again cannot do harm even if the first
    attempt reached the store."""
    if method in ("GET", "HEAD", "DELETE", "OPTIONS"):
        return True
    if method == "PUT":
        return bool(headers.get("If-Match") or headers.get("If-None-Match"))
    return False
