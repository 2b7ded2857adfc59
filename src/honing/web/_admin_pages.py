"""The administrator's console: a workspace's members (roles and cohorts), its audit log
with a check of the hash chain, and every user's own API tokens.

The pages only read. Their forms send the changes to the REST API (static/admin.js), so a
change made in the browser is the very request a script would make, checked and audited
in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from honing import accounts, audit
from honing.accounts import Permission, Principal, Role
from honing.storage import AuditEvent, utcnow
from honing.web._pages import PagePrincipal, PageSession, _render

router = APIRouter(include_in_schema=False)
AUDIT_PAGE_SIZE = 50


@dataclass
class Member:
    username: str
    display_name: str
    role: Role
    cohort: str | None


@dataclass
class MembersPage:
    user: Principal
    workspace: Any
    members: list[Member]
    roles: tuple[Role, ...] = tuple(Role)


@router.get("/w/{workspace}/members", response_class=HTMLResponse)
def members(request: Request, workspace: str, principal: PagePrincipal, session: PageSession) -> HTMLResponse:
    ws = accounts.authorize(session, principal, workspace, Permission.administer)
    cohort_of = accounts.cohorts(session, ws)
    rows = [Member(u.username, u.display_name, role, cohort_of.get(u.id))
            for u, role in accounts.members(session, ws.name)]
    return _render(request, "members.html", MembersPage(principal, ws, rows))


@dataclass
class ChainCheck:
    """What "Verify chain" found, as this workspace's administrator may see it."""

    verification: audit.Verification
    # The first broken event, when it belongs to this workspace (or the caller is a site
    # admin): another workspace's events are not this administrator's to read.
    broken: AuditEvent | None = None


@dataclass
class AuditPage:
    user: Principal
    workspace: Any
    events: list[AuditEvent]
    action: str
    actor: str
    older: str | None
    newest: str | None
    check: ChainCheck | None


@router.get("/w/{workspace}/audit", response_class=HTMLResponse)
def audit_log(request: Request, workspace: str, principal: PagePrincipal, session: PageSession,
              action: Annotated[str, Query(max_length=64)] = "",
              actor: Annotated[str, Query(max_length=200)] = "",
              before: Annotated[int | None, Query(ge=1, le=2**62)] = None,
              verify: bool = False) -> HTMLResponse:
    ws = accounts.authorize(session, principal, workspace, Permission.administer)
    action, actor = action.strip(), actor.strip()
    rows = audit.browse(session, workspace=ws.name, action=action or None, actor=actor or None,
                        before=before, limit=AUDIT_PAGE_SIZE + 1)
    events = rows[:AUDIT_PAGE_SIZE]
    filters = {k: v for k, v in {"action": action, "actor": actor}.items() if v}
    older = f"?{urlencode({**filters, 'before': events[-1].id})}" if len(rows) > AUDIT_PAGE_SIZE else None
    newest = f"?{urlencode(filters)}" if before is not None else None
    check = _check_chain(session, principal, ws.name) if verify else None
    return _render(request, "audit.html", AuditPage(principal, ws, events, action, actor, older, newest, check))


def _check_chain(session: Any, principal: Principal, workspace: str) -> ChainCheck:
    result = audit.verify(session, workspace=workspace)
    broken = session.get(AuditEvent, result.broken_event_id) if result.broken_event_id else None
    if broken is not None and broken.workspace != workspace and not principal.is_site_admin:
        broken = None
    return ChainCheck(result, broken)


@dataclass
class Token:
    id: int
    name: str
    prefix: str
    created_at: Any
    expires_at: Any
    status: str  # active, expired or revoked
    ends_with_session: bool


@dataclass
class TokensPage:
    user: Principal
    tokens: list[Token]
    default_days: int
    max_days: int


@router.get("/account/tokens", response_class=HTMLResponse)
def tokens(request: Request, principal: PagePrincipal, session: PageSession) -> HTMLResponse:
    settings = request.app.state.settings
    now = utcnow()
    rows = [Token(t.id, t.name, t.prefix, t.created_at, t.expires_at, _status(t, now), t.session_id is not None)
            for t in reversed(accounts.list_tokens(session, principal.name))]
    return _render(request, "tokens.html", TokensPage(principal, rows, settings.token_default_days,
                                                      settings.token_max_days))


def _status(token: Any, now: Any) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at < now:
        return "expired"
    return "active"
