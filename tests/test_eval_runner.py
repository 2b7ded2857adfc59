"""The runner against a mock OpenAI-compatible server started by the tests: retries that
succeed, exhausted retries recorded as errors apart from failures, the agent loop over
tool mocks, the response cache, repeats; and a run killed with SIGKILL half way that
resumes without asking again for anything it had stored."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time

from sqlalchemy import func, select

from honing import accounts
from honing.evaluate import RunOptions, execute_run, push_suite, start_run, summarize_run
from honing.evaluate._mock_server import FailurePlan, MockModelServer, request_key
from honing.storage import Database, EvalResult, EvalRun


def suite_file(tmp_path, scenarios: list[dict], name: str = "mock-suite"):
    (tmp_path / "cases.jsonl").write_text("".join(json.dumps(s) + "\n" for s in scenarios))
    (tmp_path / "suite.yaml").write_text(f"name: {name}\nscenario_files: [cases.jsonl]\n")
    return tmp_path / "suite.yaml"


def run(db: Database, workspace: str, path, target: str, **options) -> tuple[int, object]:
    with db.writing() as session:
        ref = push_suite(session, accounts.get_workspace(session, workspace), path, actor="cli:test").ref
    opts = RunOptions(**{"concurrency": 8, "retry_base_s": 0.01, **options})
    run_id, _, _ = start_run(db, workspace, ref, target, opts, actor="cli:test")
    progress = asyncio.run(execute_run(db, run_id, opts))
    with db.reading() as session:
        return run_id, (progress, summarize_run(session, session.get_one(EvalRun, run_id)))


def test_retries_succeed_and_exhausted_ones_are_errors(db, workspace, tmp_path):
    cases = [{"id": f"q{i}", "input": f"question {i}", "tier": "critical" if i < 5 else "important",
              "expect": [{"type": "contains", "value": f"question {i}"}]} for i in range(20)]
    cases.append({"id": "doomed", "input": "question BOOM", "expect": [{"type": "contains", "value": "x"}]})
    cases.append({"id": "wrong", "input": "question 99", "expect": [{"type": "contains", "value": "nope"}]})
    plan = FailurePlan(status_429_first=1, retry_after_s=0.05, always_500_for={"BOOM"})
    with MockModelServer(failures=plan) as server:
        started = time.monotonic()
        run_id, (progress, summary) = run(db, workspace, suite_file(tmp_path, cases),
                                          f"openai:mock?base_url={server.base_url}", max_retries=2)
        elapsed = time.monotonic() - started
        # Every question was refused once with 429 and Retry-After, then answered.
        assert server.count({"messages": [{"role": "user", "content": "question 3"}]}) == 2
        # The doomed one: 1 try + 2 retries, all 500.
        assert server.count({"messages": [{"role": "user", "content": "question BOOM"}]}) == 3
    assert elapsed >= 0.05  # Retry-After was honoured
    counts = summary.overall.counts
    assert (counts["pass"], counts["fail"], counts["error"]) == (20, 1, 1)
    assert progress.errors == 1 and progress.failed == 1
    # Errors are not failures: the pass rate is over the 21 decided results.
    assert summary.overall.pass_rate.n == 21
    critical = next(t for t in summary.tiers if t.name == "critical")
    assert critical.counts["pass"] == 5
    with db.reading() as session:
        doomed = session.scalar(select(EvalResult).where(EvalResult.run_id == run_id,
                                                         EvalResult.scenario_id == "doomed"))
    assert doomed.status == "error" and "500" in doomed.error and doomed.scores == []
    with db.reading() as session:
        transport = session.get_one(EvalRun, run_id).config["transport"]
    # 21 first requests refused with 429 (the doomed one gets 500s instead), recorded with the run.
    assert transport["status_429"] == 21 and transport["retries"] >= 21 + 2


def test_agent_loop_runs_tools_against_mocks(db, workspace, tmp_path):
    tool = {"type": "function", "function": {"name": "reset_password", "parameters": {
        "type": "object", "properties": {"user": {"type": "string"}}, "required": ["user"]}}}
    cases = [{"id": "reset", "input": 'please CALL reset_password {"user": "ana"}', "tools": [tool],
              "tool_mocks": [{"tool": "reset_password", "when": {"user": "ana"}, "result": {"sent": True}}],
              "expect": [{"type": "tool_calls", "expected": [{"name": "reset_password", "arguments": {"user": "ana"}}]},
                         {"type": "contains", "value": "sent"}]}]
    with MockModelServer() as server:
        run_id, (_, summary) = run(db, workspace, suite_file(tmp_path, cases),
                                   f"openai:mock?base_url={server.base_url}")
    assert summary.overall.counts["pass"] == 1
    with db.reading() as session:
        result = session.scalar(select(EvalResult).where(EvalResult.run_id == run_id))
    roles = [m["role"] for m in result.output["trajectory"]]
    assert roles == ["assistant", "tool", "assistant"] and result.output["steps"] == 2
    assert json.loads(result.output["trajectory"][1]["content"]) == {"sent": True}


def test_cache_and_repeats(db, workspace, tmp_path):
    cases = [{"id": f"q{i}", "input": f"question {i}", "expect": [{"type": "contains", "value": "question"}]}
             for i in range(5)]
    path = suite_file(tmp_path, cases)
    with MockModelServer() as server:
        target = f"openai:mock?base_url={server.base_url}"
        _, (_, first) = run(db, workspace, path, target, repeats=2)
        asked = server.requests
        _, (progress, second) = run(db, workspace, path, target, repeats=2)
        assert server.requests == asked  # the rerun was answered from the cache
    assert first.results == second.results == 10 and second.cached == 10 and progress.cached == 10
    assert asked == 10  # repeats are separate requests (and separate cache entries)


CRASH_N = 2000


def test_killed_run_resumes_without_repeating_stored_scenarios(tmp_path):
    """kill -9 half way through 2,000 scenarios, then --resume: exactly 2,000 results, and
    no scenario that had a stored result was requested again."""
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if k != "HONING_DATABASE_URL"}
    env["HONING_HOME"] = str(home)
    honing = [sys.executable, "-m", "honing"]
    subprocess.run([*honing, "workspace", "create", "crash"], env=env, check=True, capture_output=True)
    cases = [{"id": f"s{i}", "input": f"question {i}", "expect": [{"type": "contains", "value": f"question {i}"}]}
             for i in range(CRASH_N)]
    path = suite_file(tmp_path, cases, name="crash")
    db = Database(f"sqlite:///{home / 'honing.db'}")

    def stored() -> set[str]:
        with db.reading() as session:
            return set(session.scalars(select(EvalResult.scenario_id)))

    with MockModelServer(latency_ms=20) as server:
        target = f"openai:mock?base_url={server.base_url}"
        command = [*honing, "eval", "run", str(path), "-w", "crash", "--target", target, "--concurrency", "16",
                   "--json"]
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
            if db_exists(home) and len(stored()) >= CRASH_N // 2:
                break
        assert process.poll() is None, process.communicate()
        process.send_signal(signal.SIGKILL)
        process.wait()
        before = stored()
        assert CRASH_N // 4 <= len(before) < CRASH_N
        with db.reading() as session:
            run_id = session.scalar(select(func.max(EvalRun.id)))
            assert session.get_one(EvalRun, run_id).status == "running"  # it never got to say otherwise

        resumed = subprocess.run([*command, "--resume", str(run_id)], env=env,
                                 capture_output=True, text=True, timeout=300)
        assert resumed.returncode == 0, resumed.stderr
        by_key = dict(server.requests_by_key)

    summary = json.loads(resumed.stdout)
    assert summary["results"] == CRASH_N and summary["overall"]["pass"] == CRASH_N
    with db.reading() as session:
        rows = session.execute(select(EvalResult.scenario_id, func.count()).where(EvalResult.run_id == run_id)
                               .group_by(EvalResult.scenario_id)).all()
        assert session.get_one(EvalRun, run_id).status == "completed"
    assert len(rows) == CRASH_N and all(count == 1 for _, count in rows)
    for i in range(CRASH_N):
        key = request_key({"messages": [{"role": "user", "content": f"question {i}"}]})
        asked = by_key.get(key, 0)
        if f"s{i}" in before:
            assert asked == 1, f"s{i} was stored before the kill but asked {asked} times"
        else:
            assert asked in (1, 2), (i, asked)  # in flight at the kill: asked again, once


def db_exists(home) -> bool:
    return (home / "honing.db").exists()


def test_summary_reports_latency_and_tokens(db, workspace, tmp_path):
    cases = [{"id": "a", "input": "question a", "expect": [{"type": "latency", "max_ms": 60000}]}]
    with MockModelServer(latency_ms=5) as server:
        _, (_, summary) = run(db, workspace, suite_file(tmp_path, cases), f"openai:mock?base_url={server.base_url}")
    assert summary.latency_p50_ms is not None and summary.latency_p50_ms >= 5
    assert summary.prompt_tokens > 0 and summary.completion_tokens > 0
    assert summary.cost is None  # no price table: unknown, not free
