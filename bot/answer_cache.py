"""The answers to messages read alone that a Bot keeps: least recently used dropped first.

Not `functools.lru_cache` on a method: the cache would hold the Bot through the bound method and
the Bot the cache, a cycle, so every Bot a reload replaces (its index, tens of MB) would wait for
the cyclic garbage collector instead of going at once. This cache knows nothing of its owner.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")


@dataclass(frozen=True)
class AnswerCacheStats:
    hits: int  # messages answered from the cache
    misses: int  # messages answered from scratch (and then kept)
    entries: int  # answers kept now, at most the cache's size


class AnswerCache(Generic[V]):
    """Thread-safe; two threads may both make a missing value (the same one), never wait on each other."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, V] = OrderedDict()
        self._lock = threading.Lock()
        self._hits = self._misses = 0

    def get(self, key: str, make: Callable[[str], V]) -> V:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
                self._hits += 1
                return value
            self._misses += 1
        value = make(key)  # outside the lock: answering takes a while
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    @property
    def stats(self) -> AnswerCacheStats:
        with self._lock:
            return AnswerCacheStats(self._hits, self._misses, len(self._items))
