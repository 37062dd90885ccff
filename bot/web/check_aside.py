"""`crampbot check` for a reload, run in a child process at a lower CPU priority.

A reload checks the folder (about three quarters of a second of CPU for the bundled knowledge) and
then indexes it (about a quarter). Checked in a thread of the serving process, the check shares
one interpreter with the requests: every time the event loop gives the interpreter lock away it
may wait for it, and some steps hold it for tens of milliseconds, so answers slowed down many
times over while a reload ran (bench/soak.md). In a child process the check holds no lock of the
server's, and at a lower priority (nice) the operating system lets answering go first. The child
sends back only the problems and the version it checked; the server then loads that folder itself
(a fifth of a second) and builds the index, as before.

`crampbot serve` uses it; tests and other callers of `create_app` check in process unless they ask.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

from bot.corpus.check import CheckReport, run_check
from bot.corpus.knowledge import load_knowledge
from bot.corpus.passages import KnowledgeError
from bot.problems import Problem

log = logging.getLogger(__name__)

NICENESS = 10  # the child's CPU priority, below the server's (0): answering goes first
CHECK_TIMEOUT = 120.0  # seconds the child may take (a starved child on a saturated machine is slow)
ATTEMPTS = 3  # the files changed between the check and the load: check again, this many times at most


def _lower_priority() -> None:
    with contextlib.suppress(OSError):  # not allowed here: the check still runs aside, at the same priority
        os.nice(NICENESS)


def _problems_and_version(root: str) -> tuple[tuple[Problem, ...], str | None]:
    """In the child: the check's problems and the version of the knowledge it loaded (None if it did not)."""
    report = run_check(Path(root))
    return tuple(report.problems), (report.knowledge.version if report.knowledge is not None else None)


def check_aside(root: Path) -> CheckReport:
    """The folder's CheckReport, the checking done in a child process; the knowledge loaded here.

    The knowledge is the version the child checked: when the files change between the two, the
    check runs again (the hash of what was loaded must equal the hash of what was checked)."""
    start = time.perf_counter()
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: never fork a threaded server
    with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_lower_priority) as pool:
        for _ in range(ATTEMPTS):
            try:
                problems, version = pool.submit(_problems_and_version, str(root)).result(timeout=CHECK_TIMEOUT)
            except FutureTimeout:
                return _failed(root, f"the check took longer than {CHECK_TIMEOUT:.0f} s", start)
            if version is None or any(p.is_error for p in problems):
                return CheckReport(root, problems, None, time.perf_counter() - start)
            try:
                knowledge = load_knowledge(root)
            except KnowledgeError:  # changed since the check, and broken now: check what is there
                continue
            if knowledge.version == version:
                return CheckReport(root, problems, knowledge, time.perf_counter() - start)
            log.info("knowledge changed while it was being checked; checking again")
    return _failed(root, f"the files kept changing while they were checked ({ATTEMPTS} times)", start)


def _failed(root: Path, message: str, start: float) -> CheckReport:
    return CheckReport(root, (Problem(".", 0, "error", message),), None, time.perf_counter() - start)
