"""Workspaces, users and their roles in workspaces."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from honing import audit
from honing._errors import Conflict, Forbidden, InvalidInput, NotFound
from honing._names import check_name, is_name
from honing.accounts._passwords import hash_password
from honing.accounts._roles import Permission, Role, roles_that_can
from honing.storage import Membership, User, Workspace

MIN_PASSWORD_LENGTH = 10


@dataclass(frozen=True)
class Principal:
    """Who is acting: a signed-in user, or the local operator at the command line."""

    name: str
    user_id: int | None = None
    is_site_admin: bool = False

    @property
    def audit_name(self) -> str:
        return self.name if self.user_id is None else f"user:{self.name}"


def create_workspace(session: Session, actor: Principal, name: str, title: str | None = None) -> Workspace:
    check_name("workspace", name)
    if session.scalar(select(Workspace.id).where(Workspace.name == name)) is not None:
        raise Conflict(f"workspace {name!r} already exists")
    workspace = Workspace(name=name, title=title or name)
    session.add(workspace)
    session.flush()
    audit.record(session, actor=actor.audit_name, action="workspace.create",
                 target=f"workspace:{name}", workspace=name, details={"title": workspace.title})
    if actor.user_id is not None:
        # Whoever creates a workspace administers it.
        set_role(session, actor, name, actor.name, Role.admin)
    return workspace


def get_workspace(session: Session, name: str) -> Workspace:
    # A string that is not a valid name cannot name anything; don't send it to SQL.
    workspace = session.scalar(select(Workspace).where(Workspace.name == name)) if is_name(name) else None
    if workspace is None:
        raise NotFound(f"workspace {name!r} does not exist",
                       hint="list workspaces with `honing workspace list`")
    return workspace


def list_workspaces(session: Session, principal: Principal | None = None) -> list[Workspace]:
    """All workspaces for the operator and site admins; a user's own otherwise."""
    return list(session.scalars(_visible(select(Workspace), principal)))


def workspace_names(session: Session, principal: Principal, limit: int | None = None) -> list[str]:
    """The names `list_workspaces` would list, without loading the workspaces: a caller
    that names no workspace is asked this on every request (OTLP exporters)."""
    return list(session.scalars(_visible(select(Workspace.name), principal).limit(limit)))


def _visible(query: Select[Any], principal: Principal | None) -> Select[Any]:
    query = query.order_by(Workspace.name)
    if principal is not None and principal.user_id is not None and not principal.is_site_admin:
        query = query.join(Membership, Membership.workspace_id == Workspace.id).where(
            Membership.user_id == principal.user_id
        )
    return query


def create_user(
    session: Session,
    actor: Principal,
    username: str,
    password: str | None = None,
    *,
    display_name: str | None = None,
    site_admin: bool = False,
    password_hash: str | None = None,
) -> User:
    """`password_hash` (from `hash_new_password`) instead of `password` lets a server hash
    before it opens the transaction: scrypt takes a tenth of a second or more, too long to hold
    the database's write lock for."""
    check_name("user", username)
    if (password is None) == (password_hash is None):
        raise ValueError("give create_user a password or a password_hash, not both")
    if password_hash is None:
        password_hash = hash_new_password(username, password or "")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"user {username!r} already exists")
    user = User(username=username, display_name=display_name or username,
                password_hash=password_hash, is_site_admin=site_admin)
    session.add(user)
    session.flush()
    audit.record(session, actor=actor.audit_name, action="user.create", target=f"user:{username}",
                 details={"site_admin": site_admin})
    return user


def hash_new_password(username: str, password: str) -> str:
    """The stored form of a new password, once it is long enough."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"password for {username!r} is too short",
                           hint=f"use at least {MIN_PASSWORD_LENGTH} characters")
    return hash_password(password)


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username)) if is_name(username) else None
    if user is None:
        raise NotFound(f"user {username!r} does not exist")
    return user


def set_role(session: Session, actor: Principal, workspace: str, username: str, role: Role | str,
             *, cohort: str | None = None) -> Membership:
    """Give a user a role in a workspace; `cohort` (a team or vendor name) is kept unless a
    new one is given ("" clears it)."""
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput(f"role {role!r} is not a role",
                           hint="use one of: " + ", ".join(r.value for r in Role)) from None
    if cohort is not None and len(cohort.strip()) > 64:
        raise InvalidInput("a cohort name has at most 64 characters")
    ws = get_workspace(session, workspace)
    user = get_user(session, username)
    membership = session.scalar(select(Membership).where(
        Membership.workspace_id == ws.id, Membership.user_id == user.id))
    previous = membership.role if membership else None
    if membership is None:
        membership = Membership(workspace_id=ws.id, user_id=user.id, role=role.value)
        session.add(membership)
    else:
        membership.role = role.value
    if cohort is not None:
        membership.cohort = cohort.strip() or None
    session.flush()
    details: dict[str, Any] = {"role": role.value, "previous": previous}
    if cohort is not None:
        details["cohort"] = membership.cohort
    audit.record(session, actor=actor.audit_name, action="membership.set",
                 target=f"user:{username}", workspace=workspace, details=details)
    return membership


def remove_member(session: Session, actor: Principal, workspace: str, username: str) -> None:
    ws = get_workspace(session, workspace)
    user = get_user(session, username)
    membership = session.scalar(select(Membership).where(
        Membership.workspace_id == ws.id, Membership.user_id == user.id))
    if membership is None:
        raise NotFound(f"user {username!r} is not a member of workspace {workspace!r}")
    session.delete(membership)
    audit.record(session, actor=actor.audit_name, action="membership.remove",
                 target=f"user:{username}", workspace=workspace, details={"role": membership.role})


def members(session: Session, workspace: str) -> list[tuple[User, Role]]:
    ws = get_workspace(session, workspace)
    rows = session.execute(
        select(User, Membership.role).join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == ws.id).order_by(User.username)
    )
    return [(user, Role(role)) for user, role in rows]


def cohorts(session: Session, workspace: Workspace) -> dict[int, str | None]:
    """Each member's cohort (team or vendor) by user id."""
    return dict(session.execute(select(Membership.user_id, Membership.cohort).where(
        Membership.workspace_id == workspace.id)).all())


