"""Paired comparison of two runs: a known injected regression is found exactly and nothing
else is flagged; the statistics equal statsmodels' on the same tables; repeats, errors,
pairing across suite versions; the CLI; and the demo's critical regressions."""

from __future__ import annotations

import asyncio
import json
import random

import pytest
import yaml
from sqlalchemy import select
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint
from typer.testing import CliRunner

from conftest import OPERATOR
from honing import accounts
from honing._errors import InvalidInput, NotFound
from honing.cli import app
from honing.evaluate import (
    Price,
    Prices,
    RunOptions,
    compare_runs,
    execute_run,
    push_suite,
    resolve_suite_version,
    start_run,
)
from honing.stats import paired_bootstrap, paired_difference, paired_difference_p, quantile
from honing.storage import EvalResult, EvalRun

EXPECT = [{"type": "contains", "value": "correct", "name": "correct"},
          {"type": "contains", "value": "polite", "name": "polite"}]
PASS, FAIL = "correct and polite", "polite but wrong"


def write_suite(directory, scenarios, name="cmp"):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "cases.jsonl").write_text("".join(json.dumps(s) + "\n" for s in scenarios))
    (directory / "suite.yaml").write_text(yaml.safe_dump({"name": name, "scenario_files": ["cases.jsonl"]}))
    return directory / "suite.yaml"


def push(db, workspace, path) -> str:
    with db.writing() as session:
        return push_suite(session, accounts.get_workspace(session, workspace), path, actor="cli:test").ref


def replay_run(db, workspace, ref, path, recordings, prices=None) -> int:
    path.write_text("".join(json.dumps(r) + "\n" for r in recordings))
    options = RunOptions(concurrency=32, use_cache=False, prices=prices or Prices())
    run_id, _, _ = start_run(db, workspace, ref, f"replay:{path}", options, actor="cli:test")
    asyncio.run(execute_run(db, run_id, options))
    return run_id


def compare(db, workspace, a, b, **options):
    with db.reading() as session:
        return compare_runs(session, accounts.get_workspace(session, workspace), a, b, **options)


# -- the acceptance test: a known regression, injected --------------------------------------

TOPICS = ("billing", "login", "shipping", "returns")


