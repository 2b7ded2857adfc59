#!/usr/bin/env python3
"""Throughput, CPU and memory of `honing eval run` against a bare asyncio + aiohttp client,
both against the same mock OpenAI-compatible server with a fixed latency, in one run.

What it does:

1. starts the mock server (`python -m honing.evaluate._mock_server`) in its own process
   with --latency-ms (default 50);
2. writes a suite of N scenarios (a `contains` check each) and pushes it into a throw-away
   SQLite home (not timed: the run is what is measured);
3. runs the bare client: N chat-completion requests, `--concurrency` in flight, one shared
   aiohttp session, nothing else (no scoring, no storage), in a subprocess;
4. runs the real CLI, `honing eval run SUITE --target openai:mock?base_url=... --concurrency C
   --no-cache --json`, in a subprocess (scoring and storage included);
5. repeats `--rounds` times (default 3), interleaved, and prints the medians of scenarios/s and
   CPU per scenario for both and the ratios of the medians, checked against the targets:
   at least 90% of the bare client's throughput, CPU per scenario at most 3x;
6. with --memory, runs the CLI at N = 10,000 and N = 100,000 and compares peak RSS
   (target: within 1.5x).

    .venv/bin/python benchmarks/eval_throughput.py [--scenarios 2000] [--latency-ms 50]
        [--concurrency 64] [--rounds 3] [--memory]

Exit code 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SMALL = 100
BARE = r"""
import asyncio, sys, time, aiohttp, orjson
url, n, concurrency = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

async def main():
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        queue = iter(range(n))

        async def worker():
            for i in queue:
                body = orjson.dumps({"model": "mock", "messages": [{"role": "user", "content": f"bare question {i}"}]})
                async with session.post(url, data=body, headers={"Content-Type": "application/json"}) as r:
                    data = orjson.loads(await r.read())
                    assert data["choices"][0]["message"]["content"]

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        print(time.perf_counter() - start)

try:
    import uvloop
    uvloop.install()
except ImportError:
    pass
asyncio.run(main())
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 20) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"the mock server did not come up at {url}")


# Runs a command and reports its own children's usage, so each measured process has its
# peak RSS alone (RUSAGE_CHILDREN of this script would be the peak over every child so far).
MEASURE = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stderr.write(done.stderr)
print(json.dumps({"rc": done.returncode, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                  "rss_kib": usage.ru_maxrss, "stdout": done.stdout}))
"""


def child_usage(command: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds and peak RSS (KiB) of one child process, and its stdout."""
    done = subprocess.run([sys.executable, "-c", MEASURE, *command], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"measuring {' '.join(command[:4])}... failed:\n{done.stderr[-3000:]}")
    found = json.loads(done.stdout)
    if found["rc"] != 0:
        raise SystemExit(f"{' '.join(command[:4])}... failed ({found['rc']}):\n{done.stderr[-3000:]}")
    return found["wall"], found["cpu"], found["rss_kib"], found["stdout"]


def write_suite(folder: Path, n: int) -> Path:
    with (folder / "scenarios.jsonl").open("w") as out:
        for i in range(n):
            out.write(json.dumps({"id": f"s{i}", "input": f"question {i}",
                                  "expect": [{"type": "contains", "value": f"question {i}"}]}) + "\n")
    (folder / "suite.yaml").write_text("name: throughput\nscenario_files: [scenarios.jsonl]\n")
    return folder / "suite.yaml"


