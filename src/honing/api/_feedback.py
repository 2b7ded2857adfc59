"""Feedback signals on items: an application posts its users' thumbs, ratings, comments and
corrected answers; readers of the workspace list them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path

from honing import accounts, feedback
from honing._errors import InvalidInput
from honing.accounts import Permission
from honing.api._auth import DB, CurrentPrincipal, ReadSession
from honing.api._ids import PathId
from honing.api._schemas import ERROR_RESPONSES

router = APIRouter(prefix="/api/workspaces/{workspace}", tags=["feedback"],
                   responses=ERROR_RESPONSES)
WorkspaceName = Annotated[str, Path(max_length=64)]
MAX_SIGNALS = 1000  # per request

_EXAMPLE = [{"kind": "thumbs", "value": -1, "external_id": "fb-1042", "author": "user-77"},
            {"kind": "rating", "value": 2, "scale": 5},
            {"kind": "correction", "text": "The refund window is 30 days, not 14."}]


@router.post("/items/{item_id}/signals", status_code=201)
def post_signals(workspace: WorkspaceName, item_id: PathId, principal: CurrentPrincipal, db: DB,
                 body: Annotated[Any, Body(examples=[_EXAMPLE])]) -> dict[str, Any]:
    """One signal (an object) or several (a list). A signal whose `external_id` was already
    stored for its source is skipped, so a retry adds nothing; `stored` counts new ones."""
    with db.writing() as session:
        ws = accounts.authorize(session, principal, workspace, Permission.manage)
        items = body if isinstance(body, list) else [body]
        if len(items) > MAX_SIGNALS:
            raise InvalidInput(f"at most {MAX_SIGNALS} signals per request, got {len(items)}")
        signals = [feedback.parse_signal(data, where=f"signal {n}" if isinstance(body, list)
                                         else "signal") for n, data in enumerate(items, 1)]
        stored = feedback.record_signals(session, ws, item_id, signals)
        return {"stored": len(stored), "skipped": len(signals) - len(stored),
                "signals": [s.as_dict() for s in stored]}


@router.get("/items/{item_id}/signals")
def get_signals(workspace: WorkspaceName, item_id: PathId, principal: CurrentPrincipal,
                session: ReadSession) -> list[dict[str, Any]]:
    ws = accounts.authorize(session, principal, workspace, Permission.read)
    feedback.check_item(session, ws, item_id)  # 404 for an item of another workspace
    return [s.as_dict() for s in feedback.item_signals(session, item_id)]