def acceptance_scenario(i: int) -> dict:
    tier = "critical" if i % 8 < 3 else "important" if i % 8 < 6 else "nice"
    tags = [TOPICS[(i // 8) % 4], *(["smoke"] if tier == "nice" and i % 3 == 0 else [])]
    return {"id": f"s{i:03d}", "input": f"question {i}", "tier": tier, "tags": tags, "expect": EXPECT}


def test_an_injected_regression_is_found_exactly_and_nothing_else(db, workspace, tmp_path):
    """400 scenarios; B answers as A except 25 critical "login" scenarios A passed, which B
    fails. Exactly those are the regressions; the slices holding them are "worse", every
    other slice shows no significant difference."""
    scenarios = [acceptance_scenario(i) for i in range(400)]
    ref = push(db, workspace, write_suite(tmp_path / "suite", scenarios))
    passes_a = {s["id"]: int(s["id"][1:]) % 7 != 0 for s in scenarios}  # some fail in both runs
    candidates = [s["id"] for s in scenarios if s["tier"] == "critical" and "login" in s["tags"] and passes_a[s["id"]]]
    assert len(candidates) >= 30
    flipped = set(random.Random(3).sample(candidates, 25))

    def recordings(passing, extra_ms):
        return [{"scenario_id": sid, "content": PASS if passing(sid) else FAIL, "latency_ms": 100 + i + extra_ms,
                 "prompt_tokens": 100, "completion_tokens": 10} for i, sid in enumerate(passes_a)]

    run_a = replay_run(db, workspace, ref, tmp_path / "a.jsonl", recordings(passes_a.get, 0))
    b_path = tmp_path / "b.jsonl"
    run_b = replay_run(db, workspace, ref, b_path, recordings(lambda s: passes_a[s] and s not in flipped, 50),
                       prices=Prices({f"replay:{b_path}": Price(input_per_mtok=1.0, output_per_mtok=2.0)}))

    c = compare(db, workspace, run_a, run_b)
    assert (c.match, c.matched, c.only_a, c.only_b) == ("same-version", 400, 0, 0)
    assert {r.scenario_id for r in c.regressions} == flipped
    assert c.counts == {"regressions": 25, "fixes": 0, "new_errors": 0, "resolved_errors": 0}
    assert c.fixes == [] and c.new_errors == []
    for change in c.regressions:
        assert (change.tier, change.status_a, change.status_b) == ("critical", "pass", "fail")
        assert "login" in change.tags and change.input == f"question {int(change.scenario_id[1:])}"
        assert change.output_a["text"] == PASS and change.output_b["text"] == FAIL
        assert [s["passed"] for s in change.scores_b] == [False, True] and change.error_b is None

    flagged = {(s.kind, s.name): s.verdict for s in c.slices() if s.verdict != "no significant difference"}
    assert flagged == {("overall", "all"): "worse", ("tier", "critical"): "worse", ("tag", "login"): "worse",
                       ("scorer", "correct"): "worse"}
    for part in c.slices():
        touched = (part.kind, part.name) in flagged
        assert (part.regressed, part.fixed) == ((25, 0) if touched else (0, 0)), part.name
        assert part.p_holm >= part.p_value
        # The verdict is read off the interval printed beside it.
        assert (part.adjusted.high < 0) == (part.verdict == "worse") and part.adjusted.low <= 0
    # The scorer every scenario fails by is the same hypothesis as `all`, decided with it.
    assert c.slice("scorer", "correct").same_as == "all" and c.slice("scorer", "correct").family == 1
    assert "no significant difference (n = 150)" in c.slice("tier", "important").evidence
    assert [t.name for t in c.tiers] == ["critical", "important", "nice"]
    assert [t.name for t in c.tags] == ["billing", "login", "returns", "shipping", "smoke"]
    assert [s.name for s in c.scorers] == ["correct", "polite"]
    assert c.slice("tag", "login") is c.tags[1] and c.slice("tag", "nope") is None

    critical = c.slice("tier", "critical")
    passed = sum(passes_a[s["id"]] for s in scenarios if s["tier"] == "critical")
    assert critical.pairs == 150
    assert critical.a.value == pytest.approx(passed / 150) and critical.b.value == pytest.approx((passed - 25) / 150)
    assert critical.difference.value == pytest.approx(-25 / 150) and critical.difference.high < 0
    assert c.slice("scorer", "correct").score_difference.value == pytest.approx(-25 / 400)
    assert c.slice("scorer", "polite").score_difference.value == 0

    latencies = [100 + i for i in range(400)]
    assert c.latency["a_p50_ms"] == quantile(latencies, 0.5) and c.latency["a_p95_ms"] == quantile(latencies, 0.95)
    assert c.latency["delta_p50_ms"] == pytest.approx(50) and c.latency["delta_p95_ms"] == pytest.approx(50)
    assert c.cost["a"] is None and c.cost["delta"] is None and c.cost["a_per_scenario"] is None
    assert c.cost["b"] == pytest.approx(400 * 120 / 1e6) and c.cost["b_per_scenario"] == pytest.approx(120 / 1e6)
    assert c.flaky_a == c.flaky_b == []
    assert c.run_a["suite"] == c.run_b["suite"] == ref and c.run_b["target"] == f"replay:{b_path}"


# -- inserted results: exact control over repeats, statuses and scores ---------------------

def insert_run(db, workspace, ref, results, *, tiers=None, tags=None, values=None) -> int:
    """A run whose results are given as statuses per scenario, one per repeat."""
    tiers, tags, values = tiers or {}, tags or {}, values or {}

    def scores(sid, status, repeat):
        if status == "error":
            return []
        correct = {"pass": (True, 1.0), "fail": (False, 0.0), "inconclusive": (None, None)}[status]
        found = [{"scorer": "correct", "passed": correct[0], "value": correct[1], "explanation": "",
                  "error": "could not decide" if correct[0] is None else None, "details": {}}]
        if sid in values:
            found.append({"scorer": "judge", "passed": True, "value": values[sid], "explanation": "",
                          "error": None, "details": {}})
        return found

    with db.writing() as session:
        ws = accounts.get_workspace(session, workspace)
        _, version = resolve_suite_version(session, ws, ref)
        run = EvalRun(workspace_id=ws.id, suite_version_id=version.id, target="replay:inserted.jsonl",
                      config={"suite": ref, "repeats": max(map(len, results.values()))}, status="completed",
                      actor="cli:test")
        session.add(run)
        session.flush()
        session.execute(EvalResult.__table__.insert(), [
            {"run_id": run.id, "scenario_id": sid, "repeat": repeat, "tier": tiers.get(sid, "important"),
             "tags": tags.get(sid, []), "status": status,
             "output": {} if status == "error" else {"text": f"{sid} r{repeat} {status}", "tool_calls": []},
             "scores": scores(sid, status, repeat), "error": "boom" if status == "error" else None,
             "latency_ms": 5000.0 if status == "error" else 100.0 * (repeat + 1), "cost": None, "cached": False}
            for sid, statuses in results.items() for repeat, status in enumerate(statuses)])
        return run.id


def suite_of(tmp_path, ids, *, tiers=None, tags=None, name="cmp", inputs=None):
    tiers, tags, inputs = tiers or {}, tags or {}, inputs or {}
    return write_suite(tmp_path, [{"id": sid, "input": inputs.get(sid, f"about {sid}"), "expect": EXPECT,
                                   "tier": tiers.get(sid, "important"), "tags": tags.get(sid, [])}
                                  for sid in ids], name=name)


def test_statistics_equal_statsmodels_on_the_same_tables(db, workspace, tmp_path):
    rng = random.Random(11)
    ids = [f"o{i:03d}" for i in range(160)]
    tiers = {sid: ("critical", "important", "nice")[i % 3] for i, sid in enumerate(ids)}
    tags = {sid: sorted(rng.sample(["alpha", "beta", "gamma"], rng.randint(0, 2))) for sid in ids}
    status_a = {sid: rng.choices(["pass", "fail", "inconclusive"], [0.7, 0.2, 0.1])[0] for sid in ids}
    status_b = {sid: (rng.choice(["pass", "fail"]) if rng.random() < 0.3 else status_a[sid]) for sid in ids}
    values_a = {sid: rng.random() for sid in ids}
    values_b = {sid: rng.random() for sid in ids}
    ref = push(db, workspace, suite_of(tmp_path, ids, tiers=tiers, tags=tags))
    run_a = insert_run(db, workspace, ref, {s: [status_a[s]] for s in ids}, tiers=tiers, tags=tags, values=values_a)
    run_b = insert_run(db, workspace, ref, {s: [status_b[s]] for s in ids}, tiers=tiers, tags=tags, values=values_b)
    c = compare(db, workspace, run_a, run_b, n_resamples=500, seed=4)

    members = {("overall", "all"): ids, **{("tier", t): [s for s in ids if tiers[s] == t] for t in set(tiers.values())},
               **{("tag", t): [s for s in ids if t in tags[s]] for t in ("alpha", "beta", "gamma")},
               ("scorer", "correct"): ids, ("scorer", "judge"): ids}
    assert {(s.kind, s.name) for s in c.slices()} == set(members)
    for part in c.slices():
        group = members[(part.kind, part.name)]
        x = [status_a[s] == "pass" for s in group]
        y = [status_b[s] == "pass" for s in group]
        if part.name == "judge":  # passes everywhere: only its values differ
            x = y = [True] * len(group)
        table = [[sum(a and b for a, b in zip(x, y)), sum(a and not b for a, b in zip(x, y))],
                 [sum(b and not a for a, b in zip(x, y)), sum(not a and not b for a, b in zip(x, y))]]
        assert (part.pairs, part.regressed, part.fixed) == (len(group), table[0][1], table[1][0])
        cells = (table[0][0], table[1][0], table[0][1], table[1][1])  # candidate first: B − A
        assert part.p_value == pytest.approx(paired_difference_p(*cells), rel=1e-12)
        for estimate, k in ((part.a, sum(x)), (part.b, sum(y))):
            low, high = proportion_confint(k, len(group), alpha=0.05, method="wilson")
            assert estimate.value == pytest.approx(k / len(group))
            assert (estimate.low, estimate.high) == (pytest.approx(low, abs=1e-12), pytest.approx(high, abs=1e-12))
        assert part.difference == paired_difference(*cells, 0.95)
        assert part.difference.value == pytest.approx(sum(y) / len(group) - sum(x) / len(group))
        if part.kind == "scorer":
            va = values_a if part.name == "judge" else {s: _value(status_a[s]) for s in ids}
            vb = values_b if part.name == "judge" else {s: _value(status_b[s]) for s in ids}
            both = [s for s in ids if va[s] is not None and vb[s] is not None]
            assert part.score_difference.n == len(both)
            assert part.score_difference.value == pytest.approx(
                sum(vb[s] for s in both) / len(both) - sum(va[s] for s in both) / len(both))
            assert part.score_difference == paired_bootstrap([va[s] for s in ids], [vb[s] for s in ids],
                                                             n_resamples=500, seed=4)
        else:
            assert part.score_difference is None
    # The Holm family: every slice but `all`, one per distinct set of paired outcomes (the
    # scorer "correct" decides every scenario's pass exactly as the scenario does: it is `all`).
    assert c.slice("scorer", "correct").same_as == "all"
    family = [s for s in c.slices() if s.kind != "overall" and s.same_as is None]
    assert all(s.family == len(family) for s in family) and c.overall.family == 1
    holm = multipletests([s.p_value for s in family], method="holm")[1]
    assert [s.p_holm for s in family] == pytest.approx(list(holm), rel=1e-12)
    for part in c.slices():
        significant = part.p_holm < 0.05
        assert part.verdict == ("no significant difference" if not significant else
                                "better" if part.fixed > part.regressed else "worse")
        # ... and it is what the printed (adjusted) interval says.
        excludes_zero = part.adjusted.low > 0 or part.adjusted.high < 0
        assert excludes_zero == significant, part.label


def _value(status: str) -> float | None:
    return {"pass": 1.0, "fail": 0.0}.get(status)


REPEATS = {  # scenario: (statuses in A by repeat, statuses in B)
    "maj-pass": (["pass", "pass", "fail"], ["pass", "fail", "fail"]),  # 2/3 passes, then 1/3: regressed
    "tie": (["pass", "fail"], ["pass", "pass"]),  # a tie is not a pass: fixed
    "err-excluded": (["error", "pass", "error"], ["pass", "error", "pass"]),  # 1/1 and 2/2: unchanged
    "tie-err": (["pass", "pass"], ["pass", "error", "fail"]),  # B: 1 of 2 decided, a tie: regressed
    "new-error": (["pass"], ["error", "error"]),
    "resolved": (["error"], ["fail"]),
    "still": (["error"], ["error"]),
    "undecided": (["pass"], ["inconclusive"]),  # inconclusive is not a pass: regressed
}


def repeats_runs(db, workspace, tmp_path):
    ref = push(db, workspace, suite_of(tmp_path, list(REPEATS)))
    run_a = insert_run(db, workspace, ref, {s: a for s, (a, _) in REPEATS.items()})
    run_b = insert_run(db, workspace, ref, {s: b for s, (_, b) in REPEATS.items()})
    return run_a, run_b


def test_repeats_by_majority_with_errors_left_out(db, workspace, tmp_path):
    run_a, run_b = repeats_runs(db, workspace, tmp_path)
    c = compare(db, workspace, run_a, run_b)
    overall = c.overall
    # Decided in both: maj-pass, tie, err-excluded, tie-err, undecided.
    assert (overall.pairs, overall.regressed, overall.fixed) == (5, 3, 1)
    assert (overall.a.value, overall.b.value) == (pytest.approx(4 / 5), pytest.approx(2 / 5))
    assert overall.difference.value == pytest.approx(2 / 5 - 4 / 5)
    assert overall.verdict == "no significant difference"  # 3 against 1 is no evidence
    assert overall.verdict_text == "no significant difference (n = 5)"
    assert c.counts == {"regressions": 3, "fixes": 1, "new_errors": 1, "resolved_errors": 1}
    assert [(r.scenario_id, r.status_a, r.status_b) for r in c.regressions] == [
        ("maj-pass", "pass", "fail"), ("tie-err", "pass", "fail"), ("undecided", "pass", "inconclusive")]
    first = c.regressions[0]
    # The first repeat with the scenario's status: B's failing answer, A's passing one.
    assert first.output_a["text"] == "maj-pass r0 pass" and first.output_b["text"] == "maj-pass r1 fail"
    assert first.input == "about maj-pass" and first.scores_b[0]["passed"] is False
    assert [(f.scenario_id, f.status_a, f.status_b) for f in c.fixes] == [("tie", "fail", "pass")]
    (error,) = c.new_errors
    assert (error.scenario_id, error.status_a, error.status_b, error.error_b) == ("new-error", "pass", "error", "boom")
    assert error.output_b == {} and error.scores_b == []
    assert [f["scenario_id"] for f in c.flaky_a] == ["err-excluded", "maj-pass", "tie"]
    assert [f["scenario_id"] for f in c.flaky_b] == ["err-excluded", "maj-pass", "tie-err"]
    maj = next(f for f in c.flaky_a if f["scenario_id"] == "maj-pass")
    assert maj == {"scenario_id": "maj-pass", "passes": 2, "repeats": 3, "pass_at_k": True,
                   "consistency": pytest.approx(2 / 3)}
    assert c.latency["a_p95_ms"] < 5000 and c.latency["b_p95_ms"] < 5000  # errors have no latency here
    scorer = c.slice("scorer", "correct")
    assert (scorer.pairs, scorer.regressed, scorer.fixed) == (5, 3, 1)
    assert scorer.score_difference.n == 4  # an inconclusive score has no value: that pair is dropped
    assert scorer.score_difference.value == pytest.approx(((1 / 3 + 1 + 1 + 1 / 2) - (2 / 3 + 1 / 2 + 1 + 1)) / 4)
    json.dumps(c.as_dict(), allow_nan=False)  # strict JSON: undefined numbers are null


def test_examples_limit_what_is_shown_not_what_is_counted(db, workspace, tmp_path):
    run_a, run_b = repeats_runs(db, workspace, tmp_path)
    c = compare(db, workspace, run_a, run_b, examples=1)
    assert [r.scenario_id for r in c.regressions] == ["maj-pass"] and c.counts["regressions"] == 3
    none = compare(db, workspace, run_a, run_b, examples=0)
    assert none.regressions == none.fixes == none.new_errors == [] and none.counts == c.counts
    for bad in ({"examples": -1}, {"alpha": 0}, {"alpha": 1.5}, {"conf": 2.0}):
        with pytest.raises(InvalidInput):
            compare(db, workspace, run_a, run_b, **bad)


def test_critical_regressions_come_first(db, workspace, tmp_path):
    ids = ["a-nice", "b-important", "c-critical", "d-critical"]
    tiers = {"a-nice": "nice", "b-important": "important", "c-critical": "critical", "d-critical": "critical"}
    ref = push(db, workspace, suite_of(tmp_path, ids, tiers=tiers))
    run_a = insert_run(db, workspace, ref, {s: ["pass"] for s in ids}, tiers=tiers)
    run_b = insert_run(db, workspace, ref, {s: ["fail"] for s in ids}, tiers=tiers)
    c = compare(db, workspace, run_a, run_b)
    assert [r.scenario_id for r in c.regressions] == ["c-critical", "d-critical", "b-important", "a-nice"]


# -- pairing across suite versions -----------------------------------------------------------

def two_versions(db, workspace, tmp_path):
    v1 = ["k1", "k2", "k3", "k4", "k5", "k6"]
    v2 = ["k1", "k2", "k3", "k4", "k5", "k7"]
    ref1 = push(db, workspace, suite_of(tmp_path / "v1", v1))
    # k5 changes (new input, now critical), k6 goes, k7 comes.
    ref2 = push(db, workspace, suite_of(tmp_path / "v2", v2, tiers={"k5": "critical"},
                                        inputs={"k5": "about k5, reworded"}))
    run_a = insert_run(db, workspace, ref1, {s: ["pass"] for s in v1})
    run_b = insert_run(db, workspace, ref2, {s: ["fail" if s == "k5" else "pass"] for s in v2},
                       tiers={"k5": "critical"})
    return ref1, ref2, run_a, run_b


def test_different_suite_versions_are_refused_unless_a_match_is_given(db, workspace, tmp_path):
    ref1, ref2, run_a, run_b = two_versions(db, workspace, tmp_path)
    assert (ref1, ref2) == ("cmp@1", "cmp@2")
    with pytest.raises(InvalidInput) as refused:
        compare(db, workspace, run_a, run_b)
    assert "cmp@1" in refused.value.message and "cmp@2" in refused.value.message
    assert "--match same-id" in refused.value.hint and "--match same-content" in refused.value.hint
    for match in ("same-version", "bogus"):
        with pytest.raises(InvalidInput):
            compare(db, workspace, run_a, run_b, match=match)

    by_id = compare(db, workspace, run_a, run_b, match="same-id")
    assert (by_id.match, by_id.matched, by_id.only_a_ids, by_id.only_b_ids) == ("same-id", 5, ["k6"], ["k7"])
    assert [(r.scenario_id, r.tier, r.input) for r in by_id.regressions] == [("k5", "critical", "about k5, reworded")]
    assert by_id.slice("tier", "critical").pairs == 1 and by_id.slice("tier", "important").pairs == 4

    by_content = compare(db, workspace, run_a, run_b, match="same-content")
    assert (by_content.matched, by_content.only_a, by_content.only_b) == (4, 2, 2)
    assert by_content.only_a_ids == ["k5", "k6"] and by_content.only_b_ids == ["k5", "k7"]
    assert by_content.regressions == [] and by_content.slice("tier", "critical") is None
    assert by_content.run_a["suite"] == "cmp@1" and by_content.run_b["suite"] == "cmp@2"


def test_runs_outside_the_workspace_are_not_found(db, workspace, tmp_path):
    run_a, _ = repeats_runs(db, workspace, tmp_path)
    with db.writing() as session:
        accounts.create_workspace(session, OPERATOR, "other", "Other")
    other_run = insert_run(db, "other", push(db, "other", suite_of(tmp_path / "other", ["x1"])), {"x1": ["pass"]})
    for a, b in ((run_a, 99_999), (99_999, run_a), (run_a, other_run)):
        with pytest.raises(NotFound):
            compare(db, workspace, a, b)


# -- the command line --------------------------------------------------------------------------

def test_cli_compare_json_and_table(db, database_url, workspace, tmp_path):
    run_a, run_b = repeats_runs(db, workspace, tmp_path)
    runner = CliRunner()
    env = {"HONING_DATABASE_URL": database_url, "COLUMNS": "200"}
    result = runner.invoke(app, ["eval", "compare", str(run_a), str(run_b), "-w", workspace, "--json"], env=env)
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert set(body) == {"run_a", "run_b", "match", "matched", "only_a", "only_b", "only_a_ids", "only_b_ids",
                         "overall", "tiers", "tags", "scorers", "regressions", "fixes", "new_errors", "counts",
                         "flaky_a", "flaky_b", "latency", "cost", "conf", "alpha", "tier_names"}
    assert set(body["overall"]) == {"kind", "name", "a", "b", "pairs", "regressed", "fixed", "difference",
                                    "adjusted", "p_value", "p_holm", "verdict", "verdict_text", "evidence",
                                    "family", "same_as", "unscored", "score_difference"}
    assert body["overall"]["a"]["n"] == 5 and body["overall"]["difference"]["method"].startswith("newcombe")
    assert body["run_a"]["id"] == run_a and body["run_a"]["suite"] == "cmp@1"
    assert [r["scenario_id"] for r in body["regressions"]] == ["maj-pass", "tie-err", "undecided"]
    assert body["new_errors"][0]["error_b"] == "boom"
    assert body["counts"]["regressions"] == 3 and body["scorers"][0]["score_difference"]["n"] == 4

    table = runner.invoke(app, ["eval", "compare", str(run_a), str(run_b), "-w", workspace, "--examples", "2"],
                          env=env)
    assert table.exit_code == 0, table.output
    text = table.output
    assert "overall and tiers" in text and "scorers" in text and "no significant" in text
    assert "3 regressions" in text and "first 2 shown" in text and "maj-pass" in text and "tie-err" in text
    assert "1 fixes, 1 new errors, 1 resolved errors" in text
    assert "latency p50" in text and "cost unknown" in text and "only in A: 0" in text


def test_cli_compare_needs_a_match_across_versions(db, database_url, workspace, tmp_path):
    _, _, run_a, run_b = two_versions(db, workspace, tmp_path)
    runner = CliRunner()
    env = {"HONING_DATABASE_URL": database_url, "COLUMNS": "200"}
    refused = runner.invoke(app, ["eval", "compare", str(run_a), str(run_b), "-w", workspace], env=env)
    assert isinstance(refused.exception, InvalidInput)  # main() turns it into exit code 2
    matched = runner.invoke(app, ["eval", "compare", str(run_a), str(run_b), "-w", workspace,
                                  "--match", "same-id"], env=env)
    assert matched.exit_code == 0, matched.output
    assert "k5 (critical)" in matched.output and "only in A: 1 scenarios, only in B: 1" in matched.output


# -- the demo ----------------------------------------------------------------------------------

def test_demo_v2_regresses_on_17_critical_scenarios(db, tmp_path):
    from honing.demo import build_demo

    build_demo(db, home=tmp_path)
    with db.reading() as session:
        v1, v2 = session.scalars(select(EvalRun.id).order_by(EvalRun.id)).all()
        status = {run: dict(session.execute(select(EvalResult.scenario_id, EvalResult.status)
                                            .where(EvalResult.run_id == run)).all()) for run in (v1, v2)}
        ws = accounts.get_workspace(session, "helpdesk-assistant")
        c = compare_runs(session, ws, v1, v2, examples=100)
    expected = {s for s, st in status[v1].items() if st == "pass" and status[v2][s] != "pass"}
    assert {r.scenario_id for r in c.regressions} == expected and c.counts["regressions"] == len(expected)
    critical = [r for r in c.regressions if r.tier == "critical"]
    assert len(critical) == c.slice("tier", "critical").regressed == 17
    assert c.regressions[:17] == critical  # critical first
    assert c.slice("overall", "all").b.value > c.slice("overall", "all").a.value  # v2 is better overall
