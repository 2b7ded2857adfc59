"""Feed a review queue with a sample: the drawn items not already in it, after its items."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from honing import annotate
from honing._errors import NotFound
from honing.storage import Queue, QueueItem, Workspace


def check_queue(session: Session, workspace: Workspace, name: str) -> Queue:
    try:
        return annotate.get_queue(session, workspace, name)
    except NotFound as error:
        raise NotFound(error.message, hint="create it over the sampled dataset first, e.g. "
                       "`honing queue create NAME --dataset INTO --rubric RUBRIC`, or leave out "
                       "--queue") from None


def feed_queue(session: Session, queue: Queue, item_ids: Sequence[int], strata: Sequence[str] | None,
               rng: np.random.Generator, version_id: int) -> int:
    """Append the items the queue does not hold yet, in a random order (the draw is in
    dataset order), so raters see the sample mixed, each marked with the sampled version
    that drew it (its inclusion probability is that draw's). Returns how many were added."""
    held = set(session.scalars(select(QueueItem.item_id).where(
        QueueItem.queue_id == queue.id, QueueItem.kind == "live")))
    new = [k for k, item_id in enumerate(item_ids) if item_id not in held]
    new = [new[k] for k in rng.permutation(len(new))]
    start = (session.scalar(select(func.max(QueueItem.position)).where(
        QueueItem.queue_id == queue.id, QueueItem.kind == "live")) or 0) + 1
    rows = [{"queue_id": queue.id, "item_id": item_ids[k], "kind": "live", "position": start + offset,
             "stratum": strata[k] if strata else None, "taken": 0,
             "sample_version_id": version_id} for offset, k in enumerate(new)]
    for begin in range(0, len(rows), 1000):
        session.execute(QueueItem.__table__.insert(), rows[begin:begin + 1000])
    return len(rows)
