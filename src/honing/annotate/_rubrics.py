"""Rubric versions in storage: push YAML, resolve NAME[@VERSION], load the model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from honing import audit
from honing._errors import InvalidInput, NotFound
from honing._names import check_name, is_name
from honing.rubrics import Rubric, parse_rubric
from honing.storage import Rubric as RubricRow
from honing.storage import RubricVersion, Workspace
from honing.storage._immutable import ImmutableCache


@dataclass(frozen=True)
class PushResult:
    created: bool
    name: str
    number: int
    content_hash: str

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.number}"


def push_rubric(session: Session, workspace: Workspace, text: str, *, source: str,
                actor: str) -> PushResult:
    """Store the rubric as a new immutable version, unless its content equals the newest."""
    rubric = parse_rubric(text, source=source)
    check_name("rubric", rubric.name)
    row = session.scalar(select(RubricRow).where(RubricRow.workspace_id == workspace.id,
                                                 RubricRow.name == rubric.name))
    if row is None:
        row = RubricRow(workspace_id=workspace.id, name=rubric.name)
        session.add(row)
        session.flush()
    content_hash = rubric.content_hash()
    newest = session.scalar(select(RubricVersion).where(RubricVersion.rubric_id == row.id)
                            .order_by(RubricVersion.number.desc()).limit(1))
    if newest is not None and newest.content_hash == content_hash:
        return PushResult(False, rubric.name, newest.number, content_hash)
    number = (newest.number if newest else 0) + 1
    session.add(RubricVersion(rubric_id=row.id, number=number, content_hash=content_hash,
                              spec=rubric.model_dump(mode="json"), source=text, actor=actor))
    session.flush()
    audit.record(session, actor=actor, action="rubric.push", target=f"rubric:{rubric.name}@{number}",
                 workspace=workspace.name, details={"content_hash": content_hash, "file": source})
    return PushResult(True, rubric.name, number, content_hash)


def resolve_rubric_version(session: Session, workspace: Workspace, ref: str) -> RubricVersion:
    name, _, number = ref.partition("@")
    row = session.scalar(select(RubricRow).where(RubricRow.workspace_id == workspace.id,
                                                 RubricRow.name == name)) if is_name(name) else None
    if row is None:
        raise NotFound(f"rubric {name!r} does not exist in workspace {workspace.name!r}",
                       hint="push it with `honing rubric push FILE --workspace W`")
    query = select(RubricVersion).where(RubricVersion.rubric_id == row.id)
    if number:
        if not number.isdigit():
            raise InvalidInput(f"rubric version {number!r} is not a number")
        version = session.scalar(query.where(RubricVersion.number == int(number)))
    else:
        version = session.scalar(query.order_by(RubricVersion.number.desc()).limit(1))
    if version is None:
        raise NotFound(f"rubric {name!r} has no version {number or '(none)'}")
    return version


def list_rubric_versions(session: Session, workspace: Workspace) -> list[tuple[str, RubricVersion]]:
    rows = session.execute(select(RubricRow.name, RubricVersion)
                           .join(RubricVersion, RubricVersion.rubric_id == RubricRow.id)
                           .where(RubricRow.workspace_id == workspace.id)
                           .order_by(RubricRow.name, RubricVersion.number))
    return [(name, version) for name, version in rows]


@dataclass(frozen=True)
class LoadedRubric:
    number: int
    rubric: Rubric
    document: dict[str, Any]  # what raters receive, serialized once per version


# Versions are immutable, so each is parsed and serialized once per process.
_VERSIONS: ImmutableCache[LoadedRubric] = ImmutableCache(size=128)


def loaded_rubric(session: Session, rubric_version_id: int) -> LoadedRubric:
    def load() -> LoadedRubric:
        row = session.get(RubricVersion, rubric_version_id)
        if row is None:
            raise NotFound(f"rubric version {rubric_version_id} does not exist")
        rubric = Rubric.model_validate(row.spec)
        return LoadedRubric(row.number, rubric, rubric.model_dump(mode="json"))

    return _VERSIONS.get(session, rubric_version_id, load)


def load_rubric(session: Session, rubric_version_id: int) -> Rubric:
    return loaded_rubric(session, rubric_version_id).rubric
