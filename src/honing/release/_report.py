"""The release readiness report: is the candidate run safe to ship, with the evidence.

It gathers what changed between the baseline and the candidate (target, parameters,
suite version, code version), the gate's decisions, results by tier, tag and scorer with
intervals, the regressions with their examples, latency and cost, the judges' calibration
status, the risks that remain, and the lineage (which suite version and which dataset
versions its scenarios came from, which runs, which policy).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from honing import __version__
from honing.evaluate import get_run
from honing.release._gate import GateResult, evaluate_gate, judge_status
from honing.release._policy import GatePolicy
from honing.storage import EvalRun, EvalScenario, EvalSuite, EvalSuiteVersion, Workspace, utcnow

MAX_RISKS = 12
MAX_DROPS = 5  # slices that went down without significance, worst first


@dataclass(frozen=True)
class Change:
    what: str
    baseline: str | None
    candidate: str | None

    @property
    def changed(self) -> bool:
        return self.baseline != self.candidate

    def as_dict(self) -> dict[str, Any]:
        return {"what": self.what, "baseline": self.baseline, "candidate": self.candidate, "changed": self.changed}


@dataclass
class ReleaseReport:
    workspace: str
    generated_at: datetime
    gate: GateResult
    candidate: dict[str, Any]
    baseline: dict[str, Any] | None
    changes: list[Change]
    lineage: dict[str, Any]
    judges: list[dict[str, Any]] = field(default_factory=list)  # each LLM judge the suite uses, and its calibration
    risks: list[str] = field(default_factory=list)

    @property
    def comparison(self):  # type: ignore[no-untyped-def]
        return self.gate.comparison

    @property
    def summary(self):  # type: ignore[no-untyped-def]
        return self.gate.summary

    def as_dict(self) -> dict[str, Any]:
        return {"workspace": self.workspace, "generated_at": self.generated_at.isoformat(),
                "decision": self.gate.decision, "exit_code": self.gate.exit_code,
                "candidate": self.candidate, "baseline": self.baseline,
                "changes": [c.as_dict() for c in self.changes], "gate": self.gate.as_dict(),
                "results": self.summary.as_dict(),
                "comparison": self.comparison.as_dict() if self.comparison is not None else None,
                "judges": self.judges, "risks": self.risks, "lineage": self.lineage}


def build_release_report(session: Session, workspace: Workspace, policy: GatePolicy, run_id: int, *,
                         baseline_id: int | None = None, match: str | None = None) -> ReleaseReport:
    gate = evaluate_gate(session, workspace, policy, run_id, baseline_id=baseline_id, match=match)
    run = get_run(session, workspace, run_id)
    base = get_run(session, workspace, baseline_id) if baseline_id is not None else None
    candidate, baseline = _run_info(session, run), _run_info(session, base) if base is not None else None
    # The judges' calibration belongs in the report whether or not the policy gates on it.
    judges = gate.judges or judge_status(session, workspace, run.suite_version_id)
    return ReleaseReport(workspace=workspace.name, generated_at=utcnow(), gate=gate, candidate=candidate,
                         baseline=baseline, changes=_changes(baseline, candidate),
                         lineage=_lineage(session, run, base, policy), judges=judges, risks=_risks(gate, judges))


def _run_info(session: Session, run: EvalRun) -> dict[str, Any]:
    version = session.get_one(EvalSuiteVersion, run.suite_version_id)
    config = run.config
    return {"id": run.id, "target": run.target, "status": run.status, "suite": config.get("suite", ""),
            "suite_version_id": run.suite_version_id, "suite_hash": version.content_hash,
            "scenarios": version.scenario_count, "repeats": config.get("repeats", 1),
            "target_options": config.get("target_options") or {}, "judges": config.get("judges") or [],
            "code_version": config.get("code_version"), "seed": config.get("seed"),
            "prices": config.get("prices") or {}, "actor": run.actor,
            "started_at": run.started_at.isoformat(),
            "finished_at": run.finished_at.isoformat() if run.finished_at else None}


def _text(value: Any) -> str | None:
    if value is None or value == {} or value == []:
        return None
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in sorted(value.items()))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _changes(baseline: dict[str, Any] | None, candidate: dict[str, Any]) -> list[Change]:
    """What differs between the two runs' set-ups (the target spec names the model, its
    parameters and, for replays, the recorded outputs)."""
    rows = [("target (model, parameters)", "target"), ("target options", "target_options"),
            ("suite version", "suite"), ("suite content hash", "suite_hash"), ("repeats", "repeats"),
            ("LLM judges called", "judges"), ("price table", "prices"), ("Honing version", "code_version"),
            ("seed", "seed")]
    def shown(run: dict[str, Any] | None, key: str) -> str | None:
        value = _text(run.get(key)) if run else None
        return value[:16] if key == "suite_hash" and value else value  # as long as git shows a commit

    return [Change(label, shown(baseline, key), shown(candidate, key)) for label, key in rows]


def _lineage(session: Session, run: EvalRun, base: EvalRun | None, policy: GatePolicy) -> dict[str, Any]:
    versions = {run.suite_version_id} | ({base.suite_version_id} if base is not None else set())
    suites = []
    for version_id in sorted(versions):
        version = session.get_one(EvalSuiteVersion, version_id)
        sources: Counter[str] = Counter()
        datasets: Counter[str] = Counter()
        rows = session.execute(select(EvalScenario.spec["provenance"]).where(EvalScenario.version_id == version_id)
                               .execution_options(yield_per=2000))
        for (provenance,) in rows:
            provenance = provenance if isinstance(provenance, dict) else {}
            sources[provenance.get("source") or "unrecorded"] += 1
            ref = provenance.get("ref")
            if provenance.get("source") == "dataset_item" and isinstance(ref, str):
                datasets[ref.split("#", 1)[0]] += 1
        suites.append({"version_id": version_id, "suite": _suite_ref(session, version), "hash": version.content_hash,
                       "scenarios": version.scenario_count, "tiers": version.tiers, "source_file": version.source,
                       "pushed_by": version.actor, "pushed_at": version.created_at.isoformat(),
                       "provenance": dict(sources.most_common()), "datasets": dict(datasets.most_common())})
    return {"suites": suites, "runs": [r.id for r in (base, run) if r is not None],
            "policy": {"name": policy.name, "hash": policy.content_hash}, "honing_version": __version__}


def _suite_ref(session: Session, version: EvalSuiteVersion) -> str:
    suite = session.get_one(EvalSuite, version.suite_id)
    return f"{suite.name}@{version.number}"


def _risks(gate: GateResult, judges: list[dict[str, Any]]) -> list[str]:
    """What the evidence does not cover, most serious first: a reader deciding to ship
    should see these even when the gate passed."""
    risks: list[str] = []
    for outcome in gate.outcomes:
        if outcome.decision == "inconclusive":
            risks.append(f"Rule “{outcome.rule.label}” could not be decided: {outcome.reason}.")
    summary, comparison, min_n = gate.summary, gate.comparison, gate.policy.min_n
    errors = summary.overall.counts["error"]
    if errors:
        risks.append(f"{errors} of {summary.results} results are errors (the target could not answer): "
                     "those scenarios say nothing about quality.")
    for judge in judges:
        if judge["verdict"] != "adopted":
            risks.append(f"Judge {judge['judge']} ({judge['scorer']}) is {judge['verdict']}: its scores are not "
                         "validated against human labels.")
    if comparison is not None:
        # Slices that went down without the drop being significant: the test cannot tell a
        # real drop from noise there, so a reader should know where to look.
        dropped = [p for p in comparison.slices() if p.verdict == "no significant difference" and p.kind != "overall"
                   and not math.isnan(p.difference.value) and p.difference.value < 0]
        for part in sorted(dropped, key=lambda p: p.difference.value)[:MAX_DROPS]:
            risks.append(f"{part.kind.capitalize()} {part.name}: {part.evidence}; a real drop may hide here.")
        if comparison.only_a or comparison.only_b:
            risks.append(f"{comparison.only_a} baseline scenarios and {comparison.only_b} candidate scenarios have "
                         "no partner in the other run and are not compared.")
        if comparison.counts.get("new_errors"):
            risks.append(f"{comparison.counts['new_errors']} scenarios that the baseline answered are errors in the "
                         "candidate.")
    small = [t for t in summary.tiers if 0 < t.decided < min_n]
    for tier in small:
        risks.append(f"Tier {tier.name} has only {tier.decided} decided results (fewer than {min_n}): its pass "
                     f"rate is known only to ±{_half_width(tier):.0%}.")
    first = summary.tier_names[0]  # the suite's most important tier
    if first not in {s.name for s in summary.tiers}:
        risks.append(f"The suite has no {first} scenarios (its first tier): nothing guards the must-not-break "
                     "behaviour.")
    if summary.flaky:
        risks.append(f"{len(summary.flaky)} scenarios gave different outcomes across repeats (flaky).")
    return risks[:MAX_RISKS]


def _half_width(part: Any) -> float:
    rate = part.pass_rate
    if math.isnan(rate.low) or math.isnan(rate.high):
        return 1.0
    return (rate.high - rate.low) / 2
