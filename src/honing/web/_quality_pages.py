"""The lead's label-quality dashboard: KPIs with n and intervals, charts (agreement per
question, gold accuracy per rater, throughput and backlog over time, drift, answer
distributions), rater and cohort scorecards and the top disagreements, linked to
adjudication. The charts are the same inline SVG as the weekly report's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from honing import accounts, annotate, quality
from honing.accounts import Permission, Principal
from honing.web._pages import PagePrincipal, PageSession, _render

router = APIRouter(include_in_schema=False)
PERIODS = ("7d", "14d", "30d", "all")


@dataclass
class QualityPage:
    user: Principal
    workspace: Any
    queue: Any
    period: str
    periods: tuple[str, ...]
    report: quality.QualityReport
    kpis: list[quality.Kpi]
    charts: list[quality.Chart]
    computed_at: datetime
    updating: bool  # newer labels (or an older period end) than these figures: a refresh runs
    cell_names: tuple[str, ...] = quality.SCORECARD_CELLS
    cells: Callable[[quality.Scorecard], dict[str, str]] = quality.scorecard_cells
    rubric: Any = None  # to show the disagreeing answers in the rubric's words
    production_names: tuple[str, ...] = quality.PRODUCTION_CELLS
    production_cells: Callable[[quality.ProductionRate], dict[str, str]] = quality.production_cells
    production_note: str = quality.PRODUCTION_NOTE


@router.get("/w/{workspace}/queues/{queue}/quality", response_class=HTMLResponse)
def dashboard(request: Request, workspace: str, queue: str, principal: PagePrincipal, session: PageSession,
              period: Annotated[str, Query(max_length=16)] = "14d") -> HTMLResponse:
    ws = accounts.authorize(session, principal, workspace, Permission.manage)
    q = annotate.get_queue(session, ws, queue)
    if period in quality.CACHED_PERIODS:
        found = quality.cached_quality_report(request.app.state.db, session, ws, q, period,
                                              max_age_s=request.app.state.settings.figure_max_age_s)
        report, computed_at, updating = found.value, found.computed_at, found.updating
    else:
        report = quality.quality_report(session, ws, q, quality.parse_period(period),
                                        n_resamples=quality.DASHBOARD_RESAMPLES)
        computed_at, updating = report.generated_at, False
    return _render(request, "quality.html", QualityPage(
        principal, ws, q, period, PERIODS, report, quality.kpi_table(report), quality.report_charts(report),
        computed_at, updating,
        rubric=annotate.load_rubric(session, q.rubric_version_id)))
