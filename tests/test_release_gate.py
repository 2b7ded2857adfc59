"""Gate policies and `honing gate`: each rule decided with its numbers, pass / fail /
inconclusive mapped to exit 0 / 1 / 3 (2 for bad input); on synthetic runs whose outcomes
are known, and on the demo's v1 and v2 replay runs."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from browser_fixtures import demo_env
from honing import accounts, evaluate, release
from honing._errors import InvalidInput
from honing.cli import app
from honing.stats import wilson_interval

# -- synthetic runs ----------------------------------------------------------------------


def make_runs(db, workspace, tmp_path, outcomes: dict[str, list[tuple[str, bool, float]]]) -> dict[str, int]:
    """One suite; per run name, the (tier, passes, latency ms) of each scenario, in order.
    Each scenario expects "ok"; a replay answers "ok" or "no" with the given latency."""
    first = next(iter(outcomes.values()))
    lines = [json.dumps({"id": f"s{i:03d}", "input": f"question {i}", "tier": tier, "tags": [f"t{i % 2}"],
                         "expect": [{"type": "contains", "value": "ok"}]}) for i, (tier, _, _) in enumerate(first)]
    (tmp_path / "cases.jsonl").write_text("\n".join(lines) + "\n")
    (tmp_path / "suite.yaml").write_text("name: synthetic\nscenario_files: [cases.jsonl]\n")
    with db.writing() as session:
        pushed = evaluate.push_suite(session, accounts.get_workspace(session, workspace), tmp_path / "suite.yaml",
                                     actor="cli:test")
    runs = {}
    for name, rows in outcomes.items():
        replay = tmp_path / f"replay-{name}.jsonl"
        replay.write_bytes(b"".join(orjson.dumps({"scenario_id": f"s{i:03d}", "content": "ok" if ok else "no",
                                                  "latency_ms": latency}) + b"\n"
                                    for i, (_, ok, latency) in enumerate(rows)))
        options = evaluate.RunOptions(concurrency=8, use_cache=False)
        run_id, _, _ = evaluate.start_run(db, workspace, pushed.ref, f"replay:{replay}", options, actor="cli:test")
        asyncio.run(evaluate.execute_run(db, run_id, options))
        runs[name] = run_id
    return runs


def decide(db, workspace, policy_yaml: str, run: int, baseline: int | None = None) -> release.GateResult:
    policy = release.parse_gate_policy(policy_yaml)
    with db.reading() as session:
        return release.evaluate_gate(session, accounts.get_workspace(session, workspace), policy, run,
                                     baseline_id=baseline)


def test_absolute_rates_on_the_estimate_or_the_whole_interval(db, workspace, tmp_path):
    # 100 critical scenarios, 93 pass: 93% with a Wilson interval of about [86%, 97%].
    runs = make_runs(db, workspace, tmp_path, {"b": [("critical", i >= 7, 100.0) for i in range(100)]})
    low, high = wilson_interval(93, 100)
    result = decide(db, workspace, """
name: p
rules:
  - {metric: pass_rate, tier: critical, min: 0.9}
  - {metric: pass_rate, tier: critical, min: 0.95}
  - {metric: pass_rate, tier: critical, min: 0.9, decide_on: interval}
  - {metric: pass_rate, tier: critical, min: 0.85, decide_on: interval}
  - {metric: pass_rate, tier: critical, min: 0.98, decide_on: interval}
  - {metric: pass_rate, tier: important, min: 0.5}
  - {metric: error_rate, max: 0.0}
""", runs["b"])
    decisions = [o.decision for o in result.outcomes]
    assert decisions == ["pass", "fail", "inconclusive", "pass", "fail", "inconclusive", "pass"]
    first = result.outcomes[0]
    assert first.value == pytest.approx(0.93) and first.n == 100
    assert (first.estimate.low, first.estimate.high) == pytest.approx((low, high))
    assert "93.0%" in first.reason and "100 decided results" in first.reason
    assert result.decision == "fail" and result.exit_code == 1


def test_relative_rules_decide_on_the_interval_of_the_paired_difference(db, workspace, tmp_path):
    # 200 paired scenarios: the candidate breaks 20 that passed and fixes none (-10 pp).
    base = [("important", True, 100.0)] * 200
    worse = [("important", i >= 20, 130.0) for i in range(200)]
    runs = make_runs(db, workspace, tmp_path, {"a": base, "b": worse, "same": base})
    policy = """
