"""Datasets, versions, items and imports."""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile

from honing import accounts, datasets, ingest
from honing._errors import InvalidInput
from honing.accounts import Permission
from honing.api._auth import DB, CurrentPrincipal, ReadSession
from honing.api._ids import PathId
from honing.api._schemas import (
    ERROR_RESPONSES,
    DatasetOut,
    ImportOut,
    ItemOut,
    ItemPageOut,
    VersionOut,
)
from honing.api._uploads import saved_upload

router = APIRouter(prefix="/api/workspaces/{workspace}", tags=["datasets"], responses=ERROR_RESPONSES)
WorkspaceName = Annotated[str, Path(max_length=64)]
DatasetName = Annotated[str, Path(max_length=64)]
VersionRef = Annotated[str, Path(max_length=64, description="a number, a hash prefix or 'latest'")]
ItemId = PathId


def _version_out(info: datasets.VersionInfo) -> VersionOut:
    return VersionOut.model_validate(info.as_dict())


def _resolve(session, workspace: str, dataset: str, version: str | None, principal):  # type: ignore[no-untyped-def]
    ws = accounts.authorize(session, principal, workspace, Permission.read)
    ds = datasets.get_dataset(session, ws, dataset)
    v = datasets.resolve_version(session, ds, None if version in (None, "latest") else version)
    return ws, ds, v


@router.get("/datasets", response_model=list[DatasetOut])
def list_datasets(workspace: WorkspaceName, principal: CurrentPrincipal, session: ReadSession) -> list[DatasetOut]:
    ws = accounts.authorize(session, principal, workspace, Permission.read)
    return [
        DatasetOut(name=d.name, description=d.description, created_at=d.created_at,
                   head=_version_out(datasets.version_info(session, d, v)) if v else None)
        for d, v in datasets.list_datasets(session, ws)
    ]


@router.get("/datasets/{dataset}", response_model=DatasetOut)
def get_dataset(workspace: WorkspaceName, dataset: DatasetName, principal: CurrentPrincipal,
                session: ReadSession) -> DatasetOut:
    ws = accounts.authorize(session, principal, workspace, Permission.read)
    d = datasets.get_dataset(session, ws, dataset)
    head = datasets.head_version(session, d)
    return DatasetOut(name=d.name, description=d.description, created_at=d.created_at,
                      head=_version_out(datasets.version_info(session, d, head)) if head else None)


@router.get("/datasets/{dataset}/versions", response_model=list[VersionOut])
def list_versions(workspace: WorkspaceName, dataset: DatasetName, principal: CurrentPrincipal,
                  session: ReadSession) -> list[VersionOut]:
    ws = accounts.authorize(session, principal, workspace, Permission.read)
    return [_version_out(v) for v in datasets.list_versions(session, datasets.get_dataset(session, ws, dataset))]


@router.get("/datasets/{dataset}/versions/{version}", response_model=VersionOut)
def get_version(workspace: WorkspaceName, dataset: DatasetName, version: VersionRef,
                principal: CurrentPrincipal, session: ReadSession) -> VersionOut:
    _, ds, v = _resolve(session, workspace, dataset, version, principal)
    return _version_out(datasets.version_info(session, ds, v))


@router.get("/datasets/{dataset}/versions/{version}/items", response_model=ItemPageOut)
def list_items(
    workspace: WorkspaceName, dataset: DatasetName, version: VersionRef,
    principal: CurrentPrincipal, session: ReadSession,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
    limit: Annotated[int, Query(ge=1, le=datasets._query.MAX_PAGE)] = 50,
    meta: Annotated[list[str], Query(description="metadata filter KEY:VALUE, repeatable")] = [],  # noqa: B006
) -> ItemPageOut:
    _, ds, v = _resolve(session, workspace, dataset, version, principal)
    page = datasets.item_page(session, v, offset=offset, limit=limit, filters=parse_filters(meta))
    return ItemPageOut(version=f"{ds.name}@{v.number}", total=page.total, offset=offset, limit=limit,
                       items=[ItemOut(position=p, **s.as_dict()) for p, s in page.items])


@router.get("/items/{item_id}", response_model=ItemOut)
def get_item(workspace: WorkspaceName, item_id: ItemId, principal: CurrentPrincipal,
             session: ReadSession) -> ItemOut:
    ws = accounts.authorize(session, principal, workspace, Permission.read)
    return ItemOut(**datasets.get_item(session, ws, item_id).as_dict())


@router.post("/datasets/{dataset}/imports", response_model=ImportOut, status_code=201)
def import_file(
    workspace: WorkspaceName, dataset: DatasetName, request: Request,
    principal: CurrentPrincipal, db: DB,
    file: Annotated[UploadFile, File(description="JSONL, CSV or Parquet")],
    format: Annotated[Literal["jsonl", "csv", "parquet"] | None, Form()] = None,
    mode: Annotated[Literal["replace", "append"], Form()] = "replace",
    mapping: Annotated[list[str], Form(description="FIELD=COLUMN, repeatable")] = [],  # noqa: B006
) -> ImportOut:
    with db.reading() as session:
        accounts.authorize(session, principal, workspace, Permission.manage)
    name = FilePath(file.filename or "upload").name
    with saved_upload(file, request.app.state.settings.max_upload_bytes,
                      hint="import large files with `honing import` on the server") as path:
        result = ingest.import_file(db, path, workspace=workspace, dataset=dataset,
                                    actor=principal.audit_name, fmt=format, mode=mode,
                                    mapping=ingest.parse_mapping(mapping), source_name=name)
    return ImportOut.model_validate(result.as_dict())


def parse_filters(values: list[str]) -> dict[str, str]:
    filters = {}
    for value in values:
        key, sep, wanted = value.partition(":")
        if not sep or not key:
            raise InvalidInput(f"metadata filter {value!r} is not KEY:VALUE")
        filters[key] = wanted
    return filters

