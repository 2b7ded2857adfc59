"""OTLP intake: spans per second and latency per 100-span batch through a real server, as a
ratio against a bare receiver that only parses; and peak memory of a large file import.

    PYTHONPATH=src .venv/bin/python benchmarks/otlp_ingest.py [--batches 300] [--concurrency 4]
        [--database-url postgresql+psycopg://...]   # default: a fresh SQLite file
        [--file-gb 1]                               # also: import a generated file, peak RSS

Each batch is an ExportTraceServiceRequest in protobuf (what the OTLP HTTP exporters send)
of 100 spans: 20 traces of a root span, two chat spans in the GenAI semantic conventions
(with message content) and two tool spans. Requests are whole HTTP requests to `honing
serve` (uvicorn, one worker) at the database's default durability (SQLite WAL with
synchronous=NORMAL as Honing opens it; PostgreSQL as configured, synchronous_commit on by
default). The bare receiver is uvicorn with an app that reads the body and parses it into
the protobuf message, nothing else. The payloads and the file are built here from the
protocol's messages, independently of Honing's mapping code.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

SPANS_PER_TRACE = 5
TRACES_PER_BATCH = 20

BARE_APP = '''
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest, ExportTraceServiceResponse)
EMPTY = ExportTraceServiceResponse().SerializeToString()

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    ExportTraceServiceRequest.FromString(body)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/x-protobuf")]})
    await send({"type": "http.response.body", "body": EMPTY})
'''


def _kv(key: str, value) -> KeyValue:
    if isinstance(value, int):
        return KeyValue(key=key, value=AnyValue(int_value=value))
    return KeyValue(key=key, value=AnyValue(string_value=str(value)))


def _messages(turn: int, rng: random.Random) -> tuple[str, str]:
    question = f"Where is my order {rng.randrange(10**6)}? " + "details " * rng.randrange(5, 40)
    inputs = [{"role": "system", "parts": [{"type": "text", "content": "You are a support agent."}]},
              {"role": "user", "parts": [{"type": "text", "content": question}]}]
    if turn == 0:
        outputs = [{"role": "assistant", "finish_reason": "tool_calls", "parts": [{
            "type": "tool_call", "id": "call_1", "name": "lookup_order", "arguments": {"id": 1}}]}]
    else:
        inputs += [{"role": "assistant", "parts": [{"type": "tool_call", "id": "call_1",
                                                    "name": "lookup_order", "arguments": {"id": 1}}]},
                   {"role": "tool", "parts": [{"type": "tool_call_response", "id": "call_1",
                                               "response": '{"status": "shipped"}'}]}]
        outputs = [{"role": "assistant", "finish_reason": "stop", "parts": [
            {"type": "text", "content": "It shipped yesterday. " * rng.randrange(1, 10)}]}]
    return json.dumps(inputs), json.dumps(outputs)


def make_batch(rng: random.Random) -> ExportTraceServiceRequest:
    request = ExportTraceServiceRequest()
    resource_spans = request.resource_spans.add()
    resource_spans.resource.attributes.extend([_kv("service.name", "bench-bot"),
                                               _kv("deployment.environment", "bench")])
    scope = resource_spans.scope_spans.add()
    scope.scope.name = "bench"
    t0 = time.time_ns()
    for _ in range(TRACES_PER_BATCH):
        trace_id = rng.randbytes(16)
        root_id = rng.randbytes(8)
        root = scope.spans.add(trace_id=trace_id, span_id=root_id, name="handle",
                               start_time_unix_nano=t0, end_time_unix_nano=t0 + 900_000_000)
        root.attributes.append(_kv("http.route", "/chat"))
        for turn in range(2):
            start = t0 + turn * 400_000_000
            chat = scope.spans.add(trace_id=trace_id, span_id=rng.randbytes(8), parent_span_id=root_id,
                                   name="chat gpt-bench", start_time_unix_nano=start,
                                   end_time_unix_nano=start + 300_000_000)
            inputs, outputs = _messages(turn, rng)
            chat.attributes.extend([
                _kv("gen_ai.operation.name", "chat"), _kv("gen_ai.request.model", "gpt-bench"),
                _kv("gen_ai.response.model", "gpt-bench-1"), _kv("gen_ai.usage.input_tokens", 50),
                _kv("gen_ai.usage.output_tokens", 20), _kv("gen_ai.input.messages", inputs),
                _kv("gen_ai.output.messages", outputs)])
            tool = scope.spans.add(trace_id=trace_id, span_id=rng.randbytes(8), parent_span_id=root_id,
                                   name="execute_tool lookup_order",
                                   start_time_unix_nano=start + 310_000_000,
                                   end_time_unix_nano=start + 350_000_000)
            tool.attributes.extend([_kv("gen_ai.operation.name", "execute_tool"),
                                    _kv("gen_ai.tool.name", "lookup_order")])
    return request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, process: subprocess.Popen, log: Path) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited:\n{log.read_text()[-3000:]}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not come up:\n{log.read_text()[-3000:]}")


async def send_all(url: str, bodies: list[bytes], token: str | None, concurrency: int) -> tuple[float, list[float]]:
    headers = {"content-type": "application/x-protobuf"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    latencies: list[float] = []
    queue = list(enumerate(bodies))
    async with aiohttp.ClientSession() as session:
        async def worker() -> None:
            while queue:
                _, body = queue.pop()
                start = time.perf_counter()
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    if response.status != 200:
                        raise SystemExit(f"{response.status}: {await response.text()}")
                latencies.append(time.perf_counter() - start)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - start, latencies


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a running process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_server(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(argv, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


def prepare_honing(database_url: str) -> str:
    from honing import accounts
    from honing.accounts import Principal, Role
    from honing.storage import Database

    operator = Principal(name="bench", is_site_admin=True)
    db = Database(database_url)
    name = f"bench-{uuid.uuid4().hex[:6]}"
    with db.writing() as session:
        accounts.create_workspace(session, operator, name, "Bench")
        accounts.create_user(session, operator, name, "a long bench password")
        accounts.set_role(session, operator, name, name, Role.lead)
        _, token = accounts.create_token(session, operator, name, "bench")
    db.dispose()
    return token


def measure(label: str, argv: list[str], env: dict[str, str], url: str, bodies: list[bytes],
            token: str | None, concurrency: int, workdir: Path) -> tuple[float, float]:
    log = workdir / f"{label}.log"
    port = int(url.split(":")[2].split("/")[0])
    process = run_server(argv, env, log)
    try:
        wait_up(f"http://127.0.0.1:{port}/", process, log)
        asyncio.run(send_all(url, bodies[:20], token, concurrency))  # warm-up (not counted)
        cpu = cpu_seconds(process.pid)
        elapsed, latencies = asyncio.run(send_all(url, bodies[20:], token, concurrency))
        cpu = cpu_seconds(process.pid) - cpu
    finally:
        process.terminate()
        process.wait(timeout=30)
    spans = (len(bodies) - 20) * TRACES_PER_BATCH * SPANS_PER_TRACE
    rate = spans / elapsed
    print(f"{label:>22}: {rate:8.0f} spans/s   p50 {sorted(latencies)[len(latencies) // 2] * 1000:6.1f} ms"
          f"   p99 {p99(latencies) * 1000:6.1f} ms per 100-span batch  ({len(latencies)} batches,"
          f" concurrency {concurrency}); server CPU {cpu / len(latencies) * 1000:.1f} ms per batch")
    return rate, p99(latencies)


def intake_rate(args: argparse.Namespace, workdir: Path) -> None:
    rng = random.Random(7)
    bodies = [make_batch(rng).SerializeToString() for _ in range(args.batches + 20)]
    print(f"{len(bodies)} batches of {TRACES_PER_BATCH * SPANS_PER_TRACE} spans, "
          f"{sum(map(len, bodies)) / len(bodies) / 1024:.0f} KB each (protobuf)")
    env = {**os.environ}
    bare_port = free_port()
    (workdir / "bare_receiver.py").write_text(BARE_APP)
    bare_rate, bare_p99 = measure(
        "bare receiver", [sys.executable, "-m", "uvicorn", "bare_receiver:app", "--port",
                          str(bare_port), "--log-level", "warning", "--no-access-log",
                          "--app-dir", str(workdir)],
        env, f"http://127.0.0.1:{bare_port}/v1/traces", bodies, None, args.concurrency, workdir)
    targets = [("sqlite", f"sqlite:///{workdir / 'honing.db'}")]
    if args.database_url:
        targets.append(("postgresql", args.database_url))
    for name, url in targets:
        token = prepare_honing(url)
        port = free_port()
        rate, batch_p99 = measure(
            f"honing ({name})", [sys.executable, "-m", "honing", "serve", "--port", str(port)],
            {**env, "HONING_DATABASE_URL": url, "HONING_HOME": str(workdir / "home")},
            f"http://127.0.0.1:{port}/v1/traces", bodies, token, args.concurrency, workdir)
        verdict = "meets" if rate >= 5000 and batch_p99 < 0.1 else "MISSES"
        print(f"{'':>22}  ratio to the bare receiver: {rate / bare_rate:.2f} of its rate, "
              f"p99 {batch_p99 / bare_p99:.1f}x; {verdict} the target (>= 5,000 spans/s, p99 < 100 ms)")


def write_file(path: Path, gigabytes: float) -> int:
    """OTLP JSON lines as the collector's file exporter writes them (hex ids, camelCase)."""
    rng = random.Random(11)
    target = int(gigabytes * 1024**3)
    written = spans = 0
    with path.open("w") as out:
        while written < target:
            batch = make_batch(rng)
            document = {"resourceSpans": [{
                "resource": {"attributes": [{"key": kv.key, "value": {"stringValue": kv.value.string_value}}
                                            for kv in batch.resource_spans[0].resource.attributes]},
                "scopeSpans": [{"scope": {"name": "bench"}, "spans": [_json_span(s) for s in
                                                                      batch.resource_spans[0].scope_spans[0].spans]}]}]}
            line = json.dumps(document, separators=(",", ":")) + "\n"
            out.write(line)
            written += len(line)
            spans += TRACES_PER_BATCH * SPANS_PER_TRACE
    return spans