name: p
min_n: 30
rules:
  - {metric: pass_rate, max_drop: 0.02}
  - {metric: pass_rate, max_drop: 0.25}
  - {metric: pass_rate, max_drop: 0.10}
  - {metric: regressions, max: 0}
  - {metric: regressions, tier: important, max: 25}
  - {metric: latency_p95_ms, max_increase: 0.2}
  - {metric: latency_p95_ms, max_increase: 0.5}
  - {metric: latency_p50_ms, max: 120}
"""
    result = decide(db, workspace, policy, runs["b"], runs["a"])
    by_rule = [(o.decision, o.value) for o in result.outcomes]
    assert [d for d, _ in by_rule] == ["fail", "pass", "inconclusive", "fail", "pass", "fail", "pass", "fail"]
    drop = result.outcomes[0]
    assert drop.difference.value == pytest.approx(-0.10)
    assert drop.difference.high < -0.02 < 0  # shown to be worse than the margin
    assert result.outcomes[2].difference.low < -0.10 < result.outcomes[2].difference.high
    assert result.outcomes[3].value == 20 and result.outcomes[3].n == 200
    assert "+30%" in result.outcomes[5].reason
    assert result.exit_code == 1
    # The same outputs again: no difference at all, every relative rule passes.
    same = decide(db, workspace, policy, runs["same"], runs["a"])
    assert [o.decision for o in same.outcomes][:5] == ["pass"] * 5


def test_a_tiny_run_is_inconclusive(db, workspace, tmp_path):
    runs = make_runs(db, workspace, tmp_path, {"a": [("critical", True, 10.0)] * 6,
                                               "b": [("critical", True, 10.0)] * 6})
    result = decide(db, workspace, """
name: p
rules:
  - {metric: pass_rate, tier: critical, min: 0.9}
  - {metric: pass_rate, max_drop: 0.05}
  - {metric: regressions, tier: critical, max: 0}
  - {metric: latency_p95_ms, max: 1000}
