"""gone's Python client: reads and writes a gone server (or a page behind
``gone proxy``) the way the seeds say a caller must. See
docs/python-client.md in the gone repository."""

from .cache import Cache, CacheEntry, LRU, MemoryCache
from .client import Client, resource_path
from .errors import (
    BadRequest,
    Conflict,
    Forbidden,
    Gone,
    GoneClientError,
    Moved,
    NotFound,
    PreconditionFailed,
    TooManyRequests,
    Unauthorized,
    Unavailable,
)
from .feed import Change, Watch
from .notice import Notice
from .policy import RetryPolicy
from .retryafter import parse_retry_after
from .types import BatchResult

__all__ = [
    "BadRequest",
    "BatchResult",
    "Cache",
    "CacheEntry",
    "Change",
    "Client",
    "Conflict",
    "Forbidden",
    "Gone",
    "GoneClientError",
    "LRU",
    "MemoryCache",
    "Moved",
    "NotFound",
    "Notice",
    "PreconditionFailed",
    "RetryPolicy",
    "TooManyRequests",
    "Unauthorized",
    "Unavailable",
    "Watch",
    "parse_retry_after",
    "resource_path",
]
