"""The results explorer of a run (every result, filtered by status, tier, tag, a scorer's
verdict, text, and regressed or fixed against a baseline run, a page at a time) and the
side-by-side view of one scenario's answers in two runs with a word-level diff.

The filters live in the URL query, so a filtered view can be shared as a link. Like the
other evaluation pages these are for whoever may read the workspace, not raters (0021)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from honing import accounts
from honing._errors import InvalidInput, NotFound
from honing.accounts import Permission, Principal
from honing.api._evaluate import RunRow, list_runs, repeats_of, scenario_spec
from honing.api._ids import MAX_ROW_ID, PathId
from honing.evaluate._explore import Facets, ResultFilter, explore
from honing.evaluate._results import STATUSES, get_run
from honing.release._render import input_preview, preview
from honing.storage import EvalResult, EvalRun
from honing.web._eval_pages import result_link
from honing.web._pages import PagePrincipal, PageSession, _render
from honing.web._word_diff import Segment, word_diff

router = APIRouter(include_in_schema=False)
PAGE_SIZES = (25, 50, 100, 200)
BASELINES_LISTED = 50


def side_by_side_link(workspace: str, baseline: int, run_id: int, scenario_id: str, repeat: int) -> str:
    return (f"/w/{quote(workspace, safe='')}/runs/{baseline}/compare/{run_id}/results/"
            f"{quote(scenario_id, safe='')}?repeat={repeat}")


@dataclass
class Row:
    result: EvalResult
    input: Any
    link: str
    side_by_side: str | None


@dataclass
class ExplorerPage:
    user: Principal
    workspace: Any
    run: EvalRun
    filter: ResultFilter
    match: str | None
    limit: int
    facets: Facets
    rows: list[Row]
    next_link: str | None
    first_link: str | None
    runs: list[RunRow]  # the workspace's recent runs, to pick a baseline from
    statuses: tuple[str, ...] = STATUSES
    page_sizes: tuple[int, ...] = PAGE_SIZES

    preview = staticmethod(preview)
    input_preview = staticmethod(input_preview)

    def query(self, **cursor: Any) -> str:
        """This view's URL query (the filters, the page size), with a cursor if given."""
        f = self.filter
        params: list[tuple[str, Any]] = [("status", s) for s in f.statuses] + [("tier", t) for t in f.tiers] + \
            [("tag", t) for t in f.tags]
        for key, value in (("scorer", f.scorer), ("scorer_verdict", f.scorer_verdict), ("q", f.text),
                           ("baseline", f.baseline), ("change", f.change), ("match", self.match)):
            if value is not None:
                params.append((key, value))
        if self.limit != PAGE_SIZES[1]:
            params.append(("limit", self.limit))
        params += [(key, value) for key, value in cursor.items() if value is not None]
        return urlencode(params)


def _blank(value: str | None) -> str | None:
    # An empty form field means no filter, not "match the empty string".
    return value.strip() or None if value is not None else None


@router.get("/w/{workspace}/runs/{run_id}/results", response_class=HTMLResponse)
def explorer(request: Request, workspace: str, run_id: PathId, principal: PagePrincipal, session: PageSession,
             status: Annotated[list[Literal["pass", "fail", "inconclusive", "unscored", "error"]] | None,
                               Query()] = None,
             tier: Annotated[list[str] | None, Query()] = None,
             tag: Annotated[list[str] | None, Query()] = None,
             scorer: Annotated[str | None, Query(max_length=200)] = None,
             scorer_verdict: Annotated[Literal["pass", "fail", ""] | None, Query()] = None,
             q: Annotated[str | None, Query(max_length=200)] = None,
             baseline: Annotated[str | None, Query(max_length=20)] = None,
             change: Annotated[Literal["regressed", "fixed", ""] | None, Query()] = None,
             match: Annotated[Literal["same-id"] | None, Query()] = None,
             after: Annotated[str | None, Query(max_length=200)] = None,
             after_repeat: Annotated[int | None, Query(ge=0, le=1000)] = None,
             limit: Annotated[int, Query(ge=1, le=PAGE_SIZES[-1])] = PAGE_SIZES[1]) -> HTMLResponse:
    ws = accounts.authorize(session, principal, workspace, Permission.read)
    found = get_run(session, ws, run_id)
    baseline_id = _run_number(_blank(baseline))
    result_filter = ResultFilter(
        statuses=tuple(dict.fromkeys(status or ())), tiers=tuple(dict.fromkeys(tier or ())),
        tags=tuple(dict.fromkeys(tag or ())), scorer=_blank(scorer),
        scorer_verdict=(scorer_verdict or None) if _blank(scorer) else None, text=_blank(q),
        baseline=baseline_id, change=(change or None) if baseline_id is not None else None)
    view = explore(session, ws, found, result_filter, match=match)
    rows, cursor = view.page(after=after, after_repeat=after_repeat, limit=limit)
    inputs = view.inputs([r.scenario_id for r in rows])
    page = ExplorerPage(
        user=principal, workspace=ws, run=found, filter=result_filter, match=match, limit=limit,
        facets=view.facets(), rows=[], next_link=None, first_link=None,
        runs=[r for r in list_runs(session, ws, limit=BASELINES_LISTED) if r.run_id != found.id])
    page.rows = [Row(r, inputs.get(r.scenario_id), result_link(ws.name, found.id, r.scenario_id, r.repeat),
                     side_by_side_link(ws.name, baseline_id, found.id, r.scenario_id, r.repeat)
                     if baseline_id is not None else None) for r in rows]
    base = f"/w/{quote(ws.name, safe='')}/runs/{found.id}/results"
    if cursor is not None:
        page.next_link = f"{base}?{page.query(**cursor)}"
    if after is not None:
        page.first_link = f"{base}?{page.query()}"
    return _render(request, "eval_explore.html", page)