def _json_span(span) -> dict:
    def value(v):
        return {"intValue": str(v.int_value)} if v.WhichOneof("value") == "int_value" else {
            "stringValue": v.string_value}

    return {"traceId": span.trace_id.hex(), "spanId": span.span_id.hex(),
            "parentSpanId": span.parent_span_id.hex(), "name": span.name, "kind": 1,
            "startTimeUnixNano": str(span.start_time_unix_nano),
            "endTimeUnixNano": str(span.end_time_unix_nano),
            "attributes": [{"key": a.key, "value": value(a.value)} for a in span.attributes],
            "status": {}}


def file_import(args: argparse.Namespace, workdir: Path) -> None:
    path = workdir / "traces.jsonl"
    start = time.perf_counter()
    spans = write_file(path, args.file_gb)
    print(f"wrote {path.stat().st_size / 1024**3:.2f} GB of OTLP JSON lines ({spans} spans) "
          f"in {time.perf_counter() - start:.0f} s")
    url = f"sqlite:///{workdir / 'import.db'}"
    prepare_honing(url)
    from honing import accounts
    from honing.storage import Database

    db = Database(url)
    with db.reading() as session:
        workspace = accounts.list_workspaces(session)[0].name
    db.dispose()
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "honing", "import", str(path), "-w", workspace,
                          "-d", "production", "--format", "otlp", "--json"],
                         env={**os.environ, "HONING_DATABASE_URL": url}, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if run.returncode != 0:
        raise SystemExit(run.stderr[-3000:])
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    summary = json.loads(run.stdout)
    print(f"imported {summary['spans']} spans, {summary['conversations']} conversations in "
          f"{elapsed:.0f} s ({summary['spans'] / elapsed:.0f} spans/s); peak RSS of the import "
          f"process {peak_mb:.0f} MB ({'under' if peak_mb < 300 else 'OVER'} 300 MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=2,
                        help="batches in flight at once (an SDK exporter sends one at a time)")
    parser.add_argument("--database-url", default=os.environ.get("HONING_BENCH_DATABASE_URL"),
                        help="a PostgreSQL URL to measure too (a database the benchmark may write to)")
    parser.add_argument("--file-gb", type=float, default=0.0,
                        help="also generate an OTLP JSON lines file this large and import it")
    parser.add_argument("--skip-rate", action="store_true", help="only the file import")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="otlp-bench-") as tmp:
        workdir = Path(tmp)
        if not args.skip_rate:
            intake_rate(args, workdir)
        if args.file_gb:
            file_import(args, workdir)


if __name__ == "__main__":
    main()
