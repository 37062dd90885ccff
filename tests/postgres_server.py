"""A throwaway PostgreSQL server for the test session: `initdb` on a temporary folder, `pg_ctl start`
on a free port of 127.0.0.1, `pg_ctl stop` and the folder deleted at the end.

PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user (Debian's
package creates it), else as `nobody`, through `runuser`; the folder is then owned by that user. The
superuser has a random password (scram-sha-256 over TCP), so other local users cannot connect.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

#: Where Debian puts the server's programs (not on PATH): /usr/lib/postgresql/<version>/bin.
DEBIAN_BIN_GLOB = "/usr/lib/postgresql/*/bin"
#: Tried in this order to run the server when the tests run as root.
SERVER_USERS = ("postgres", "nobody")
START_TIMEOUT_SECONDS = 60


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL can be started here; the message says why and what to install."""


def find_bin_dir() -> Path:
    """The folder holding `initdb` and `pg_ctl`: PATH first, then the newest Debian version."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl and Path(initdb).resolve().parent == Path(pg_ctl).resolve().parent:
        return Path(initdb).resolve().parent
    found = [Path(d) for d in glob.glob(DEBIAN_BIN_GLOB)]
    candidates = sorted(
        (d for d in found if (d / "initdb").is_file() and (d / "pg_ctl").is_file()),
        key=lambda d: _version(d.parent.name),
    )
    if not candidates:
        raise PostgresUnavailable(
            f"PostgreSQL's initdb and pg_ctl are neither on PATH nor in {DEBIAN_BIN_GLOB} "
            "(`apt-get install postgresql`; .ci/run installs it when missing)"
        )
    return candidates[-1]


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def _server_user() -> str | None:
    """The user to run the server as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    if not shutil.which("runuser"):
        raise PostgresUnavailable("running as root and `runuser` is missing: PostgreSQL cannot run as root")
    for name in SERVER_USERS:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise PostgresUnavailable(f"running as root and none of the users {SERVER_USERS} exists to run PostgreSQL")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class ThrowawayPostgres:
    """One PostgreSQL server in a temporary folder; `url` is its superuser's connection URL."""

    def __init__(self) -> None:
        self.bin_dir = find_bin_dir()
        self.user = _server_user()
        self.folder = Path(tempfile.mkdtemp(prefix="crampbot-postgres-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.port = _free_port()
        self.password = secrets.token_hex(16)
        self.url = f"postgresql://postgres:{self.password}@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin_dir / program), *args]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.folder, check=False)
        if done.returncode != 0:
            tail = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            said = done.stderr.strip() or done.stdout.strip()
            raise PostgresUnavailable(f"`{' '.join(command)}` failed ({done.returncode}): {said}\n{tail}")

    def start(self) -> ThrowawayPostgres:
        password_file = self.folder / "password"
        password_file.write_text(self.password + "\n")
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            for path in (self.folder, password_file):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        try:
            self._run(
                "initdb",
                "--pgdata", str(self.data),
                "--username", "postgres",
                "--pwfile", str(password_file),
                "--auth-local", "scram-sha-256",
                "--auth-host", "scram-sha-256",
                "--encoding", "UTF8",
                "--no-locale",
                "--no-sync",
            )  # fmt: skip
            password_file.unlink()
            # A test server: durability off (fsync, full-page writes) makes it several times faster.
            options = (
                f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} "
                "-c fsync=off -c full_page_writes=off -c synchronous_commit=off"
            )
            self._run(
                "pg_ctl", "start", "--pgdata", str(self.data), "--log", str(self.log), "--wait",
                "--timeout", str(START_TIMEOUT_SECONDS), "-o", options,
            )  # fmt: skip
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the server (immediately: nothing in it is worth keeping) and delete its folder."""
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "stop", "--pgdata", str(self.data), "--mode", "immediate", "--wait")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
