"""The knowledge generation shared by the workers of one server: small files in its run folder.

`crampbot serve --workers N` runs N processes, each with its own Bot. When one of them swaps in
new knowledge (the admin route, the file watcher), it writes the new version to the `generation`
stamp; every worker reads the stamp every CHECK_SECONDS and, when it names a version other than
its own, reloads the same folder. The files on disk stay the truth: a follower builds what it finds
there (hash first, so one already on that version does nothing), and one that finds broken files
keeps its last good Bot, as the worker that took the admin request does.

Each worker also writes the version it serves to its own `served.<pid>.<token>`, so the admin route can answer
only once every worker serves the new version (`wait_for_all`): from its response on, no worker
answers with the old one.

Files, not a socket or shared memory: they need no coordinator process, survive a worker being
restarted, and reading ~30 bytes twice a second costs nothing. Writes replace a file whole
(`os.replace`), so a reader never sees half a stamp.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from pathlib import Path

log = logging.getLogger(__name__)

#: Seconds between two looks at the stamp.
CHECK_SECONDS = 0.5
STAMP = "generation"
SERVED = "served."


class Generation:
    """The run folder shared by `workers` processes."""

    def __init__(self, folder: Path, workers: int) -> None:
        self.folder = Path(folder)
        self.workers = workers
        self._seen = _read(self.folder / STAMP)
        self._served = f"{SERVED}{os.getpid()}.{secrets.token_hex(4)}"  # this worker's

    def publish(self, version: str) -> None:
        """Tell the other workers that this one now serves `version`; a new stamp for every swap."""
        stamp = f"{secrets.token_hex(8)} {version}\n"
        if self._write(self._served, version) and self._write(STAMP, stamp):
            self._seen = stamp

    def news(self) -> str | None:
        """The version another worker published since the last look, or None."""
        stamp = _read(self.folder / STAMP)
        if stamp == self._seen:
            return None
        self._seen = stamp
        return stamp.partition(" ")[2].strip() or None

    def serving(self, version: str) -> int:
        """How many workers serve `version` now."""
        return sum(_read(path) == version for path in self.folder.glob(f"{SERVED}*"))

    def wait_for_all(self, version: str, timeout: float) -> int:
        """Wait (blocking) until every worker serves `version`, or `timeout` seconds; how many do."""
        deadline = time.monotonic() + timeout
        while (count := self.serving(version)) < self.workers and time.monotonic() < deadline:
            time.sleep(0.05)
        return count

    def _write(self, name: str, text: str) -> bool:
        temporary = self.folder / f".{name}.{self._served}"
        try:
            temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, self.folder / name)
        except OSError:  # the run folder is gone (shutting down): the others cannot follow anyway
            log.warning("could not tell the other workers about knowledge %s in %s", text.strip(), self.folder)
            return False
        return True


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
