"""Judge calibration: synthetic judges whose agreement with the humans is known by
construction (tests/judge_fixtures.py) are measured as such; position and length bias
are found where they were built in and not where they were not; records are versioned
and found by fingerprint; bad input is refused saying what and where."""

from __future__ import annotations

import asyncio
import json

import numpy as np
import pytest
from scipy.stats import spearmanr
from sklearn.metrics import cohen_kappa_score
from typer.testing import CliRunner

from honing import accounts, audit
from honing._errors import InvalidInput, NotFound
from honing.cli import app
from honing.evaluate import RunOptions, execute_run, push_suite, start_run
from honing.evaluate.scorers._judge import DEFAULT_SCALE
from honing.judges import (
    JudgeConfig,
    calibrate,
    consensus,
    decide,
    fingerprint_of_scorer,
    human_direction,
    latest_calibration,
    list_calibrations,
    pairwise_figures,
    parse_judge_config,
)
from honing.stats import Estimate
from honing.storage import EvalRun
from judge_fixtures import HUMAN_NOISE, JUDGE_NOISE, labeled_queue

RUBRIC_TEXT = "Grade how well the response fixes the problem."


def pointwise(target: str, name: str = "noisy-judge", **extra) -> JudgeConfig:
    return JudgeConfig(name=name, kind="pointwise", target=f"python:judge_fixtures:{target}",
                       rubric=RUBRIC_TEXT, pass_at=4, **extra)


def pairwise(target: str, name: str = "pair-judge") -> JudgeConfig:
    return JudgeConfig(name=name, kind="pairwise", target=f"python:judge_fixtures:{target}",
                       rubric="Which response fixes the problem better?")


def contains(estimate: Estimate, value: float) -> bool:
    return estimate.low <= value <= estimate.high


# --- the acceptance tests: agreement and bias known by construction ---------------------

def population_figures(draws: int = 200_000, seed: int = 20_261_208) -> tuple[float, float]:
    """Spearman's rho (judge vs human mean) and quadratic kappa (judge vs consensus) of
    the generative model of judge_fixtures, by an independent simulation."""
    rng = np.random.default_rng(seed)
    quality = rng.integers(1, 6, draws)
    human_noise = rng.choice(list(HUMAN_NOISE), p=list(HUMAN_NOISE.values()), size=(draws, 3))
    humans = np.clip(quality[:, None] + human_noise, 1, 5)
    judge = np.clip(quality + rng.choice(list(JUDGE_NOISE), p=list(JUDGE_NOISE.values()), size=draws), 1, 5)
    rho = spearmanr(judge, humans.mean(axis=1)).statistic
    kappa = cohen_kappa_score(np.median(humans, axis=1).astype(int), judge, weights="quadratic")
    return float(rho), float(kappa)


