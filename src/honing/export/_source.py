"""What a training export reads: a queue's labels, or a dataset version's items.

A bare name can be both a queue and a dataset in one workspace (a queue is often named
after its dataset); guessing would silently export the wrong thing, so it is refused and
the prefixes `queue:` and `dataset:` say which is meant.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from honing import datasets
from honing._errors import InvalidInput, NotFound
from honing.annotate import get_queue
from honing.quality import QueueData, load_queue_data, parse_period
from honing.storage import Adjudication, Dataset, DatasetVersion, Queue, QueueItem, Workspace


@dataclass
class Source:
    kind: str  # queue | dataset
    name: str
    dataset_ref: str  # DATASET@NUMBER the items come from
    version: DatasetVersion
    queue: Queue | None = None
    data: QueueData | None = None
    adjudications: dict[tuple[int, str], Any] = field(default_factory=dict)
    # item id -> the kinds it has in this queue (live, gold, qualification), plus gold and
    # qualification anywhere in the workspace
    item_kinds: dict[int, set[str]] = field(default_factory=dict)

    @property
    def rubric_ref(self) -> str | None:
        return self.data.rubric_ref if self.data else None

    def describe(self) -> str:
        return f"queue {self.name} ({self.dataset_ref})" if self.kind == "queue" else self.dataset_ref


def _dataset_exists(session: Session, workspace: Workspace, name: str) -> bool:
    return session.scalar(select(Dataset.id).where(Dataset.workspace_id == workspace.id,
                                                   Dataset.name == name)) is not None


def _queue_exists(session: Session, workspace: Workspace, name: str) -> bool:
    return session.scalar(select(Queue.id).where(Queue.workspace_id == workspace.id,
                                                 Queue.name == name)) is not None


def resolve_source(session: Session, workspace: Workspace, text: str) -> Source:
    """`queue:NAME`, `dataset:NAME[@V]`, or a bare name that is exactly one of the two."""
    prefix, sep, rest = text.partition(":")
    if sep and prefix in ("queue", "dataset"):
        return _queue_source(session, workspace, rest) if prefix == "queue" else \
            _dataset_source(session, workspace, rest)
    name = text.partition("@")[0]
    is_queue = "@" not in text and _queue_exists(session, workspace, name)
    is_dataset = _dataset_exists(session, workspace, name)
    if is_queue and is_dataset:
        raise InvalidInput(f"{text!r} names both queue {name!r} and dataset {name!r} in workspace "
                           f"{workspace.name!r}",
                           hint=f"write queue:{name} (its labels) or dataset:{text} (its items)")
    if is_queue:
        return _queue_source(session, workspace, name)
    if is_dataset:
        return _dataset_source(session, workspace, text)
    raise NotFound(f"{text!r} is neither a queue nor a dataset in workspace {workspace.name!r}",
                   hint="`honing queue list` and `honing dataset list` show what there is")


def _dataset_source(session: Session, workspace: Workspace, ref: str) -> Source:
    name, wanted = datasets.parse_ref(ref)
    version = datasets.resolve_version(session, datasets.get_dataset(session, workspace, name), wanted)
    return Source("dataset", name, f"{name}@{version.number}", version,
                  item_kinds=_gold_in_workspace(session, workspace))


def _queue_source(session: Session, workspace: Workspace, name: str) -> Source:
    queue = get_queue(session, workspace, name)
    version = session.get_one(DatasetVersion, queue.dataset_version_id)
    dataset = session.get_one(Dataset, version.dataset_id)
    data = load_queue_data(session, workspace, queue, parse_period("all"))
    adjudications: dict[tuple[int, str], Any] = {}
    # Ordered by id, so the newest decision on a question overwrites older ones.
    for qi, question, answer in session.execute(
            select(Adjudication.queue_item_id, Adjudication.question, Adjudication.answer)
            .where(Adjudication.queue_id == queue.id).order_by(Adjudication.id)):
        adjudications[(qi, question)] = answer
    # Gold anywhere in the workspace counts: an item that measures raters in another queue
    # is an answer key there too.
    kinds = _gold_in_workspace(session, workspace)
    for item_id, kind in session.execute(select(QueueItem.item_id, QueueItem.kind)
                                         .where(QueueItem.queue_id == queue.id)):
        kinds.setdefault(item_id, set()).add(kind)
    return Source("queue", name, f"{dataset.name}@{version.number}", version, queue=queue, data=data,
                  adjudications=adjudications, item_kinds=kinds)


def _gold_in_workspace(session: Session, workspace: Workspace) -> dict[int, set[str]]:
    """Items that any queue of the workspace uses as gold or qualification: reference
    answers, not training data, whichever dataset they are exported from."""
    rows = session.execute(select(QueueItem.item_id, QueueItem.kind).join(Queue, Queue.id == QueueItem.queue_id)
                           .where(Queue.workspace_id == workspace.id, QueueItem.kind != "live"))
    kinds: dict[int, set[str]] = {}
    for item_id, kind in rows:
        kinds.setdefault(item_id, set()).add(kind)
    return kinds


def dataset_item_ids(session: Session, source: Source) -> Iterator[int]:
    return datasets.version_item_ids(session, source.version)


def contaminated_items(session: Session, workspace: Workspace, source: Source,
                       suite_refs: list[str] | None = None) -> set[int]:
    """Items of the source that also appear in evaluation suites (by shared n-grams or as
    near duplicates): training on them would inflate every later evaluation."""
    from honing.datasets.contamination import find_contamination

    return set(find_contamination(session, workspace, source.dataset_ref, suite_refs=suite_refs).item_ids)
