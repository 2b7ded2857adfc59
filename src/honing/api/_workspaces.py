"""Workspaces, members, the caller's identity and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from honing import accounts, audit
from honing._errors import Forbidden
from honing.accounts import Permission, Role
from honing.api._auth import DB, CurrentPrincipal, ReadSession, forget_recent
from honing.api._schemas import (
    ERROR_RESPONSES,
    AuditEventOut,
    AuditVerifyOut,
    Me,
    MemberIn,
    MemberOut,
    WorkspaceIn,
    WorkspaceOut,
)

router = APIRouter(prefix="/api", tags=["workspaces"], responses=ERROR_RESPONSES)
WorkspaceName = Annotated[str, Path(max_length=64)]
Username = Annotated[str, Path(max_length=64)]


@router.get("/me", response_model=Me)
def me(principal: CurrentPrincipal) -> Me:
    return Me(username=principal.name, site_admin=principal.is_site_admin)


@router.get("/workspaces", response_model=list[WorkspaceOut])
def list_workspaces(principal: CurrentPrincipal, session: ReadSession) -> list[WorkspaceOut]:
    return [
        WorkspaceOut(name=w.name, title=w.title, created_at=w.created_at,
                     role=accounts.role_in(session, principal, w))
        for w in accounts.list_workspaces(session, principal)
    ]


@router.post("/workspaces", response_model=WorkspaceOut, status_code=201)
def create_workspace(body: WorkspaceIn, principal: CurrentPrincipal, db: DB) -> WorkspaceOut:
    if not principal.is_site_admin:
        raise Forbidden("only site administrators may create workspaces")
    with db.writing() as session:
        w = accounts.create_workspace(session, principal, body.name, body.title)
        return WorkspaceOut(name=w.name, title=w.title, created_at=w.created_at, role=Role.admin)


@router.get("/workspaces/{workspace}", response_model=WorkspaceOut)
def get_workspace(workspace: WorkspaceName, principal: CurrentPrincipal, session: ReadSession) -> WorkspaceOut:
    # Any member may see the workspace itself and their role in it; its data is another matter.
    w = accounts.authorize(session, principal, workspace, Permission.enter)
    return WorkspaceOut(name=w.name, title=w.title, created_at=w.created_at,
                        role=accounts.role_in(session, principal, w))


@router.get("/workspaces/{workspace}/members", response_model=list[MemberOut])
def list_members(workspace: WorkspaceName, principal: CurrentPrincipal, session: ReadSession) -> list[MemberOut]:
    ws = accounts.authorize(session, principal, workspace, Permission.administer)
    cohort_of = accounts.cohorts(session, ws)
    return [MemberOut(username=u.username, display_name=u.display_name, role=role, cohort=cohort_of.get(u.id))
            for u, role in accounts.members(session, workspace)]


@router.put("/workspaces/{workspace}/members/{username}", response_model=MemberOut)
def set_member(workspace: WorkspaceName, username: Username, body: MemberIn,
               principal: CurrentPrincipal, db: DB, request: Request) -> MemberOut:
    with db.writing() as session:
        accounts.authorize(session, principal, workspace, Permission.administer)
        membership = accounts.set_role(session, principal, workspace, username, body.role, cohort=body.cohort)
        user = accounts.get_user(session, username)
        out = MemberOut(username=user.username, display_name=user.display_name, role=body.role,
                        cohort=membership.cohort)
    forget_recent(request)
    return out


@router.delete("/workspaces/{workspace}/members/{username}", status_code=204)
def remove_member(workspace: WorkspaceName, username: Username, principal: CurrentPrincipal, db: DB,
                  request: Request) -> Response:
    with db.writing() as session:
        accounts.authorize(session, principal, workspace, Permission.administer)
        accounts.remove_member(session, principal, workspace, username)
    forget_recent(request)
    return Response(status_code=204)


@router.get("/workspaces/{workspace}/audit", response_model=list[AuditEventOut])
def workspace_audit(workspace: WorkspaceName, principal: CurrentPrincipal, session: ReadSession,
                    limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[AuditEventOut]:
    accounts.authorize(session, principal, workspace, Permission.administer)
    return [AuditEventOut.model_validate(e, from_attributes=True)
            for e in audit.recent(session, workspace=workspace, limit=limit)]


@router.get("/audit/verify", response_model=AuditVerifyOut)
def verify_audit(principal: CurrentPrincipal, session: ReadSession) -> AuditVerifyOut:
    if not principal.is_site_admin:
        raise Forbidden("only site administrators may verify the whole audit chain")
    result = audit.verify(session)
    return AuditVerifyOut(ok=result.ok, checked=result.checked,
                          broken_event_id=result.broken_event_id, reason=result.reason)