def test_a_judge_of_known_agreement_is_measured_within_its_interval(db, workspace, tmp_path, capsys):
    queue = labeled_queue(db, workspace, tmp_path, name="known", items=100, seed=11)
    true_rho, true_kappa = population_figures()
    result = calibrate(db, workspace, pointwise("noisy"), queue, "quality", actor="cli:test")
    rho, kappa = result.spearman, result.figures.metrics["weighted_kappa"]
    with capsys.disabled():
        print(f"\nnoisy judge, n={result.n}: spearman {rho.value:.3f} [{rho.low:.3f}, {rho.high:.3f}] vs "
              f"population {true_rho:.3f}; kappa {kappa.value:.3f} [{kappa.low:.3f}, {kappa.high:.3f}] vs "
              f"population {true_kappa:.3f}")
    assert result.n == 200 and result.judge_errors == 0 and rho.n == 200
    assert contains(rho, true_rho), (rho, true_rho)
    assert contains(kappa, true_kappa), (kappa, true_kappa)
    assert result.verdict == ("adopted" if rho.value >= 0.6 else "rejected")
    # Humans agree better with each other than with this noisier judge: adding it lowers alpha.
    metrics = result.figures.metrics
    assert metrics["alpha_humans"].n == 200
    assert metrics["alpha_humans_and_judge"].value < metrics["alpha_humans"].value
    # Length was drawn independently of quality: no length bias for judge or humans.
    bias = result.figures.bias
    assert contains(bias["length_spearman_difference"], 0.0)
    confusion = result.figures.confusion
    assert confusion.row_values == [1, 2, 3, 4, 5] and sum(map(sum, confusion.counts)) == 200

    # A judge that adds a point per 150 characters: its excess over the humans is found.
    swayed = calibrate(db, workspace, pointwise("verbose", name="verbose-judge"), queue, "quality",
                       actor="cli:test")
    difference = swayed.figures.bias["length_spearman_difference"]
    with capsys.disabled():
        print(f"verbose judge: length spearman judge {swayed.figures.bias['length_spearman_judge'].value:.3f}, "
              f"humans {swayed.figures.bias['length_spearman_humans'].value:.3f}, difference "
              f"{difference.value:.3f} [{difference.low:.3f}, {difference.high:.3f}]")
    assert difference.low > 0.1


def test_a_perfect_judge_is_adopted_and_a_random_one_rejected(db, workspace, tmp_path):
    # Raters who agree exactly: the consensus is every rater's rating and the human mean.
    queue = labeled_queue(db, workspace, tmp_path, name="exact", items=20, seed=5, human_noise={0: 1.0})
    perfect = calibrate(db, workspace, pointwise("perfect", name="perfect-judge"), queue, "quality",
                        actor="cli:test")
    assert perfect.n == 40
    assert perfect.spearman.value == pytest.approx(1.0)
    assert perfect.figures.metrics["weighted_kappa"].value == pytest.approx(1.0)
    assert perfect.verdict == "adopted"
    # |rho| = 1 has no Fisher-z interval; it says so rather than claiming [1, 1].
    assert "degenerates" in str(perfect.spearman.as_dict()["reason"] or perfect.spearman.low.reason)
    assert all(perfect.figures.confusion.counts[i][j] == 0 for i in range(5) for j in range(5) if i != j)

    coin = calibrate(db, workspace, pointwise("coin", name="coin-judge"), queue, "quality", actor="cli:test")
    assert coin.verdict == "rejected" and coin.spearman.value < 0.6
    assert contains(coin.spearman, 0.0)


def test_position_bias_is_found_where_it_is_and_not_where_it_is_not(db, workspace, tmp_path, capsys):
    queue = labeled_queue(db, workspace, tmp_path, name="pairs", items=60, seed=7)
    biased = calibrate(db, workspace, pairwise("first_shown", name="first-shown"), queue, "preference",
                       actor="cli:test")
    flips, first = biased.figures.bias["order_flip_rate"], biased.figures.bias["first_shown_share"]
    p = biased.figures.p_values["first_shown"]
    with capsys.disabled():
        print(f"\nfirst-shown judge, n={biased.n}: flip rate {flips.value:.3f} [{flips.low:.3f}, {flips.high:.3f}], "
              f"first-shown share {first.value:.3f} [{first.low:.3f}, {first.high:.3f}] of {first.n}, p={p:.3g}")
    assert biased.n == 60
    assert flips.value == 1.0 and flips.n == 60
    assert first.value == 1.0 and first.n == 120 and p < 0.001
    # Its orders always disagree, so every unit counts as a tie: it orders nothing.
    assert biased.verdict == "rejected" and "same answer" in biased.verdict_reason
    assert all(row[0] == row[2] == 0 for row in biased.figures.confusion.counts)

    fair = calibrate(db, workspace, pairwise("fair", name="fair-pairs"), queue, "preference", actor="cli:test")
    flips, first = fair.figures.bias["order_flip_rate"], fair.figures.bias["first_shown_share"]
    with capsys.disabled():
        print(f"fair judge: flip rate {flips.value:.3f} [{flips.low:.3f}, {flips.high:.3f}], first-shown share "
              f"{first.value:.3f} [{first.low:.3f}, {first.high:.3f}], p={fair.figures.p_values['first_shown']:.3g}; "
              f"spearman {fair.spearman.value:.3f}, agreement "
              f"{fair.figures.metrics['direction_agreement'].value:.3f}")
    assert flips.value == 0.0 and contains(flips, 0.0)
    assert contains(first, 0.5) and fair.figures.p_values["first_shown"] > 0.05
    assert fair.verdict == "adopted" and fair.figures.metrics["cohen_kappa"].value > 0.4
    assert sum(map(sum, fair.figures.confusion.counts)) == 60
    # Response lengths were drawn independently of quality.
    # The judge prefers the longer response exactly when the humans do, on every unit: the
    # difference is 0, and a bootstrap cannot put an honest interval on 40 equal differences.
    longer = fair.figures.bias["longer_preferred_difference"]
    assert longer.value == 0.0 and "paired differences are equal" in longer.low.reason


