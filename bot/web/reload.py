"""Live reload: check and index the knowledge folder aside, then swap the new Bot in with one assignment.

The server reads the current Bot once per request, so a request in flight keeps the Bot it
started with and finishes on it. A broken edit never replaces a working Bot: the holder keeps
serving the last good one and returns (and logs) the problems, so a maintainer can fix the file
and try again. Reloads are serialised by a lock.

A reload hashes the files first (the knowledge version is that hash): when it equals the version
served, or the last rejected one, the answer is known without checking or indexing anything, so a
reload that changes nothing costs a few milliseconds, not an index build.

With several server workers, each holds its own Bot. A reload in one of them publishes the new
version in a `Generation` stamp (bot.web.generation) that every worker polls; a worker that sees
a version other than its own reloads from the same files; when the files there are the version
published, it builds them without checking them again (the publisher did, the version is a hash of
their content).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from bot.chat import Bot
from bot.corpus.check import CheckReport, run_check
from bot.corpus.knowledge import load_knowledge
from bot.corpus.passages import KnowledgeError, knowledge_version
from bot.problems import Problem
from bot.retrieval.retriever import RetrieverConfig
from bot.web.generation import CHECK_SECONDS, Generation

log = logging.getLogger(__name__)

Status = Literal["reloaded", "unchanged", "rejected"]
WORKERS_TIMEOUT = 20.0  # seconds the admin route waits for every worker to serve a new version


@dataclass(frozen=True)
class ReloadResult:
    status: Status
    version: str  # the version served after this reload attempt
    previous_version: str
    passages: int
    seconds: float
    errors: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = field(default=())
    workers: tuple[int, int] | None = None  # (serving `version`, of all) once the others were waited for

    @property
    def ok(self) -> bool:
        return self.status != "rejected"

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "version": self.version,
            "previous_version": self.previous_version,
            "passages": self.passages,
            "seconds": round(self.seconds, 3),
            "errors": [p.to_dict() for p in self.errors],
            "warnings": [p.to_dict() for p in self.warnings],
            "workers": {"serving": self.workers[0], "total": self.workers[1]} if self.workers else None,
        }


class KnowledgeRefused(KnowledgeError):
    """The knowledge folder has errors: nothing to serve. `problems` are the errors `check` reports."""

    def __init__(self, root: Path, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        lines = "\n".join(p.format(root) for p in problems)
        super().__init__(f"{root}: {len(problems)} error(s) in the knowledge folder, refusing to serve it:\n{lines}")


def check_knowledge(root: Path) -> CheckReport:
    """`crampbot check`'s report on the folder if it finds no error, else KnowledgeRefused."""
    report = run_check(root)
    if report.errors or report.knowledge is None:
        raise KnowledgeRefused(root, tuple(report.errors) or (Problem(".", 0, "error", "the knowledge did not load"),))
    return report


def load_checked(root: Path, config: RetrieverConfig | None = None) -> Bot:
    """A Bot for the folder if `crampbot check` finds no error in it, else KnowledgeRefused."""
    knowledge = check_knowledge(root).knowledge
    assert knowledge is not None  # check_knowledge refuses a folder that did not load
    return Bot(knowledge, config)


