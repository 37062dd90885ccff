"""A throwaway redis-server for the test session: Debian's `redis-server` on a free port of 127.0.0.1,
with nothing saved (no RDB, no AOF) in a temporary folder, stopped and the folder deleted at the end."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

START_TIMEOUT_SECONDS = 20


class RedisUnavailable(RuntimeError):
    """No redis-server can be started here; the message says why and what to install."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class ThrowawayRedis:
    """One redis-server in a temporary folder; `url` is its database 0."""

    def __init__(self) -> None:
        program = shutil.which("redis-server") or (
            "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
        )
        if program is None:
            raise RedisUnavailable(
                "redis-server is not installed (`apt-get install redis-server`; .ci/run installs it)"
            )
        self.program = program
        self.folder = Path(tempfile.mkdtemp(prefix="crampbot-redis-"))
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ThrowawayRedis:
        log = (self.folder / "server.log").open("wb")
        command = [
            self.program, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", str(self.folder), "--daemonize", "no",
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=self.folder)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                said = (self.folder / "server.log").read_text(errors="replace")[-2000:]
                self.stop()
                raise RedisUnavailable(f"redis-server did not start: {said}")
            time.sleep(0.02)
        return self

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """Stop the server (nothing in it is worth keeping) and delete its folder."""
        try:
            if self.process is not None and self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