# --- records, errors, bad input -----------------------------------------------------------

@pytest.fixture
def small_queue(db, workspace, tmp_path) -> str:
    return labeled_queue(db, workspace, tmp_path, name="small", items=8, seed=3)


def test_records_are_versioned_and_found_by_fingerprint(db, workspace, small_queue):
    judge = pointwise("noisy")
    first = calibrate(db, workspace, judge, small_queue, "quality", min_items=5, actor="cli:test")
    second = calibrate(db, workspace, judge, small_queue, "quality", min_items=5, limit=10, seed=4,
                       actor="cli:test")
    assert (first.version, second.version) == (1, 2)
    assert second.n == 10 and second.record.ref == "noisy-judge@2"
    # The same judge under another name shares the fingerprint; the newest record wins.
    renamed = calibrate(db, workspace, pointwise("noisy", name="renamed"), small_queue, "quality",
                        min_items=5, actor="cli:test")
    assert renamed.version == 1 and renamed.fingerprint == judge.fingerprint
    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        assert [r.ref for r in list_calibrations(session, ws)] == ["noisy-judge@2", "noisy-judge@1", "renamed@1"]
        assert [r.version for r in list_calibrations(session, ws, "noisy-judge")] == [2, 1]
        latest = latest_calibration(session, ws, judge.fingerprint)
        assert latest is not None and latest.ref == "renamed@1"
        assert latest_calibration(session, ws, pointwise("coin").fingerprint) is None
        events = [e for e in audit.recent(session) if e.action == "judge.calibrate"]
    assert latest.spearman.value == pytest.approx(renamed.spearman.value)
    assert latest.config["scale"] == [a.model_dump() for a in DEFAULT_SCALE]
    assert {e.target for e in events} == {"judge:noisy-judge@1", "judge:noisy-judge@2", "judge:renamed@1"}
    # A suite scorer asking the same judge has the same fingerprint.
    scorer = {"judge": judge.target, "rubric": RUBRIC_TEXT + "\n", "pass_at": 3}
    assert fingerprint_of_scorer("llm_judge", scorer) == judge.fingerprint
    assert fingerprint_of_scorer("llm_judge", {**scorer, "rubric": "Another rubric."}) != judge.fingerprint


def test_unreadable_judge_replies_are_counted_not_fatal(db, workspace, small_queue):
    result = calibrate(db, workspace, pointwise("garbled", name="garbled"), small_queue, "quality",
                       min_items=5, actor="cli:test")
    units = result.n + result.judge_errors
    assert units == 16 and result.judge_errors > 0
    assert result.spearman.n == result.n == result.figures.metrics["alpha_humans"].n
    assert any("could not be parsed" in e for e in result.error_examples)
    assert result.as_dict()["judge_errors"] == result.judge_errors


