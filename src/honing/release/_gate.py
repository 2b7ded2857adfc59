"""Deciding a gate: each rule of a policy against a run (and its baseline), with the
numbers behind the decision.

A rule passes, fails, or is inconclusive: the data cannot decide it (too few scenarios
in the slice, an interval that straddles the threshold, no latency recorded, results in
the slice that no expectation scored unless the policy allows them). The gate
fails when any rule fails, is inconclusive when none fails but some cannot be decided,
and passes otherwise; `exit_code` maps that to 0 pass, 1 fail, 3 inconclusive for CI.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from honing._errors import InvalidInput, Problem
from honing.evaluate import (
    Comparison,
    RunSummary,
    ScorerSpec,
    Slice,
    compare_runs,
    get_run,
    summarize_run,
    unknown_tier,
)
from honing.judges import fingerprint_of_scorer, latest_calibration
from honing.quality import pct
from honing.release._format import pp
from honing.release._policy import BUDGETS, COUNTS, GatePolicy, Rule
from honing.stats import Estimate, proportion
from honing.storage import EvalScenario, Workspace

Decision = Literal["pass", "fail", "inconclusive"]
EXIT_CODES: dict[str, int] = {"pass": 0, "fail": 1, "inconclusive": 3}
JUDGE_SCORERS = ("llm_judge", "llm_judge_pairwise")


@dataclass(frozen=True)
class RuleOutcome:
    rule: Rule
    decision: Decision
    reason: str  # the numbers and the comparison that decided it, in words
    value: float | None = None  # the run's figure (a rate, a count, ms, USD)
    estimate: Estimate | None = None  # the figure with its interval, where it has one
    baseline: float | None = None  # the baseline's figure, for relative rules
    difference: Estimate | None = None  # B − A with its interval (pass-rate drops)
    n: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule.label, "metric": self.rule.metric, "slice": {
            "kind": self.rule.slice_kind, "name": self.rule.slice_name},
            "threshold": self.rule.threshold_text(), "decision": self.decision, "reason": self.reason,
            "value": _finite(self.value), "estimate": self.estimate.as_dict() if self.estimate else None,
            "baseline": _finite(self.baseline),
            "difference": self.difference.as_dict() if self.difference else None, "n": self.n}


@dataclass
class GateResult:
    policy: GatePolicy
    run_id: int
    baseline_id: int | None
    outcomes: list[RuleOutcome]
    summary: RunSummary
    comparison: Comparison | None = None
    judges: list[dict[str, Any]] = field(default_factory=list)  # each judge the suite uses, and its calibration

    @property
    def decision(self) -> Decision:
        decisions = {o.decision for o in self.outcomes}
        return "fail" if "fail" in decisions else "inconclusive" if "inconclusive" in decisions else "pass"

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.decision]

    def as_dict(self) -> dict[str, Any]:
        return {"policy": {"name": self.policy.name, "hash": self.policy.content_hash,
                           "confidence": self.policy.confidence, "min_n": self.policy.min_n,
                           "allow_unscored": self.policy.allow_unscored},
                "run_id": self.run_id, "baseline_id": self.baseline_id, "decision": self.decision,
                "exit_code": self.exit_code, "rules": [o.as_dict() for o in self.outcomes], "judges": self.judges}


def evaluate_gate(session: Session, workspace: Workspace, policy: GatePolicy, run_id: int, *,
                  baseline_id: int | None = None, match: str | None = None,
                  comparison: Comparison | None = None) -> GateResult:
    """Decide every rule of `policy` for run `run_id` (against `baseline_id` where rules
    are relative). Raises InvalidInput when a relative rule has no baseline, NotFound for
    an unknown run."""
    run = get_run(session, workspace, run_id)
    needing = [r.label for r in policy.rules if r.relative]
    if needing and baseline_id is None:
        raise InvalidInput(f"the gate policy {policy.name!r} compares with a baseline run in "
                           f"{len(needing)} rule{'s' if len(needing) != 1 else ''} ({', '.join(needing)})",
                           hint="give the baseline run with --baseline RUN_ID")
    summary = summarize_run(session, run)
    _check_tiers(policy, summary.tier_names, run.config.get("suite", ""))
    if comparison is None and baseline_id is not None:
        comparison = compare_runs(session, workspace, baseline_id, run_id, match=match,
                                  conf=policy.confidence, alpha=policy.alpha)
    judges = judge_status(session, workspace, run.suite_version_id) \
        if any(r.metric == "judges_calibrated" for r in policy.rules) else []
    outcomes = [_decide(rule, policy, summary, comparison, judges) for rule in policy.rules]
    return GateResult(policy=policy, run_id=run_id, baseline_id=baseline_id, outcomes=outcomes,
                      summary=summary, comparison=comparison, judges=judges)


def _check_tiers(policy: GatePolicy, tiers: tuple[str, ...], suite: str) -> None:
    """A rule naming a tier the run's suite does not have would look at an empty slice and
    read as inconclusive forever: refuse it, saying which tiers there are."""
    problems = [Problem(f"{unknown_tier(rule.tier, tiers)} (suite {suite})", field=f"rules[{index}].tier")
                for index, rule in enumerate(policy.rules) if rule.tier is not None and rule.tier not in tiers]
    if problems:
        raise InvalidInput(f"the gate policy {policy.name!r} names a tier that suite {suite} does not have",
                           problems=problems, hint=f"use one of {', '.join(tiers)}")


def _decide(rule: Rule, policy: GatePolicy, summary: RunSummary, comparison: Comparison | None,
            judges: list[dict[str, Any]]) -> RuleOutcome:
    min_n = rule.min_n or policy.min_n
    if rule.metric == "judges_calibrated":
        return _judges(rule, judges)
    if rule.metric in COUNTS:
        assert comparison is not None
        return _count(rule, policy, comparison)
    if rule.metric in BUDGETS:
        return _budget(rule, summary, comparison, min_n)
    if rule.max_drop is not None:
        assert comparison is not None
        return _drop(rule, policy, comparison, min_n)
    return _rate(rule, policy, summary, min_n)


def _slice(rule: Rule, summary: RunSummary) -> Slice | None:
    if rule.slice_kind == "overall":
        return summary.overall
    pool = {"tier": summary.tiers, "tag": summary.tags, "scorer": summary.scorers}[rule.slice_kind]
    return next((s for s in pool if s.name == rule.slice_name), None)


def _rate(rule: Rule, policy: GatePolicy, summary: RunSummary, min_n: int) -> RuleOutcome:
    found = _slice(rule, summary)
    if found is None:
        return RuleOutcome(rule, "inconclusive", f"the run has no results in {rule.slice_kind} "
                                                 f"{rule.slice_name!r}", n=0)
    blocked = _unscored_block(rule, policy, found.counts["unscored"], sum(found.counts.values()))
    if blocked is not None:
        return blocked
    counts = found.counts
    if rule.metric == "pass_rate":
        n = found.decided
        estimate = proportion(counts["pass"], n, policy.confidence)
        what = "decided results"
    else:
        n = sum(counts.values())
        estimate = proportion(counts["error"], n, policy.confidence)
        what = "results"
    shown = f"{rule.metric.replace('_', ' ')} {pct(estimate.value)} [{pct(estimate.low)}, {pct(estimate.high)}] " \
            f"over {n} {what}"
    if counts["unscored"]:
        shown += f" ({counts['unscored']} unscored results {'left out' if rule.metric == 'pass_rate' else 'in'}, " \
                 "as the policy allows)"
    if n < min_n:
        return RuleOutcome(rule, "inconclusive", f"{shown}: fewer than {min_n}, not enough to decide",
                           estimate.value, estimate, n=n)
    floor = rule.min is not None
    threshold = rule.min if floor else rule.max
    assert threshold is not None
    if rule.decide_on == "interval":
        # Pass only when the whole interval clears the threshold; fail when it is all on
        # the wrong side; in between the data cannot tell.
        good_side, bad_side = (estimate.low, estimate.high) if floor else (-estimate.high, -estimate.low)
        bound = threshold if floor else -threshold
        if good_side >= bound:
            return RuleOutcome(rule, "pass", f"{shown}: the whole interval is {rule.threshold_text()}",
                               estimate.value, estimate, n=n)
        if bad_side < bound:
            return RuleOutcome(rule, "fail", f"{shown}: the whole interval misses {rule.threshold_text()}",
                               estimate.value, estimate, n=n)
        return RuleOutcome(rule, "inconclusive", f"{shown}: the interval straddles {threshold:g}",
                           estimate.value, estimate, n=n)
    ok = estimate.value >= threshold if floor else estimate.value <= threshold
    return RuleOutcome(rule, "pass" if ok else "fail", f"{shown}: {'meets' if ok else 'misses'} "
                       f"{rule.threshold_text()}", estimate.value, estimate, n=n)


def _unscored_block(rule: Rule, policy: GatePolicy, unscored: int, total: int) -> RuleOutcome | None:
    """The inconclusive outcome of a rule whose slice holds `unscored` unscored results of
    `total` (scenarios with no expectation), unless the rule or the policy allows them;
    None when the rule may be decided.

    Unscored results checked nothing: deciding on the rest would present a rate over part
    of the slice as the slice's, and a suite of scenarios without expectations would pass
    on nothing at all."""
    allowed = rule.allow_unscored if rule.allow_unscored is not None else policy.allow_unscored
    if not unscored or allowed:
        return None
    where = "the run" if rule.slice_kind == "overall" else f"{rule.slice_kind} {rule.slice_name!r}"
    return RuleOutcome(rule, "inconclusive",
                       f"{unscored} of {total} results in {where} are unscored (their scenarios have no "
                       "expectation, so nothing was checked): add expectations, or set allow_unscored: true "
                       "in the policy or the rule to decide on the scored results alone", n=total - unscored)


def _drop(rule: Rule, policy: GatePolicy, comparison: Comparison, min_n: int) -> RuleOutcome:
    assert rule.max_drop is not None
    found = comparison.slice(rule.slice_kind, rule.slice_name)
    if found is None:
        return RuleOutcome(rule, "inconclusive", f"no scenarios of {rule.slice_kind} {rule.slice_name!r} "
                                                 "were decided in both runs", n=0)
    diff = found.difference
    shown = f"pass rate {pct(found.b.value)} vs baseline {pct(found.a.value)}: {found.evidence}"
    common = {"value": found.b.value, "estimate": found.b, "baseline": found.a.value, "difference": diff,
              "n": found.pairs}
    blocked = _unscored_block(rule, policy, found.unscored, found.pairs + found.unscored)
    if blocked is not None:
        return dataclasses.replace(blocked, reason=f"{shown}; {blocked.reason}", **common)
    if found.pairs < min_n or math.isnan(diff.low) or math.isnan(diff.high):
        return RuleOutcome(rule, "inconclusive", f"{shown}; fewer than {min_n} pairs or no interval, "
                                                 "not enough to decide", **common)
    # Non-inferiority on the interval: the drop is ruled out beyond the margin (pass), or
    # shown to exceed it (fail); otherwise the data cannot tell.
    margin = -rule.max_drop if rule.max_drop else 0.0  # not -0.0, which would print as "-0.0 pp"
    if diff.low >= margin:
        return RuleOutcome(rule, "pass", f"{shown}; the whole {_level(diff)} interval is above {pp(margin)}",
                           **common)
    if diff.high < margin:
        return RuleOutcome(rule, "fail", f"{shown}; the whole {_level(diff)} interval is below {pp(margin)}",
                           **common)
    return RuleOutcome(rule, "inconclusive", f"{shown}; the {_level(diff)} interval straddles {pp(margin)}",
                       **common)


def _level(estimate: Estimate) -> str:
    return f"{estimate.conf * 100:.3g}%"


def _count(rule: Rule, policy: GatePolicy, comparison: Comparison) -> RuleOutcome:
    assert rule.max is not None
    unscored = 0
    if rule.metric == "new_errors":
        count, pairs = comparison.counts.get("new_errors", 0), comparison.matched
        where = "scenarios"
    else:
        found = comparison.slice(rule.slice_kind, rule.slice_name)
        if found is None:
            return RuleOutcome(rule, "inconclusive", f"no scenarios of {rule.slice_kind} {rule.slice_name!r} "
                                                     "were decided in both runs", n=0)
        count, pairs, unscored = found.regressed, found.pairs, found.unscored
        where = "paired scenarios" if rule.slice_kind == "overall" else \
            f"paired scenarios of {rule.slice_kind} {rule.slice_name}"
    what = "regressed (passed in the baseline, not now)" if rule.metric == "regressions" else \
        "became errors"
    shown = f"{count} of {pairs} {where} {what}"
    if pairs == 0:
        return RuleOutcome(rule, "inconclusive", f"{shown}: nothing to compare", float(count), n=0)
    ok = count <= rule.max
    # Regressions seen are a failure whatever else the slice holds; none seen is only
    # evidence over the scenarios that were scored.
    blocked = _unscored_block(rule, policy, unscored, pairs + unscored) if ok else None
    if blocked is not None:
        return dataclasses.replace(blocked, reason=f"{shown}; {blocked.reason}", value=float(count))
    return RuleOutcome(rule, "pass" if ok else "fail", f"{shown}: {'within' if ok else 'over'} the limit "
                       f"of {rule.max:g}", float(count), n=pairs)


def _budget(rule: Rule, summary: RunSummary, comparison: Comparison | None, min_n: int) -> RuleOutcome:
    measured = summary.results - summary.overall.counts["error"]
    figures = {"latency_p50_ms": (summary.latency_p50_ms, "ms"), "latency_p95_ms": (summary.latency_p95_ms, "ms"),
               "cost": (summary.cost, "USD"),
               "cost_per_scenario": (summary.cost / summary.results if summary.cost is not None and summary.results
                                     else None, "USD")}
    value, unit = figures[rule.metric]
    name = rule.metric.removesuffix("_ms").replace("_", " ")
    if value is None:
        missing = "no latency was measured" if "latency" in rule.metric else \
            "no cost was recorded (give the run a price table)"
        return RuleOutcome(rule, "inconclusive", f"{name}: {missing}", n=measured)
    if measured < min_n:
        return RuleOutcome(rule, "inconclusive", f"{name} {_amount(value, unit)} over {measured} results: fewer "
                                                 f"than {min_n}, not enough to decide", value, n=measured)
    if rule.max is not None:
        ok = value <= rule.max
        return RuleOutcome(rule, "pass" if ok else "fail", f"{name} {_amount(value, unit)} over {measured} results: "
                           f"{'within' if ok else 'over'} the budget of {_amount(rule.max, unit)}", value, n=measured)
    assert rule.max_increase is not None and comparison is not None
    key = {"latency_p50_ms": "a_p50_ms", "latency_p95_ms": "a_p95_ms", "cost": "a",
           "cost_per_scenario": "a_per_scenario"}[rule.metric]
    pool = comparison.latency if "latency" in rule.metric else comparison.cost
    base = pool.get(key)
    if base is None or base <= 0:
        return RuleOutcome(rule, "inconclusive", f"{name} {_amount(value, unit)}: the baseline has no figure to "
                                                 "compare with", value, n=measured)
    increase = value / base - 1
    ok = increase <= rule.max_increase
    return RuleOutcome(rule, "pass" if ok else "fail", f"{name} {_amount(value, unit)} vs baseline "
                       f"{_amount(base, unit)} ({increase:+.0%}): {'within' if ok else 'over'} the allowed "
                       f"+{rule.max_increase:.0%}", value, baseline=base, n=measured)


def _judges(rule: Rule, judges: list[dict[str, Any]]) -> RuleOutcome:
    if not judges:
        return RuleOutcome(rule, "pass", "the suite uses no LLM judge", n=0)
    bad = [j for j in judges if j["verdict"] != "adopted"]
    listed = "; ".join(f"{j['judge']} ({j['scorer']}): {j['status']}" for j in bad or judges)
    if bad:
        return RuleOutcome(rule, "fail", f"{len(bad)} of {len(judges)} judges may not gate: {listed}",
                           float(len(judges) - len(bad)), n=len(judges))
    return RuleOutcome(rule, "pass", f"every judge is calibrated and adopted: {listed}", float(len(judges)),
                       n=len(judges))


def judge_status(session: Session, workspace: Workspace, suite_version_id: int) -> list[dict[str, Any]]:
    """Each distinct LLM judge the suite's scorers call, with its newest calibration."""
    found: dict[str, dict[str, Any]] = {}
    rows = session.execute(select(EvalScenario.spec).where(EvalScenario.version_id == suite_version_id)
                           .execution_options(yield_per=1000))
    for (spec,) in rows:
        for expectation in spec.get("expect") or ():
            kind = expectation.get("type")
            if kind not in JUDGE_SCORERS:
                continue
            params = ScorerSpec.model_validate(expectation).params
            fingerprint = fingerprint_of_scorer(kind, params)
            if fingerprint is not None and fingerprint not in found:
                found[fingerprint] = {"fingerprint": fingerprint, "scorer": kind, "judge": params.get("judge")}
    for fingerprint, judge in found.items():
        record = latest_calibration(session, workspace, fingerprint)
        if record is None:
            judge.update(verdict="uncalibrated", status="no calibration against human labels", calibration=None)
        else:
            judge.update(verdict=record.verdict, status=f"{record.verdict} by calibration {record.judge_name} "
                         f"v{record.version} (n={record.n}, {record.queue}/{record.question})",
                         calibration={"name": record.judge_name, "version": record.version, "n": record.n,
                                      "queue": record.queue, "question": record.question,
                                      "created_at": record.created_at.isoformat()})
    return sorted(found.values(), key=lambda j: (str(j["judge"]), j["fingerprint"]))


def _finite(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else value


def _amount(value: float, unit: str) -> str:
    return f"{value:,.0f} ms" if unit == "ms" else f"${value:,.4f}"