def _run_number(value: str | None) -> int | None:
    """The baseline field of the form: a run id, or nothing."""
    if value is None:
        return None
    if not value.isdigit() or not 1 <= int(value) <= MAX_ROW_ID:
        raise InvalidInput(f"baseline must be a run id (a whole number); got {value!r}")
    return int(value)


@dataclass
class Side:
    run: EvalRun
    result: EvalResult | None
    repeats: list[tuple[int, str, str]]  # (repeat, status, link to its side-by-side view)

    @property
    def text(self) -> str:
        output = self.result.output if self.result is not None else None
        return str((output or {}).get("text") or "")


@dataclass
class SideBySidePage:
    user: Principal
    workspace: Any
    scenario_id: str
    repeat: int
    input: Any
    baseline: Side
    candidate: Side
    diff: list[Segment]
    explorer_link: str

    input_preview = staticmethod(input_preview)


@router.get("/w/{workspace}/runs/{run_a}/compare/{run_b}/results/{scenario_id:path}", response_class=HTMLResponse)
def side_by_side(request: Request, workspace: str, run_a: PathId, run_b: PathId,
                 scenario_id: Annotated[str, Path(max_length=200)], principal: PagePrincipal, session: PageSession,
                 repeat: Annotated[int, Query(ge=0, le=1000)] = 0) -> HTMLResponse:
    """Scenario `scenario_id` as baseline run A and run B answered it: both outputs, a
    word-level diff from A's to B's, and both runs' scores."""
    ws = accounts.authorize(session, principal, workspace, Permission.read)
    first, second = get_run(session, ws, run_a), get_run(session, ws, run_b)
    sides = []
    for run in (first, second):
        result = session.scalar(_result_query(run, scenario_id, repeat))
        sides.append(Side(run, result, [
            (n, status, side_by_side_link(ws.name, first.id, second.id, scenario_id, n))
            for n, status in repeats_of(session, run, scenario_id)]))
    if sides[0].result is None and sides[1].result is None:
        raise NotFound(f"neither run {first.id} nor run {second.id} has a result for scenario {scenario_id!r}, "
                       f"repeat {repeat}")
    spec = scenario_spec(session, second, scenario_id) or scenario_spec(session, first, scenario_id) or {}
    explorer_link = (f"/w/{quote(ws.name, safe='')}/runs/{second.id}/results?"
                     + urlencode({"baseline": first.id}))
    return _render(request, "eval_side_by_side.html", SideBySidePage(
        user=principal, workspace=ws, scenario_id=scenario_id, repeat=repeat, input=spec.get("input"),
        baseline=sides[0], candidate=sides[1], diff=word_diff(sides[0].text, sides[1].text),
        explorer_link=explorer_link))


def _result_query(run: EvalRun, scenario_id: str, repeat: int) -> Any:
    return select(EvalResult).where(EvalResult.run_id == run.id, EvalResult.scenario_id == scenario_id,
                                    EvalResult.repeat == repeat)