def test_questions_that_do_not_fit_and_unknown_names_are_refused(db, workspace, small_queue):
    def refused(judge: JudgeConfig, queue: str, question: str) -> Exception:
        with pytest.raises((InvalidInput, NotFound)) as caught:
            calibrate(db, workspace, judge, queue, question, actor="cli:test")
        return caught.value

    error = refused(pointwise("noisy"), small_queue, "preference")
    assert isinstance(error, InvalidInput) and "pairwise question" in error.message
    assert "quality" in (error.hint or "")
    assert isinstance(refused(pointwise("noisy"), small_queue, "topic"), InvalidInput)
    error = refused(pairwise("fair"), small_queue, "quality")
    assert isinstance(error, InvalidInput) and "preference" in (error.hint or "")
    error = refused(pointwise("noisy"), "no-such-queue", "quality")
    assert isinstance(error, NotFound) and "no-such-queue" in error.message
    error = refused(pointwise("noisy"), small_queue, "helpfulness")
    assert isinstance(error, NotFound) and "quality" in (error.hint or "")
    error = refused(JudgeConfig(name="x", kind="pointwise", target="python:judge_fixtures:no_such_judge",
                                rubric="r", pass_at=4), small_queue, "quality")
    assert isinstance(error, InvalidInput) and "no_such_judge" in error.message
    with db.reading() as session:
        assert list_calibrations(session, accounts.get_workspace(session, workspace)) == []


def test_an_item_question_on_items_with_two_responses_is_skipped(db, workspace, small_queue):
    result = calibrate(db, workspace, JudgeConfig(
        name="overall", kind="pointwise", target="python:judge_fixtures:perfect", rubric="r", pass_at=2,
        scale=[{"value": 1, "anchor": "poor"}, {"value": 2, "anchor": "fair"}, {"value": 3, "anchor": "good"}]),
        small_queue, "overall", actor="cli:test")
    assert result.n == 0 and result.labeled_units == 8
    assert result.skipped == {"an item question on an item without exactly one response": 8}
    assert result.verdict == "inconclusive" and "only 0 units" in result.verdict_reason


def test_judge_files_are_checked_with_file_line_and_field():
    good = parse_judge_config("name: helpful\nkind: pointwise\ntarget: openai:gpt-4o-mini\n"
                              "rubric: |\n  Is it helpful?\npass_at: 4\n", source="helpful.yaml")
    assert good.anchors() == DEFAULT_SCALE and good.fingerprint == parse_judge_config(
        "name: other\nkind: pointwise\ntarget: openai:gpt-4o-mini\nrubric: Is it helpful?\npass_at: 3\n").fingerprint
    cases = [
        ("name: j\nkind: pointwise\ntarget: openai:m\nrubric: r\n", 1, "pass_at", "is missing"),
        ("name: j\nkind: pairwise\ntarget: openai:m\nrubric: r\npass_at: 4\n", 5, "pass_at", "pointwise judges only"),
        ("name: j\nkind: pointwise\ntarget: openai:m\nrubric: r\npass_at: 9\n", 5, "pass_at", "at most the highest"),
        ("name: j\nkind: sideways\ntarget: openai:m\nrubric: r\n", 2, "kind", "'pointwise' or 'pairwise'"),
        ("name: J!\nkind: pairwise\ntarget: openai:m\nrubric: r\n", 1, "name", "pattern"),
        ("name: j\nkind: pairwise\ntarget: openai:m\nrubric: r\nrubrik: s\n", 5, "rubrik", "unknown key"),
        ("name: j\nkind: pointwise\ntarget: openai:m\nrubric: r\npass_at: 2\nscale:\n  - {value: 1, anchor: a}\n",
         6, "scale", "at least two anchors"),
    ]
    for text, line, field, words in cases:
        with pytest.raises(InvalidInput) as caught:
            parse_judge_config(text, source="judge.yaml")
        problem = caught.value.problems[0]
        assert (problem.file, problem.line, problem.field) == ("judge.yaml", line, field), text
        assert words in problem.message, problem.message
    with pytest.raises(InvalidInput) as caught:
        parse_judge_config("name: j\n  kind: [\n")
    assert caught.value.problems[0].line is not None and "not valid YAML" in caught.value.problems[0].message


