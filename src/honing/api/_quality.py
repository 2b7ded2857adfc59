"""Label-quality endpoints for leads: agreement per question, rater and cohort scorecards,
and the whole quality report as JSON (the dashboard and the weekly report show the same)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query

from honing import accounts, annotate, quality
from honing.accounts import Permission
from honing.api._auth import CurrentPrincipal, ReadSession
from honing.api._schemas import ERROR_RESPONSES

router = APIRouter(prefix="/api/workspaces/{workspace}/queues/{queue}/quality", tags=["quality"],
                   responses=ERROR_RESPONSES)
WorkspaceName = Annotated[str, Path(max_length=64)]
QueueName = Annotated[str, Path(max_length=64)]
PeriodQuery = Annotated[str, Query(max_length=16, description="7d, 2w, 36h... or all")]
# Bootstrap resamples cost CPU in proportion: capped so one request cannot hold a worker.
ResamplesQuery = Annotated[int, Query(ge=0, le=5000, description="bootstrap resamples for intervals")]


@router.get("/agreement", response_model=list[dict[str, Any]])
def agreement(workspace: WorkspaceName, queue: QueueName, principal: CurrentPrincipal, session: ReadSession,
              period: PeriodQuery = "all", resamples: ResamplesQuery = 500) -> list[dict[str, Any]]:
    """Agreement per rubric question with the coefficient its type calls for, its 95%
    bootstrap interval and n; NaN figures are null with a `reason`."""
    ws = accounts.authorize(session, principal, workspace, Permission.manage)
    q = annotate.get_queue(session, ws, queue)
    rows = quality.agreement_only(session, ws, q, quality.parse_period(period), n_resamples=resamples)
    return [row.as_dict() for row in rows]


@router.get("/raters", response_model=list[dict[str, Any]])
def raters(workspace: WorkspaceName, queue: QueueName, principal: CurrentPrincipal, session: ReadSession,
           period: PeriodQuery = "all", by: Literal["rater", "cohort"] = "rater",
           resamples: ResamplesQuery = 500) -> list[dict[str, Any]]:
    """Scorecards per rater or per cohort (team or vendor), each figure with its n: gold
    accuracy and agreement with adjudicated answers in items (answers beside), pairwise
    kappa against the other raters and per partner with a bootstrap interval over items."""
    ws = accounts.authorize(session, principal, workspace, Permission.manage)
    q = annotate.get_queue(session, ws, queue)
    return [card.as_dict() for card in quality.rater_scorecards(
        session, ws, q, quality.parse_period(period), by=by, n_resamples=resamples)]


@router.get("/report", response_model=dict[str, Any])
def report(workspace: WorkspaceName, queue: QueueName, principal: CurrentPrincipal, session: ReadSession,
           period: PeriodQuery = "7d", resamples: ResamplesQuery = 500) -> dict[str, Any]:
    """Every figure of the weekly quality report."""
    ws = accounts.authorize(session, principal, workspace, Permission.manage)
    q = annotate.get_queue(session, ws, queue)
    return quality.quality_report(session, ws, q, quality.parse_period(period), n_resamples=resamples).as_dict()