""", runs["b"], runs["a"])
    assert [o.decision for o in result.outcomes] == ["inconclusive", "inconclusive", "pass", "inconclusive"]
    assert "fewer than 30" in result.outcomes[0].reason
    assert result.decision == "inconclusive" and result.exit_code == 3


@pytest.mark.parametrize(("n", "half_width"), [(3, "56.1"), (40, "8.8")])
def test_identical_runs_cannot_pass_a_tight_drop_rule(db, database_url, workspace, tmp_path, n, half_width):
    """Two runs with identical results: no pair is discordant, which a percentile bootstrap
    turned into [+0.0, +0.0] and a pass. Newcombe's interval keeps what n scenarios allow
    (3 of 3 passing is compatible with a true 44%), so a 1 pp rule is inconclusive: exit 3."""
    rows = [("critical", True, 100.0)] * n
    runs = make_runs(db, workspace, tmp_path, {"a": rows, "b": rows})
    policy = tmp_path / "gate.yaml"
    policy.write_text("name: tight\nmin_n: 3\nrules:\n  - {metric: pass_rate, max_drop: 0.01}\n"
                      "  - {metric: pass_rate, tier: critical, max_drop: 0.01}\n")
    runner = CliRunner()
    env = {"HONING_DATABASE_URL": database_url, "COLUMNS": "300"}
    done = runner.invoke(app, ["gate", "--policy", str(policy), "-w", workspace, "--run", str(runs["b"]),
                               "--baseline", str(runs["a"])], env=env)
    assert done.exit_code == 3, done.output
    shown = " ".join(done.output.split())
    assert f"+0.0 pp [-{half_width} pp, +{half_width} pp] over {n} paired scenarios" in shown
    assert f"no significant difference (n = {n})" in shown and "straddles -1.0 pp" in shown
    body = json.loads(runner.invoke(app, ["gate", "--policy", str(policy), "-w", workspace, "--run",
                                          str(runs["b"]), "--baseline", str(runs["a"]), "--json"], env=env).output)
    for rule in body["rules"]:
        assert rule["decision"] == "inconclusive"
        assert rule["difference"]["method"].startswith("newcombe")
        assert rule["difference"]["high"] == pytest.approx(-rule["difference"]["low"])
        assert rule["difference"]["high"] > 0.08


def test_a_relative_rule_without_a_baseline_is_bad_input(db, workspace, tmp_path):
    runs = make_runs(db, workspace, tmp_path, {"b": [("nice", True, 10.0)] * 3})
    with pytest.raises(InvalidInput, match="baseline") as raised:
        decide(db, workspace, "name: p\nrules:\n  - {metric: regressions, max: 0}\n", runs["b"])
    assert "--baseline" in (raised.value.hint or "")


# -- policy files --------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "field", "line", "words"), [
    ("name: p\nrules:\n  - metric: pass_rate\n    tier: critical\n", "rules[0]", 3, "exactly one threshold"),
    ("name: p\nrules:\n  - metric: pass_rate\n    min: 0.9\n    tier: critical\n    tag: vpn\n", "rules[0]", 3,
     "one slice"),
    ("name: p\nrules:\n  - metric: latency_p95_ms\n    max_drop: 0.1\n", "rules[0]", 3, "max_drop is for pass_rate"),
    ("name: p\nrules:\n  - metric: pass_rate\n    min: 90\n", "rules[0]", 3, "between 0 and 1"),
    ("name: p\nrules:\n  - metric: speed\n    max: 1\n", "rules[0].metric", 3, "pass_rate"),
    # A tier's name is checked against the run's suite when the gate is decided
    # (tests/test_suite_tiers.py); the file itself only needs one.
    ("name: p\nrules:\n  - metric: pass_rate\n    min: 0.9\n    tier: ''\n", "rules[0].tier", 5, "at least"),
    ("name: p\nrules:\n  - metric: regressions\n    min: 1\n", "rules[0]", 3, "takes max"),
    ("name: p\nrules:\n  - metric: judges_calibrated\n    max: 1\n", "rules[0]", 3, "no threshold"),
    ("name: p\nrules: []\n", "rules", 2, "at least"),
    ("name: p\nrules:\n  - metric: pass_rate\n    min: 0.9\n    treshold: 1\n", "rules[0].treshold", 5, "unknown key"),
])
def test_policy_errors_name_the_field_and_line(text, field, line, words):
    with pytest.raises(InvalidInput) as raised:
        release.parse_gate_policy(text, source="gate.yaml")
    problem = raised.value.problems[0]
    assert (problem.field, problem.line, problem.file) == (field, line, "gate.yaml"), problem
    assert words.lower() in (problem.message + " " + (problem.hint or "")).lower(), problem


def test_policy_schema_is_published_and_the_hash_is_stable():
    runner = CliRunner()
    done = runner.invoke(app, ["schema", "gate"])
    assert done.exit_code == 0, done.output
    schema = json.loads(done.output)
    assert "rules" in schema["properties"] and schema["title"] == "Honing gate policy"
    text = "name: p\nrules:\n  - {metric: pass_rate, min: 0.9}\n"
    reordered = "rules:\n  - {min: 0.9, metric: pass_rate}\nname: p\n"
    assert release.parse_gate_policy(text).content_hash == release.parse_gate_policy(reordered).content_hash


# -- the demo ------------------------------------------------------------------------------

def honing(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "honing", *args], env=demo_env(home), capture_output=True,
                          text=True, timeout=300)


DEMO = ["-w", "helpdesk-assistant", "--run", "2", "--baseline", "1"]


def test_the_demo_release_gate_fails_on_v2(demo_home):
    home, _ = demo_home
    done = honing(home, "gate", "--policy", str(home / "suites" / "gate-release.yaml"), *DEMO, "--json")
    assert done.returncode == 1, done.stdout + done.stderr
    result = json.loads(done.stdout)
    rules = {r["rule"]: r for r in result["rules"]}
    assert result["decision"] == "fail"
    assert rules["no critical regressions"]["decision"] == "fail" and rules["no critical regressions"]["value"] >= 1
    assert rules["critical pass rate"]["decision"] == "fail"
    assert rules["target errors"]["decision"] == "pass"
    # The human form shows each rule with its evidence.
    shown = honing(home, "gate", "--policy", str(home / "suites" / "gate-release.yaml"), *DEMO)
    assert shown.returncode == 1 and "no critical regressions" in shown.stdout and "FAIL" in shown.stdout


def test_the_demo_improvements_gate_passes(demo_home):
    home, _ = demo_home
    done = honing(home, "gate", "--policy", str(home / "suites" / "gate-improvements.yaml"), *DEMO, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert {r["decision"] for r in result["rules"]} == {"pass"}
    assert all(r["n"] >= 10 for r in result["rules"])  # the policy's min_n


def test_a_tiny_demo_run_exits_3(demo_home, tmp_path):
    """Eight demo scenarios that neither version gets wrong, run against both: nothing
    regressed, but far too little evidence for the release gate's rates."""
    source, _ = demo_home
    home = tmp_path / "home"
    shutil.copytree(source, home, ignore=shutil.ignore_patterns("*.log"))
    with sqlite3.connect(home / "honing.db") as connection:
        both = [row[0] for row in connection.execute(
            "SELECT a.scenario_id FROM eval_result a JOIN eval_result b ON a.scenario_id = b.scenario_id "
            "WHERE a.run_id = 1 AND b.run_id = 2 AND a.status = 'pass' AND b.status = 'pass' "
            "ORDER BY a.tier = 'critical' DESC, a.scenario_id LIMIT 8")]
    assert len(both) == 8
    scenarios = [json.loads(line) for line in (home / "suites" / "helpdesk-regression.jsonl").read_text().splitlines()]
    (tmp_path / "tiny.jsonl").write_text("".join(json.dumps(s) + "\n" for s in scenarios if s["id"] in both))
    (tmp_path / "tiny.yaml").write_text("name: tiny\nscenario_files: [tiny.jsonl]\n")
    run_ids = []
    for version in ("v1", "v2"):
        done = honing(home, "eval", "run", str(tmp_path / "tiny.yaml"), "-w", "helpdesk-assistant", "--target",
                      f"replay:{home / 'suites' / f'replay-{version}.jsonl'}", "--json")
        assert done.returncode == 0, done.stderr
        run_ids.append(json.loads(done.stdout)["run_id"])
    done = honing(home, "gate", "--policy", str(home / "suites" / "gate-release.yaml"), "-w", "helpdesk-assistant",
                  "--run", str(run_ids[1]), "--baseline", str(run_ids[0]), "--json")
    assert done.returncode == 3, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert result["decision"] == "inconclusive"
    assert not [r for r in result["rules"] if r["decision"] == "fail"]


