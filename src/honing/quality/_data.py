"""What the label-quality figures are computed from: one queue's labels, reviews,
escalations and qualification results over a period, read once as plain rows.

Only the columns the figures need are read (no ORM objects, no item content), so a queue
with a hundred thousand labels costs a few tens of megabytes, and the pure functions in
this package can be tested on hand-made rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from honing import accounts
from honing._errors import InvalidInput
from honing.annotate import QueuePolicy, describe_queue, load_rubric
from honing.rubrics import Rubric
from honing.storage import (
    Adjudication,
    Escalation,
    Label,
    Qualification,
    Queue,
    QueueItem,
    Review,
    SampleInclusion,
    User,
    Workspace,
    utcnow,
)

NO_COHORT = "(no cohort)"


@dataclass(frozen=True)
class Period:
    """[start, end); `start` None means since the queue began."""

    start: datetime | None
    end: datetime
    text: str = "all"

    def contains(self, at: datetime) -> bool:
        return (self.start is None or at >= self.start) and at < self.end

    @property
    def days(self) -> float | None:
        return None if self.start is None else (self.end - self.start).total_seconds() / 86400


_PERIOD = re.compile(r"^(\d{1,4})([hdw])$")


def parse_period(text: str, *, end: datetime | None = None) -> Period:
    """'7d', '2w', '36h' or 'all', ending at `end` (now by default)."""
    end = end or utcnow()
    text = text.strip().lower()
    if text == "all":
        return Period(None, end, "all")
    match = _PERIOD.match(text)
    if match is None or int(match[1]) == 0:
        raise InvalidInput(f"period {text!r} is not a period",
                           hint="use a count and a unit, e.g. 7d, 2w or 36h, or 'all'")
    hours = int(match[1]) * {"h": 1, "d": 24, "w": 168}[match[2]]
    return Period(end - timedelta(hours=hours), end, text)


@dataclass(frozen=True)
class LabelRow:
    id: int
    queue_item_id: int
    item_id: int
    rater_id: int
    rater: str
    cohort: str
    kind: str  # live | gold | qualification
    answers: dict[str, Any]
    status: str  # submitted | accepted | returned | reworked
    rework_count: int
    audit: bool
    gold_correct: int | None
    gold_scored: int | None
    active_ms: int
    submitted_at: datetime


@dataclass(frozen=True)
class ReviewRow:
    label_id: int
    verdict: str  # accept | return
    reason: str | None
    created_at: datetime


# The parts of the escalation template that make an escalation actionable.
ESCALATION_FIELDS = ("repro", "policy_ref", "expected", "observed")


@dataclass(frozen=True)
class EscalationRow:
    id: int
    item_id: int
    rater: str
    severity: str
    summary: str
    status: str
    created_at: datetime
    complete: bool  # every field of ESCALATION_FIELDS filled in


@dataclass
class QueueData:
    workspace: str
    queue: str
    queue_id: int
    created_at: datetime
    policy: QueuePolicy
    rubric: Rubric
    rubric_ref: str
    period: Period
    live_items: int
    # Every live label of the queue (so backlog and completion are right whatever the
    # period); `in_period` selects the ones the period's figures are about.
    labels: list[LabelRow]
    reviews: list[ReviewRow]  # oldest first
    escalations: list[EscalationRow]
    adjudicated: set[tuple[int, str]] = field(default_factory=set)  # (queue_item_id, question)
    # (queue_item_id, question) -> the lead's final answer (the newest adjudication).
    adjudications: dict[tuple[int, str], Any] = field(default_factory=dict)
    qualification: dict[str, int] = field(default_factory=dict)  # passed / failed counts
    # live queue item -> (stratum, inclusion probability), when the queue's dataset version
    # was drawn by a sampling design; empty otherwise.
    inclusion: dict[int, tuple[str | None, float]] = field(default_factory=dict)

    def in_period(self) -> list[LabelRow]:
        return [label for label in self.labels if self.period.contains(label.submitted_at)]


def load_queue_data(session: Session, workspace: Workspace, queue: Queue, period: Period) -> QueueData:
    rubric = load_rubric(session, queue.rubric_version_id)
    cohort_of = accounts.cohorts(session, workspace)
    rows = session.execute(
        select(Label.id, Label.queue_item_id, Label.item_id, Label.rater_id, User.username,
               Label.kind, Label.answers, Label.status, Label.rework_count, Label.audit,
               Label.gold_correct, Label.gold_scored, Label.active_ms, Label.submitted_at)
        .join(User, User.id == Label.rater_id)
        .where(Label.queue_id == queue.id, Label.submitted_at < period.end)
        .order_by(Label.submitted_at, Label.id))
    labels = [LabelRow(r.id, r.queue_item_id, r.item_id, r.rater_id, r.username,
                       cohort_of.get(r.rater_id) or NO_COHORT, r.kind, r.answers, r.status,
                       r.rework_count, r.audit, r.gold_correct, r.gold_scored, r.active_ms,
                       r.submitted_at) for r in rows]
    reviews = [ReviewRow(*r) for r in session.execute(
        select(Review.label_id, Review.verdict, Review.reason, Review.created_at)
        .join(Label, Label.id == Review.label_id)
        .where(Label.queue_id == queue.id, Review.created_at < period.end)
        .order_by(Review.created_at, Review.id))]
    escalations = [EscalationRow(*r[:-1], all(str(r.details.get(f) or "").strip() for f in ESCALATION_FIELDS))
                   for r in session.execute(
        select(Escalation.id, Escalation.item_id, User.username, Escalation.severity,
               Escalation.summary, Escalation.status, Escalation.created_at, Escalation.details)
        .join(User, User.id == Escalation.rater_id)
        .where(Escalation.queue_id == queue.id, Escalation.created_at < period.end)
        .order_by(Escalation.created_at, Escalation.id))]
    live_items = session.scalar(select(func.count()).select_from(QueueItem).where(
        QueueItem.queue_id == queue.id, QueueItem.kind == "live")) or 0
    adjudications = {(r.queue_item_id, r.question): r.answer for r in session.execute(
        select(Adjudication.queue_item_id, Adjudication.question, Adjudication.answer)
        .where(Adjudication.queue_id == queue.id, Adjudication.created_at < period.end)
        .order_by(Adjudication.created_at, Adjudication.id))}
    qualification = dict(session.execute(
        select(Qualification.status, func.count()).where(Qualification.queue_id == queue.id)
        .group_by(Qualification.status)).all())
    return QueueData(workspace=workspace.name, queue=queue.name, queue_id=queue.id,
                     created_at=queue.created_at, policy=QueuePolicy.model_validate(queue.policy),
                     rubric=rubric, rubric_ref=describe_queue(session, queue, stats=False)["rubric_version"],
                     period=period, live_items=live_items, labels=labels, reviews=reviews,
                     escalations=escalations, adjudicated=set(adjudications),
                     adjudications=adjudications, qualification=qualification,
                     inclusion=load_inclusion(session, queue))


def load_inclusion(session: Session, queue: Queue) -> dict[int, tuple[str | None, float]]:
    """live queue item -> (stratum, probability) from the inclusion rows of the sampled
    version that queued it: the queue's own version, or the draw of `honing sample --queue`
    that appended it."""
    rows = session.execute(
        select(QueueItem.id, SampleInclusion.stratum, SampleInclusion.probability)
        .join(SampleInclusion, (SampleInclusion.item_id == QueueItem.item_id)
              & (SampleInclusion.version_id
                 == func.coalesce(QueueItem.sample_version_id, queue.dataset_version_id)))
        .where(QueueItem.queue_id == queue.id, QueueItem.kind == "live"))
    return {r.id: (r.stratum, r.probability) for r in rows}
