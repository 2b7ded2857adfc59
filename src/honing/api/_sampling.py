"""Draw a design-based sample into a new dataset version (and a review queue): the API of
`honing sample`, for leads."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from honing import accounts, sampling
from honing._errors import InvalidInput
from honing.accounts import Permission
from honing.api._auth import DB, CurrentPrincipal
from honing.api._schemas import ERROR_RESPONSES

router = APIRouter(prefix="/api/workspaces/{workspace}", tags=["sampling"], responses=ERROR_RESPONSES)
WorkspaceName = Annotated[str, Path(max_length=64)]


class SampleRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: str = Field(max_length=200, examples=["traffic@3"])
    into: str = Field(max_length=128, examples=["review"])
    queue: str | None = Field(default=None, max_length=64)
    design: dict[str, Any] = Field(
        examples=[{"kind": "priority", "size": 200, "seed": 1},
                  {"kind": "stratified", "size": 100, "stratify_by": "intent", "allocation": "neyman"}],
        description="The design's settings, as `honing sample` takes them: kind (random, stratified, "
        "priority, novelty), size, seed, stratify_by, allocation, budgets, neyman_sd, dedup, "
        "dedup_threshold, weights, slow_ms, score_field, low_score, novelty_field, novelty_floor.")


@router.post("/samples", status_code=201)
def post_sample(workspace: WorkspaceName, body: SampleRequest, principal: CurrentPrincipal,
                db: DB) -> dict[str, Any]:
    """Draw the design from `source` into a new version of `into`; each drawn item's
    inclusion probability is recorded, and with `queue` the items join that queue."""
    try:
        design = sampling.Design(**body.design)
    except TypeError as error:
        raise InvalidInput(f"the design is not valid: {error}".replace("Design.__init__() ", ""),
                           hint=f"design settings: {', '.join(sampling.Design.__dataclass_fields__)}") from None
    with db.writing() as session:
        ws = accounts.authorize(session, principal, workspace, Permission.manage)
        result = sampling.sample(session, ws, body.source, body.into, design, actor=principal.audit_name,
                                 queue=body.queue)
        return result.as_dict()
