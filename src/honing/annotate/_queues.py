"""Create queues over a dataset version and a rubric version; add gold and qualification
items; read a queue's state."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from honing import audit, datasets
from honing._errors import Conflict, InvalidInput, NotFound, Problem
from honing._names import check_name, is_name
from honing.annotate._policy import QueuePolicy
from honing.annotate._rubrics import load_rubric, resolve_rubric_version
from honing.domain import Item
from honing.rubrics import gold_problems
from honing.storage import (
    Assignment,
    Dataset,
    DatasetVersion,
    Escalation,
    ItemRow,
    Label,
    Queue,
    QueueItem,
    RubricVersion,
    Workspace,
)
from honing.storage import Rubric as RubricRow

_BATCH = 1000


def get_queue(session: Session, workspace: Workspace, name: str) -> Queue:
    queue = session.scalar(select(Queue).where(Queue.workspace_id == workspace.id,
                                               Queue.name == name)) if is_name(name) else None
    if queue is None:
        raise NotFound(f"queue {name!r} does not exist in workspace {workspace.name!r}")
    return queue


def parse_policy(values: dict[str, Any]) -> QueuePolicy:
    try:
        return QueuePolicy.model_validate(values)
    except ValidationError as error:
        raise InvalidInput("the queue policy is not valid", problems=[
            Problem(d["msg"].removeprefix("Value error, "),
                    field=".".join(str(p) for p in d["loc"]) or "policy")
            for d in error.errors()]) from None


def create_queue(session: Session, workspace: Workspace, *, name: str, dataset_ref: str,
                 rubric_ref: str, policy: QueuePolicy, actor: str) -> Queue:
    check_name("queue", name)
    if session.scalar(select(Queue.id).where(Queue.workspace_id == workspace.id,
                                             Queue.name == name)) is not None:
        raise Conflict(f"queue {name!r} already exists in workspace {workspace.name!r}")
    dataset_name, wanted = datasets.parse_ref(dataset_ref)
    dataset = datasets.get_dataset(session, workspace, dataset_name)
    version = datasets.resolve_version(session, dataset, wanted)
    rubric_version = resolve_rubric_version(session, workspace, rubric_ref)
    queue = Queue(workspace_id=workspace.id, name=name, dataset_version_id=version.id,
                  rubric_version_id=rubric_version.id, policy=policy.model_dump(), actor=actor)
    session.add(queue)
    session.flush()
    item_ids = list(dict.fromkeys(datasets.version_item_ids(session, version)))
    positions = _order(session, item_ids, policy)
    for start in range(0, len(item_ids), _BATCH):
        session.execute(QueueItem.__table__.insert(), [
            {"queue_id": queue.id, "item_id": item_id, "kind": "live", "position": positions[item_id][0],
             "stratum": positions[item_id][1], "taken": 0}
            for item_id in item_ids[start:start + _BATCH]])
    audit.record(session, actor=actor, action="queue.create", target=f"queue:{name}",
                 workspace=workspace.name,
                 details={"dataset": f"{dataset.name}@{version.number}", "items": len(item_ids),
                          "rubric_version_id": rubric_version.id, "policy": policy.model_dump()})
    return queue


def _order(session: Session, item_ids: list[int], policy: QueuePolicy) -> dict[int, tuple[int, str | None]]:
    """Each item's position in the queue (claims take the lowest first) and stratum."""
    rng = random.Random(policy.seed)
    field = policy.stratify_by if policy.order == "stratified" else policy.priority_field
    meta: dict[int, Any] = {}
    if field:
        for start in range(0, len(item_ids), _BATCH):
            chunk = item_ids[start:start + _BATCH]
            meta.update(session.execute(select(ItemRow.id, ItemRow.meta[field].as_string())
                                        .where(ItemRow.id.in_(chunk))).all())
    if policy.order == "dataset":
        return {item_id: (i, None) for i, item_id in enumerate(item_ids)}
    shuffled = list(item_ids)
    rng.shuffle(shuffled)
    if policy.order == "random":
        return {item_id: (i, None) for i, item_id in enumerate(shuffled)}
    if policy.order == "priority":
        def priority(item_id: int) -> float:
            try:
                return -float(meta.get(item_id) or 0)
            except ValueError:
                return 0.0
        ranked = sorted(shuffled, key=priority)  # stable: ties stay shuffled
        return {item_id: (i, None) for i, item_id in enumerate(ranked)}
    # Stratified: deal strata round-robin so every prefix of the queue is balanced.
    strata: dict[str, list[int]] = defaultdict(list)
    for item_id in shuffled:
        strata[str(meta.get(item_id))].append(item_id)
    order: dict[int, tuple[int, str | None]] = {}
    position = 0
    lanes = [strata[k] for k in sorted(strata)]
    for rank in range(max((len(lane) for lane in lanes), default=0)):
        for key, lane in zip(sorted(strata), lanes, strict=True):
            if rank < len(lane):
                order[lane[rank]] = (position, key)
                position += 1
    return order


