#!/usr/bin/env python3
"""Load test of the annotation API: K concurrent raters claim and submit against a real
`honing serve` on PostgreSQL, and the latency and throughput they see are measured.

What it does, end to end:

1. creates a throw-away database `honing_bench_<random>` on the PostgreSQL server given by
   --database-url (or HONING_BENCH_DATABASE_URL), and drops it again at the end, also on
   Ctrl-C or an error (unless --keep-database);
2. seeds it through the library, not the HTTP API: a workspace, a lead, as many raters
   (each with an API token) as the largest K, a dataset of --items items, the demo rubric,
   and one fresh queue per K (overlap 3, 600 s leases), so no level inherits another's state;
3. starts `python -m honing serve` as a subprocess (with --workers N if N > 1) and waits
   for /api/health;
4. for each K in --raters, runs K simulated raters (asyncio, one HTTP connection and one
   token each) that loop claim -> submit with valid answers (no think time unless
   --think-ms), for
   --warmup seconds (not counted) and then --seconds (measured); prints a table with
   submissions/s, claim and submit latency percentiles and errors, and how much CPU the
   load generator itself used (it shares the machine with the server and the database);
5. compares K=50 against the targets (p99 claim and submit < 100 ms, >= 200 submissions/s).

Example:

    .venv/bin/python benchmarks/annotation_load.py \\
        --database-url postgresql+psycopg://honing@127.0.0.1:54329/postgres \\
        --raters 10,50,200 --seconds 20 --workers 1 --json /tmp/load-w1.json

Latency is measured in the client from sending the request to reading the whole response;
a request counts if it *started* inside the measured window, a submission counts if it
*completed* inside it. Closed loop: a rater sends its next request as soon as the previous
one is answered, so throughput is what the server sustains with K requests in flight, and
latency is mostly queueing: by Little's law the mean latency is K / (requests per second),
so p99 < 100 ms at K=50 with no think time needs well over 500 requests/s (250 cycles/s).
--think-ms adds a pause between claim and submit to model raters who read the item.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import _http

WORKSPACE = "bench"
DATASET = "bench-items"
OVERLAP = 3
LEASE_SECONDS = 600
PASSWORD = "bench password 1234"
# Valid answers for the demo rubric (the same as tests/annotation.py's GOOD).
GOOD = {
    "helpfulness": {"A": 4, "B": 3},
    "correctness": {"A": 4, "B": 4},
    "safety": {"A": "safe", "B": "safe"},
    "severity": "S0",
    "preference": "A>B",
}
IDLE_BELOW = 0.25
TARGET_K = 50
TARGET_P99_MS = 100.0
TARGET_SUBMITS_PER_S = 200.0


class BenchError(Exception):
    """A problem the user can fix (bad URL, server did not start...): printed, exit 2."""


# --- command line ------------------------------------------------------------------------

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="annotation_load.py",
        description="Measure the annotation API (claim -> submit) under K concurrent raters, "
                    "against a real `honing serve` on a throw-away PostgreSQL database.",
        epilog="Targets checked at the end: at K=50, p99 claim and p99 submit < 100 ms and "
               ">= 200 submissions/s. The load generator runs on the same machine as the "
               "server; its own CPU use is printed so you can judge how much it took.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("HONING_BENCH_DATABASE_URL"),
                        help="SQLAlchemy URL of a PostgreSQL server and a database to connect to "
                             "for CREATE/DROP DATABASE (needs the CREATEDB right), e.g. "
                             "postgresql+psycopg://honing@127.0.0.1:54329/postgres "
                             "[env: HONING_BENCH_DATABASE_URL]")
    parser.add_argument("--raters", default="10,50,200", type=_levels,
                        help="comma-separated concurrency levels K, run in this order")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per level")
    parser.add_argument("--warmup", type=float, default=3.0,
                        help="seconds of load before each measured window (not counted)")
    parser.add_argument("--workers", type=int, default=1,
                        help="server worker processes (`honing serve --workers N`)")
    parser.add_argument("--items", type=int, default=5000,
                        help="items in the dataset; every level gets its own queue over all of "
                             "them, so a level can take up to 3 x ITEMS submissions (the claim "
                             "query's cost grows with the queue size, so keep it comparable "
                             "between runs)")
    parser.add_argument("--item-kind", choices=("demo", "small"), default="demo",
                        help="demo: realistic helpdesk conversations from honing.demo (~6 KB); "
                             "small: the short records the tests use (~1 KB)")
    parser.add_argument("--think-ms", type=float, default=0.0,
                        help="mean pause between a claim's answer and the submit (uniform in "
                             "0.5-1.5x), standing for the rater's reading time; 0 = closed loop "
                             "at full speed, which measures saturation (latency = queueing)")
    parser.add_argument("--wait-for-idle", type=float, default=0.0, metavar="SECONDS",
                        help="before each level, wait up to SECONDS for the machine to be less "
                             "than 25%% busy with other work (shared machines make noisy figures)")
    parser.add_argument("--client", choices=("lean", "aiohttp"), default="lean",
                        help="the raters' HTTP client: lean (benchmarks/_http.py, httptools, the "
                             "least CPU taken from the server on a shared machine) or aiohttp")
    parser.add_argument("--port", type=int, default=0, help="server port (0: a free one)")
    parser.add_argument("--timeout", type=float, default=30.0, help="per-request timeout, seconds")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--server-log", type=Path, metavar="PATH",
                        help="write the server's output here (default: a temporary file, "
                             "shown if the server fails)")
    parser.add_argument("--keep-database", action="store_true",
                        help="do not drop the benchmark database at the end (prints its URL)")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("no database: pass --database-url or set HONING_BENCH_DATABASE_URL to a "
                     "PostgreSQL URL, e.g. postgresql+psycopg://honing@127.0.0.1:54329/postgres")
    if args.seconds <= 0 or args.warmup < 0 or args.think_ms < 0:
        parser.error("--seconds must be > 0, --warmup and --think-ms >= 0")
    if args.workers < 1:
        parser.error("--workers must be >= 1")
    if args.items < 1:
        parser.error("--items must be >= 1")
    return args


def _levels(text: str) -> list[int]:
    try:
        levels = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of numbers") from None
    if not levels or any(k < 1 for k in levels):
        raise argparse.ArgumentTypeError("rater counts must be positive integers")
    return levels


# --- the throw-away database ----------------------------------------------------------------

class BenchDatabase:
    """CREATE DATABASE honing_bench_<random> on enter; DROP ... WITH (FORCE) on exit."""

    def __init__(self, admin_url: str, keep: bool = False):
        from sqlalchemy.engine import make_url

        try:
            self.admin_url = make_url(admin_url)
        except Exception as error:  # noqa: BLE001 - any parse error is the user's to fix
            raise BenchError(f"--database-url is not a valid SQLAlchemy URL: {error}") from None
        if self.admin_url.get_backend_name() != "postgresql":
            raise BenchError(f"--database-url must be a PostgreSQL URL, got "
                             f"{self.admin_url.drivername!r} (this benchmark measures the "
                             "PostgreSQL path: row locks with SKIP LOCKED, a connection pool)")
        self.name = f"honing_bench_{uuid.uuid4().hex[:10]}"
        self.url = self.admin_url.set(database=self.name).render_as_string(hide_password=False)
        self.keep = keep
        self._admin = None

    def __enter__(self) -> BenchDatabase:
        from sqlalchemy import create_engine, text

        self._admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT", poolclass=_null_pool())
        try:
            with self._admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        except Exception as error:  # noqa: BLE001
            self._admin.dispose()
            raise BenchError(f"could not create a database on "
                             f"{self.admin_url.render_as_string(hide_password=True)}: "
                             f"{type(error).__name__}: {str(error).strip().splitlines()[0]}") from None
        return self

    def __exit__(self, *exc_info: object) -> None:
        from sqlalchemy import text

        if self.keep:
            print(f"kept the benchmark database: {self.admin_url.set(database=self.name).render_as_string(hide_password=True)}")
        else:
            try:
                with self._admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            except Exception as error:  # noqa: BLE001 - report, do not mask the real error
                print(f"warning: could not drop database {self.name}: {error}", file=sys.stderr)
        self._admin.dispose()


def _null_pool():  # type: ignore[no-untyped-def]
    from sqlalchemy.pool import NullPool

    return NullPool


# --- seeding through the library ----------------------------------------------------------------

@dataclass
class Seeded:
    lead_token: str
    rater_tokens: list[str]
    queues: list[str]  # one per level, in --raters order
    items: int
    seconds: float


def seed(url: str, *, raters: int, levels: list[int], items: int, item_kind: str) -> Seeded:
    from sqlalchemy import text

    from honing import accounts, annotate, ingest
    from honing.accounts import Principal, Role
    from honing.storage import Database

    started = time.perf_counter()
    operator = Principal(name="cli:bench")
    db = Database(url)  # runs the migrations
    try:
        with db.writing() as session:
            accounts.create_workspace(session, operator, WORKSPACE, "Load benchmark")
            accounts.create_user(session, operator, "bench-lead", PASSWORD)
            accounts.set_role(session, operator, WORKSPACE, "bench-lead", Role.lead)
            lead_token = accounts.create_token(session, operator, "bench-lead", "bench")[1]
        tokens: list[str] = []
        # scrypt makes each user ~50 ms: create them once, for the largest K, in batches.
        for start in range(0, raters, 50):
            with db.writing() as session:
                for i in range(start, min(raters, start + 50)):
                    name = f"bench-rater-{i:04d}"
                    accounts.create_user(session, operator, name, PASSWORD)
                    accounts.set_role(session, operator, WORKSPACE, name, Role.rater)
                    tokens.append(accounts.create_token(session, operator, name, "bench")[1])
            _progress(f"seeding: {len(tokens)}/{raters} raters")
        generated = _items(items, item_kind)
        _progress(f"seeding: importing {len(generated)} items")
        imported = ingest.import_items(db, generated, workspace=WORKSPACE, dataset=DATASET,
                                       actor=operator.audit_name)
        rubric_text = (Path(_demo_dir()) / "helpdesk_rubric.yaml").read_text()
        queues: list[str] = []
        with db.writing() as session:
            ws = accounts.get_workspace(session, WORKSPACE)
            pushed = annotate.push_rubric(session, ws, rubric_text, source="helpdesk_rubric.yaml",
                                          actor=operator.audit_name)
            policy = annotate.QueuePolicy(overlap=OVERLAP, lease_seconds=LEASE_SECONDS)
            for index, k in enumerate(levels):
                name = f"load-{index + 1}-k{k}"
                annotate.create_queue(session, ws, name=name, dataset_ref=imported.version.ref,
                                      rubric_ref=pushed.ref, policy=policy,
                                      actor=operator.audit_name)
                queues.append(name)
        # Fresh tables have no planner statistics yet; a real database would have them.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
        _progress("")
        return Seeded(lead_token, tokens, queues, imported.version.item_count,
                      time.perf_counter() - started)
    finally:
        db.dispose()


def _demo_dir() -> str:
    import honing.demo

    return os.path.dirname(honing.demo.__file__)


def _items(count: int, kind: str) -> list[Any]:
    from honing.domain import Item

    if kind == "demo":
        from honing.demo import generate_items

        return list(generate_items(count=count, seed=20240601))
    return [Item.model_validate(_small_record(i)) for i in range(count)]


def _small_record(i: int) -> dict[str, Any]:
    """The shape of tests/records.py's record(i), in the model's field names."""
    return {
        "external_id": f"t-{i:05d}",
        "messages": [
            {"role": "system", "content": "You are the IT helpdesk assistant."},
            {"role": "user", "content": f"My laptop #{i} cannot reach the VPN."},
            {"role": "assistant", "content": None, "tool_calls": [
                {"id": f"call_{i}", "type": "function",
                 "function": {"name": "check_service_status", "arguments": '{"service": "vpn"}'}}]},
            {"role": "tool", "tool_call_id": f"call_{i}", "content": '{"status": "degraded"}'},
        ],
        "context": [{"id": "KB-1", "title": "VPN", "content": "Restart the client."}],
        "responses": [
            {"model": "helpdesk", "model_version": "v1", "content": "Please restart the VPN client."},
            {"model": "helpdesk", "model_version": "v2", "content": "The VPN is degraded; retry later."},
        ],
        "metadata": {"intent": "vpn_issue" if i % 3 else "password_reset", "language": "en"},
    }


def _progress(message: str) -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r\x1b[K" + message)
        sys.stderr.flush()
    elif message:
        print(message, file=sys.stderr, flush=True)


# --- the server subprocess ------------------------------------------------------------------------

class Server:
    """`python -m honing serve` in its own process group, stopped (and, if need be, killed)
    on exit, so Ctrl-C in the terminal reaches only this script, which then cleans up."""

    def __init__(self, database_url: str, *, port: int, workers: int, log: Path | None):
        self.port = port or _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self._home = Path(tempfile.mkdtemp(prefix="honing-bench-"))
        self.log_path = log or self._home / "server.log"
        self.command = [sys.executable, "-m", "honing", "serve", "--host", "127.0.0.1",
                        "--port", str(self.port)]
        if workers > 1:
            self.command += ["--workers", str(workers)]
        self._env = {**os.environ, "HONING_DATABASE_URL": database_url,
                     "HONING_HOME": str(self._home), "PYTHONUNBUFFERED": "1"}
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(self.command, env=self._env, stdout=self._log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        start_new_session=True)
        try:
            self._wait_until_ready()
        except BaseException as error:  # __exit__ does not run when __enter__ fails
            self.__exit__(type(error), error, error.__traceback__)
            raise
        return self

    def _wait_until_ready(self) -> None:
        import httpx

        deadline = time.monotonic() + 90
        while True:
            if self.process.poll() is not None:
                raise BenchError(f"the server exited with code {self.process.returncode} before "
                                 f"it was ready:\n{self._tail()}")
            try:
                response = httpx.get(self.base + "/api/health", timeout=2)
                if response.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise BenchError(f"the server did not answer /api/health within 90 s:\n{self._tail()}")
            time.sleep(0.2)
        if self.workers > 1:
            self._wait_for_workers(deadline)

    def _wait_for_workers(self, deadline: float) -> None:
        """Health answers as soon as one worker is up; wait until all N are serving."""
        while time.monotonic() < deadline:
            if len(_descendants(self.process.pid)) >= self.workers:
                time.sleep(1.0)  # let the last ones finish create_app()
                return
            time.sleep(0.2)

    def __exit__(self, exc_type: object, *exc_info: object) -> None:
        process = self.process
        if process is not None and process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGINT)  # uvicorn's graceful shutdown
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        if process is not None:
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)  # any worker left in its group
        self._log.close()
        if exc_type is not None and self.log_path.parent == self._home:
            print(f"the server's log is kept in {self.log_path}", file=sys.stderr)
        else:
            shutil.rmtree(self._home, ignore_errors=True)

    def _tail(self, lines: int = 30) -> str:
        self._log.flush()
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join("  | " + line for line in text[-lines:]) or "  | (no output)"

    def cpu_seconds(self) -> float | None:
        """CPU used so far by the server process and all its descendants (Linux /proc)."""
        if self.process is None:
            return None
        pids = [self.process.pid, *_descendants(self.process.pid)]
        total = 0.0
        for pid in pids:
            cpu = _proc_cpu(pid)
            if cpu is None and pid == self.process.pid:
                return None
            total += cpu or 0.0
        return total


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_cpu(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    pending = [pid]
    while pending:
        parent = pending.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                children = Path(f"/proc/{parent}/task/{task}/children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                found.append(child)
                pending.append(child)
    return found


def _machine_cpu() -> tuple[float, float] | None:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return None
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    total = sum(values[:8])  # without guest time, which is already in user
    return (total - idle) / _TICKS, total / _TICKS


def _postgres_cpu() -> dict[int, float] | None:
    """CPU used so far by each local process named `postgres` (server and backends), by pid:
    all local clusters and databases, so other users of the same server are included."""
    found: dict[int, float] = {}
    try:
        pids = [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]
    except OSError:
        return None
    for pid in pids:
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() not in ("postgres", "postmaster"):
                continue
        except OSError:
            continue
        cpu = _proc_cpu(pid)
        if cpu is not None:
            found[pid] = cpu
    return found or None


def _cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU spent between two snapshots by processes alive at the second one (a backend that
    started in between counts in full; one that exited in between is lost)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items()
               if cpu >= before.get(pid, 0.0))


async def background_load(seconds: float = 2.0) -> float | None:
    """Share of the machine's CPU busy while this benchmark is idle: other work on the
    machine competes with the server and makes the figures noisy."""
    before = _machine_cpu()
    await asyncio.sleep(seconds)
    after = _machine_cpu()
    if before is None or after is None or after[1] <= before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1])


def _client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- the load --------------------------------------------------------------------------------------

@dataclass
class LevelStats:
    k: int
    queue: str
    window: float
    claim_ms: list[float] = field(default_factory=list)
    submit_ms: list[float] = field(default_factory=list)
    submissions: int = 0  # completed inside the window
    claims: int = 0  # completed (2xx, with an assignment) inside the window
    acknowledged: int = 0  # every 2xx submit, warm-up and overrun included
    empty_claims: int = 0  # 2xx without an assignment (queue dry or busy)
    empty_reasons: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)  # "claim 500", "submit ReadTimeout"...
    loop_lag_ms: list[float] = field(default_factory=list)
    client_cpu: float | None = None
    server_cpu: float | None = None
    postgres_cpu: float | None = None
    machine_busy: float | None = None
    background: float | None = None
    machine_cores: int = os.cpu_count() or 1
    stored_labels: int | None = None
    started: float = 0.0
    start: float = 0.0
    end: float = 0.0


class _Aiohttp:
    """aiohttp behind the same interface as `_http.Connection` (`--client aiohttp`)."""

    def __init__(self, base: str, *, headers: dict[str, str], timeout: float):
        import aiohttp

        self.session = aiohttp.ClientSession(base_url=base, headers=headers,
                                             timeout=aiohttp.ClientTimeout(total=timeout),
                                             connector=aiohttp.TCPConnector(limit=1))

    async def request(self, method: str, path: str, body: bytes = b"",
                      content_type: str = "application/json") -> tuple[int, bytes]:
        headers = {"Content-Type": content_type} if body else None
        async with self.session.request(method, path, data=body or None, headers=headers) as response:
            return response.status, await response.read()

    async def close(self) -> None:
        await self.session.close()


def _connection(kind: str, base: str, token: str, timeout: float) -> Any:
    headers = {"Authorization": f"Bearer {token}"}
    if kind == "aiohttp":
        return _Aiohttp(base, headers=headers, timeout=timeout)
    return _http.Connection(base, headers=headers, timeout=timeout)


def _failures() -> tuple[type[BaseException], ...]:
    import aiohttp

    return (_http.HttpError, aiohttp.ClientError, asyncio.TimeoutError)


async def _close(client: Any) -> None:
    closed = client.close()
    if asyncio.iscoroutine(closed):
        await closed


async def _health(client: Any) -> int:
    status, _ = await client.request("GET", "/api/health")
    return status


async def run_level(base: str, queue: str, tokens: list[str], *, warmup: float, seconds: float,
                    timeout: float, server: Server, wait_for_idle: float = 0.0,
                    think: float = 0.0, client: str = "lean") -> LevelStats:
    stats = LevelStats(k=len(tokens), queue=queue, window=seconds)
    stats.background = await background_load()
    deadline = time.monotonic() + wait_for_idle
    while (stats.background is not None and stats.background > IDLE_BELOW
           and time.monotonic() < deadline):
        _progress(f"waiting for the machine to be idle (busy {stats.background * 100:.0f}%)")
        stats.background = await background_load()
    _progress("")
    # One keep-alive connection per rater, like K separate browsers.
    clients = [_connection(client, base, token, timeout) for token in tokens]
    try:
        # Open every connection before the clock starts. /api/health touches no database:
        # K simultaneous database reads would measure something else (and at K > ~50 they
        # can exhaust the server's connection pool, see the report in benchmarks/README.md).
        opened = await asyncio.gather(*(_health(c) for c in clients), return_exceptions=True)
        bad = [r for r in opened if r != 200]
        if bad:
            raise BenchError(f"{len(bad)} of {len(clients)} raters could not connect: {bad[0]!r}")
        stats.started = time.perf_counter()
        stats.start = stats.started + warmup
        stats.end = stats.start + seconds
        monitor = asyncio.create_task(_monitor(stats, server))
        await asyncio.gather(*(_rater(client, queue, stats, i, think)
                               for i, client in enumerate(clients)))
        await monitor
    finally:
        await asyncio.gather(*(_close(c) for c in clients), return_exceptions=True)
    return stats


async def _rater(client: Any, queue: str, stats: LevelStats, index: int, think: float = 0.0) -> None:
    import orjson

    claim_path = f"/api/workspaces/{WORKSPACE}/queues/{queue}/claim"
    body = orjson.dumps({"answers": GOOD})
    failures = _failures()
    rng = random.Random(index)
    # Spread the first requests over 100 ms instead of K requests in the same instant.
    await asyncio.sleep(rng.random() * 0.1)
    while time.perf_counter() < stats.end:
        sent = time.perf_counter()
        try:
            status, content = await client.request("POST", claim_path)
            payload = orjson.loads(content) if status == 200 else None
        except (*failures, orjson.JSONDecodeError) as error:
            _error(stats, sent, f"claim {type(error).__name__}")
            await asyncio.sleep(0.05)
            continue
        done = time.perf_counter()
        if status != 200:
            _error(stats, sent, f"claim HTTP {status}")
            await asyncio.sleep(0.05)
            continue
        if stats.start <= sent < stats.end:
            stats.claim_ms.append((done - sent) * 1000)
        assignment = payload.get("assignment")
        if assignment is None:
            if stats.start <= sent < stats.end:
                stats.empty_claims += 1
                stats.empty_reasons[payload.get("reason") or "?"] += 1
            await asyncio.sleep(0.05)
            continue
        if stats.start <= done < stats.end:
            stats.claims += 1
        if think:
            await asyncio.sleep(think * rng.uniform(0.5, 1.5))

        sent = time.perf_counter()
        try:
            status, _ = await client.request(
                "POST", f"/api/workspaces/{WORKSPACE}/assignments/{assignment['assignment_id']}/submit",
                body)
        except failures as error:
            _error(stats, sent, f"submit {type(error).__name__}")
            await asyncio.sleep(0.05)
            continue
        done = time.perf_counter()
        if status != 200:
            _error(stats, sent, f"submit HTTP {status}")
            await asyncio.sleep(0.05)
            continue
        stats.acknowledged += 1
        if stats.start <= sent < stats.end:
            stats.submit_ms.append((done - sent) * 1000)
        if stats.start <= done < stats.end:
            stats.submissions += 1


def _error(stats: LevelStats, sent: float, key: str) -> None:
    if stats.start <= sent < stats.end:
        stats.errors[key] += 1


async def _monitor(stats: LevelStats, server: Server) -> None:
    """CPU counters at the window's edges, and the client's event-loop lag inside it (a
    lagging loop means the load generator, not the server, is adding latency)."""
    await asyncio.sleep(max(0.0, stats.start - time.perf_counter()))
    cpu0, server0, pg0, machine0 = _client_cpu(), server.cpu_seconds(), _postgres_cpu(), _machine_cpu()
    tick = 0.01
    while True:
        before = time.perf_counter()
        if before >= stats.end:
            break
        await asyncio.sleep(tick)
        stats.loop_lag_ms.append(max(0.0, (time.perf_counter() - before - tick) * 1000))
    cpu1, server1, pg1, machine1 = _client_cpu(), server.cpu_seconds(), _postgres_cpu(), _machine_cpu()
    elapsed = time.perf_counter() - stats.start
    stats.client_cpu = (cpu1 - cpu0) / elapsed
    if server0 is not None and server1 is not None:
        stats.server_cpu = (server1 - server0) / elapsed
    if pg0 is not None and pg1 is not None:
        stats.postgres_cpu = _cpu_delta(pg0, pg1) / elapsed
    if machine0 and machine1 and machine1[1] > machine0[1]:
        stats.machine_busy = (machine1[0] - machine0[0]) / (machine1[1] - machine0[1])


async def stored_labels(base: str, lead_token: str, queue: str) -> int | None:
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=30,
                                 headers={"Authorization": f"Bearer {lead_token}"}) as client:
        response = await client.get(f"/api/workspaces/{WORKSPACE}/queues/{queue}")
    if response.status_code != 200:
        return None
    return response.json()["stats"]["labels"]


# --- reporting -------------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarize(stats: LevelStats) -> dict[str, Any]:
    def pct(values: list[float]) -> dict[str, float | None]:
        return {f"p{p}": _round(percentile(values, p)) for p in (50, 95, 99)} | {
            "max": _round(max(values) if values else None), "count": len(values)}

    return {
        "raters": stats.k,
        "queue": stats.queue,
        "seconds": stats.window,
        "submissions": stats.submissions,
        "submissions_per_s": round(stats.submissions / stats.window, 1),
        "claims_per_s": round(stats.claims / stats.window, 1),
        "claim_ms": pct(stats.claim_ms),
        "submit_ms": pct(stats.submit_ms),
        "errors": sum(stats.errors.values()),
        "error_kinds": dict(stats.errors),
        "empty_claims": stats.empty_claims,
        "empty_reasons": dict(stats.empty_reasons),
        "acknowledged_submits": stats.acknowledged,
        "stored_labels": stats.stored_labels,
        "client_cpu_cores": _round(stats.client_cpu, 2),
        "server_cpu_cores": _round(stats.server_cpu, 2),
        "postgres_cpu_cores": _round(stats.postgres_cpu, 2),
        "machine_busy_share": _round(stats.machine_busy, 3),
        "background_busy_share_before": _round(stats.background, 3),
        "machine_cores": stats.machine_cores,
        "client_loop_lag_ms": {"p50": _round(percentile(stats.loop_lag_ms, 50)),
                               "p99": _round(percentile(stats.loop_lag_ms, 99))},
    }


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


HEADER = (f"{'K':>5} {'subs/s':>8} {'claim p50':>10} {'p95':>7} {'p99':>7} "
          f"{'submit p50':>11} {'p95':>7} {'p99':>7} {'errors':>7} {'empty':>6} "
          f"{'CPU client':>10} {'server':>7} {'pg':>5} {'machine':>8}")


def row(result: dict[str, Any]) -> str:
    c, s = result["claim_ms"], result["submit_ms"]
    machine = result["machine_busy_share"]
    return (f"{result['raters']:>5} {result['submissions_per_s']:>8.1f} "
            f"{_ms(c['p50']):>10} {_ms(c['p95']):>7} {_ms(c['p99']):>7} "
            f"{_ms(s['p50']):>11} {_ms(s['p95']):>7} {_ms(s['p99']):>7} "
            f"{result['errors']:>7} {result['empty_claims']:>6} "
            f"{_cores(result['client_cpu_cores']):>10} {_cores(result['server_cpu_cores']):>7} "
            f"{_cores(result['postgres_cpu_cores']):>5} "
            f"{'-' if machine is None else f'{machine * 100:.0f}%':>8}")


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _cores(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def print_level(result: dict[str, Any]) -> None:
    print(f"\nK={result['raters']} raters, queue {result['queue']}, {result['seconds']:g} s measured "
          f"(latency in ms; CPU in cores busy: client = this script, server = honing serve "
          f"and its workers, pg = all local postgres processes; machine = share of all "
          f"{result['machine_cores']} cores)")
    print(HEADER)
    print(row(result))
    notes = []
    if result["error_kinds"]:
        notes.append("errors: " + ", ".join(f"{k} x{v}" for k, v in result["error_kinds"].items()))
    if result["empty_claims"]:
        notes.append("claims without an item: " + ", ".join(
            f"{reason!r} x{n}" for reason, n in result["empty_reasons"].items())
            + "  <- the queue ran dry or was busy: raise --items")
    lag = result["client_loop_lag_ms"]
    background = result["background_busy_share_before"]
    if background is not None:
        warn = "  <- other work on this machine: figures are noisy" if background > 0.15 else ""
        notes.append(f"machine busy before the level (benchmark idle): {background * 100:.0f}%{warn}")
    notes.append(f"claims/s {result['claims_per_s']:.1f}; load generator event-loop lag p50 "
                 f"{_ms(lag['p50'])} ms, p99 {_ms(lag['p99'])} ms (high lag = the client adds latency)")
    if result["stored_labels"] is not None:
        agree = "ok" if result["stored_labels"] == result["acknowledged_submits"] else "MISMATCH"
        notes.append(f"acknowledged submits {result['acknowledged_submits']} (incl. warm-up), "
                     f"labels stored {result['stored_labels']}: {agree}")
    for note in notes:
        print("  " + note)


def print_summary(results: list[dict[str, Any]], workers: int) -> dict[str, Any] | None:
    print(f"\nAll levels (server workers: {workers})")
    print(HEADER)
    for result in results:
        print(row(result))
    at = next((r for r in results if r["raters"] == TARGET_K), None)
    if at is None:
        print(f"\ntargets: not checked, K={TARGET_K} was not among --raters")
        return None
    claim99, submit99 = at["claim_ms"]["p99"], at["submit_ms"]["p99"]
    checks = {
        "claim_p99_ms": (claim99, TARGET_P99_MS, claim99 is not None and claim99 < TARGET_P99_MS),
        "submit_p99_ms": (submit99, TARGET_P99_MS, submit99 is not None and submit99 < TARGET_P99_MS),
        "submissions_per_s": (at["submissions_per_s"], TARGET_SUBMITS_PER_S,
                              at["submissions_per_s"] >= TARGET_SUBMITS_PER_S),
    }
    parts = []
    for name, (measured, target, ok) in checks.items():
        ratio = None if measured is None else measured / target
        parts.append(f"{name} {_ms(measured)} vs {target:g} "
                     f"(x{'-' if ratio is None else f'{ratio:.2f}'} {'PASS' if ok else 'FAIL'})")
    verdict = "PASS" if all(ok for *_, ok in checks.values()) and at["errors"] == 0 else "FAIL"
    print(f"\ntargets at K={TARGET_K} [{verdict}]: " + "; ".join(parts)
          + f"; errors {at['errors']}  (latency ratio = measured/target, lower is better; "
          "throughput ratio = measured/target, higher is better)")
    return {"k": TARGET_K, "verdict": verdict,
            **{name: {"measured": m, "target": t, "ratio": None if m is None else round(m / t, 3),
                      "pass": ok} for name, (m, t, ok) in checks.items()}}


# --- main ------------------------------------------------------------------------------------------

def _run_async(coroutine: Any) -> Any:
    """The load generator's loop: uvloop when installed (less client CPU), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import aiohttp  # noqa: F401
        import httpx  # noqa: F401
        import orjson  # noqa: F401

        import honing
    except ImportError as error:
        print(f"error: {error}; run this with the project's Python (e.g. .venv/bin/python)",
              file=sys.stderr)
        return 2

    def _terminate(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, _terminate)
    # Ctrl-C must clean up even when started in the background (where SIGINT is ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    results: list[dict[str, Any]] = []
    try:
        with BenchDatabase(args.database_url, keep=args.keep_database) as database:
            print(f"database {database.name} created; seeding {max(args.raters)} raters, "
                  f"{args.items} {args.item_kind} items, {len(args.raters)} queues...", flush=True)
            seeded = seed(database.url, raters=max(args.raters), levels=args.raters,
                          items=args.items, item_kind=args.item_kind)
            print(f"seeded in {seeded.seconds:.1f} s ({seeded.items} items per queue, overlap "
                  f"{OVERLAP}, lease {LEASE_SECONDS} s)", flush=True)
            with Server(database.url, port=args.port, workers=args.workers,
                        log=args.server_log) as server:
                print(f"server: {' '.join(server.command[1:])} (pid {server.process.pid}, "
                      f"log {server.log_path})", flush=True)
                for index, k in enumerate(args.raters):
                    queue = seeded.queues[index]
                    think = f", think time {args.think_ms:g} ms" if args.think_ms else ""
                    print(f"\nrunning K={k}: {args.warmup:g} s warm-up + {args.seconds:g} s "
                          f"measured{think}...", flush=True)
                    stats = _run_async(run_level(server.base, queue, seeded.rater_tokens[:k],
                                                  warmup=args.warmup, seconds=args.seconds,
                                                  timeout=args.timeout, server=server,
                                                  wait_for_idle=args.wait_for_idle,
                                                  think=args.think_ms / 1000,
                                                  client=args.client))
                    stats.stored_labels = asyncio.run(stored_labels(server.base, seeded.lead_token, queue))
                    result = summarize(stats)
                    results.append(result)
                    print_level(result)
            targets = print_summary(results, args.workers)
            usage = resource.getrusage(resource.RUSAGE_SELF)
            print(f"\nload generator: {usage.ru_utime + usage.ru_stime:.1f} s CPU in total "
                  f"(user {usage.ru_utime:.1f} s, system {usage.ru_stime:.1f} s), max RSS "
                  f"{usage.ru_maxrss / 1024:.0f} MiB; machine has {os.cpu_count()} cores shared "
                  "by the load generator, the server and PostgreSQL")
            if args.json:
                args.json.write_text(json.dumps({
                    "config": {"raters": args.raters, "seconds": args.seconds, "warmup": args.warmup,
                               "think_ms": args.think_ms, "client": args.client,
                               "workers": args.workers, "items": seeded.items,
                               "item_kind": args.item_kind, "overlap": OVERLAP,
                               "lease_seconds": LEASE_SECONDS},
                    "environment": {"honing": honing.__version__, "python": platform.python_version(),
                                    "platform": platform.platform(), "cpus": os.cpu_count(),
                                    "server_command": server.command[1:]},
                    "levels": results,
                    "targets": targets,
                }, indent=2) + "\n")
                print(f"results written to {args.json}")
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted; the server was stopped"
              + ("" if args.keep_database else " and the benchmark database dropped"), file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
