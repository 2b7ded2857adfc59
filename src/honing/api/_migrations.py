"""Imports of other tools' exports with their labels (Label Studio, Argilla, Langfuse)."""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

import yaml
from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from pydantic import BaseModel

from honing import accounts
from honing._errors import InvalidInput
from honing.accounts import Permission
from honing.api._auth import DB, CurrentPrincipal
from honing.api._schemas import ERROR_RESPONSES
from honing.api._uploads import saved_upload

router = APIRouter(prefix="/api/workspaces/{workspace}", tags=["datasets"], responses=ERROR_RESPONSES)
_HINT = "import large exports with `honing import --format ...` on the server"


class MigrationOut(BaseModel):
    tool: str
    version: str
    version_created: bool
    items: int
    rubric: str
    questions_from: str
    queue: str
    queue_created: bool
    labels_added: int
    labels_already_there: int
    signals_added: int
    suggestions_added: int
    raters: dict[str, str]
    raters_created: list[str]
    warnings: list[str]


@router.post("/datasets/{dataset}/migrations", response_model=MigrationOut, status_code=201)
def import_migration(
    workspace: Annotated[str, Path(max_length=64)], dataset: Annotated[str, Path(max_length=64)],
    request: Request, principal: CurrentPrincipal, db: DB,
    file: Annotated[UploadFile, File(description="the tool's export (JSON or JSON Lines)")],
    format: Annotated[Literal["label-studio", "argilla", "langfuse"], Form()],
    config: Annotated[UploadFile | None, File(description=(
        "Label Studio's labeling config XML, or Argilla's settings JSON"))] = None,
    rater_map: Annotated[str | None, Form(description=(
        "a JSON object from each annotator, as the export names them, to a Honing username"))] = None,
    queue: Annotated[str | None, Form(max_length=64)] = None,
    rubric: Annotated[str | None, Form(max_length=64)] = None,
) -> MigrationOut:
    """Import the export with its labels: a dataset version, a rubric, a queue and the labels
    as submitted labels by raters mapped from the tool's annotators (new ones get rater
    accounts that cannot sign in). Makes members, so it takes the workspace's admin."""
    from honing.ingest import migrate  # the readers load only for this route

    with db.reading() as session:
        accounts.authorize(session, principal, workspace, Permission.administer)
    names = _rater_map(rater_map)
    limit = request.app.state.settings.max_upload_bytes
    with saved_upload(file, limit, hint=_HINT) as path:
        if config is None:
            result = migrate.import_migration(db, path, tool=format, workspace=workspace, dataset=dataset,
                                              actor=principal.audit_name, queue=queue, rubric=rubric,
                                              rater_map=names, source_name=FilePath(path).name)
        else:
            with saved_upload(config, limit, hint=_HINT) as config_path:
                result = migrate.import_migration(db, path, tool=format, workspace=workspace,
                                                  dataset=dataset, actor=principal.audit_name,
                                                  queue=queue, rubric=rubric, config=config_path,
                                                  rater_map=names, source_name=FilePath(path).name)
    return MigrationOut.model_validate(result.as_dict())


def _rater_map(text: str | None) -> dict[str, str]:
    if not text:
        return {}
    try:
        body: Any = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InvalidInput(f"rater_map is not JSON: {error}") from None
    if not isinstance(body, dict) or not all(isinstance(v, str) for v in body.values()):
        raise InvalidInput("rater_map must map each annotator to a Honing username",
                           hint='e.g. {"1": "alice"}')
    return {str(k): v for k, v in body.items()}