@dataclass(frozen=True)
class GoldRecord:
    """An item with its known answers (and tolerances) for gold or qualification use."""

    item: Item
    answers: dict[str, Any]
    tolerances: dict[str, Any]


def add_reference_items(session: Session, workspace: Workspace, queue: Queue, kind: str,
                        records: Sequence[GoldRecord], *, actor: str) -> int:
    """Add gold (hidden QC) or qualification items with their answers to a queue."""
    if kind not in ("gold", "qualification"):
        raise InvalidInput(f"kind {kind!r} must be gold or qualification")
    rubric = load_rubric(session, queue.rubric_version_id)
    problems = [
        Problem(p.message, row=index, field=p.field, hint=p.hint)
        for index, record in enumerate(records, start=1)
        for p in gold_problems(rubric, record.answers, record.tolerances)
    ]
    if problems:
        raise InvalidInput(f"{len(problems)} problem(s) in the {kind} answers; nothing was added",
                           problems=problems[:50])
    pairs = [(r.item.content_hash(), r.item) for r in records]
    ids, _ = datasets.store_items(session, workspace.id, pairs)
    start = (session.scalar(select(func.max(QueueItem.position)).where(
        QueueItem.queue_id == queue.id, QueueItem.kind == kind)) or 0) + 1
    order = list(range(len(records)))
    if kind == "gold":
        random.Random(queue.policy.get("seed", 0) + 1).shuffle(order)
    for offset, (item_id, record) in enumerate(zip(ids, records, strict=True)):
        existing = session.scalar(select(QueueItem).where(
            QueueItem.queue_id == queue.id, QueueItem.item_id == item_id, QueueItem.kind == kind))
        if existing is not None:
            existing.gold_answers, existing.tolerances = record.answers, record.tolerances
            continue
        session.add(QueueItem(queue_id=queue.id, item_id=item_id, kind=kind,
                              position=start + order[offset], taken=0,
                              gold_answers=record.answers, tolerances=record.tolerances))
    audit.record(session, actor=actor, action=f"queue.{kind}.add", target=f"queue:{queue.name}",
                 workspace=workspace.name, details={"items": len(records)})
    return len(records)


def list_queues(session: Session, workspace: Workspace) -> list[Queue]:
    return list(session.scalars(select(Queue).where(Queue.workspace_id == workspace.id)
                                .order_by(Queue.name)))


def queue_stats(session: Session, queue: Queue) -> dict[str, int]:
    policy = QueuePolicy.model_validate(queue.policy)
    by_kind = dict(session.execute(select(QueueItem.kind, func.count()).where(
        QueueItem.queue_id == queue.id).group_by(QueueItem.kind)).all())
    per_item = (select(Label.queue_item_id).where(Label.queue_id == queue.id, Label.kind == "live")
                .group_by(Label.queue_item_id).having(func.count() >= policy.overlap).subquery())
    complete = session.scalar(select(func.count()).select_from(per_item)) or 0
    labels = session.scalar(select(func.count()).select_from(Label).where(
        Label.queue_id == queue.id)) or 0
    leases = session.scalar(select(func.count()).select_from(Assignment).where(
        Assignment.queue_id == queue.id, Assignment.status == "leased")) or 0
    # Open in the sense a lead cares about: not yet resolved (assigned ones too).
    escalations = session.scalar(select(func.count()).select_from(Escalation).where(
        Escalation.queue_id == queue.id, Escalation.status != "resolved")) or 0
    return {"live_items": by_kind.get("live", 0), "complete_items": complete, "labels": labels,
            "active_leases": leases, "gold_items": by_kind.get("gold", 0),
            "qualification_items": by_kind.get("qualification", 0),
            "open_escalations": escalations}


def describe_queue(session: Session, queue: Queue, *, stats: bool = True) -> dict[str, Any]:
    """A queue as the CLI and the API show it: versions by reference, policy, stats."""
    version = session.get_one(DatasetVersion, queue.dataset_version_id)
    dataset = session.get_one(Dataset, version.dataset_id)
    rubric_version = session.get_one(RubricVersion, queue.rubric_version_id)
    rubric = session.get_one(RubricRow, rubric_version.rubric_id)
    return {"name": queue.name, "dataset_version": f"{dataset.name}@{version.number}",
            "rubric_version": f"{rubric.name}@{rubric_version.number}",
            "policy": queue.policy, "status": queue.status, "created_at": queue.created_at,
            "stats": queue_stats(session, queue) if stats else None}
