"""Evaluation endpoints: suite versions, runs with what they found, and their results, a
page at a time or one with its scenario. Read-only, for whoever may read the workspace (not
raters, decision 0021): runs are started where the target's credentials live (the CLI);
the API and the pages report the results.

The small queries the pages share with these endpoints (a page of runs with their counts,
one result with its scenario) live here, next to their only callers; a filtered page of
results comes from `honing.evaluate.explore`, which the results explorer page uses too."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from honing import accounts
from honing._errors import NotFound
from honing.accounts import Permission
from honing.api._auth import CurrentPrincipal, ReadSession
from honing.api._ids import MAX_ROW_ID, PathId
from honing.api._schemas import ERROR_RESPONSES
from honing.evaluate._compare import compare_runs
from honing.evaluate._explore import ResultFilter, explore
from honing.evaluate._results import STATUSES, get_run, summarize_run
from honing.evaluate._suites import list_suites, ordered_tiers, suite_tiers
from honing.stats import Estimate, proportion
from honing.storage import EvalResult, EvalRun, EvalScenario, EvalSuite, EvalSuiteVersion, Workspace

router = APIRouter(prefix="/api/workspaces/{workspace}", tags=["evaluation"], responses=ERROR_RESPONSES)
WorkspaceName = Annotated[str, Path(max_length=64)]
RunId = PathId
# Scenario ids may hold "/" (e.g. "billing/refund-1"): the route takes the rest of the path.
ScenarioId = Annotated[str, Path(min_length=1, max_length=200)]
Status = Literal["pass", "fail", "inconclusive", "unscored", "error"]
RepeatQuery = Annotated[int, Query(ge=0, le=1000, description="which repeat of the scenario")]
MAX_RUNS = 1000
MatchQuery = Annotated[Literal["same-id", "same-content"] | None, Query(
    description="runs of different suite versions: pair scenarios that share an id, or whose spec is identical")]


# --- Queries shared with the pages -------------------------------------------------------

def suite_version_dict(suite: EvalSuite, version: EvalSuiteVersion) -> dict[str, Any]:
    return {"suite": suite.name, "number": version.number, "ref": f"{suite.name}@{version.number}",
            "content_hash": version.content_hash, "description": version.description,
            "scenarios": version.scenario_count, "tiers": ordered_tiers(version),
            "tier_names": list(suite_tiers(version)), "held_out": suite.held_out,
            "archived_at": suite.archived_at.isoformat() if suite.archived_at else None, "source": version.source,
            "actor": version.actor, "created_at": version.created_at.isoformat()}


@dataclass
class RunRow:
    """One run as a list shows it: counts by status from one grouped query, not the whole
    summary (which reads every result)."""

    run_id: int
    suite: str
    target: str
    status: str
    actor: str
    started_at: datetime
    finished_at: datetime | None
    expected: int
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def results(self) -> int:
        return sum(self.counts.values())

    @property
    def errors(self) -> int:
        return self.counts["error"]

    @property
    def pass_rate(self) -> Estimate:
        """Over decided results, as `Slice.pass_rate`: errors and unscored results are neither
        passes nor failures."""
        return proportion(self.counts["pass"], self.counts["pass"] + self.counts["fail"] + self.counts["inconclusive"])

    def as_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "suite": self.suite, "target": self.target, "status": self.status,
                "actor": self.actor, "started_at": self.started_at.isoformat(),
                "finished_at": self.finished_at.isoformat() if self.finished_at else None,
                "results": self.results, "expected": self.expected,
                "counts": {s: self.counts[s] for s in STATUSES}, "errors": self.errors,
                "pass_rate": self.pass_rate.as_dict()}


def list_runs(session: Session, workspace: Workspace, *, limit: int = 100, before: int | None = None) -> list[RunRow]:
    """The newest runs of the workspace (ids below `before`, when given), newest first."""
    query = (select(EvalRun, EvalSuiteVersion.scenario_count)
             .join(EvalSuiteVersion, EvalSuiteVersion.id == EvalRun.suite_version_id)
             .where(EvalRun.workspace_id == workspace.id).order_by(EvalRun.id.desc()).limit(limit))
    if before is not None:
        query = query.where(EvalRun.id < before)
    rows = {run.id: RunRow(run.id, run.config.get("suite", ""), run.target, run.status, run.actor, run.started_at,
                           run.finished_at, scenarios * run.config.get("repeats", 1))
            for run, scenarios in session.execute(query)}
    if rows:
        counts = session.execute(select(EvalResult.run_id, EvalResult.status, func.count())
                                 .where(EvalResult.run_id.in_(rows)).group_by(EvalResult.run_id, EvalResult.status))
        for run_id, status, count in counts:
            rows[run_id].counts[status] += count
    return list(rows.values())


def result_dict(row: EvalResult) -> dict[str, Any]:
    return {"scenario_id": row.scenario_id, "repeat": row.repeat, "tier": row.tier, "tags": row.tags,
            "status": row.status, "error": row.error, "output": row.output, "scores": row.scores,
            "latency_ms": row.latency_ms, "prompt_tokens": row.prompt_tokens,
            "completion_tokens": row.completion_tokens, "cost": row.cost, "cached": row.cached,
            "created_at": row.created_at.isoformat()}


def get_result(session: Session, run: EvalRun, scenario_id: str, repeat: int) -> EvalResult:
    row = session.scalar(select(EvalResult).where(EvalResult.run_id == run.id, EvalResult.scenario_id == scenario_id,
                                                  EvalResult.repeat == repeat))
    if row is None:
        raise NotFound(f"run {run.id} has no result for scenario {scenario_id!r}, repeat {repeat}",
                       hint="results are listed at /runs/RUN/results")
    return row


def scenario_spec(session: Session, run: EvalRun, scenario_id: str) -> dict[str, Any] | None:
    """The scenario as the run's suite version stored it (None if the version lacks it)."""
    return session.scalar(select(EvalScenario.spec).where(EvalScenario.version_id == run.suite_version_id,
                                                          EvalScenario.scenario_id == scenario_id).limit(1))