def test_fingerprints_follow_what_shapes_the_verdicts():
    base = pointwise("noisy")
    assert len(base.fingerprint) == 16
    assert base.fingerprint == pointwise("noisy", name="other-name").fingerprint
    assert base.fingerprint != pointwise("noisy", scale=[{"value": 1, "anchor": "bad"},
                                                         {"value": 5, "anchor": "good"}]).fingerprint
    assert base.fingerprint != pointwise("coin").fingerprint
    pair = pairwise("fair")
    spec = {"judge": pair.target, "rubric": pair.rubric, "reference_output": "the other answer"}
    assert fingerprint_of_scorer("llm_judge_pairwise", spec) == pair.fingerprint
    # The same model and rubric asked pointwise is another judge.
    assert fingerprint_of_scorer("llm_judge", {"judge": pair.target, "rubric": pair.rubric,
                                               "pass_at": 4}) != pair.fingerprint
    assert fingerprint_of_scorer("contains", {"value": "x"}) is None
    assert fingerprint_of_scorer("llm_judge", {"judge": "openai:m"}) is None  # the scorer would refuse it


# --- the pure figures -----------------------------------------------------------------------

def test_consensus_direction_and_verdict_rules():
    assert consensus([3, 4], [1, 2, 3, 4, 5]) == 4  # 3.5 rounds half up
    assert consensus([1, 2, 5], [1, 2, 3, 4, 5]) == 2
    assert consensus([1, 3], [1, 3, 5]) == 3  # to the nearest point of a gapped scale, half up
    assert human_direction([-2, -1, 1]) == "A"
    assert human_direction([-1, 1]) == "tie"  # no single most frequent direction
    assert human_direction([0, 0, 2]) == "tie"
    rho = Estimate(0.65, 0.5, 0.77, 40)
    assert decide(rho, 40, threshold=0.6, min_items=30)[0] == "adopted"
    assert decide(rho, 40, threshold=0.7, min_items=30)[0] == "rejected"
    assert decide(rho, 29, threshold=0.6, min_items=30)[0] == "inconclusive"
    undefined = Estimate(float("nan"), float("nan"), float("nan"), 40)
    assert decide(undefined, 40, threshold=0.6, min_items=30)[0] == "inconclusive"
    assert decide(undefined, 40, threshold=0.6, min_items=30, judge_constant=True)[0] == "rejected"


def test_pairwise_figures_on_hand_made_verdicts():
    # Unit 1: humans prefer A, judge says A in both orders. Unit 2: humans B, judge flips
    # (A when A is first, B when B is first): a tie. Unit 3: humans tie, judge tie twice.
    strengths = [{1: -2, 2: -1}, {1: 1, 2: 2}, {1: 0, 2: 0}]
    figures = pairwise_figures(strengths, ["A", "A", "tie"], ["A", "B", "tie"], [(10, 5), (5, 10), (5, 5)],
                               n_resamples=200)
    assert figures.metrics["direction_agreement"].value == pytest.approx(2 / 3)
    assert figures.bias["order_flip_rate"].value == pytest.approx(1 / 3)
    # Decided verdicts: A-first "A", "A" (both first shown); B-first "A" (second), "B" (first).
    assert figures.bias["first_shown_share"].value == pytest.approx(3 / 4)
    assert figures.bias["first_shown_share"].n == 4
    assert figures.confusion.counts == [[1, 0, 0], [0, 1, 0], [0, 1, 0]]
    # The judge decided one unit (A, the longer); the humans decided two, each the longer.
    assert figures.bias["longer_preferred_judge"].value == 1.0 and figures.bias["longer_preferred_judge"].n == 1
    assert figures.bias["longer_preferred_humans"].value == 1.0 and figures.bias["longer_preferred_humans"].n == 2