def role_in(session: Session, principal: Principal, workspace: Workspace) -> Role | None:
    if principal.is_site_admin or principal.user_id is None:
        return Role.admin
    role = session.scalar(select(Membership.role).where(
        Membership.workspace_id == workspace.id, Membership.user_id == principal.user_id))
    return Role(role) if role else None


def authorize(session: Session, principal: Principal, workspace: str, needed: Role | Permission) -> Workspace:
    """The workspace, if the principal's role there has the permission `needed` (or, given
    a role, everything that role may do); 404 if not a member at all (so outsiders cannot
    probe which workspaces exist), 403 if the role may not. One query: every request of
    every rater goes through here."""
    row = session.execute(
        select(Workspace, Membership.role).outerjoin(
            Membership, (Membership.workspace_id == Workspace.id)
            & (Membership.user_id == principal.user_id))
        .where(Workspace.name == workspace)
    ).first() if is_name(workspace) else None
    if row is None:
        raise _no_workspace(workspace)
    ws, role_name = row
    _check_role(ws, principal, Role(role_name) if role_name else None, needed)
    return ws


@dataclass(frozen=True)
class WorkspaceAccess:
    """A workspace and the role of each of its members, read at once. A server that caches
    this for a few seconds authorizes a crowd of raters with one query, not one each."""

    workspace: Workspace
    roles: dict[int, Role]

    def authorize(self, principal: Principal, needed: Role | Permission) -> Workspace:
        """As `authorize`, against this snapshot."""
        role = self.roles.get(principal.user_id) if principal.user_id is not None else None
        _check_role(self.workspace, principal, role, needed)
        return self.workspace


def workspace_access(session: Session, workspace: str) -> WorkspaceAccess:
    """The workspace, detached from the session, and every member's role: one query."""
    rows = session.execute(
        select(Workspace, Membership.user_id, Membership.role)
        .outerjoin(Membership, Membership.workspace_id == Workspace.id)
        .where(Workspace.name == workspace)
    ).all() if is_name(workspace) else []
    if not rows:
        raise _no_workspace(workspace)
    ws = rows[0][0]
    session.expunge(ws)
    return WorkspaceAccess(ws, {user_id: Role(role) for _, user_id, role in rows if user_id is not None})


def _no_workspace(name: str) -> NotFound:
    return NotFound(f"workspace {name!r} does not exist", hint="list workspaces with `honing workspace list`")


def _check_role(ws: Workspace, principal: Principal, role: Role | None, needed: Role | Permission) -> None:
    if principal.is_site_admin or principal.user_id is None:
        role = Role.admin
    if role is None:
        raise NotFound(f"workspace {ws.name!r} does not exist")
    if role.allows(needed) if isinstance(needed, Role) else role.can(needed):
        return
    message = f"this needs {_roles_phrase(needed)} in workspace {ws.name!r}; you are {role.value}"
    if role is Role.rater and Permission.read in _wanted(needed):
        message += "; raters see items through their assignments"
    raise Forbidden(message)


def _roles_phrase(needed: Role | Permission) -> str:
    """'the admin role', 'the lead role (or admin)', 'the viewer role (or reviewer, lead or admin)'."""
    first, *others = [r.value for r in roles_that_can(needed)]
    if not others:
        return f"the {first} role"
    alternatives = others[0] if len(others) == 1 else f"{', '.join(others[:-1])} or {others[-1]}"
    return f"the {first} role (or {alternatives})"


def _wanted(needed: Role | Permission) -> frozenset[Permission]:
    return needed.permissions if isinstance(needed, Role) else frozenset({needed})