def test_bad_input_exits_2(demo_home, tmp_path):
    home, _ = demo_home
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: broken\nrules:\n  - metric: pass_rate\n    min: [0.9\n")
    done = honing(home, "gate", "--policy", str(broken), *DEMO)
    assert done.returncode == 2 and "broken.yaml" in done.stderr and "line" in done.stderr
    done = honing(home, "gate", "--policy", str(home / "suites" / "gate-release.yaml"), "-w", "helpdesk-assistant",
                  "--run", "2")
    assert done.returncode == 2 and "--baseline" in done.stderr
    done = honing(home, "gate", "--policy", str(home / "suites" / "gate-release.yaml"), "-w", "helpdesk-assistant",
                  "--run", "999", "--baseline", "1")
    assert done.returncode == 2 and "999" in done.stderr


# -- judges must be calibrated to gate --------------------------------------------------------

def test_judges_must_be_calibrated_and_adopted(db, workspace, tmp_path):
    from honing.judges import JudgeConfig, calibrate
    from judge_fixtures import labeled_queue

    rubric = "Grade how well the response fixes the problem."
    (tmp_path / "suite.yaml").write_text(json.dumps({"name": "judged", "scenarios": [
        {"id": f"vpn-{i}", "input": f"My VPN drops ({i}).", "expect": [
            {"type": "llm_judge", "judge": "python:judge_fixtures:perfect", "rubric": rubric, "pass_at": 4}]}
        for i in range(3)]}))
    with db.writing() as session:
        ref = evaluate.push_suite(session, accounts.get_workspace(session, workspace), tmp_path / "suite.yaml",
                                  actor="cli:test").ref
    options = evaluate.RunOptions(concurrency=2)
    run_id, _, _ = evaluate.start_run(db, workspace, ref, "python:judge_fixtures:marked_answer", options,
                                      actor="cli:test")
    asyncio.run(evaluate.execute_run(db, run_id, options))
    policy = "name: p\nrules:\n  - metric: judges_calibrated\n"

    uncalibrated = decide(db, workspace, policy, run_id)
    assert uncalibrated.decision == "fail"
    assert "no calibration against human labels" in uncalibrated.outcomes[0].reason
    assert [j["judge"] for j in uncalibrated.judges] == ["python:judge_fixtures:perfect"]

    # The same judge (target, rubric and scale) calibrated against humans who agree exactly,
    # then a judge that guesses: only an adopted calibration lets the rule pass.
    queue = labeled_queue(db, workspace, tmp_path, name="exact", items=20, seed=5, human_noise={0: 1.0})
    judge = JudgeConfig(name="perfect-judge", kind="pointwise", target="python:judge_fixtures:perfect",
                        rubric=rubric, pass_at=4)
    assert calibrate(db, workspace, judge, queue, "quality", actor="cli:test").verdict == "adopted"
    adopted = decide(db, workspace, policy, run_id)
    assert adopted.decision == "pass" and "perfect-judge v1" in adopted.outcomes[0].reason

    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        report = release.build_release_report(session, ws, release.parse_gate_policy(
            "name: p\nrules:\n  - {metric: pass_rate, min: 0.5, min_n: 1}\n"), run_id)
    assert report.judges[0]["verdict"] == "adopted" and report.judges[0]["calibration"]["version"] == 1
