"""The quality report and the agreement figures of a queue, reused from the figure cache
while the queue's labels, reviews, adjudications, escalations, qualification results,
members' cohorts, rubric, policy and sampled items' inclusion probabilities are as they were (`queue_state`)."""

from __future__ import annotations

import hashlib

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from honing.figure_cache import Cached, Figures, cached
from honing.quality._by_question import QuestionAgreement
from honing.quality._data import parse_period
from honing.quality._report import QualityReport, agreement_only, quality_report
from honing.storage import (
    Adjudication,
    Database,
    Escalation,
    Label,
    Membership,
    Qualification,
    Queue,
    QueueItem,
    Review,
    SampleInclusion,
    Workspace,
)

# Periods the dashboard offers are cached; any other period is computed on each view.
CACHED_PERIODS = ("7d", "14d", "30d", "all")
DASHBOARD_RESAMPLES = 500


def queue_state(session: Session, queue_id: int) -> str:
    """A short key that changes whenever any figure of the queue could: one round trip of
    counts, largest ids and latest update times (a review or rework touches the label's
    updated_at), plus the queue's rubric version and policy and the members' cohorts."""
    labels = select(func.count(), func.max(Label.id), func.max(Label.updated_at)).where(Label.queue_id == queue_id)
    reviews = select(func.count(), func.max(Review.id)).join(Label, Label.id == Review.label_id).where(
        Label.queue_id == queue_id)
    row = session.execute(select(
        *[s.scalar_subquery() for s in _columns(labels)],
        *[s.scalar_subquery() for s in _columns(reviews)],
        select(func.count()).where(Adjudication.queue_id == queue_id).scalar_subquery(),
        select(func.max(Adjudication.id)).where(Adjudication.queue_id == queue_id).scalar_subquery(),
        select(func.count()).where(Escalation.queue_id == queue_id).scalar_subquery(),
        select(func.max(Escalation.id)).where(Escalation.queue_id == queue_id).scalar_subquery(),
        select(func.count()).where(Escalation.queue_id == queue_id, Escalation.status == "open").scalar_subquery(),
        select(func.count()).where(Qualification.queue_id == queue_id).scalar_subquery(),
        select(func.max(Qualification.decided_at)).where(Qualification.queue_id == queue_id).scalar_subquery(),
        select(func.count()).where(QueueItem.queue_id == queue_id, QueueItem.kind == "live").scalar_subquery(),
    )).one()
    queue = session.get_one(Queue, queue_id)
    cohorts = sorted([u, c] for u, c in session.execute(select(Membership.user_id, Membership.cohort).where(
        Membership.workspace_id == queue.workspace_id)))
    # A sampled version's inclusion probabilities weight the estimated production rates.
    inclusion = session.scalar(select(func.count()).where(SampleInclusion.version_id == queue.dataset_version_id))
    setup = orjson.dumps([queue.rubric_version_id, queue.policy, queue.status, queue.created_at.isoformat(),
                          cohorts, inclusion], option=orjson.OPT_SORT_KEYS)
    parts = [str(v.isoformat() if hasattr(v, "isoformat") else v) for v in row]
    return "/".join(parts) + "/" + hashlib.sha256(setup).hexdigest()[:16]


def _columns(statement):  # type: ignore[no-untyped-def]
    """One single-column subquery per aggregate of `statement` (same FROM and WHERE)."""
    return [statement.with_only_columns(c) for c in statement.selected_columns]


def report_figures(workspace_id: int, queue_id: int, period: str) -> Figures[QualityReport]:
    def compute(session: Session) -> QualityReport:
        workspace, queue = session.get_one(Workspace, workspace_id), session.get_one(Queue, queue_id)
        return quality_report(session, workspace, queue, parse_period(period), n_resamples=DASHBOARD_RESAMPLES)

    return Figures("quality_report", f"queue:{queue_id}:{period}", lambda s: queue_state(s, queue_id), compute)


def agreement_figures(workspace_id: int, queue_id: int, n_resamples: int) -> Figures[list[QuestionAgreement]]:
    def compute(session: Session) -> list[QuestionAgreement]:
        workspace, queue = session.get_one(Workspace, workspace_id), session.get_one(Queue, queue_id)
        return agreement_only(session, workspace, queue, parse_period("all"), n_resamples=n_resamples)

    return Figures("agreement", f"queue:{queue_id}:all:{n_resamples}", lambda s: queue_state(s, queue_id), compute)


def cached_quality_report(db: Database, session: Session, workspace: Workspace, queue: Queue, period: str, *,
                          max_age_s: float) -> Cached[QualityReport]:
    """The dashboard's report of `period` (one of CACHED_PERIODS), from the figure cache."""
    return cached(db, session, report_figures(workspace.id, queue.id, period), max_age_s=max_age_s)


def cached_agreement(db: Database, session: Session, workspace: Workspace, queue: Queue, *, n_resamples: int,
                     max_age_s: float) -> Cached[list[QuestionAgreement]]:
    """Agreement per question over all of the queue's labels, from the figure cache."""
    return cached(db, session, agreement_figures(workspace.id, queue.id, n_resamples), max_age_s=max_age_s)
