"""Datasets and their immutable, content-hashed versions with lineage."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from honing import audit
from honing._errors import Conflict, InvalidInput, NotFound
from honing._names import check_name, is_name
from honing.storage import (
    MAX_ROW_ID,
    Dataset,
    DatasetVersion,
    DatasetVersionItem,
    DatasetVersionParent,
    Workspace,
)


def version_hash(item_hashes: Iterable[str]) -> str:
    """A version's identity: its items' hashes in order."""
    digest = hashlib.sha256()
    for item_hash in item_hashes:
        digest.update(item_hash.encode())
        digest.update(b"\n")
    return digest.hexdigest()


@dataclass(frozen=True)
class VersionInfo:
    dataset: str
    number: int
    content_hash: str
    item_count: int
    operation: str
    parameters: dict[str, Any]
    actor: str
    created_at: datetime
    parents: list[str] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return f"{self.dataset}@{self.number}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "number": self.number,
            "ref": self.ref,
            "content_hash": self.content_hash,
            "item_count": self.item_count,
            "lineage": {
                "parents": self.parents,
                "operation": self.operation,
                "parameters": self.parameters,
                "actor": self.actor,
                "created_at": self.created_at.isoformat(),
            },
        }


def parse_ref(ref: str) -> tuple[str, str | None]:
    """'name' -> (name, None); 'name@3' -> (name, '3'); 'name@a1b2c3' -> hash prefix."""
    name, _, version = ref.partition("@")
    if not name or (_ and not version):
        raise InvalidInput(f"dataset reference {ref!r} is not valid",
                           hint="write DATASET or DATASET@VERSION, e.g. tickets@3")
    return name, version or None


def get_dataset(session: Session, workspace: Workspace, name: str) -> Dataset:
    dataset = session.scalar(select(Dataset).where(
        Dataset.workspace_id == workspace.id, Dataset.name == name)) if is_name(name) else None
    if dataset is None:
        raise NotFound(f"dataset {name!r} does not exist in workspace {workspace.name!r}",
                       hint="list datasets with `honing dataset list --workspace W`")
    return dataset


def get_or_create_dataset(session: Session, workspace: Workspace, name: str, *, actor: str) -> Dataset:
    check_name("dataset", name)
    dataset = session.scalar(select(Dataset).where(
        Dataset.workspace_id == workspace.id, Dataset.name == name))
    if dataset is None:
        dataset = Dataset(workspace_id=workspace.id, name=name)
        session.add(dataset)
        session.flush()
        audit.record(session, actor=actor, action="dataset.create",
                     target=f"dataset:{name}", workspace=workspace.name)
    return dataset


def list_datasets(session: Session, workspace: Workspace) -> list[tuple[Dataset, DatasetVersion | None]]:
    """Each dataset with its newest version."""
    head = (select(DatasetVersion.dataset_id, func.max(DatasetVersion.number).label("n"))
            .group_by(DatasetVersion.dataset_id).subquery())
    rows = session.execute(
        select(Dataset, DatasetVersion)
        .outerjoin(head, head.c.dataset_id == Dataset.id)
        .outerjoin(DatasetVersion, (DatasetVersion.dataset_id == Dataset.id)
                   & (DatasetVersion.number == head.c.n))
        .where(Dataset.workspace_id == workspace.id).order_by(Dataset.name)
    )
    return list(rows)


def head_version(session: Session, dataset: Dataset) -> DatasetVersion | None:
    return session.scalar(select(DatasetVersion).where(DatasetVersion.dataset_id == dataset.id)
                          .order_by(DatasetVersion.number.desc()).limit(1))


def resolve_version(session: Session, dataset: Dataset, version: str | int | None) -> DatasetVersion:
    """The newest version, a version number, or a unique content-hash prefix (>= 6 chars)."""
    if version is None:
        found = head_version(session, dataset)
        if found is None:
            raise NotFound(f"dataset {dataset.name!r} has no versions yet",
                           hint="import data with `honing import FILE --workspace W --dataset D`")
        return found
    text = str(version)
    query = select(DatasetVersion).where(DatasetVersion.dataset_id == dataset.id)
    if text.isascii() and text.removeprefix("-").isdigit():
        # No version is numbered below 1 or beyond what the database holds (SQLite cannot
        # even bind such a number): those are simply not found.
        number = int(text)
        found = session.scalar(query.where(DatasetVersion.number == number)) if 1 <= number <= MAX_ROW_ID else None
    elif len(text) >= 6 and all(c in "0123456789abcdef" for c in text):
        matches = list(session.scalars(query.where(DatasetVersion.content_hash.startswith(text))))
        found = matches[0] if len(matches) == 1 else None
    else:
        raise InvalidInput(f"version {text!r} is not a version number or hash prefix")
    if found is None:
        raise NotFound(f"dataset {dataset.name!r} has no version {text!r}",
                       hint=f"list versions with `honing dataset versions {dataset.name}`")
    return found


def list_versions(session: Session, dataset: Dataset) -> list[VersionInfo]:
    versions = list(session.scalars(select(DatasetVersion).where(
        DatasetVersion.dataset_id == dataset.id).order_by(DatasetVersion.number)))
    return [version_info(session, dataset, v) for v in versions]


def version_info(session: Session, dataset: Dataset, version: DatasetVersion) -> VersionInfo:
    parents = session.execute(
        select(Dataset.name, DatasetVersion.number)
        .join(DatasetVersion, DatasetVersion.dataset_id == Dataset.id)
        .join(DatasetVersionParent, DatasetVersionParent.parent_id == DatasetVersion.id)
        .where(DatasetVersionParent.version_id == version.id)
        .order_by(Dataset.name, DatasetVersion.number)
    )
    return VersionInfo(
        dataset=dataset.name, number=version.number, content_hash=version.content_hash,
        item_count=version.item_count, operation=version.operation,
        parameters=version.parameters, actor=version.actor, created_at=version.created_at,
        parents=[f"{name}@{number}" for name, number in parents],
    )


def version_item_ids(session: Session, version: DatasetVersion, batch: int = 1000) -> Iterator[int]:
    """Item ids in position order, read in keyset pages so memory stays flat."""
    position = -1
    while True:
        rows = session.execute(
            select(DatasetVersionItem.position, DatasetVersionItem.item_id)
            .where(DatasetVersionItem.version_id == version.id,
                   DatasetVersionItem.position > position)
            .order_by(DatasetVersionItem.position).limit(batch)
        ).all()
        if not rows:
            return
        for position, item_id in rows:  # noqa: B007 (position feeds the next page)
            yield item_id


def add_version(
    session: Session,
    dataset: Dataset,
    *,
    content_hash: str,
    item_count: int,
    operation: str,
    parameters: dict[str, Any],
    actor: str,
    parents: list[DatasetVersion],
) -> DatasetVersion:
    """A new head version. Its items are added by the caller with `add_version_items`."""
    number = (session.scalar(select(func.max(DatasetVersion.number))
                             .where(DatasetVersion.dataset_id == dataset.id)) or 0) + 1
    version = DatasetVersion(dataset_id=dataset.id, number=number, content_hash=content_hash,
                             item_count=item_count, operation=operation, parameters=parameters,
                             actor=actor)
    session.add(version)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"dataset {dataset.name!r} got a new version while this one was written",
                       hint="run the command again") from None
    for parent in parents:
        session.add(DatasetVersionParent(version_id=version.id, parent_id=parent.id))
    return version


def add_version_items(session: Session, version: DatasetVersion, start: int, item_ids: list[int]) -> None:
    session.execute(DatasetVersionItem.__table__.insert(), [
        {"version_id": version.id, "position": start + offset, "item_id": item_id}
        for offset, item_id in enumerate(item_ids)
    ])