def fingerprint(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of the knowledge files: cheap to poll, changes on every save."""
    out = []
    for path in sorted(root.rglob("*")):
        try:
            if path.is_file():
                stat = path.stat()
                out.append((path.relative_to(root).as_posix(), stat.st_size, stat.st_mtime_ns))
        except OSError:  # deleted while we looked: the next poll sees the settled state
            continue
    return tuple(out)


@dataclass(frozen=True)
class CheckedVersion:
    """A knowledge version another worker of this server checked clean, and the warnings it had."""

    version: str
    warnings: tuple[Problem, ...]


class KnowledgeHolder:
    """Owns the Bot being served and replaces it only with one built from knowledge that checks clean."""

    def __init__(
        self,
        root: Path,
        bot: Bot | None = None,
        *,
        config: RetrieverConfig | None = None,
        publish: Callable[[Bot], None] | None = None,
        on_result: Callable[[ReloadResult], None] | None = None,
        generation: Generation | None = None,
        check: Callable[[Path], CheckReport] | None = None,
    ) -> None:
        """`check`: how a reload checks the folder; `run_check` in this thread by default
        (`crampbot serve` passes bot.web.check_aside.check_aside: in a child process)."""
        self.root = Path(root)
        self._check = check
        self.config = config
        self._publish = publish
        self._on_result = on_result  # told of every reload attempt (metrics)
        self._generation = generation  # shared with the other workers of this server, if any
        self._lock = threading.Lock()
        self._current = bot
        # Two fingerprints: of the files being served (status: "changed on disk") and of the files last
        # tried (the watcher: a rejected edit is not retried on every poll, only once it changes again)
        self._served = self._tried = fingerprint(self.root) if bot is not None else None
        self._warnings: tuple[Problem, ...] = ()  # of the knowledge served
        self._rejected: ReloadResult | None = None  # the last rejection, for files that have not changed since
        self._rejected_version = ""
        self.last_result: ReloadResult | None = None

    @property
    def current(self) -> Bot | None:
        return self._current

    def load(self) -> Bot:
        """The first load at start-up: checked exactly as a reload is (a folder `crampbot check`
        rejects is refused here too), but with no last good knowledge to fall back on, errors raise
        a KnowledgeRefused that lists them."""
        with self._lock:
            seen = fingerprint(self.root)
            report = check_knowledge(self.root)
            assert report.knowledge is not None  # check_knowledge refuses a folder that did not load
            self._warnings = tuple(report.warnings)
            bot = Bot(report.knowledge, self.config)
            self._swap(bot, seen)
            return bot

    def _swap(self, bot: Bot, seen: tuple[tuple[str, int, int], ...]) -> None:
        self._current = bot  # one reference assignment: readers see the old Bot or the new, never a mix
        self._served = self._tried = seen
        if self._publish is not None:
            self._publish(bot)
        if self._generation is not None:
            self._generation.publish(bot.version, self._warnings)  # the others follow (bot.web.generation)

    def reload(self, *, force: bool = False, checked: CheckedVersion | None = None) -> ReloadResult:
        """Check and load the folder; swap in the new Bot if it has no errors. Never raises for bad content.
        `checked`: a version another worker checked clean, built without checking when it is on disk."""
        with self._lock, collector_paused():
            start = time.perf_counter()
            old = self._current
            old_version = old.version if old is not None else ""
            seen = fingerprint(self.root)
            version = knowledge_version(self.root)  # ~2 ms for the bundled folder; checking and indexing ~0.6 s
            if not force and old is not None and version == old_version:
                self._served = self._tried = seen  # the files served, saved again
                result = ReloadResult(
                    "unchanged", old_version, old_version, _count(old), time.perf_counter() - start, (), self._warnings
                )
                return self._finish(result)
            if not force and self._rejected is not None and version == self._rejected_version:
                self._tried = seen  # the same broken files: the same errors, without checking them again
                result = replace(
                    self._rejected, version=old_version, previous_version=old_version, passages=_count(old)
                )
                return self._finish(replace(result, seconds=time.perf_counter() - start))
            try:
                report = self._checked_elsewhere(checked, version) or (
                    self._check(self.root) if self._check is not None else run_check(self.root)
                )
            except Exception as exc:  # a checker bug must not take the admin route or the watcher down
                log.exception("checking %s failed", self.root)
                report = CheckReport(
                    self.root, (Problem(".", 0, "error", f"the check itself failed: {exc}"),), None, 0.0
                )
            errors = tuple(report.errors)
            if report.knowledge is None and not errors:  # cannot happen, but never swap in nothing
                errors = (Problem(".", 0, "error", "the knowledge did not load"),)
            if errors:
                self._tried = seen  # do not retry the same broken files on every poll; still not served
                result = self._rejected = ReloadResult(
                    "rejected",
                    old_version,
                    old_version,
                    _count(old),
                    time.perf_counter() - start,
                    errors,
                    tuple(report.warnings),
                )
                self._rejected_version = version
                for problem in errors:
                    log.error(
                        "reload rejected, still serving %s: %s", old_version or "nothing", problem.format(self.root)
                    )
            elif (
                not force
                and old is not None
                and report.knowledge is not None
                and report.knowledge.version == old_version
            ):
                self._served = self._tried = seen  # saved again, or a broken edit undone: what is served
                result = ReloadResult(
                    "unchanged",
                    old_version,
                    old_version,
                    _count(old),
                    time.perf_counter() - start,
                    (),
                    tuple(report.warnings),
                )
            else:
                assert report.knowledge is not None
                config = self.config if self.config is not None else (old.retriever.config if old else None)
                try:
                    bot = Bot(report.knowledge, config)  # the new index is built aside...
                except Exception as exc:  # content that checks clean but cannot be indexed
                    log.exception("indexing %s failed, still serving %s", self.root, old_version or "nothing")
                    self._tried = seen
                    problem = Problem(".", 0, "error", f"could not build the index: {exc}")
                    self._rejected_version = version
                    self._rejected = ReloadResult(
                        "rejected",
                        old_version,
                        old_version,
                        _count(old),
                        time.perf_counter() - start,
                        (problem,),
                        tuple(report.warnings),
                    )
                    return self._finish(self._rejected)
                self._warnings = tuple(report.warnings)
                self._swap(bot, seen)  # ...and swapped in whole
                result = ReloadResult(
                    "reloaded",
                    bot.version,
                    old_version,
                    _count(bot),
                    time.perf_counter() - start,
                    (),
                    tuple(report.warnings),
                )
                log.info(
                    "knowledge %s -> %s reloaded: %d passages, %d warnings, %.2f s",
                    old_version,
                    bot.version,
                    result.passages,
                    len(result.warnings),
                    result.seconds,
                )
            return self._finish(result)

    def _checked_elsewhere(self, checked: CheckedVersion | None, version: str) -> CheckReport | None:
        """The report for the files on disk when they are the version another worker checked, or None."""
        if checked is None or checked.version != version:
            return None
        start = time.perf_counter()
        try:
            knowledge = load_knowledge(self.root)
        except KnowledgeError:  # changed since it was hashed, and broken now: checked as usual
            return None
        if knowledge.version != checked.version:  # changed since it was hashed
            return None
        return CheckReport(self.root, checked.warnings, knowledge, time.perf_counter() - start)

    def _finish(self, result: ReloadResult) -> ReloadResult:
        if result.ok and self.last_result is not None and not self.last_result.ok:
            log.info("knowledge recovered: the rejected edit is fixed, serving %s (%s)", result.version, result.status)
        self.last_result = result
        if self._on_result is not None:
            self._on_result(result)
        return result

    def changed(self) -> bool:
        """Whether the files on disk differ from the ones being served (added, removed or saved since
        the last load): true after a rejected reload, until a reload succeeds or the edit is undone."""
        return fingerprint(self.root) != self._served

    def reload_if_changed(self) -> ReloadResult | None:
        """Reload when the files changed since the last attempt (a rejected edit waits for the next save)."""
        return self.reload() if fingerprint(self.root) != self._tried else None

    async def watch(self, interval: float) -> None:
        """Poll the folder every `interval` seconds and reload on change; run as a lifespan task.

        Polling, not inotify: it works the same on every platform, in containers and on network
        mounts, and in each of several server workers.
        """
        log.info("watching %s for changes every %.1f s", self.root, interval)
        while True:
            await asyncio.sleep(interval)
            try:
                await asyncio.to_thread(self.reload_if_changed)
            except Exception:  # the watcher must outlive any surprise
                log.exception("knowledge watcher failed; will try again")

    def reload_everywhere(self, *, force: bool = False, timeout: float = WORKERS_TIMEOUT) -> ReloadResult:
        """`reload()`, then, unless it was rejected, wait until every worker of this server serves the
        version (or `timeout` seconds): the admin route answers only then. One process: no wait."""
        result = self.reload(force=force)
        if not result.ok:  # nothing was published: every worker keeps the last good knowledge
            return result
        serving, workers = 1, 1
        if self._generation is not None:
            workers = self._generation.workers
            serving = self._generation.wait_for_all(result.version, timeout)
            if serving < workers:
                log.warning(
                    "after %.0f s, %d of %d workers serve knowledge %s", timeout, serving, workers, result.version
                )
        self.last_result = replace(result, workers=(serving, workers))
        return self.last_result

    async def follow(self, interval: float = CHECK_SECONDS) -> None:
        """Reload whenever another worker publishes a version other than the one served here; a
        lifespan task in each worker of `crampbot serve --workers N` (bot.web.generation)."""
        generation = self._generation
        if generation is None:
            return
        while True:
            await asyncio.sleep(interval)
            try:
                version = generation.news()
                current = self._current
                if version is not None and (current is None or version != current.version):
                    log.info("another worker serves knowledge %s: reloading", version)
                    warnings = generation.checked(version)
                    checked = CheckedVersion(version, warnings) if warnings is not None else None
                    await asyncio.to_thread(self.reload, checked=checked)
            except Exception:  # following must outlive any surprise
                log.exception("following the other workers' reloads failed; will try again")


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a reload checks and indexes. Checking and indexing make a
    few hundred thousand objects; each full collection among them took 50-110 ms, twice a reload,
    and stopped every request meanwhile (bench/soak.md). What they leave is collected after, among
    far fewer objects. (Reference counting frees most of it at once anyway.)"""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def freeze_startup_objects() -> None:
    """Move everything the imports made (FastAPI, pydantic, scikit-learn, SQLAlchemy...: some 150,000
    objects that live as long as the process) out of the collector's sight, so a full collection
    looks only at what came after: a few milliseconds instead of tens (Python's gc.freeze). Called by
    `crampbot serve` in each process before it loads the knowledge, so no Bot is frozen."""
    gc.collect()
    gc.freeze()


def _count(bot: Bot | None) -> int:
    return len(bot.knowledge.passages) if bot is not None else 0
