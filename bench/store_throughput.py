"""Requests per second of `POST /api/ask` with the store on and off, in one run (issue 15: on >= 90% of off).

Starts one `crampbot serve` per configuration (store off: CRAMPBOT_DATABASE_URL=none; store on:
a fresh SQLite file, or each --database-url given), then loads them in many short alternating rounds
(off, on, on, off, ...) so drift on a shared machine hits both alike; the figure to read is the
median of the per-round ratios (each round's on against the same round's off), which cancels the
drift that medians of requests per second keep. It also reads each server's own CPU time (all
its threads, the store's writer included) per request answered: on a shared machine that moves far
less than requests per second, and a single worker's capacity is its inverse. The client is this
process:
`--concurrency` threads, each with a kept-alive HTTP connection, asking the evaluation questions
in conversations of five (a session id each). After the rounds each server is stopped with
SIGTERM, and the stored exchanges are counted against the answers the server gave: the shutdown
flush must leave none behind. Run by hand, not in CI:

    .venv/bin/python bench/store_throughput.py
    .venv/bin/python bench/store_throughput.py --rounds 6 --seconds 10 \
        --database-url postgresql://postgres@127.0.0.1:55432/bench
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import func, select

from bot.chat import Bot
from bot.corpus.passages import BUNDLED_KNOWLEDGE
from bot.evaluation.retrieval import load_eval_set
from bot.store.database import open_engine, safe_url
from bot.store.records import ExchangeRecord, new_exchange_id
from bot.store.store import Store
from bot.store.tables import exchanges

TURNS_PER_SESSION = 5


def questions() -> list[str]:
    cases = load_eval_set(BUNDLED_KNOWLEDGE / "eval" / "questions.yaml")
    return [c.question for c in (*cases.in_scope, *cases.off_topic)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    name: str
    database_url: str  # "none": the store off
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    answered: int = 0  # 200 replies over the whole run, warm-up included
    rps: list[float] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    cpu_ms_per_request: list[float] = field(default_factory=list)  # the server's own CPU, all its threads

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far (Linux /proc)."""
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def start(self, data_dir: Path) -> None:
        env = os.environ | {
            "CRAMPBOT_DATABASE_URL": self.database_url,
            "CRAMPBOT_DATA_DIR": str(data_dir),
            "CRAMPBOT_LOG_LEVEL": "WARNING",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(self.port)], env=env, stdout=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/api/health")
                health = json.loads(connection.getresponse().read())
                if health.get("store") in {"ok", "off"}:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start")

    def stop(self) -> float:
        """SIGTERM, as a process manager would; the seconds the graceful shutdown took."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(60)
        return time.monotonic() - started


def load(server: Server, qs: list[str], seconds: float, concurrency: int, offset: int) -> tuple[int, list[float]]:
    """Ask for `seconds` from `concurrency` threads; the number of 200 replies and their latencies."""
    deadline = time.monotonic() + seconds
    done: list[int] = [0] * concurrency
    latencies: list[list[float]] = [[] for _ in range(concurrency)]

    def worker(k: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        i = offset + k * 7919
        while time.monotonic() < deadline:
            session = f"bench-{server.name}-{k}-{i // TURNS_PER_SESSION}"
            body = json.dumps({"question": qs[i % len(qs)], "session_id": session})
            started = time.perf_counter()
            connection.request("POST", "/api/ask", body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                done[k] += 1
                latencies[k].append((time.perf_counter() - started) * 1000)
            i += 1
        connection.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done), [x for xs in latencies for x in xs]


def exchange_costs(url: str, n: int = 20_000) -> tuple[float, float]:
    """In process: microseconds per exchange on the request path (copying the reply with its id,
    building the record, queueing it) and in the writer thread (redaction, row, insert, commit)."""
    bot = Bot.from_knowledge()
    question = "What causes leg cramps at night?"
    reply = bot.ask(question)
    store = Store(url, maxsize=n + 1, batch_size=500).start()
    assert store.wait_ready(30)
    started = time.perf_counter()
    for _ in range(n):
        with_id = replace(reply, id=new_exchange_id())
        store.record(
            ExchangeRecord.of(with_id, question=question, session="ab" * 16, version=bot.version, latency_ms=1.0)
        )
    request_path = (time.perf_counter() - started) / n * 1e6
    records = [
        ExchangeRecord.of(replace(reply, id=new_exchange_id()), question=question, session=None, version="v",
                          latency_ms=1.0)
        for _ in range(n)
    ]  # fmt: skip
    store.flush(120)
    started = time.perf_counter()
    for i in range(0, n, 500):  # the writer's own work, timed apart from the request path
        store._write(list(records[i : i + 500]))  # type: ignore[arg-type]
    writer = (time.perf_counter() - started) / n * 1e6
    store.close()
    return request_path, writer


def stored(url: str) -> int:
    engine = open_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(exchanges)).scalar_one())
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=12, help="rounds per configuration (alternating)")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of one round")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument(
        "--database-url", action="append", default=[], help="also measure this database (`none`: a second server "
        "with the store off, to see how far two identical servers differ on this machine)"
    )  # fmt: skip
    args = parser.parse_args()

    qs = questions()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        servers = [Server("off", "none"), Server("sqlite", f"sqlite:///{data / 'bench.sqlite3'}")]
        servers += [Server(f"db{i}", url) for i, url in enumerate(args.database_url, 1)]
        for server in servers:
            server.start(data)
        try:
            for server in servers:
                server.answered += load(server, qs, args.warmup, args.concurrency, 0)[0]
            offset = 0
            for r in range(args.rounds):
                order = servers if r % 2 == 0 else servers[::-1]
                for server in order:
                    offset += 10_007
                    cpu = server.cpu_seconds()
                    answered, latencies = load(server, qs, args.seconds, args.concurrency, offset)
                    time.sleep(0.3)  # the writer's last batch of the round (linger 0.2 s) counts for this round
                    server.cpu_ms_per_request.append((server.cpu_seconds() - cpu) * 1000 / max(answered, 1))
                    server.answered += answered
                    server.rps.append(answered / args.seconds)
                    server.latencies_ms += latencies
        finally:
            shutdown = {s.name: s.stop() for s in servers}

        off = statistics.median(servers[0].rps)
        print(f"{len(qs)} evaluation questions, conversations of {TURNS_PER_SESSION}, ", end="")
        print(f"{args.concurrency} client threads,")
        print(f"{args.rounds} alternating rounds of {args.seconds:g} s per configuration, one uvicorn worker each\n")
        print("| store | requests/s (median) | min-max | vs off (median of round ratios) | server CPU ms/request "
              "| vs off | p50 ms | p99 ms | answered | stored | SIGTERM s |")  # fmt: skip
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        off_cpu = statistics.median(servers[0].cpu_ms_per_request)
        for server in servers:
            median = statistics.median(server.rps)
            ratios = [on / base for on, base in zip(server.rps, servers[0].rps, strict=True)]
            ordered = sorted(server.latencies_ms)
            p50, p99 = ordered[len(ordered) // 2], ordered[int(len(ordered) * 0.99)]
            kept = "-" if server.database_url == "none" else str(stored(server.database_url))
            cpu = statistics.median(server.cpu_ms_per_request)
            label = safe_url(server.database_url).split(":")[0] if server.database_url != "none" else "off"
            label += " (A/A control)" if server is not servers[0] and server.database_url == "none" else ""
            print(
                f"| {label} | {median:.0f} | {min(server.rps):.0f}-{max(server.rps):.0f} "
                f"| {statistics.median(ratios):.1%} (medians: {median / off:.1%}) "
                f"| {cpu:.3f} | {off_cpu / cpu:.1%} | {p50:.1f} | {p99:.1f} "
                f"| {server.answered} | {kept} | {shutdown[server.name]:.2f} |"
            )
        print(f"\nload average after the run: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        request_path, writer = exchange_costs(f"sqlite:///{data / 'costs.sqlite3'}")
        print(
            f"\nin process, per exchange: {request_path:.1f} us on the request path, {writer:.1f} us in the writer "
            f"thread (SQLite): {(request_path + writer) / 1000 / off_cpu:.1%} of the store-off server's CPU per request"
        )


if __name__ == "__main__":
    main()