# --- the CLI ----------------------------------------------------------------------------------

def test_cli_exit_codes_json_and_schema(db, database_url, workspace, small_queue, tmp_path):
    runner = CliRunner()
    env = {"HONING_DATABASE_URL": database_url, "COLUMNS": "200"}

    def judge_file(name: str, target: str) -> str:
        path = tmp_path / f"{name}.yaml"
        path.write_text(f"name: {name}\nkind: pointwise\ntarget: python:judge_fixtures:{target}\n"
                        f"rubric: |\n  {RUBRIC_TEXT}\npass_at: 4\n")
        return str(path)

    def run(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, ["judge", "calibrate", "-w", workspace, "--queue", small_queue,
                                   "--question", "quality", *args], env=env)

    adopted = run("--judge", judge_file("good", "perfect"), "--min-items", "5")
    assert adopted.exit_code == 0, adopted.output
    assert "ADOPTED" in adopted.output and "Confusion matrix" in adopted.output
    assert "weighted kappa" in adopted.output and "n=16" in adopted.output

    rejected = run("--judge", judge_file("coin", "coin"), "--min-items", "5", "--threshold", "0.99", "--json")
    assert rejected.exit_code == 1, rejected.output
    body = json.loads(rejected.output)
    assert body["verdict"] == "rejected" and body["ref"] == "coin@1" and body["n"] == 16
    assert set(body["spearman"]) == {"value", "low", "high", "n", "conf", "method", "reason"}
    assert {"weighted_kappa", "spearman", "alpha_humans", "alpha_humans_and_judge"} == set(body["metrics"])
    assert {"length_spearman_judge", "length_spearman_humans", "length_spearman_difference"} == set(body["bias"])
    assert len(body["confusion"]["counts"]) == 5 and body["judge_errors"] == 0

    inconclusive = run("--judge", judge_file("good", "perfect"), "--min-items", "1000")
    assert inconclusive.exit_code == 3, inconclusive.output
    assert "INCONCLUSIVE" in inconclusive.output

    listed = runner.invoke(app, ["judge", "list", "-w", workspace, "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    assert [(r["ref"], r["verdict"]) for r in json.loads(listed.output)] == [
        ("coin@1", "rejected"), ("good@2", "inconclusive"), ("good@1", "adopted")]
    table = runner.invoke(app, ["judge", "list", "-w", workspace], env=env)
    assert table.exit_code == 0 and "good@2" in table.output

    schema = runner.invoke(app, ["schema", "judge"])
    assert schema.exit_code == 0
    parsed = json.loads(schema.output)
    assert parsed["title"] == "Honing LLM judge" and {"name", "kind", "target", "rubric"} <= set(parsed["required"])


def test_runs_still_call_judges_through_the_shared_judge_caller(db, workspace, tmp_path):
    (tmp_path / "suite.yaml").write_text(json.dumps({"name": "judged", "scenarios": [
        {"id": "vpn", "input": "My VPN drops.", "expect": [
            {"type": "llm_judge", "judge": "python:judge_fixtures:perfect", "rubric": RUBRIC_TEXT, "pass_at": 4}]}]}))
    with db.writing() as session:
        ref = push_suite(session, accounts.get_workspace(session, workspace), tmp_path / "suite.yaml",
                         actor="cli:test").ref
    options = RunOptions(concurrency=2)
    run_id, _, _ = start_run(db, workspace, ref, "python:judge_fixtures:marked_answer", options, actor="cli:test")
    progress = asyncio.run(execute_run(db, run_id, options))
    assert progress.passed == 1
    with db.reading() as session:
        assert session.get_one(EvalRun, run_id).config["judges"] == ["python:judge_fixtures:perfect"]

