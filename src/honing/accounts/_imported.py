"""Raters who labeled in another tool, as Honing users.

An annotator who already has an account keeps it. One who does not gets a rater account
with no password: it owns the imported labels (so agreement and scorecards name them) but
cannot sign in until a site administrator sets a password
(`POST /api/users/{username}/password`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from honing import audit
from honing._names import check_name
from honing.accounts._roles import Role
from honing.storage import Membership, User, Workspace


def ensure_rater(session: Session, workspace: Workspace, username: str, *, display_name: str,
                 actor: str) -> tuple[int, bool]:
    """The user id for `username`, made a member of the workspace (as rater) when not one
    yet; True when the account was created here."""
    check_name("user", username)
    user = session.scalar(select(User).where(User.username == username))
    created = user is None
    if user is None:
        user = User(username=username, display_name=display_name[:200] or username,
                    password_hash=None, is_site_admin=False)
        session.add(user)
        session.flush()
        audit.record(session, actor=actor, action="user.create", target=f"user:{username}",
                     details={"site_admin": False, "imported_rater": True, "can_sign_in": False})
    member = session.scalar(select(Membership.id).where(Membership.workspace_id == workspace.id,
                                                        Membership.user_id == user.id))
    if member is None:
        session.add(Membership(workspace_id=workspace.id, user_id=user.id, role=Role.rater.value))
        session.flush()
        audit.record(session, actor=actor, action="membership.set", target=f"user:{username}",
                     workspace=workspace.name, details={"role": Role.rater.value, "previous": None,
                                                        "imported_rater": True})
    return user.id, created
