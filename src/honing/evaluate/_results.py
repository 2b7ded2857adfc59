"""What a run found: pass rates by tier, tag and scorer with Wilson intervals and their n,
errors and unscored results (scenarios with no expectation) apart from failures,
flakiness over repeats, latency and cost; and the failures with their inputs, outputs,
trajectories and scorer explanations."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from honing._errors import NotFound
from honing.evaluate._model import TIERS, tier_rank
from honing.evaluate._suites import suite_tiers
from honing.stats import Estimate, proportion, quantile
from honing.storage import EvalResult, EvalRun, EvalScenario, EvalSuiteVersion, Workspace

STATUSES = ("pass", "fail", "inconclusive", "unscored", "error")


@dataclass
class Slice:
    """Results of one tier, tag or scorer: counts by status and the pass rate over the
    results that were decided (errors are not failures of the model and not passes;
    unscored results checked nothing, so they are neither and are counted apart)."""

    name: str
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def decided(self) -> int:
        return self.counts["pass"] + self.counts["fail"] + self.counts["inconclusive"]

    @property
    def pass_rate(self) -> Estimate:
        return proportion(self.counts["pass"], self.decided)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, **{s: self.counts[s] for s in STATUSES}, "pass_rate": self.pass_rate.as_dict()}


@dataclass
class RunSummary:
    run_id: int
    suite: str
    target: str
    status: str
    results: int
    expected: int
    overall: Slice
    tiers: list[Slice]
    tags: list[Slice]
    scorers: list[Slice]
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    cost: float | None
    prompt_tokens: int
    completion_tokens: int
    cached: int
    flaky: list[dict[str, Any]]
    config: dict[str, Any]
    duration_s: float | None = None  # from start to finish of the run (None while running)
    tier_names: tuple[str, ...] = TIERS  # the suite's tiers, most important first

    def as_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "suite": self.suite, "target": self.target, "status": self.status,
                "results": self.results, "expected": self.expected, "overall": self.overall.as_dict(),
                "tiers": [t.as_dict() for t in self.tiers], "tags": [t.as_dict() for t in self.tags],
                "scorers": [s.as_dict() for s in self.scorers], "latency_p50_ms": self.latency_p50_ms,
                "latency_p95_ms": self.latency_p95_ms, "cost": self.cost, "prompt_tokens": self.prompt_tokens,
                "completion_tokens": self.completion_tokens, "cached": self.cached, "flaky": self.flaky,
                "config": self.config, "duration_s": self.duration_s, "tier_names": list(self.tier_names)}


def get_run(session: Session, workspace: Workspace, run_id: int) -> EvalRun:
    run = session.get(EvalRun, run_id)
    if run is None or run.workspace_id != workspace.id:
        raise NotFound(f"run {run_id} does not exist in workspace {workspace.name!r}")
    return run


def summarize_run(session: Session, run: EvalRun) -> RunSummary:
    overall = Slice("all")
    tiers: dict[str, Slice] = {}
    tags: dict[str, Slice] = {}
    scorers: dict[str, Slice] = {}
    latencies: list[float] = []
    cost: float | None = None
    prompt = completion = cached = results = 0
    per_scenario: dict[str, list[str]] = defaultdict(list)
    rows = session.execute(select(EvalResult.scenario_id, EvalResult.tier, EvalResult.tags, EvalResult.status,
                                  EvalResult.scores, EvalResult.latency_ms, EvalResult.cost,
                                  EvalResult.prompt_tokens, EvalResult.completion_tokens, EvalResult.cached)
                           .where(EvalResult.run_id == run.id).execution_options(yield_per=2000))
    for row in rows:
        results += 1
        overall.counts[row.status] += 1
        tiers.setdefault(row.tier, Slice(row.tier)).counts[row.status] += 1
        for tag in row.tags or ():
            tags.setdefault(tag, Slice(tag)).counts[row.status] += 1
        for score in row.scores or ():
            verdict = {True: "pass", False: "fail", None: "inconclusive"}[score["passed"]]
            scorers.setdefault(score["scorer"], Slice(score["scorer"])).counts[verdict] += 1
        if row.latency_ms is not None:
            latencies.append(row.latency_ms)
        if row.cost is not None:
            cost = (cost or 0.0) + row.cost
        prompt += row.prompt_tokens or 0
        completion += row.completion_tokens or 0
        cached += bool(row.cached)
        if run.config.get("repeats", 1) > 1:
            per_scenario[row.scenario_id].append(row.status)
    flaky = [{"scenario_id": sid, "passes": statuses.count("pass"), "repeats": len(statuses),
              "pass_at_k": "pass" in statuses, "consistency": max(Counter(statuses).values()) / len(statuses)}
             for sid, statuses in sorted(per_scenario.items()) if len(set(statuses)) > 1]
    version = session.get_one(EvalSuiteVersion, run.suite_version_id)
    order = tier_rank(suite_tiers(version))
    return RunSummary(
        run_id=run.id, suite=run.config.get("suite", ""), target=run.target, status=run.status, results=results,
        expected=version.scenario_count * run.config.get("repeats", 1), overall=overall,
        tiers=sorted(tiers.values(), key=lambda s: (order.get(s.name, len(order)), s.name)), tags=sorted(tags.values(), key=lambda s: s.name),
        scorers=sorted(scorers.values(), key=lambda s: s.name),
        latency_p50_ms=quantile(latencies, 0.5) if latencies else None,
        latency_p95_ms=quantile(latencies, 0.95) if latencies else None,
        cost=cost, prompt_tokens=prompt, completion_tokens=completion, cached=cached, flaky=flaky,
        config=run.config,
        duration_s=(run.finished_at - run.started_at).total_seconds() if run.finished_at else None,
        tier_names=suite_tiers(version))


def failed_results(session: Session, run: EvalRun, *, limit: int = 50,
                   statuses: tuple[str, ...] = ("fail", "error", "inconclusive", "unscored"),
                   ) -> list[dict[str, Any]]:
    """The results that did not pass, in the suite's tier order (its first tier first), with
    the scenario's input."""
    order = tier_rank(suite_tiers(session.get_one(EvalSuiteVersion, run.suite_version_id)))
    # Ranked in SQL, so the `limit` keeps the suite's first tiers rather than the first names.
    rank = case(order, value=EvalResult.tier, else_=len(order))
    rows = session.execute(select(EvalResult, EvalScenario.spec).join(
        EvalScenario, (EvalScenario.version_id == run.suite_version_id)
        & (EvalScenario.scenario_id == EvalResult.scenario_id))
        .where(EvalResult.run_id == run.id, EvalResult.status.in_(statuses))
        .order_by(rank, EvalResult.scenario_id, EvalResult.repeat).limit(limit))
    found = [{"scenario_id": r.scenario_id, "repeat": r.repeat, "tier": r.tier, "tags": r.tags, "status": r.status,
              "error": r.error, "input": spec.get("input"), "output": r.output, "scores": r.scores}
             for r, spec in rows]
    return sorted(found, key=lambda f: (order.get(f["tier"], len(order)), f["scenario_id"], f["repeat"]))
