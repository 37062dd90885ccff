"""A bounded soak of `crampbot serve` (issue 16): many asks while the knowledge is reloaded every few seconds.

Serves a copy of the bundled knowledge, asks `--asks` questions (each from a new session, as a crowd
of widget users would) over `--connections` kept-alive connections, and every `--reload-every`
seconds changes that copy (a comment appended to `synonyms.yaml`, so its content hash, and with it
the knowledge version, changes and every reload checks and indexes it again in every worker) and
reloads it through `POST /api/admin/reload`. It reports:

- errors: any status but 200, or a broken connection (the target is 0);
- latency of the asks sent while a reload was under way (from the reload's request to its answer,
  plus one second for the workers that follow) against the asks sent outside those windows
  (target: p99 during reloads at most 2x p99 without);
- how many asks were slower than twice the p99 outside reloads, in all and per reload (the
  disruption, whatever the length of the windows);
- the server's memory (RSS of the server and its workers, summed) every second: after warm-up it
  should stay flat.

Run by hand, not in CI:

    .venv/bin/python bench/soak.py                       # 100,000 asks, one worker, a reload every 3 s
    .venv/bin/python bench/soak.py --workers 2 --asks 20000
    .venv/bin/python bench/soak.py --rate 300               # a steady load the server can take
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.http_load import QUESTIONS, read_response  # noqa: E402
from bot.corpus.knowledge import BUNDLED_KNOWLEDGE  # noqa: E402

FOLLOW_SECONDS = 1.0  # after a reload answers, the window stays open this long


@dataclass
class Run:
    sent: list[float] = field(default_factory=list)
    latency: list[float] = field(default_factory=list)
    errors: int = 0
    reloads: list[tuple[float, float, int, str]] = field(default_factory=list)  # start, end, status, result
    memory: list[tuple[float, int]] = field(default_factory=list)  # time, RSS bytes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_of_tree(pid: int) -> int:
    """RSS of a process and its children (uvicorn's workers), in bytes, from /proc."""
    total = 0
    pids = [pid]
    with contextlib.suppress(OSError):
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    for p in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
    return total


def ask_bytes(n: int) -> bytes:
    body = json.dumps({"question": QUESTIONS[n % len(QUESTIONS)], "session_id": str(uuid.uuid4())}).encode()
    head = "POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    return f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body


async def load(port: int, connections: int, asks: int, run: Run, rate: float = 0.0) -> None:
    """`asks` over `connections`, each sent when the last was answered, or, with `rate` (asks a
    second in all), no sooner than its turn: a steady load below what the server can take."""
    issued = 0
    interval = connections / rate if rate > 0 else 0.0

    async def one_connection() -> None:
        nonlocal issued
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        next_at = time.monotonic()
        try:
            while issued < asks:
                if interval:
                    next_at += interval
                    await asyncio.sleep(max(0.0, next_at - time.monotonic()))
                issued += 1
                sent = time.monotonic()
                writer.write(ask_bytes(issued))
                try:
                    status = await read_response(reader)
                except (asyncio.IncompleteReadError, ConnectionError, ValueError):
                    run.errors += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    continue
                run.sent.append(sent)
                run.latency.append(time.monotonic() - sent)
                if status != 200:
                    run.errors += 1
        finally:
            writer.close()

    await asyncio.gather(*(one_connection() for _ in range(connections)))


async def reloader(port: int, token: str, folder: Path, every: float, run: Run, done: asyncio.Event) -> None:
    n = 0
    while not done.is_set():
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(done.wait(), timeout=every)
        if done.is_set():
            return
        n += 1
        with (folder / "synonyms.yaml").open("a", encoding="utf-8") as f:
            f.write(f"# soak reload {n}\n")
        start = time.monotonic()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            f"POST /api/admin/reload HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            "Content-Length: 0\r\nConnection: close\r\n\r\n".encode()
        )
        data = await reader.read()
        writer.close()
        status = int(data[9:12]) if len(data) >= 12 else 0
        body = data.partition(b"\r\n\r\n")[2]
        result = json.loads(body).get("status", "?") if body.startswith(b"{") else "?"
        run.reloads.append((start, time.monotonic(), status, result))


async def sample_memory(pid: int, run: Run, done: asyncio.Event) -> None:
    while not done.is_set():
        run.memory.append((time.monotonic(), rss_of_tree(pid)))
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(done.wait(), timeout=1.0)


async def soak(port: int, pid: int, token: str, folder: Path, args: argparse.Namespace) -> Run:
    run = Run()
    done = asyncio.Event()
    side = [
        asyncio.create_task(reloader(port, token, folder, args.reload_every, run, done)),
        asyncio.create_task(sample_memory(pid, run, done)),
    ]
    await load(port, args.connections, args.asks, run, args.rate)
    done.set()
    await asyncio.gather(*side)
    return run


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else 0.0


