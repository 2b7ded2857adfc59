"""The escalations page of a queue: every escalation with links to its item, its
assignment and the item's labels, filtered by status and "assigned to me", with forms to
assign, resolve and reopen (they post to the API with the browser's CSRF header)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from honing import accounts, annotate
from honing.accounts import Principal, Role
from honing.web._pages import PagePrincipal, PageSession, _render

router = APIRouter(include_in_schema=False)


@dataclass
class EscalationsPage:
    user: Principal
    workspace: Any
    queue: Any
    manages: bool  # a lead or admin: assigns, reopens, resolves any of them
    rows: list[tuple[annotate.EscalationView, bool]]  # with: the caller may resolve it
    status: str | None
    mine: bool
    members: list[str]
    outcomes: dict[str, str]


@router.get("/w/{workspace}/queues/{queue}/escalations", response_class=HTMLResponse)
def escalations(request: Request, workspace: str, queue: str, principal: PagePrincipal,
                session: PageSession, status: str | None = None,
                assigned_to: str | None = None) -> HTMLResponse:
    ws = accounts.authorize(session, principal, workspace, Role.reviewer)
    q = annotate.get_queue(session, ws, queue)
    role = accounts.role_in(session, principal, ws)
    status = status or None  # the filter form sends "" for "any status"
    mine = assigned_to == "me"
    views = annotate.list_escalations(
        session, q, ws.name, status=status,
        assignee_id=annotate.assignee_scope(session, principal, role, ws.name, "me" if mine else None))
    return _render(request, "escalations.html", EscalationsPage(
        principal, ws, q, role.allows(Role.lead),
        [(v, annotate.may_act_on(role, principal, v.escalation)) for v in views], status, mine,
        sorted(annotate.assignable_members(session, ws.name)), annotate.ESCALATION_OUTCOMES))
