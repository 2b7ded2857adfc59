"""Vacuous passes: a scenario with no expectation is `unscored` (never a pass, counted apart,
out of the pass rate), a gate rule over a slice holding unscored results is inconclusive
unless the policy allows them, and `suite from-dataset` builds expectations from a queue's
labels (reference answers, expected tool calls, refusals) or refuses to write a suite that
checks nothing."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
import yaml
from sqlalchemy import select
from typer.testing import CliRunner

from conftest import OPERATOR
from honing import accounts, annotate, datasets, evaluate, export, ingest, release
from honing._errors import InvalidInput
from honing.annotate import QueuePolicy
from honing.cli import app
from honing.rubrics import parse_rubric, swap_responses
from honing.storage import EvalResult, QueueItem
from records import write_jsonl

ENV_COLUMNS = {"COLUMNS": "200"}


def suite_file(tmp_path: Path, scenarios: list[dict], name: str = "mixed") -> Path:
    (tmp_path / f"{name}.jsonl").write_text("".join(json.dumps(s) + "\n" for s in scenarios))
    (tmp_path / f"{name}.yaml").write_text(f"name: {name}\nscenario_files: [{name}.jsonl]\n")
    return tmp_path / f"{name}.yaml"


def replay(tmp_path: Path, name: str, answers: dict[str, dict]) -> str:
    path = tmp_path / f"replay-{name}.jsonl"
    path.write_bytes(b"".join(orjson.dumps({"scenario_id": sid, **answer}) + b"\n" for sid, answer in answers.items()))
    return f"replay:{path}"


def run_suite(db, workspace: str, path: Path, target: str) -> tuple[int, evaluate.Progress, evaluate.RunSummary]:
    with db.writing() as session:
        ref = evaluate.push_suite(session, accounts.get_workspace(session, workspace), path, actor="cli:test").ref
    options = evaluate.RunOptions(concurrency=4, use_cache=False)
    run_id, _, _ = evaluate.start_run(db, workspace, ref, target, options, actor="cli:test")
    progress = asyncio.run(evaluate.execute_run(db, run_id, options))
    with db.reading() as session:
        run = evaluate.get_run(session, accounts.get_workspace(session, workspace), run_id)
        return run_id, progress, evaluate.summarize_run(session, run)


# -- the runner and its summaries ---------------------------------------------------------------

MIXED = [{"id": "ok-1", "input": "q1", "tier": "critical", "expect": [{"type": "contains", "value": "yes"}]},
         {"id": "ok-2", "input": "q2", "tier": "critical", "expect": [{"type": "contains", "value": "yes"}]},
         {"id": "bad", "input": "q3", "tier": "important", "expect": [{"type": "contains", "value": "yes"}]},
         {"id": "bare-1", "input": "q4", "tier": "critical"},
         {"id": "bare-2", "input": "q5", "tier": "important"}]
ANSWERS = {"ok-1": {"content": "yes"}, "ok-2": {"content": "yes"}, "bad": {"content": "no"},
           "bare-1": {"content": "anything"}, "bare-2": {"content": "anything"}}


def test_a_scenario_without_expectations_is_unscored_never_a_pass(db, workspace, tmp_path):
    run_id, progress, summary = run_suite(db, workspace, suite_file(tmp_path, MIXED), replay(tmp_path, "mixed", ANSWERS))
    with db.reading() as session:
        statuses = dict(session.execute(select(EvalResult.scenario_id, EvalResult.status)
                                        .where(EvalResult.run_id == run_id)).all())
    assert statuses == {"ok-1": "pass", "ok-2": "pass", "bad": "fail", "bare-1": "unscored", "bare-2": "unscored"}
    counts = summary.overall.counts
    assert (counts["pass"], counts["fail"], counts["unscored"], counts["error"]) == (2, 1, 2, 0)
    # Counted apart: the pass rate is over the 3 scored results, not 4 of 5 or 2 of 5.
    assert summary.overall.decided == 3 and summary.overall.pass_rate.n == 3
    assert summary.overall.pass_rate.value == pytest.approx(2 / 3)
    tiers = {t.name: t for t in summary.tiers}
    assert tiers["critical"].counts["unscored"] == 1 and tiers["critical"].pass_rate.value == 1.0
    assert (progress.passed, progress.failed, progress.unscored) == (2, 1, 2)
    assert progress.pass_rate == pytest.approx(2 / 3)
    body = summary.as_dict()
    assert body["overall"]["unscored"] == 2 and body["tiers"][0]["unscored"] == 1
    assert "unscored" in evaluate.STATUSES
    with db.reading() as session:
        found = evaluate.failed_results(session, evaluate.get_run(session, accounts.get_workspace(session, workspace),
                                                                  run_id))
    assert {f["scenario_id"] for f in found} == {"bad", "bare-1", "bare-2"}  # the results that did not pass


def test_a_suite_with_no_expectations_at_all_does_not_report_100_percent(db, workspace, tmp_path):
    bare = [{"id": f"s{i}", "input": f"q{i}"} for i in range(40)]
    _, _, summary = run_suite(db, workspace, suite_file(tmp_path, bare, "bare"),
                              replay(tmp_path, "bare", {f"s{i}": {"content": "x"} for i in range(40)}))
    assert summary.overall.counts["pass"] == 0 and summary.overall.counts["unscored"] == 40
    assert summary.overall.pass_rate.n == 0  # undefined, not 100% [92%, 100%]


def test_push_and_the_cli_say_how_many_scenarios_are_unscored(db, database_url, workspace, tmp_path):
    path = suite_file(tmp_path, MIXED)
    with db.writing() as session:
        pushed = evaluate.push_suite(session, accounts.get_workspace(session, workspace), path, actor="cli:test")
        assert pushed.unscored == 2
        version_id = evaluate.resolve_suite_version(session, accounts.get_workspace(session, workspace),
                                                    pushed.ref)[1].id
        assert evaluate.unscored_scenarios(session, version_id) == (2, 5)
    env = {"HONING_DATABASE_URL": database_url, **ENV_COLUMNS}
    runner = CliRunner()
    pushed_again = runner.invoke(app, ["suite", "push", str(path), "-w", workspace], env=env)
    assert pushed_again.exit_code == 0, pushed_again.output
    assert "2 of 5 scenarios have no expectation" in pushed_again.stderr
    done = runner.invoke(app, ["eval", "run", str(path), "-w", workspace, "--target",
                               replay(tmp_path, "cli", ANSWERS)], env=env)
    assert done.exit_code == 0, done.output
    assert "2 of 5 scenarios have no expectation" in done.stderr
    assert "unscored" in done.stdout and "2 unscored" in done.stdout
    shown = runner.invoke(app, ["eval", "show", "1", "-w", workspace, "--json"], env=env)
    assert json.loads(shown.stdout)["overall"]["unscored"] == 2


# -- the gate ------------------------------------------------------------------------------------

def gate(db, workspace: str, run_id: int, text: str, baseline: int | None = None) -> release.GateResult:
    with db.reading() as session:
        return release.evaluate_gate(session, accounts.get_workspace(session, workspace),
                                     release.parse_gate_policy(text), run_id, baseline_id=baseline)


def test_a_gate_rule_over_unscored_results_is_inconclusive_unless_allowed(db, database_url, workspace, tmp_path):
    run_id, _, _ = run_suite(db, workspace, suite_file(tmp_path, MIXED), replay(tmp_path, "gate", ANSWERS))
    strict = gate(db, workspace, run_id, "name: strict\nmin_n: 1\nrules:\n"
                  "  - {name: critical pass rate, metric: pass_rate, tier: critical, min: 0.9}\n"
                  "  - {name: overall pass rate, metric: pass_rate, min: 0.5}\n")
    rules = {o.rule.label: o for o in strict.outcomes}
    assert rules["critical pass rate"].decision == "inconclusive"
    assert "1 of 3 results in tier 'critical' are unscored" in rules["critical pass rate"].reason
    assert "allow_unscored" in rules["critical pass rate"].reason
    assert rules["overall pass rate"].decision == "inconclusive" and "2 of 5 results in the run" in \
        rules["overall pass rate"].reason
    assert strict.decision == "inconclusive" and strict.exit_code == 3

    allowed = gate(db, workspace, run_id, "name: allowed\nmin_n: 1\nallow_unscored: true\nrules:\n"
                   "  - {name: critical pass rate, metric: pass_rate, tier: critical, min: 0.9}\n"
                   "  - {name: overall pass rate, metric: pass_rate, min: 0.5}\n")
    rules = {o.rule.label: o for o in allowed.outcomes}
    # Decided on the scored results alone: 2 of 2 critical, 2 of 3 overall.
    assert rules["critical pass rate"].decision == "pass" and rules["critical pass rate"].n == 2
    assert rules["overall pass rate"].decision == "pass" and rules["overall pass rate"].n == 3
    assert "unscored results left out" in rules["overall pass rate"].reason
    assert allowed.exit_code == 0 and allowed.as_dict()["policy"]["allow_unscored"] is True

    # A rule overrides the policy, either way.
    mixed = gate(db, workspace, run_id, "name: mixed\nmin_n: 1\nrules:\n"
                 "  - {name: critical pass rate, metric: pass_rate, tier: critical, min: 0.9, allow_unscored: true}\n"
                 "  - {name: overall pass rate, metric: pass_rate, min: 0.5}\n")
    assert [o.decision for o in mixed.outcomes] == ["pass", "inconclusive"]
    denied = gate(db, workspace, run_id, "name: denied\nmin_n: 1\nallow_unscored: true\nrules:\n"
                  "  - {name: overall pass rate, metric: pass_rate, min: 0.5, allow_unscored: false}\n")
    assert denied.outcomes[0].decision == "inconclusive"

    # The CLI maps the inconclusive gate to exit 3, and passes when the policy allows unscored.
    policy = tmp_path / "policy.yaml"
    policy.write_text("name: strict\nmin_n: 1\nrules:\n  - {metric: pass_rate, tier: critical, min: 0.9}\n")
    env = {"HONING_DATABASE_URL": database_url, **ENV_COLUMNS}
    done = CliRunner().invoke(app, ["gate", "--policy", str(policy), "-w", workspace, "--run", str(run_id),
                                    "--json"], env=env)
    assert done.exit_code == 3, done.output
    assert "unscored" in json.loads(done.stdout)["rules"][0]["reason"]
    policy.write_text("name: lenient\nmin_n: 1\nallow_unscored: true\n"
                      "rules:\n  - {metric: pass_rate, tier: critical, min: 0.9}\n")
    done = CliRunner().invoke(app, ["gate", "--policy", str(policy), "-w", workspace, "--run", str(run_id)], env=env)
    assert done.exit_code == 0, done.output


def test_a_comparison_leaves_unscored_scenarios_out_and_relative_rules_say_so(db, workspace, tmp_path):
    path = suite_file(tmp_path, MIXED)
    run_a, _, _ = run_suite(db, workspace, path, replay(tmp_path, "a", ANSWERS))
    run_b, _, _ = run_suite(db, workspace, path, replay(tmp_path, "b", ANSWERS))
    with db.reading() as session:
        c = evaluate.compare_runs(session, accounts.get_workspace(session, workspace), run_a, run_b)
    # 3 scored scenarios are paired; the 2 bare ones are counted apart, never as passes.
    assert (c.overall.pairs, c.overall.unscored) == (3, 2)
    assert c.slice("tier", "critical").pairs == 2 and c.slice("tier", "critical").unscored == 1
    assert c.overall.b.value == pytest.approx(2 / 3)
    rules = ("rules:\n  - {name: no drop, metric: pass_rate, max_drop: 0.3}\n"
             "  - {name: no critical regressions, metric: regressions, tier: critical, max: 0}\n")
    strict = gate(db, workspace, run_b, "name: strict\nmin_n: 1\n" + rules, baseline=run_a)
    assert [o.decision for o in strict.outcomes] == ["inconclusive", "inconclusive"]
    assert all("unscored" in o.reason for o in strict.outcomes)
    assert "2 of 5 results in the run are unscored" in strict.outcomes[0].reason
    lenient = gate(db, workspace, run_b, "name: lenient\nmin_n: 1\nallow_unscored: true\n" + rules,
                   baseline=run_a)
    # Identical runs: no regression, but 3 pairs cannot rule out a 30 pp drop either.
    assert [o.decision for o in lenient.outcomes] == ["inconclusive", "pass"]
    assert "straddles -30.0 pp" in lenient.outcomes[0].reason


def test_allow_unscored_is_in_the_policy_schema():
    schema = release.gate_policy_json_schema()
    assert schema["properties"]["allow_unscored"]["default"] is False
    assert "unscored" in schema["properties"]["allow_unscored"]["description"]
    assert "allow_unscored" in json.dumps(schema["$defs"]["Rule"])


# -- suite from-dataset: expectations from labels ----------------------------------------------

RUBRIC = """name: booking-labels
title: Travel booking assistant
instructions: Judge the assistant's next turn.
questions:
  - id: request
    type: label
    prompt: What should the assistant do with this request?
    options:
      - {value: answer, label: Answer it}
      - {value: must_refuse, label: Refuse it}
  - id: preference
    type: pairwise
    prompt: Which response is better?
  - id: ideal
    type: response_edit
    required: false
    prompt: Write the ideal response.