def repeats_of(session: Session, run: EvalRun, scenario_id: str) -> list[tuple[int, str]]:
    """(repeat, status) of every stored repeat of the scenario, to move between them."""
    return [(r, s) for r, s in session.execute(
        select(EvalResult.repeat, EvalResult.status).where(EvalResult.run_id == run.id,
                                                           EvalResult.scenario_id == scenario_id)
        .order_by(EvalResult.repeat))]


# --- Endpoints ---------------------------------------------------------------------------

def _run(session: Session, principal: accounts.Principal, workspace: str, run_id: int) -> EvalRun:
    return get_run(session, accounts.authorize(session, principal, workspace, Permission.read), run_id)


@router.get("/suites", response_model=list[dict[str, Any]])
def suites(workspace: WorkspaceName, principal: CurrentPrincipal, session: ReadSession) -> list[dict[str, Any]]:
    """Every stored version of every suite (archived ones too, with `archived_at`): name,
    number, content hash, the suite's tiers in order and scenarios per tier, whether it is
    held out from training."""
    ws = accounts.authorize(session, principal, workspace, Permission.read)
    return [suite_version_dict(suite, version) for suite, version in list_suites(session, ws, archived=True)]


@router.get("/runs", response_model=list[dict[str, Any]])
def runs(workspace: WorkspaceName, principal: CurrentPrincipal, session: ReadSession,
         limit: Annotated[int, Query(ge=1, le=MAX_RUNS)] = 100,
         before: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID, description="only runs with a lower id")] = None,
         ) -> list[dict[str, Any]]:
    """Runs newest first, each with its counts by status and pass rate (Wilson 95%, n =
    decided results; errors are counted apart, never as failures)."""
    ws = accounts.authorize(session, principal, workspace, Permission.read)
    return [row.as_dict() for row in list_runs(session, ws, limit=limit, before=before)]


@router.get("/runs/{run_id}", response_model=dict[str, Any])
def run_summary(workspace: WorkspaceName, run_id: RunId, principal: CurrentPrincipal,
                session: ReadSession) -> dict[str, Any]:
    """What the run found: pass rates by tier, tag and scorer with intervals and n, errors,
    flaky scenarios over repeats, latency, tokens and cost."""
    run = _run(session, principal, workspace, run_id)
    return {**summarize_run(session, run).as_dict(), "actor": run.actor, "started_at": run.started_at.isoformat(),
            "finished_at": run.finished_at.isoformat() if run.finished_at else None}


