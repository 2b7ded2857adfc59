"""Quality control by people: reviewers accept or return sampled labels; leads find items
whose labels disagree and set the final answer."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from honing import audit, datasets
from honing._errors import Conflict, InvalidInput, NotFound
from honing.annotate._rubrics import load_rubric
from honing.rubrics import disagreement, validate_answers
from honing.storage import Adjudication, Label, Queue, QueueItem, Review, User, utcnow

REVIEWABLE = ("submitted", "reworked")


def next_review(session: Session, queue: Queue, reviewer_id: int) -> Label | None:
    """The oldest sampled label waiting for a verdict, never the reviewer's own."""
    return session.scalar(select(Label).where(
        Label.queue_id == queue.id, Label.audit.is_(True), Label.status.in_(REVIEWABLE),
        Label.rater_id != reviewer_id).order_by(Label.updated_at, Label.id).limit(1))


def get_label(session: Session, queue: Queue, label_id: int) -> Label:
    label = session.scalar(select(Label).where(Label.id == label_id, Label.queue_id == queue.id))
    if label is None:
        raise NotFound(f"label {label_id} does not exist in queue {queue.name!r}")
    return label


def review(session: Session, queue: Queue, label: Label, *, reviewer_id: int, verdict: str,
           reason: str | None, actor: str, workspace: str) -> Review:
    if verdict not in ("accept", "return"):
        raise InvalidInput(f"verdict {verdict!r} must be accept or return")
    if label.status not in REVIEWABLE:
        raise Conflict(f"label {label.id} is {label.status}; it is not waiting for review")
    if label.rater_id == reviewer_id:
        raise Conflict("reviewers do not review their own labels")
    if verdict == "return" and not (reason or "").strip():
        raise InvalidInput("returning a label needs a reason the rater can act on")
    entry = Review(label_id=label.id, reviewer_id=reviewer_id, verdict=verdict,
                   reason=(reason or "").strip() or None)
    session.add(entry)
    label.status = "accepted" if verdict == "accept" else "returned"
    label.updated_at = utcnow()
    session.flush()
    audit.record(session, actor=actor, action=f"label.{verdict}", target=f"label:{label.id}",
                 workspace=workspace, details={"queue": queue.name, "reason": entry.reason})
    return entry


@dataclass(frozen=True)
class Disagreement:
    queue_item_id: int
    item_id: int
    question: str
    score: float
    labels: int
    adjudicated: bool


def live_labels_by_item(session: Session, queue: Queue) -> dict[int, list[Label]]:
    grouped: dict[int, list[Label]] = defaultdict(list)
    for label in session.scalars(select(Label).where(
            Label.queue_id == queue.id, Label.kind == "live", Label.status != "returned")
            .order_by(Label.queue_item_id, Label.id)):
        grouped[label.queue_item_id].append(label)
    return grouped


def disagreements(session: Session, queue: Queue, *, question: str | None = None,
                  minimum: float = 0.0) -> list[Disagreement]:
    """Items ranked by how much their labels disagree, per question (the measure for each
    question type is documented in `honing.rubrics.disagreement`)."""
    rubric = load_rubric(session, queue.rubric_version_id)
    questions = [q for q in rubric.questions if question in (None, q.id)]
    if question is not None and not questions:
        raise NotFound(f"question {question!r} is not in the queue's rubric")
    adjudicated = {(a, q) for a, q in session.execute(
        select(Adjudication.queue_item_id, Adjudication.question).where(Adjudication.queue_id == queue.id))}
    found = []
    for queue_item_id, labels in live_labels_by_item(session, queue).items():
        for q in questions:
            values = [lab.answers[q.id] for lab in labels if q.id in lab.answers]
            score = disagreement(q, values)
            if score is not None and score > minimum:
                found.append(Disagreement(queue_item_id, labels[0].item_id, q.id, score, len(values),
                                          (queue_item_id, q.id) in adjudicated))
    return sorted(found, key=lambda d: (-d.score, d.queue_item_id, d.question))


def labels_side_by_side(session: Session, queue: Queue, queue_item_id: int) -> list[tuple[Label, str]]:
    rows = session.execute(select(Label, User.username).join(User, User.id == Label.rater_id).where(
        Label.queue_id == queue.id, Label.queue_item_id == queue_item_id).order_by(Label.id))
    return [(label, name) for label, name in rows]


def adjudicate(session: Session, queue: Queue, queue_item_id: int, question: str, answer: Any,
               note: str, *, actor_id: int | None, actor: str, workspace: str) -> Adjudication:
    """The final answer to one question of an item, in canonical response order (as the
    labels it settles are stored, and as the adjudication page shows the item)."""
    item = session.scalar(select(QueueItem).where(QueueItem.id == queue_item_id,
                                                  QueueItem.queue_id == queue.id))
    if item is None:
        raise NotFound(f"queue item {queue_item_id} is not in queue {queue.name!r}")
    rubric = load_rubric(session, queue.rubric_version_id)
    if question not in {q.id for q in rubric.questions}:
        raise InvalidInput(f"question {question!r} is not in the queue's rubric")
    if not note.strip():
        raise InvalidInput("an adjudication needs a note explaining the decision")
    responses = [r.content for r in datasets.load_item(session, item.item_id).item.responses]
    problems = [p for p in validate_answers(rubric, {question: answer}, response_count=len(responses),
                                            responses=responses)
                if (p.field or "").startswith(f"answers.{question}")]
    if problems:
        raise InvalidInput(f"the answer to {question!r} is not valid", problems=problems)
    decision = Adjudication(queue_id=queue.id, queue_item_id=queue_item_id, question=question,
                            answer=answer, note=note.strip(), actor_id=actor_id)
    session.add(decision)
    session.flush()
    audit.record(session, actor=actor, action="label.adjudicate", target=f"queue_item:{queue_item_id}",
                 workspace=workspace, details={"queue": queue.name, "question": question})
    return decision


def reviews_of(session: Session, label_ids: list[int]) -> dict[int, list[Review]]:
    found: dict[int, list[Review]] = defaultdict(list)
    for entry in session.scalars(select(Review).where(Review.label_id.in_(label_ids)).order_by(Review.id)):
        found[entry.label_id].append(entry)
    return found


def adjudications_of(session: Session, queue: Queue, queue_item_id: int) -> list[Adjudication]:
    return list(session.scalars(select(Adjudication).where(
        Adjudication.queue_id == queue.id, Adjudication.queue_item_id == queue_item_id)
        .order_by(Adjudication.id)))