def report(run: Run, args: argparse.Namespace, seconds: float) -> str:
    windows = [(start, end + FOLLOW_SECONDS) for start, end, _, _ in run.reloads]
    during: list[float] = []
    outside: list[float] = []
    for sent, latency in zip(run.sent, run.latency, strict=True):
        (during if any(a <= sent <= b for a, b in windows) else outside).append(latency)
    # How many asks a reload slowed down, over the whole run: unlike the p99 during reloads, this does
    # not depend on how long the windows are (a shorter reload holding the same pauses raises that p99)
    slow_ms = 2 * percentile(outside, 99)
    slow = sum(latency * 1000 > slow_ms for latency in run.latency)
    warm = run.memory[len(run.memory) // 10 :] or run.memory  # after the first tenth of the run
    mem = [m / 2**20 for _, m in warm]
    reload_seconds = [end - start for start, end, _, _ in run.reloads]
    statuses: dict[str, int] = {}
    for _, _, status, result in run.reloads:
        key = f"{status} {result}"
        statuses[key] = statuses.get(key, 0) + 1
    lines = [
        f"asks: {len(run.latency):,} answered in {seconds:.0f} s ({len(run.latency) / seconds:,.0f}/s"
        f"{f', paced at {args.rate:,.0f}/s' if args.rate else ', as fast as answered'}), "
        f"{args.connections} connections, {args.workers} worker(s); errors: {run.errors}",
        f"reloads: {len(run.reloads)} ({', '.join(f'{k}: {v}' for k, v in sorted(statuses.items()))}), "
        f"each {statistics.median(reload_seconds) if reload_seconds else 0:.2f} s median, "
        f"{max(reload_seconds, default=0):.2f} s at most, until every worker served the new version",
        f"asks outside reloads: {len(outside):,}, p50 {percentile(outside, 50):.1f} ms, "
        f"p99 {percentile(outside, 99):.1f} ms",
        f"asks during reloads:  {len(during):,}, p50 {percentile(during, 50):.1f} ms, "
        f"p99 {percentile(during, 99):.1f} ms ({percentile(during, 99) / max(percentile(outside, 99), 1e-9):.2f}x"
        " the p99 outside)",
        f"asks slower than 2x the p99 outside ({slow_ms:.0f} ms): {slow:,} ({100 * slow / len(run.latency):.2f}% "
        f"of all asks, {slow / max(len(run.reloads), 1):.1f} a reload)",
        f"memory after warm-up (RSS, server and workers): first {mem[0]:.0f} MiB, last {mem[-1]:.0f} MiB, "
        f"min {min(mem):.0f}, max {max(mem):.0f} MiB; through the run (MiB at 10, 25, 50, 75, 100%): "
        + ", ".join(
            f"{run.memory[min(len(run.memory) - 1, len(run.memory) * q // 100)][1] / 2**20:.0f}"
            for q in (10, 25, 50, 75, 100)
        )
        if mem
        else "memory: no samples",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--asks", type=int, default=100_000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rate", type=float, default=0.0, help="asks a second in all (0: as fast as answered)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--reload-every", type=float, default=3.0, help="seconds between reloads")
    parser.add_argument("--server-cpu", type=int, default=0)
    parser.add_argument("--client-cpu", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crampbot-soak-") as tmp:
        folder = Path(shutil.copytree(BUNDLED_KNOWLEDGE, Path(tmp) / "knowledge", symlinks=False))
        port, token = free_port(), secrets.token_urlsafe(32)
        env = {
            **os.environ,
            "CRAMPBOT_KNOWLEDGE": str(folder),
            "CRAMPBOT_ADMIN_TOKEN": token,
            "CRAMPBOT_DATA_DIR": str(Path(tmp) / "data"),
            "CRAMPBOT_LOG_LEVEL": "WARNING",
        }
        command = [sys.executable, "-m", "bot", "serve", "--port", str(port), "--workers", str(args.workers)]
        if args.workers == 1:  # the server on one CPU, this client on the other (as bench/http_load.py)
            command = ["taskset", "-c", str(args.server_cpu), *command]
            os.sched_setaffinity(0, {args.client_cpu})
        server = subprocess.Popen(command, env=env, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
                if server.poll() is not None:
                    raise SystemExit(f"the server exited: {server.stderr.read().decode() if server.stderr else ''}")
                time.sleep(0.2)
            time.sleep(2.0 * args.workers)  # every worker has indexed the folder
            start = time.monotonic()
            run = asyncio.run(soak(port, server.pid, token, folder, args))
            print(report(run, args, time.monotonic() - start))
        finally:
            server.terminate()
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    main()