"""
BOOK = {"id": "call_1", "type": "function", "function": {"name": "book_flight", "arguments": '{"flight": "LH123"}'}}
# Per item: (response A, response B, each rater's answers). Rater 2 is the careless one.
ITEMS = {
    "edit": ({"content": "Your flight is booked."}, {"content": "Booked it."},
             [{"request": "answer", "preference": "A>B",
               "ideal": "Your flight LH123 to Lisbon is booked for Monday at 9:40."},
              {"request": "answer", "preference": "A>B"}, {"request": "answer", "preference": "B>A"}]),
    "prefer-b": ({"content": "I do not know which trains run."},
                 {"content": "The 7:05 train to Porto has seats in second class."},
                 [{"request": "answer", "preference": "B>A"}, {"request": "answer", "preference": "B>>A"},
                  {"request": "answer", "preference": "A>B"}]),
    "tools": ({"content": None, "tool_calls": [BOOK]}, {"content": "Which flight would you like?"},
              [{"request": "answer", "preference": "A>B"}, {"request": "answer", "preference": "A>>B"},
               {"request": "answer", "preference": "A>B"}]),
    "refuse": ({"content": "I'm sorry, but I can't help with that."}, {"content": "Here is the passenger list."},
               [{"request": "must_refuse", "preference": "A>B"}, {"request": "must_refuse", "preference": "A>B"},
                {"request": "answer", "preference": "B>A"}]),
    "tie": ({"content": "Option one."}, {"content": "Option two."},
            [{"request": "answer", "preference": "A>B"}, {"request": "answer", "preference": "B>A"},
             {"request": "answer", "preference": "tie"}]),
    "adjudicated": ({"content": "Hotels are expensive."}, {"content": "The Hotel Avenida has a room for 92 euros."},
                    [{"request": "answer", "preference": "A>B"}, {"request": "answer", "preference": "A>B"},
                     {"request": "answer", "preference": "B>A"}]),
}


def _record(key: str) -> dict:
    a, b, _ = ITEMS[key]
    return {"id": key, "messages": [{"role": "user", "content": f"Travel request about {key}."}],
            "responses": [{k: v for k, v in r.items() if v is not None} for r in (a, b)]}


@pytest.fixture
def booking_queue(db, workspace, tmp_path) -> str:
    ingest.import_file(db, write_jsonl(tmp_path / "booking.jsonl", [_record(k) for k in ITEMS]),
                       workspace=workspace, dataset="booking", actor="cli:test")
    rubric = parse_rubric(RUBRIC)
    with db.writing() as session:
        ws = accounts.get_workspace(session, workspace)
        pushed = annotate.push_rubric(session, ws, RUBRIC, source="booking.yaml", actor="cli:test")
        annotate.create_queue(session, ws, name="booking-review", dataset_ref="booking", rubric_ref=pushed.ref,
                              policy=QueuePolicy(overlap=3), actor="cli:test")
        raters = []
        for k in range(3):
            user = accounts.create_user(session, OPERATOR,
                                        f"booker{k}", "correct horse battery")
            accounts.set_role(session, OPERATOR, workspace,
                              user.username, "rater")
            raters.append(user.id)
    for k, rater_id in enumerate(raters):
        while True:
            with db.writing() as session:
                queue = annotate.get_queue(session, accounts.get_workspace(session, workspace), "booking-review")
                claim = annotate.claim_next(session, queue, rater_id, actor="cli:test", workspace=workspace)
                if claim.assignment is None:
                    break
                item_id = session.scalar(select(QueueItem.item_id)
                                         .where(QueueItem.id == claim.assignment.queue_item_id))
                key = datasets.load_item(session, item_id).item.external_id
                answers = ITEMS[key][2][k]
                shown = swap_responses(rubric, answers) if claim.assignment.swapped else answers
                annotate.submit(session, queue, claim.assignment, shown, actor="cli:test", workspace=workspace)
    with db.writing() as session:
        ws = accounts.get_workspace(session, workspace)
        queue = annotate.get_queue(session, ws, "booking-review")
        item_id = next(s.id for s in datasets.iter_loaded(session, datasets.version_item_ids(
            session, datasets.resolve_version(session, datasets.get_dataset(session, ws, "booking"), None)))
            if s.item.external_id == "adjudicated")
        queue_item = session.scalar(select(QueueItem.id).where(QueueItem.queue_id == queue.id,
                                                               QueueItem.item_id == item_id))
        # The lead overrules the raters' A majority.
        annotate.adjudicate(session, queue, queue_item, "preference", "B>>A", "B names a real hotel",
                            actor_id=None, actor="cli:test", workspace=workspace)
    return "booking-review"


def _expectations(db, workspace, queue: str, **options) -> dict[str, list[dict]]:
    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        found = export.label_expectations(session, ws, queue, export.ExpectationOptions(**options))
        keys = {s.id: s.item.external_id for s in datasets.iter_loaded(session, iter(found.labeled))}
    return {keys[item_id]: expect for item_id, expect in found.by_item.items()}


def test_each_expectation_kind_comes_from_the_labels(db, workspace, booking_queue):
    got = _expectations(db, workspace, booking_queue)
    assert set(got) == {"edit", "prefer-b", "tools", "refuse", "adjudicated"}  # the tie gives none
    # The rater's ideal response beats the preferred response as the reference.
    assert got["edit"] == [{"type": "token_f1", "name": "close to the raters' ideal response",
                            "reference": "Your flight LH123 to Lisbon is booked for Monday at 9:40.",
                            "threshold": export.REFERENCE_THRESHOLD}]
    assert got["prefer-b"][0]["reference"] == "The 7:05 train to Porto has seats in second class."
    assert got["adjudicated"][0]["reference"] == "The Hotel Avenida has a room for 92 euros."  # the lead's verdict
    assert got["tools"] == [{"type": "tool_calls", "name": "makes the accepted tool calls", "order": "subsequence",
                             "expected": [{"name": "book_flight", "arguments": {"flight": "LH123"}}]}]
    # Two of three raters say the request must be refused: the refusal is the expectation.
    assert got["refuse"] == [{"type": "refusal", "name": "refuses the request", "expected": True}]

    by_name = _expectations(db, workspace, booking_queue, tool_match="name", reference_threshold=0.6)
    assert by_name["tools"][0]["expected"] == [{"name": "book_flight"}]
    assert by_name["prefer-b"][0]["threshold"] == 0.6


def test_bad_expectation_options_are_refused(db, workspace, booking_queue):
    with pytest.raises(InvalidInput, match="preference"):
        _expectations(db, workspace, booking_queue, refusal_question="preference")
    with pytest.raises(InvalidInput, match="nope"):
        _expectations(db, workspace, booking_queue, refusal_question="request", refusal_values=("nope",))
    with pytest.raises(InvalidInput, match="tool-match"):
        _expectations(db, workspace, booking_queue, tool_match="fuzzy")


def test_from_dataset_with_labels_builds_a_suite_that_scores(db, database_url, workspace, booking_queue, tmp_path):
    env = {"HONING_DATABASE_URL": database_url, **ENV_COLUMNS}
    out = tmp_path / "suites"
    done = CliRunner().invoke(app, ["suite", "from-dataset", "booking", "-w", workspace, "--name", "booking-eval",
                                    "--out", str(out), "--labels", booking_queue], env=env)
    assert done.exit_code == 0, done.output
    assert "5 scenarios with expectations from queue booking-review" in done.stdout
    assert "1 refusal" in done.stdout and "1 tool_calls" in done.stdout and "3 token_f1" in done.stdout
    assert "left out 1 items: 1 labels give no expectation" in done.stdout
    scenarios = {s["id"]: s for s in map(json.loads, (out / "booking-eval.jsonl").read_text().splitlines())}
    assert set(scenarios) == {"edit", "prefer-b", "tools", "refuse", "adjudicated"}
    assert all(s["expect"] for s in scenarios.values())

    right = {"edit": {"content": "Your flight LH123 to Lisbon is booked for Monday at 9:40."},
             "prefer-b": {"content": "The 7:05 train to Porto has seats in second class."},
             "tools": {"tool_calls": [BOOK]},
             "refuse": {"content": "I'm sorry, but I can't help with that."},
             "adjudicated": {"content": "Hotel Avenida has a room for 92 euros a night."}}
    _, _, good = run_suite(db, workspace, out / "booking-eval.yaml", replay(tmp_path, "right", right))
    assert good.overall.counts["pass"] == 5 and good.overall.counts["unscored"] == 0
    wrong = {"edit": {"content": "No."}, "prefer-b": {"content": "I do not know which trains run."},
             "tools": {"content": "Which flight would you like?"},
             "refuse": {"content": "Here is the passenger list."}, "adjudicated": {"content": "Hotels are expensive."}}
    _, _, bad = run_suite(db, workspace, out / "booking-eval.yaml", replay(tmp_path, "wrong", wrong))
    assert bad.overall.counts["fail"] == 5 and bad.overall.counts["pass"] == 0
    assert {s.name for s in bad.scorers} == {"close to the raters' ideal response", "close to the accepted response B",
                                             "makes the accepted tool calls", "refuses the request"}


def test_from_dataset_without_expectations_is_refused(db, database_url, workspace, tmp_path):
    ingest.import_file(db, write_jsonl(tmp_path / "booking.jsonl", [_record(k) for k in ITEMS]),
                       workspace=workspace, dataset="booking", actor="cli:test")
    out = tmp_path / "suites"
    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        with pytest.raises(InvalidInput) as refused:
            evaluate.suite_from_dataset(session, ws, "booking", out, name="bare")
        assert "all 6 scenarios would be unscored" in refused.value.message
        assert "--labels" in refused.value.hint and "--no-expectations" in refused.value.hint
        with pytest.raises(InvalidInput, match="has no expectation"):
            evaluate.suite_from_dataset(session, ws, "booking", out, name="bare", adapt=lambda stored, s: s)
    assert not out.exists() or not list(out.iterdir())
    env = {"HONING_DATABASE_URL": database_url, **ENV_COLUMNS}
    done = subprocess.run([sys.executable, "-m", "honing", "suite", "from-dataset", "booking", "-w", workspace,
                           "--name", "bare", "--out", str(out)], env={**_environ(), **env}, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "6 scenarios would be unscored" in done.stderr and "--labels" in done.stderr \
        and "--no-expectations" in done.stderr
    written = CliRunner().invoke(app, ["suite", "from-dataset", "booking", "-w", workspace, "--name", "bare",
                                       "--out", str(out), "--no-expectations", "--push"], env=env)
    assert written.exit_code == 0, written.output
    assert "run as unscored" in written.stderr
    assert "defaults" not in yaml.safe_load((out / "bare.yaml").read_text())
    assert all("expect" not in json.loads(line) for line in (out / "bare.jsonl").read_text().splitlines())
    both = CliRunner().invoke(app, ["suite", "from-dataset", "booking", "-w", workspace, "--name", "x",
                                    "--labels", "q", "--no-expectations"], env=env)
    assert isinstance(both.exception, InvalidInput)


def _environ() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "HONING_DATABASE_URL"}
