"""HTTP throughput of crampbot against a bare FastAPI app served the same way (issue 16).

Starts each server in its own process, pinned to one CPU, and drives it from this process,
pinned to the other, over keep-alive HTTP/1.1 connections on 127.0.0.1 (nothing leaves the
machine). Each run has a warm-up, then a fixed time; it reports requests a second, latency
percentiles and errors (a status other than 200, or a broken connection). Run by hand, not in CI:

    .venv/bin/python bench/http_load.py                      # bare, health, ask; 1 and 2 workers; 16 and 64 connections
    .venv/bin/python bench/http_load.py --targets health --connections 16 --seconds 5

`--checkout DIR` serves crampbot from another copy of the repository, to compare revisions.

Targets: `bare` is bench/bare_app.py (one async route, no middleware); `health` and `ask` are
`crampbot serve` with its defaults (rate limits on, so each ask comes from a new session id, as
a crowd of widget users would), over the eight questions below: the first questions people send
repeat (starter questions, chips), so after the first round they come from the answer cache
(CRAMPBOT_ANSWER_CACHE). `ask-uncached` runs with the cache off and cycles through the 850-odd
different questions of the evaluation sets: every ask is answered from scratch. `ask-one-session`
sends every ask with the same session id (it runs with CRAMPBOT_RATE_LIMIT=off, or it would measure
429s). Every server runs through
`uvicorn.run(app, host, port, log_level="info")`, as `crampbot serve` does.

The client is a small asyncio loop over raw sockets (about 9,000 requests a second on one core
of the development container, well above what one server process answers), so the server's
CPU, not the client, is what is measured; `--check-client` measures the client alone against a
canned-response server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "What causes leg cramps at night?",
    "how do I stop a cramp right now",
    "is magnesium good for leg cramps?",
    "my calf cramps every night, why?",
    "can dehydration cause cramps",
    "what stretches help before bed",
    "I have chest pain and leg cramps",
    "tell me a joke",
]
# The bare app through the same uvicorn options as `crampbot serve` (its HTTP protocol with deadlines,
# one process or several workers), with uvicorn's own access log where crampbot writes its own.
SERVE_BARE = (
    "import uvicorn, sys; sys.path.insert(0, {root!r}); from bot.web.protocol import TimedH11Protocol; "
    "uvicorn.run('bench.bare_app:app', host='127.0.0.1', port={port}, log_level='info', workers={workers}, "
    "http=TimedH11Protocol)"
)
CANNED = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: application/json\r\n\r\n{}"


@dataclass(frozen=True)
class Result:
    target: str
    workers: int
    connections: int
    seconds: float
    requests: int
    errors: int
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(target: str, port: int, cpus: str, checkout: Path = ROOT, workers: int = 1) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CRAMPBOT_PORT": str(port)}  # INFO logging, as `crampbot serve` runs by default
    if target == "bare":
        command = [sys.executable, "-c", SERVE_BARE.format(root=str(ROOT), port=port, workers=workers)]
    else:
        command = [sys.executable, "-m", "bot", "serve", "--port", str(port), "--workers", str(workers)]
        if target == "ask-one-session":
            env["CRAMPBOT_RATE_LIMIT"] = "off"
        if target == "ask-uncached":
            env["CRAMPBOT_ANSWER_CACHE"] = "0"
    process = subprocess.Popen(
        ["taskset", "-c", cpus, *command],
        env=env,
        cwd=checkout,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return process
        if process.poll() is not None:
            raise RuntimeError(f"the {target} server exited with {process.returncode}")
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the {target} server did not start")


@functools.cache
def eval_questions() -> list[str]:
    """Every in-scope and off-topic question of the three single-turn evaluation sets."""
    out: list[str] = []
    for name in ("questions", "questions_holdout", "questions_fresh"):
        data = yaml.safe_load((ROOT / "knowledge" / "eval" / f"{name}.yaml").read_text(encoding="utf-8"))
        out += [item["q"] for key in ("in_scope", "off_topic") for item in data.get(key, [])]
    return out


def request_bytes(target: str, n: int) -> bytes:
    if target in ("bare", "health"):
        return b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    session = "bench-one-session" if target == "ask-one-session" else str(uuid.uuid4())
    questions = eval_questions() if target == "ask-uncached" else QUESTIONS
    body = json.dumps({"question": questions[n % len(questions)], "session_id": session}).encode()
    head = "POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    return f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


async def drive(target: str, port: int, connections: int, warmup: float, seconds: float, workers: int = 1) -> Result:
    latencies: list[float] = []
    errors = 0
    count = 0
    start = time.perf_counter()
    measure_from = start + warmup
    stop_at = measure_from + seconds

    async def one_connection() -> None:
        nonlocal errors, count
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while True:
                sent = time.perf_counter()
                if sent >= stop_at:
                    return
                count += 1
                writer.write(request_bytes(target, count))
                try:
                    status = await read_response(reader)
                except (asyncio.IncompleteReadError, ConnectionError, ValueError):
                    errors += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    continue
                done = time.perf_counter()
                if sent >= measure_from:
                    latencies.append(done - sent)
                    if status != 200:
                        errors += 1
        finally:
            writer.close()

    await asyncio.gather(*(one_connection() for _ in range(connections)))
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return Result(target, workers, connections, seconds, len(latencies), errors, q[49] * 1000, q[98] * 1000)


async def canned_server(port: int) -> asyncio.Server:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        await reader.readexactly(int(line.split(b":")[1]))
                writer.write(CANNED)

    return await asyncio.start_server(serve, "127.0.0.1", port)


def check_client(connections: int, seconds: float, server_cpu: int) -> Result:
    """The client's own ceiling: a canned-response asyncio server in a child process."""
    port = free_port()
    code = (
        f"import asyncio, sys; sys.path.insert(0, {str(ROOT)!r}); from bench.http_load import canned_server\n"
        f"async def main():\n    s = await canned_server({port})\n    await s.serve_forever()\n"
        "asyncio.run(main())"
    )
    process = subprocess.Popen(["taskset", "-c", str(server_cpu), sys.executable, "-c", code])
    try:
        time.sleep(1.0)
        return asyncio.run(drive("bare", port, connections, 1.0, seconds))
    finally:
        process.terminate()
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--targets", default="bare,health,ask")
    parser.add_argument("--connections", default="16,64")
    parser.add_argument("--workers", default="1,2", help="server processes: crampbot serve --workers N")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--server-cpu", type=int, default=0)
    parser.add_argument("--client-cpu", type=int, default=1)
    parser.add_argument("--check-client", action="store_true", help="measure the client alone and stop")
    parser.add_argument(
        "--checkout",
        type=Path,
        default=ROOT,
        help="serve crampbot from this copy of the repository (git archive REV | tar -x -C DIR)",
    )
    args = parser.parse_args()
    os.sched_setaffinity(0, {args.client_cpu})
    connections = [int(c) for c in args.connections.split(",")]
    if args.check_client:
        for n in connections:
            r = check_client(n, args.seconds, args.server_cpu)
            print(f"client alone, {n} connections: {r.rate:,.0f} req/s, p50 {r.p50_ms:.2f} ms, p99 {r.p99_ms:.2f} ms")
        return
    results: list[Result] = []
    for workers in [int(w) for w in args.workers.split(",")]:
        # One worker: the server on its CPU, the client on the other. Several: the server may use every
        # CPU, the client's too (a machine with more CPUs than workers + 1 would keep them apart).
        cpus = str(args.server_cpu) if workers == 1 else ",".join(str(c) for c in range(os.cpu_count() or 2))
        for target in args.targets.split(","):
            port = free_port()
            server = start_server(target, port, cpus, args.checkout, workers)
            try:
                for n in connections:
                    results.append(asyncio.run(drive(target, port, n, args.warmup, args.seconds, workers)))
                    print(f"{target:>16} x{workers} {n:>3} conns: {results[-1].rate:8,.0f} req/s", file=sys.stderr)
            finally:
                server.terminate()
                server.wait(timeout=30)
    bare = {(r.workers, r.connections): r.rate for r in results if r.target == "bare"}
    print("| target | workers | connections | req/s | x bare | p50 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        key = (r.workers, r.connections)
        ratio = f"{r.rate / bare[key]:.2f}" if key in bare else ""
        print(
            f"| {r.target} | {r.workers} | {r.connections} | {r.rate:,.0f} | {ratio} | {r.p50_ms:.2f} | {r.p99_ms:.2f}"
            f" | {r.errors} |"
        )


if __name__ == "__main__":
    main()