@router.get("/runs/{run_id}/results", response_model=dict[str, Any])
def results(workspace: WorkspaceName, run_id: RunId, principal: CurrentPrincipal, session: ReadSession,
            status: Annotated[list[Status] | None, Query(description="only these statuses (repeatable)")] = None,
            tier: Annotated[list[str] | None, Query(description="only these tiers (repeatable)")] = None,
            tag: Annotated[list[str] | None, Query(description="only results with one of these tags")] = None,
            scorer: Annotated[str | None, Query(max_length=200, description="only results this scorer scored")] = None,
            scorer_verdict: Annotated[Literal["pass", "fail"] | None, Query(
                description="with `scorer`: only results it passed, or failed")] = None,
            q: Annotated[str | None, Query(max_length=200, description=(
                "only results whose scenario id, input or output text holds this (any case)"))] = None,
            baseline: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID, description=(
                "a run to compare with, for `change`"))] = None,
            change: Annotated[Literal["regressed", "fixed"] | None, Query(description=(
                "only scenarios that regressed or were fixed against `baseline`, as the comparison finds them"))] = None,
            match: MatchQuery = None,
            after: Annotated[str | None, Query(max_length=200, description="the last scenario id seen")] = None,
            after_repeat: Annotated[int | None, Query(ge=0, le=1000, description="the last repeat seen of `after`")] = None,
            limit: Annotated[int, Query(ge=1, le=1000)] = 100,
            counts: Annotated[bool, Query(description="also count the results of each filter value")] = False,
            ) -> dict[str, Any]:
    """A page of results in scenario id order; pass `next` back as `after` and `after_repeat`
    for the following page (it is null on the last one). The filters combine; values of one
    repeated filter are alternatives. With `counts`, `counts` holds how many results each
    filter value would give with the other filters applied, and `total` those of all."""
    ws = accounts.authorize(session, principal, workspace, Permission.read)
    run = get_run(session, ws, run_id)
    explorer = explore(session, ws, run, ResultFilter(
        statuses=tuple(status or ()), tiers=tuple(tier or ()), tags=tuple(tag or ()), scorer=scorer or None,
        scorer_verdict=scorer_verdict, text=q or None, baseline=baseline, change=change), match=match)
    rows, cursor = explorer.page(after=after, after_repeat=after_repeat, limit=limit)
    found: dict[str, Any] = {"results": [result_dict(row) for row in rows], "next": cursor}
    if counts:
        found["counts"] = explorer.facets().as_dict()
    return found


@router.get("/runs/{run_id}/results/{scenario_id:path}", response_model=dict[str, Any])
def result(workspace: WorkspaceName, run_id: RunId, scenario_id: ScenarioId, principal: CurrentPrincipal,
           session: ReadSession, repeat: RepeatQuery = 0) -> dict[str, Any]:
    """One result with the scenario it ran (input, context, tools, expectations)."""
    run = _run(session, principal, workspace, run_id)
    row = get_result(session, run, scenario_id, repeat)
    return {**result_dict(row), "scenario": scenario_spec(session, run, scenario_id)}


@router.get("/runs/{run_a}/compare/{run_b}", response_model=dict[str, Any])
def compare(workspace: WorkspaceName, run_a: RunId, run_b: RunId, principal: CurrentPrincipal,
            session: ReadSession, match: MatchQuery = None,
            examples: Annotated[int, Query(ge=0, le=500, description="regressions, fixes and new errors shown")] = 50,
            ) -> dict[str, Any]:
    """Run B against baseline A, scenario by scenario: pass rates per tier, tag and scorer
    with Wilson intervals, the paired difference with Newcombe's interval and a verdict per
    slice read off that interval at its Holm-adjusted level; regressions, fixes and new
    errors with their inputs and outputs; latency and cost deltas. 422 for runs of
    different suite versions unless `match` says how to pair their scenarios."""
    ws = accounts.authorize(session, principal, workspace, Permission.read)
    return compare_runs(session, ws, run_a, run_b, match=match, examples=examples).as_dict()
