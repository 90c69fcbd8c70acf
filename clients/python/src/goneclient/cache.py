"""What the client keeps between calls: representations with their
validators (a pluggable cache), and bounded memories of 410s and moves."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

V = TypeVar("V")


@dataclass(frozen=True)
class CacheEntry:
    """A 200 answer kept for revalidation: its decoded body and validators."""

    body: Any
    etag: str | None = None
    last_modified: str | None = None


class Cache(Protocol):
    """What a cache of representations must offer. Keys are the resource's
    path on the server ("/api/users/123"). Any object with these three
    methods will do: a dict wrapper, Redis, a database table."""

    def get(self, key: str) -> CacheEntry | None: ...

    def set(self, key: str, entry: CacheEntry) -> None: ...

    def delete(self, key: str) -> None: ...


class LRU(Generic[V]):
    """A bounded, thread-safe map that forgets the least recently used key."""

    def __init__(self, maxsize: int = 1000) -> None:
        if maxsize < 0:
            raise ValueError("LRU: maxsize must be >= 0")
        self.maxsize = maxsize
        self._d: OrderedDict[str, V] = OrderedDict()
        self._mu = threading.Lock()

    def get(self, key: str) -> V | None:
        with self._mu:
            if key not in self._d:
                return None
            self._d.move_to_end(key)
            return self._d[key]

    def set(self, key: str, value: V) -> None:
        if self.maxsize == 0:
            return
        with self._mu:
            self._d[key] = value
            self._d.move_to_end(key)
            while len(self._d) > self.maxsize:
                self._d.popitem(last=False)

    def delete(self, key: str) -> None:
        with self._mu:
            self._d.pop(key, None)

    def clear(self) -> None:
        with self._mu:
            self._d.clear()

    def __contains__(self, key: str) -> bool:
        with self._mu:
            return key in self._d

    def __len__(self) -> int:
        with self._mu:
            return len(self._d)


class MemoryCache(LRU[CacheEntry]):
    """The default cache: an in-memory LRU of representations."""
