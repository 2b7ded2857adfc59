"""A queue's labels and items, a page at a time, for leads and integrations.

Pages are keyset pages on the row id (`after` is the last id of the previous page), never
offsets: rows added while a client pages cannot shift later pages, so nothing is seen
twice or skipped, and a deep page costs what the first one does."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from honing.annotate._policy import QueuePolicy
from honing.storage import Assignment, Label, Queue, QueueItem, User


def labels_page(session: Session, queue: Queue, *, limit: int, after: int | None = None,
                status: str | None = None, newest_first: bool = False) -> list[tuple[Label, str]]:
    """Up to `limit` of the queue's labels with their raters' usernames, in id order (or
    reverse id order), starting after the label id `after`."""
    query = (select(Label, User.username).join(User, User.id == Label.rater_id)
             .where(Label.queue_id == queue.id))
    if status:
        query = query.where(Label.status == status)
    if after is not None:
        query = query.where(Label.id < after if newest_first else Label.id > after)
    order = Label.id.desc() if newest_first else Label.id
    return [(label, name) for label, name in session.execute(query.order_by(order).limit(limit))]


@dataclass(frozen=True)
class QueueItemSummary:
    id: int
    item_id: int
    kind: str
    position: int
    status: str
    labels: int
    labels_by_status: dict[str, int] = field(default_factory=dict)
    active_leases: int = 0


def queue_items_page(session: Session, queue: Queue, *, limit: int,
                     after: int | None = None) -> list[QueueItemSummary]:
    """Up to `limit` of the queue's items in queue-item id order, after the id `after`,
    each with its labels counted by status and its open leases."""
    query = select(QueueItem).where(QueueItem.queue_id == queue.id)
    if after is not None:
        query = query.where(QueueItem.id > after)
    rows = list(session.scalars(query.order_by(QueueItem.id).limit(limit)))
    ids = [row.id for row in rows]
    by_status: dict[int, dict[str, int]] = defaultdict(dict)
    leases: dict[int, int] = {}
    if ids:
        for queue_item_id, status, count in session.execute(
                select(Label.queue_item_id, Label.status, func.count())
                .where(Label.queue_item_id.in_(ids)).group_by(Label.queue_item_id, Label.status)):
            by_status[queue_item_id][status] = count
        leases = dict(session.execute(
            select(Assignment.queue_item_id, func.count())
            .where(Assignment.queue_item_id.in_(ids), Assignment.status == "leased")
            .group_by(Assignment.queue_item_id)).all())
    overlap = QueuePolicy.model_validate(queue.policy).overlap
    return [_summary(row, by_status.get(row.id, {}), leases.get(row.id, 0), overlap) for row in rows]


def _summary(row: QueueItem, by_status: dict[str, int], leases: int, overlap: int) -> QueueItemSummary:
    labels = sum(by_status.values())
    if row.kind != "live":
        status = "reference"  # gold and qualification items go to every rater: no overlap to fill
    elif labels >= overlap:
        status = "complete"
    elif labels or leases:
        status = "in_progress"
    else:
        status = "open"
    return QueueItemSummary(id=row.id, item_id=row.item_id, kind=row.kind, position=row.position,
                            status=status, labels=labels, labels_by_status=dict(sorted(by_status.items())),
                            active_leases=leases)
