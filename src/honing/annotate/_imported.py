"""Labels given in another tool (Label Studio, Argilla, Langfuse) stored as submitted labels
of a queue, so agreement, review and exports treat them like labels given here.

An imported label is an assignment that was submitted when the other tool says it was,
plus its label with the provenance the other tool gave. The (item, rater) pair is unique
for assignments, which is what makes a second import of the same file add nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from honing import audit, datasets
from honing._errors import Conflict, InvalidInput, Problem
from honing.annotate._policy import QueuePolicy
from honing.annotate._queues import create_queue
from honing.annotate._rubrics import load_rubric, resolve_rubric_version
from honing.annotate._work import _COUNT_LABEL, response_texts
from honing.rubrics import validate_answers
from honing.storage import Assignment, Label, Queue, QueueItem, Workspace


@dataclass(frozen=True)
class ImportedLabel:
    item_id: int
    rater_id: int
    answers: dict[str, Any]  # canonical order: A is the item's first response
    submitted_at: datetime
    provenance: dict[str, Any]
    active_ms: int = 0


def import_queue(session: Session, workspace: Workspace, *, name: str, dataset_ref: str,
                 rubric_ref: str, overlap: int, actor: str) -> tuple[Queue, bool]:
    """The queue imported labels go to: made over the imported version, or the existing
    queue of that name when it already is over that version and that rubric version."""
    existing = session.scalar(select(Queue).where(Queue.workspace_id == workspace.id,
                                                  Queue.name == name))
    if existing is None:
        policy = QueuePolicy(overlap=max(1, min(overlap, 50)), order="dataset")
        return create_queue(session, workspace, name=name, dataset_ref=dataset_ref,
                            rubric_ref=rubric_ref, policy=policy, actor=actor), True
    dataset_name, number = datasets.parse_ref(dataset_ref)
    version = datasets.resolve_version(session, datasets.get_dataset(session, workspace, dataset_name),
                                       number)
    rubric_version = resolve_rubric_version(session, workspace, rubric_ref)
    if existing.dataset_version_id != version.id or existing.rubric_version_id != rubric_version.id:
        raise Conflict(f"queue {name!r} exists over another dataset version or rubric version",
                       hint="name a new queue with --queue, or import into the dataset it labels")
    return existing, False


def check_imported_labels(session: Session, queue: Queue, labels: Sequence[ImportedLabel]) -> None:
    """Every label's answers must fit the queue's rubric and its item; nothing is stored
    when one does not."""
    rubric = load_rubric(session, queue.rubric_version_id)
    items = {s.id: s for s in datasets.load_items(session, {label.item_id for label in labels})}
    problems: list[Problem] = []
    for label in labels:
        stored = items[label.item_id]
        for p in validate_answers(rubric, label.answers, response_count=len(stored.item.responses),
                                  responses=response_texts(stored)):
            where = label.provenance.get("annotation_id") or label.provenance.get("record_id") or \
                label.provenance.get("trace_id")
            problems.append(Problem(f"{where}: {p.message}", field=p.field, hint=p.hint))
    if problems:
        raise InvalidInput(f"{len(problems)} imported answer(s) do not fit the rubric; nothing was "
                           "imported", problems=problems[:50])


def store_imported_labels(session: Session, workspace: Workspace, queue: Queue,
                          labels: Sequence[ImportedLabel], *, actor: str) -> tuple[int, int]:
    """Store the labels not stored yet; returns (added, already there). A label is already
    there when its rater has an assignment for its item in this queue."""
    check_imported_labels(session, queue, labels)
    overlap = QueuePolicy.model_validate(queue.policy).overlap
    queue_items = dict(session.execute(select(QueueItem.item_id, QueueItem.id).where(
        QueueItem.queue_id == queue.id, QueueItem.kind == "live")).all())
    taken = set(session.execute(select(Assignment.queue_item_id, Assignment.rater_id).where(
        Assignment.queue_id == queue.id)).all())
    added: Counter[int] = Counter()
    skipped = 0
    for label in labels:
        queue_item_id = queue_items.get(label.item_id)
        if queue_item_id is None:
            raise InvalidInput(f"item {label.item_id} is not in queue {queue.name!r}")
        if (queue_item_id, label.rater_id) in taken:
            skipped += 1
            continue
        taken.add((queue_item_id, label.rater_id))
        at = label.submitted_at
        assignment = Assignment(queue_id=queue.id, queue_item_id=queue_item_id, rater_id=label.rater_id,
                                status="submitted", swapped=False, leased_at=at, lease_expires_at=at,
                                finished_at=at, active_ms=label.active_ms)
        session.add(assignment)
        session.flush()
        session.add(Label(
            assignment_id=assignment.id, queue_id=queue.id, queue_item_id=queue_item_id,
            item_id=label.item_id, rater_id=label.rater_id, rubric_version_id=queue.rubric_version_id,
            kind="live", answers=label.answers, status="submitted", confidence=None,
            active_ms=label.active_ms, rework_count=0, audit=False, submitted_at=at, updated_at=at,
            provenance=label.provenance))
        session.execute(_COUNT_LABEL, {"queue_id": queue.id, "rater_id": label.rater_id})
        added[queue_item_id] += 1
    for queue_item_id, count in added.items():
        session.execute(update(QueueItem).where(QueueItem.id == queue_item_id).values(
            taken=QueueItem.taken + count, is_full=QueueItem.taken + count >= overlap))
    session.flush()
    total = sum(added.values())
    if total:
        audit.record(session, actor=actor, action="label.import", target=f"queue:{queue.name}",
                     workspace=workspace.name, details={"labels": total, "already_there": skipped})
    return total, skipped