def run_cli(home: Path, n: int, base: str, concurrency: int, env: dict[str, str]) -> tuple[float, float, int, float]:
    """(wall s of the whole command, CPU s, peak RSS KiB, s the run itself took)."""
    folder = home / f"suite-{n}"
    folder.mkdir(exist_ok=True)
    suite = write_suite(folder, n)
    honing = [sys.executable, "-m", "honing"]
    subprocess.run([*honing, "suite", "push", str(suite), "-w", "bench"], env=env, check=True,
                   capture_output=True)
    wall, cpu, rss, out = child_usage([*honing, "eval", "run", "throughput", "-w", "bench", "--target",
                                       f"openai:mock?base_url={base}/v1", "--concurrency", str(concurrency),
                                       "--no-cache", "--json"], env)
    summary = json.loads(out)
    assert summary["results"] == n and summary["overall"]["error"] == 0, summary["overall"]
    return wall, cpu, rss, summary["duration_s"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenarios", type=int, default=2000)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3, help="measure this many times; medians are compared")
    parser.add_argument("--memory", action="store_true", help="also compare peak RSS at 10k and 100k")
    args = parser.parse_args(argv)

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "honing.evaluate._mock_server", "--port", str(port),
                               "--latency-ms", str(args.latency_ms)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    ok = True
    try:
        wait_for(f"{base}/stats")
        with tempfile.TemporaryDirectory(prefix="honing-eval-bench-") as tmp:
            home = Path(tmp)
            env = {**os.environ, "HONING_HOME": str(home), "HONING_DATABASE_URL": ""}
            env.pop("HONING_DATABASE_URL")
            subprocess.run([sys.executable, "-m", "honing", "workspace", "create", "bench"], env=env, check=True,
                           capture_output=True)
            n, small = args.scenarios, SMALL
            bare_command = [sys.executable, "-c", BARE, f"{base}/v1/chat/completions"]
            rounds: list[dict[str, float]] = []
            for _ in range(args.rounds):
                # Interleaved, so a noisy moment on the machine touches both clients alike.
                bare_wall, bare_cpu, _, out = child_usage([*bare_command, str(n), str(args.concurrency)], env)
                cli_wall, cli_cpu, _, cli_run = run_cli(home, n, base, args.concurrency, env)
                # CPU per scenario is the marginal cost: the same command with SMALL scenarios
                # is subtracted, which takes out interpreter start-up and imports (about a
                # second of CPU for the CLI), a fixed cost that is not per scenario.
                bare_cpu0 = child_usage([*bare_command, str(small), str(args.concurrency)], env)[1]
                cli_cpu0 = run_cli(home, small, base, args.concurrency, env)[1]
                # Throughput over the requests themselves: the bare client times its loop, the
                # CLI's run records its start and finish (process start-up is printed apart).
                rounds.append({"bare_rate": n / float(out.strip()), "cli_rate": n / cli_run,
                               "bare_ms": 1000 * (bare_cpu - bare_cpu0) / (n - small),
                               "cli_ms": 1000 * (cli_cpu - cli_cpu0) / (n - small),
                               "bare_cpu0": bare_cpu0, "cli_cpu0": cli_cpu0,
                               "bare_wall": bare_wall, "cli_wall": cli_wall})
            mid = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
            print(f"fixed CPU of a command (at {small} scenarios): bare {mid['bare_cpu0']:.2f} s, "
                  f"honing eval run {mid['cli_cpu0']:.2f} s")
            print(f"{n} scenarios, {args.latency_ms:g} ms latency, concurrency {args.concurrency}, "
                  f"median of {len(rounds)} rounds (each round's figures in brackets)")
            print(f"{'client':<22}{'scenarios/s':>12}{'CPU ms/scenario':>17}")
            for label, key in (("bare aiohttp", "bare"), ("honing eval run", "cli")):
                each = " ".join(f"{r[key + '_ms']:.3f}" for r in rounds)
                print(f"{label:<22}{mid[key + '_rate']:>12.1f}{mid[key + '_ms']:>17.3f}   [{each}]")
            print(f"(whole commands: bare {mid['bare_wall']:.2f} s, honing eval run {mid['cli_wall']:.2f} s "
                  "including start-up, database migration check and summary)")
            throughput, cpu = mid["cli_rate"] / mid["bare_rate"], mid["cli_ms"] / mid["bare_ms"]
            print(f"throughput ratio {throughput:.2f} (target >= 0.90): {'PASS' if throughput >= 0.9 else 'FAIL'}")
            print(f"CPU ratio {cpu:.2f} (target <= 3.0): {'PASS' if cpu <= 3.0 else 'FAIL'}")
            ok = throughput >= 0.9 and cpu <= 3.0
            if args.memory:
                rss = {}
                for size in (10_000, 100_000):
                    rss[size] = run_cli(home, size, base, args.concurrency, env)[2]
                ratio = rss[100_000] / rss[10_000]
                print(f"peak RSS of honing eval run: 10k {rss[10_000] / 1024:.0f} MiB, "
                      f"100k {rss[100_000] / 1024:.0f} MiB, ratio {ratio:.2f} (target <= 1.5): "
                      f"{'PASS' if ratio <= 1.5 else 'FAIL'}")
                ok = ok and ratio <= 1.5
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
