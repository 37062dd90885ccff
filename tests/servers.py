"""A real `crampbot serve` in a subprocess on a free loopback port, for tests that need processes and sockets."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Served:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def call(
        self, method: str, path: str, body: object = None, headers: Mapping[str, str] | None = None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """One request on a new connection: (status, JSON body or {}, headers)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(
                method,
                path,
                json.dumps(body) if body is not None else None,
                {"Content-Type": "application/json", **(headers or {})},
            )
            response = connection.getresponse()
            raw = response.read()
        finally:
            connection.close()
        data = json.loads(raw) if raw and response.getheader("content-type", "").startswith("application/json") else {}
        return response.status, data, {k.lower(): v for k, v in response.getheaders()}

    def text(self, path: str) -> str:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path)
            return connection.getresponse().read().decode()
        finally:
            connection.close()


@contextlib.contextmanager
def serving(env: Mapping[str, str], log: Path, args: tuple[str, ...] = (), ready: int = 1) -> Iterator[Served]:
    """`crampbot serve` with `env` on a free port, until `ready` health checks in a row answer 200; stopped
    with SIGTERM afterwards (uvicorn stops its workers too)."""
    port = free_port()
    full = os.environ | {"CRAMPBOT_PORT": str(port), "CRAMPBOT_DATABASE_URL": "none", **env}
    with log.open("ab") as errors:
        process = subprocess.Popen([sys.executable, "-m", "bot", "serve", *args], env=full, stderr=errors)
    served = Served(port, process, log)
    try:
        deadline = time.monotonic() + 90
        in_a_row = 0
        while in_a_row < ready:
            assert process.poll() is None, f"crampbot serve exited: {log.read_text()}"
            assert time.monotonic() < deadline, f"crampbot serve did not start: {log.read_text()}"
            try:
                in_a_row = in_a_row + 1 if served.call("GET", "/api/health")[0] == 200 else 0
            except OSError:
                in_a_row = 0
                time.sleep(0.1)
        yield served
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
