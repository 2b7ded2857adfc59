"""Evaluation pages: the runs of a workspace, one run (pass rates by tier, tag and scorer
with their intervals and n, charts, cost and latency, flaky scenarios, and the failures
to drill into, errors apart), and one result with its scenario, trajectory and scores.

Viewers may read them: a run's findings are for everyone deciding on a release, not only
for whoever started it. Raters may not: scenarios and outputs are workspace data (0021)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from honing import accounts
from honing.accounts import Permission, Principal
from honing.api._evaluate import RunRow, get_result, list_runs, repeats_of, scenario_spec
from honing.api._ids import PathId, QueryId
from honing.charts import Bar, Chart, Stack, bar_chart, stacked_bar_chart
from honing.domain import Message
from honing.evaluate._compare import Comparison, compare_runs
from honing.evaluate._model import Scenario
from honing.evaluate._results import STATUSES, RunSummary, failed_results, get_run, summarize_run
from honing.evaluate._suites import list_suites, ordered_tiers
from honing.release._charts import comparison_charts
from honing.release._render import failing, preview
from honing.storage import EvalResult, EvalRun, EvalSuiteVersion
from honing.web._pages import PagePrincipal, PageSession, _render

router = APIRouter(include_in_schema=False)
RunId = PathId
RUNS_SHOWN = 200
FAILURES_SHOWN = 50
# Run settings worth seeing next to the numbers they produced, in this order.
SETTINGS = ("repeats", "concurrency", "max_steps", "seed", "cache", "code_version", "suite_hash",
            "target_options", "prices")


def result_link(workspace: str, run_id: int, scenario_id: str, repeat: int) -> str:
    """Scenario ids may hold "/", so the id is quoted whole (the route takes the rest of the path)."""
    return f"/w/{quote(workspace, safe='')}/runs/{run_id}/results/{quote(scenario_id, safe='')}?repeat={repeat}"


@dataclass
class RunsPage:
    user: Principal
    workspace: Any
    runs: list[RunRow]
    shown: int
    suites: list[SuiteRow]


@dataclass
class SuiteRow:
    """A suite version as the runs page lists it: scenarios per tier in the suite's order."""

    name: str
    version: EvalSuiteVersion
    tiers: dict[str, int]
    held_out: bool


@router.get("/w/{workspace}/runs", response_class=HTMLResponse)
def runs(request: Request, workspace: str, principal: PagePrincipal, session: PageSession,
         a: QueryId = None,
         b: QueryId = None) -> Response:
    ws = accounts.authorize(session, principal, workspace, Permission.read)
    if a is not None and b is not None:  # the compare form: baseline a, candidate b
        return RedirectResponse(f"/w/{quote(ws.name, safe='')}/runs/{a}/compare/{b}", status_code=303)
    return _render(request, "eval_runs.html", RunsPage(
        principal, ws, list_runs(session, ws, limit=RUNS_SHOWN), RUNS_SHOWN,
        [SuiteRow(suite.name, version, ordered_tiers(version), suite.held_out)
         for suite, version in list_suites(session, ws)]))


@dataclass
class Failure:
    """One result that did not pass, as the drill-down lists it: why, in one line."""

    scenario_id: str
    repeat: int
    tier: str
    status: str
    scorer: str | None
    reason: str
    link: str


def _failure(workspace: str, run_id: int, found: dict[str, Any]) -> Failure:
    """The first scorer that failed (or, if none did, could not decide) says why; an error
    says what went wrong with the target."""
    scores = found["scores"] or []
    first = next((s for s in scores if s.get("passed") is False), None) or \
        next((s for s in scores if s.get("passed") is None), None)
    if found["status"] == "error" or first is None:
        scorer, reason = None, found["error"] or ""
    else:
        scorer, reason = first.get("scorer"), first.get("explanation") or first.get("error") or ""
    return Failure(found["scenario_id"], found["repeat"], found["tier"], found["status"], scorer, reason,
                   result_link(workspace, run_id, found["scenario_id"], found["repeat"]))


@dataclass
class RunPage:
    user: Principal
    workspace: Any
    run: EvalRun
    version: EvalSuiteVersion
    summary: RunSummary
    settings: list[tuple[str, Any]]
    charts: list[tuple[str, str]]  # (key, inline SVG)
    failures: list[Failure]  # fail and inconclusive: the model's doing
    failure_total: int
    errors: list[Failure]  # the target could not answer: not the model's verdict
    error_total: int
    flaky_links: dict[str, str]


def run_charts(summary: RunSummary) -> list[tuple[str, str]]:
    """Pass rate per tier with Wilson intervals (a tier's n is its decided results), and
    every status per tier, errors included, so a tier that mostly errored stands out."""
    bars = [Bar.of(t.name, t.pass_rate) for t in summary.tiers]
    stacks = [Stack(t.name, {status: t.counts[status] for status in STATUSES}) for t in summary.tiers]
    return [("tier-pass-rate", bar_chart(bars, title="Pass rate by tier (95% Wilson interval)", domain=(0.0, 1.0))),
            ("tier-status", stacked_bar_chart(stacks, title="Results by status per tier", normalize=False))]


