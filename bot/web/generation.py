"""The knowledge generation shared by the workers of one server: small files in its run folder.

`crampbot serve --workers N` runs N processes, each with its own Bot. When one of them swaps in
new knowledge (the admin route, the file watcher), it writes the new version to the `generation`
stamp; every worker reads the stamp every CHECK_SECONDS and, when it names a version other than
its own, reloads the same folder. The files on disk stay the truth: a follower builds what it finds
there (hash first, so one already on that version does nothing), and one that finds broken files
keeps its last good Bot, as the worker that took the admin request does.

With the stamp, a worker writes what the check of that version found (`checked`: the version and
its warnings). The version is a hash of the folder's content, so a follower that finds that very
version on disk builds it without checking it again: one reload costs the server one check, not
one per worker.

Each worker also writes the version it serves to its own `served.<pid>.<token>`, so the admin route can answer
only once every worker serves the new version (`wait_for_all`): from its response on, no worker
answers with the old one.

Files, not a socket or shared memory: they need no coordinator process, survive a worker being
restarted, and reading ~30 bytes twice a second costs nothing. Writes replace a file whole
(`os.replace`), so a reader never sees half a stamp.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import time
from collections.abc import Sequence
from pathlib import Path

from bot.problems import Problem

log = logging.getLogger(__name__)

#: Seconds between two looks at the stamp.
CHECK_SECONDS = 0.5
STAMP = "generation"
SERVED = "served."
CHECKED = "checked"


class Generation:
    """The run folder shared by `workers` processes."""

    def __init__(self, folder: Path, workers: int) -> None:
        self.folder = Path(folder)
        self.workers = workers
        self._seen = _read(self.folder / STAMP)
        self._served = f"{SERVED}{os.getpid()}.{secrets.token_hex(4)}"  # this worker's

    def publish(self, version: str, warnings: Sequence[Problem] = ()) -> None:
        """Tell the other workers that this one now serves `version`, which checked clean with
        `warnings`; a new stamp for every swap."""
        stamp = f"{secrets.token_hex(8)} {version}\n"
        checked = json.dumps({"version": version, "warnings": [w.to_dict() for w in warnings]})
        if self._write(CHECKED, checked) and self._write(self._served, version) and self._write(STAMP, stamp):
            self._seen = stamp

    def checked(self, version: str) -> tuple[Problem, ...] | None:
        """The warnings `version` was checked with by the worker that published it, or None when the
        run folder says nothing about that version (then the folder must be checked here)."""
        try:
            data = json.loads(_read(self.folder / CHECKED) or "null")
            if not isinstance(data, dict) or data.get("version") != version:
                return None
            return tuple(Problem.from_dict(w) for w in data["warnings"])
        except (ValueError, KeyError, TypeError):
            return None

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
