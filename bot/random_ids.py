"""Random hex ids (exchange ids, request ids) drawn from a buffer of `os.urandom` bytes.

Each request needs one or two ids, and each system call lets another thread (the store's writer)
take the interpreter lock, which the request then waits to get back (bench/http_load.md): one call
now fills the buffer for 256 ids. The bytes are the
operating system's cryptographic ones, as `secrets.token_hex` gives, so the ids stay unguessable
(an exchange id is what feedback is sent with). A forked child starts with an empty buffer, never
its parent's next ids.
"""

from __future__ import annotations

import os
import threading


class RandomIds:
    """`ids()` is a new id of `size` random bytes, in hex (2 x `size` characters)."""

    def __init__(self, size: int = 16, batch: int = 256) -> None:
        self.size = size
        self.batch = batch
        self._lock = threading.Lock()
        self._hex = ""
        self._at = 0
        os.register_at_fork(after_in_child=self.forget)

    def __call__(self) -> str:
        width = 2 * self.size
        with self._lock:
            if self._at + width > len(self._hex):
                self._hex, self._at = os.urandom(self.size * self.batch).hex(), 0
            start = self._at
            self._at = start + width
            return self._hex[start : start + width]

    def forget(self) -> None:
        """Drop the ids not handed out yet (after a fork, they are the parent's)."""
        self._hex, self._at = "", 0
        self._lock = threading.Lock()


#: 16 random bytes in hex: the ids of exchanges and of requests.
hex_id = RandomIds()