@router.get("/w/{workspace}/runs/{run_id}", response_class=HTMLResponse)
def run(request: Request, workspace: str, run_id: RunId, principal: PagePrincipal,
        session: PageSession) -> HTMLResponse:
    ws = accounts.authorize(session, principal, workspace, Permission.read)
    found = get_run(session, ws, run_id)
    summary = summarize_run(session, found)
    failures = failed_results(session, found, limit=FAILURES_SHOWN, statuses=("fail", "inconclusive"))
    errors = failed_results(session, found, limit=FAILURES_SHOWN, statuses=("error",))
    return _render(request, "eval_run.html", RunPage(
        user=principal, workspace=ws, run=found, version=session.get_one(EvalSuiteVersion, found.suite_version_id),
        summary=summary, settings=[(key, found.config[key]) for key in SETTINGS if key in found.config],
        charts=run_charts(summary), failures=[_failure(ws.name, found.id, f) for f in failures],
        failure_total=summary.overall.counts["fail"] + summary.overall.counts["inconclusive"],
        errors=[_failure(ws.name, found.id, f) for f in errors], error_total=summary.overall.counts["error"],
        flaky_links={f["scenario_id"]: result_link(ws.name, found.id, f["scenario_id"], 0) for f in summary.flaky}))


@dataclass
class ComparePage:
    user: Principal
    workspace: Any
    run_a: int
    run_b: int
    comparison: Comparison
    charts: list[Chart]

    def link(self, scenario_id: str) -> str:
        return result_link(self.workspace.name, self.run_b, scenario_id, 0)

    preview = staticmethod(preview)
    failing = staticmethod(failing)


@router.get("/w/{workspace}/runs/{run_a}/compare/{run_b}", response_class=HTMLResponse)
def compare(request: Request, workspace: str, run_a: RunId, run_b: RunId, principal: PagePrincipal,
            session: PageSession, match: Annotated[Literal["same-id", "same-content"] | None, Query()] = None,
            ) -> HTMLResponse:
    """Run B against baseline A: the same comparison as `honing eval compare`, drawn."""
    ws = accounts.authorize(session, principal, workspace, Permission.read)
    found = compare_runs(session, ws, run_a, run_b, match=match)
    return _render(request, "eval_compare.html", ComparePage(principal, ws, run_a, run_b, found,
                                                             comparison_charts(found)))


@dataclass
class Turn:
    """A message of the conversation or trajectory; `raw` when it is not a valid message
    (shown as JSON rather than hidden)."""

    message: Message | None
    raw: Any = None


def _turns(messages: Any) -> list[Turn]:
    turns = []
    for raw in messages if isinstance(messages, list) else []:
        try:
            turns.append(Turn(Message.model_validate(raw)))
        except ValidationError:
            turns.append(Turn(None, raw))
    return turns


@dataclass
class ResultPage:
    user: Principal
    workspace: Any
    run: EvalRun
    result: EvalResult
    scenario: Scenario | None
    spec: dict[str, Any] | None  # as stored, shown raw if it no longer parses as a Scenario
    input: list[Turn]
    trajectory: list[Turn]
    scores: list[dict[str, Any]]
    repeats: list[tuple[int, str, str]]  # (repeat, status, link)


@router.get("/w/{workspace}/runs/{run_id}/results/{scenario_id:path}", response_class=HTMLResponse)
def result(request: Request, workspace: str, run_id: RunId, scenario_id: Annotated[str, Path(max_length=200)],
           principal: PagePrincipal, session: PageSession,
           repeat: Annotated[int, Query(ge=0, le=1000)] = 0) -> HTMLResponse:
    ws = accounts.authorize(session, principal, workspace, Permission.read)
    found = get_run(session, ws, run_id)
    row = get_result(session, found, scenario_id, repeat)
    spec = scenario_spec(session, found, scenario_id)
    try:
        scenario = Scenario.model_validate(spec) if spec is not None else None
    except ValidationError:
        scenario = None
    raw_input = (spec or {}).get("input")
    input_turns = ([Turn(m) for m in scenario.messages()] if scenario is not None else
                   _turns([{"role": "user", "content": raw_input}] if isinstance(raw_input, str) else raw_input))
    return _render(request, "eval_result.html", ResultPage(
        user=principal, workspace=ws, run=found, result=row, scenario=scenario, spec=spec, input=input_turns,
        trajectory=_turns((row.output or {}).get("trajectory")), scores=list(row.scores or []),
        repeats=[(r, s, result_link(ws.name, found.id, scenario_id, r)) for r, s in repeats_of(session, found, scenario_id)]))
