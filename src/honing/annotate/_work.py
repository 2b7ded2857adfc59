"""What raters do with an assignment: save a draft, submit, skip, flag, escalate, rework."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import bindparam, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from honing import audit, datasets
from honing._errors import Conflict, InvalidInput, NotFound
from honing.annotate._order import to_canonical
from honing.annotate._policy import QueuePolicy
from honing.annotate._rubrics import load_rubric
from honing.rubrics import Rubric, Tolerance, prefill_problems, score_gold, validate_answers
from honing.storage import Assignment, Escalation, Label, Queue, QueueItem, utcnow
from honing.storage._tables import JsonType, UtcDateTime

_random = secrets.SystemRandom()
SEVERITIES = ("S0", "S1", "S2", "S3")


class EscalationIn(BaseModel):
    """The structured escalation template raters fill in."""

    model_config = ConfigDict(extra="forbid")
    summary: str = Field(min_length=5, max_length=2000)
    severity: str = Field(pattern="^S[0-3]$")
    repro: str | None = Field(default=None, max_length=20000,
                              description="prompt, context, model version and settings")
    policy_ref: str | None = Field(default=None, max_length=500,
                                   description="rubric question or policy clause")
    expected: str | None = Field(default=None, max_length=5000)
    observed: str | None = Field(default=None, max_length=5000)
    suggested_label: str | None = Field(default=None, max_length=500)
    confidence: float | None = Field(default=None, ge=0, le=1)


def own_assignment(session: Session, assignment_id: int, rater_id: int, *, lock: bool = False) -> Assignment:
    query = select(Assignment).where(Assignment.id == assignment_id, Assignment.rater_id == rater_id)
    if lock and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    assignment = session.scalar(query)
    if assignment is None:
        raise NotFound(f"assignment {assignment_id} does not exist or is not yours")
    return assignment


def save_draft(session: Session, assignment: Assignment, answers: dict[str, Any], active_ms: int, *,
               actor: str, workspace: str) -> None:
    """Keep unfinished answers, in the order the rater is shown the responses (they come
    back with the assignment as they were given). A draft may be incomplete, but an
    untouched prefill is no more an answer in a draft than in a label."""
    if assignment.status != "leased":
        raise Conflict(f"assignment {assignment.id} is {assignment.status}; drafts need an open lease")
    rubric, stored = _rubric_and_item(session, assignment)
    problems = prefill_problems(rubric, answers, response_texts(stored))
    if problems:
        raise InvalidInput("the draft holds a response's text unchanged as an answer", problems=problems)
    assignment.draft = answers
    assignment.active_ms = max(assignment.active_ms, active_ms)
    audit.record(session, actor=actor, action="assignment.draft", target=f"assignment:{assignment.id}",
                 workspace=workspace, details={"active_ms": assignment.active_ms}, seal=False)


def submit(session: Session, queue: Queue, assignment: Assignment, answers: dict[str, Any], *,
           actor: str, workspace: str, confidence: float | None = None, active_ms: int = 0) -> Label:
    """Store the answers, given in the order the rater was shown the responses, as a label.
    Submitting the same answers twice returns the same label (a retried request must not
    fail); different answers after that are a conflict."""
    if assignment.status == "submitted":
        label = session.scalar(select(Label).where(Label.assignment_id == assignment.id))
        rubric, stored = _rubric_and_item(session, assignment)
        if label is not None and to_canonical(rubric, answers, swapped=assignment.swapped,
                                              response_count=len(stored.item.responses)) == label.answers:
            return label
        raise Conflict(f"assignment {assignment.id} was already submitted",
                       hint="returned labels are changed through rework")
    if assignment.status == "skipped":
        raise Conflict(f"assignment {assignment.id} was skipped")
    policy = QueuePolicy.model_validate(queue.policy)
    # No row lock on the queue item: its counters change in single guarded UPDATEs, so
    # concurrent submits to one item never wait for each other.
    item = session.execute(select(QueueItem.id, QueueItem.kind, QueueItem.item_id, QueueItem.gold_answers,
                                  QueueItem.tolerances).where(QueueItem.id == assignment.queue_item_id)).one()
    if assignment.status == "expired":
        # Late but welcome if the item still has room; never beyond the overlap.
        room = QueueItem.taken < policy.overlap if item.kind == "live" else True
        retaken = session.execute(update(QueueItem).where(QueueItem.id == item.id, room).values(
            taken=QueueItem.taken + 1,
            is_full=(QueueItem.taken + 1 >= policy.overlap) if item.kind == "live" else False))
        if retaken.rowcount != 1:
            raise Conflict("your lease expired and the item went to another rater; "
                           "the answers were not saved", hint="claim the next item")
    rubric = load_rubric(session, queue.rubric_version_id)
    stored = datasets.load_item(session, item.item_id)
    problems = validate_answers(rubric, answers, response_count=len(stored.item.responses),
                                responses=response_texts(stored))
    if problems:
        raise InvalidInput("the answers are not complete or not valid", problems=problems)
    now = utcnow()
    values = label_values(rubric, policy, queue, assignment, item, answers, now=now,
                          confidence=confidence, active_ms=active_ms,
                          response_count=len(stored.item.responses))
    if assignment.status == "leased" and session.get_bind().dialect.name == "postgresql":
        label = session.scalars(select(Label).from_statement(_SUBMIT_LEASED.bindparams(
            **values, now=now, actor=actor, workspace=workspace, queue_name=queue.name))).first()
        if label is None:
            raise Conflict(f"assignment {assignment.id} changed while it was being submitted",
                           hint="reload the item")
        for name, value in (("status", "submitted"), ("finished_at", now), ("draft", None)):
            set_committed_value(assignment, name, value)
        return label
    label = Label(**values)
    session.add(label)
    assignment.status, assignment.finished_at, assignment.draft = "submitted", now, None
    session.flush()
    session.execute(_COUNT_LABEL, {"queue_id": queue.id, "rater_id": assignment.rater_id})
    # Sealed into the chain by the server's sealer: the most frequent write must not
    # queue behind one global lock.
    audit.record(session, actor=actor, action="label.submit", target=f"label:{label.id}",
                 workspace=workspace, details={"queue": queue.name, "assignment": assignment.id},
                 seal=False)
    return label


def label_values(rubric: Rubric, policy: QueuePolicy, queue: Queue, assignment: Any, item: Any,
                 answers: dict[str, Any], *, now: datetime, confidence: float | None,
                 active_ms: int, response_count: int) -> dict[str, Any]:
    """The label row for validated answers given in the shown order: in canonical response
    order, sampled for review at the audit rate, scored when the item is gold. `assignment`
    and `item` are rows or objects with the assignment's and the queue item's columns."""
    canonical = to_canonical(rubric, answers, swapped=assignment.swapped, response_count=response_count)
    values: dict[str, Any] = dict(
        assignment_id=assignment.id, queue_id=queue.id, queue_item_id=assignment.queue_item_id,
        item_id=item.item_id, rater_id=assignment.rater_id, rubric_version_id=queue.rubric_version_id,
        kind=item.kind, answers=canonical, status="submitted", confidence=confidence,
        active_ms=max(active_ms, assignment.active_ms), rework_count=0,
        audit=item.kind == "live" and _random.random() < policy.audit_rate,
        gold_correct=None, gold_scored=None, gold_detail=None, submitted_at=now, updated_at=now)
    if item.gold_answers is not None:
        tolerances = {q: Tolerance.model_validate(t) for q, t in (item.tolerances or {}).items()}
        score = score_gold(rubric, canonical, item.gold_answers, tolerances)
        values.update(gold_correct=score.correct, gold_scored=score.scored,
                      gold_detail={q: ok for q, ok in score.per_question.items() if ok is not None})
    return values


# Every stored label adds one to its rater's count in the queue (`RaterProgress`).
COUNT_LABEL_SQL = """INSERT INTO rater_progress (queue_id, rater_id, labels) {source}
    ON CONFLICT (queue_id, rater_id) DO UPDATE SET labels = rater_progress.labels + 1"""
_COUNT_LABEL = text(COUNT_LABEL_SQL.format(source="VALUES (:queue_id, :rater_id, 1)"))


# PostgreSQL: close the lease, store the label and its (unsealed) audit event in one
# statement. The rater's open lease is the guard: a submit that lost a race, or whose
# lease is not what its caller remembered, changes nothing. Active time is the larger of
# the submitted one and the one saved with drafts, as in `label_values`, read here so
# that a caller may use a lease it remembers from the claim.
SUBMIT_LEASED_SQL = f"""
WITH done AS (
    UPDATE assignment SET status = 'submitted', finished_at = :now, draft = NULL
    WHERE id = :assignment_id AND rater_id = :rater_id AND status = 'leased'
    RETURNING id, active_ms
), labeled AS (
    INSERT INTO label (assignment_id, queue_id, queue_item_id, item_id, rater_id, rubric_version_id,
                       kind, answers, status, confidence, active_ms, rework_count, audit,
                       gold_correct, gold_scored, gold_detail, submitted_at, updated_at)
    SELECT done.id, :queue_id, :queue_item_id, :item_id, :rater_id, :rubric_version_id, :kind,
           :answers, :status, :confidence, GREATEST(:active_ms, done.active_ms), :rework_count,
           :audit, :gold_correct, :gold_scored, :gold_detail, :submitted_at, :updated_at
    FROM done
    RETURNING *
), counted AS (
    {COUNT_LABEL_SQL.format(source="SELECT queue_id, rater_id, 1 FROM labeled")}
), logged AS (
    {audit.unsealed_events_sql(
        "label.submit", target="'label:' || labeled.id", source="labeled",
        details="jsonb_build_object('queue', CAST(:queue_name AS text), 'assignment', labeled.assignment_id)")}
)
SELECT * FROM labeled
"""
_SUBMIT_LEASED = text(SUBMIT_LEASED_SQL).bindparams(
    bindparam("answers", type_=JsonType), bindparam("gold_detail", type_=JsonType),
    bindparam("now", type_=UtcDateTime()), bindparam("submitted_at", type_=UtcDateTime()),
    bindparam("updated_at", type_=UtcDateTime()))


def skip(session: Session, queue: Queue, assignment: Assignment, reason: str, *, actor: str,
         workspace: str) -> None:
    if assignment.status != "leased":
        raise Conflict(f"assignment {assignment.id} is {assignment.status}; only open leases can be skipped")
    if not reason.strip():
        raise InvalidInput("a skip needs a reason", hint="e.g. 'not in my language'")
    assignment.status, assignment.finished_at, assignment.note = "skipped", utcnow(), reason.strip()
    # The place goes back to the pool; this rater will not see the item again.
    session.execute(update(QueueItem).where(QueueItem.id == assignment.queue_item_id)
                    .values(taken=QueueItem.taken - 1, is_full=False))
    audit.record(session, actor=actor, action="assignment.skip", target=f"assignment:{assignment.id}",
                 workspace=workspace, details={"queue": queue.name, "reason": reason.strip()})


def flag(session: Session, queue: Queue, assignment: Assignment, reason: str, *, actor: str,
         workspace: str) -> None:
    assignment.flagged, assignment.note = True, reason.strip() or assignment.note
    audit.record(session, actor=actor, action="assignment.flag", target=f"assignment:{assignment.id}",
                 workspace=workspace, details={"queue": queue.name, "reason": reason.strip()})


def escalate(session: Session, queue: Queue, assignment: Assignment, form: EscalationIn, *,
             actor: str, workspace: str) -> Escalation:
    item_id = session.scalar(select(QueueItem.item_id).where(QueueItem.id == assignment.queue_item_id))
    escalation = Escalation(
        queue_id=queue.id, assignment_id=assignment.id, item_id=item_id,
        rater_id=assignment.rater_id, severity=form.severity, summary=form.summary,
        confidence=form.confidence,
        details=form.model_dump(exclude={"summary", "severity", "confidence"}, exclude_none=True))
    session.add(escalation)
    session.flush()
    audit.record(session, actor=actor, action="escalation.create", target=f"escalation:{escalation.id}",
                 workspace=workspace, details={"queue": queue.name, "severity": form.severity})
    return escalation


def rework(session: Session, queue: Queue, label: Label, answers: dict[str, Any], *, actor: str,
           workspace: str) -> Label:
    """A returned label, answered again by its rater in the order they were shown the
    responses (as their feedback gives it); it goes back to review."""
    if label.status != "returned":
        raise Conflict(f"label {label.id} is {label.status}; only returned labels are reworked")
    assignment = session.get(Assignment, label.assignment_id)
    rubric = load_rubric(session, label.rubric_version_id)
    stored = datasets.load_item(session, label.item_id)
    problems = validate_answers(rubric, answers, response_count=len(stored.item.responses),
                                responses=response_texts(stored))
    if problems:
        raise InvalidInput("the answers are not complete or not valid", problems=problems)
    label.answers = to_canonical(rubric, answers, swapped=assignment.swapped,
                                 response_count=len(stored.item.responses))
    label.status, label.rework_count, label.updated_at = "reworked", label.rework_count + 1, utcnow()
    audit.record(session, actor=actor, action="label.rework", target=f"label:{label.id}",
                 workspace=workspace, details={"queue": queue.name, "rework": label.rework_count})
    return label


def _rubric_and_item(session: Session, assignment: Assignment) -> tuple[Rubric, datasets.StoredItem]:
    queue_item = session.execute(select(QueueItem.item_id, Queue.rubric_version_id).join(
        Queue, Queue.id == QueueItem.queue_id).where(QueueItem.id == assignment.queue_item_id)).one()
    return (load_rubric(session, queue_item.rubric_version_id),
            datasets.load_item(session, queue_item.item_id))


def response_texts(stored: datasets.StoredItem) -> list[str | None]:
    """The texts an edit box can be prefilled with: the item's responses."""
    return [response.content for response in stored.item.responses]

