"""Authorization: `authorize` and the cached `WorkspaceAccess` snapshot agree on every case."""

from __future__ import annotations

import pytest

from conftest import OPERATOR, make_user
from honing import accounts
from honing._errors import Forbidden, NotFound
from honing.accounts import Permission, Principal, Role
from honing.storage import Database, User


def _outcome(check, *args):  # type: ignore[no-untyped-def]
    try:
        return ("ok", check(*args).name)
    except (NotFound, Forbidden) as error:
        return (type(error).__name__, str(error))


def test_workspace_access_agrees_with_authorize(db: Database, workspace: str) -> None:
    make_user(db, "rita", Role.rater)
    make_user(db, "lena", Role.lead)
    make_user(db, "otto", None)  # no role in the workspace
    make_user(db, "ada", None, site_admin=True)
    with db.writing() as session:
        accounts.create_workspace(session, OPERATOR, "other")
        accounts.set_role(session, OPERATOR, "other", "otto", Role.admin)
    with db.reading() as session:
        principals = [Principal(name=u.username, user_id=u.id, is_site_admin=u.is_site_admin)
                      for u in session.query(User).order_by(User.id)] + [OPERATOR]
        access = accounts.workspace_access(session, workspace)
        outcomes = {}
        for principal in principals:
            for needed in [*Role, *Permission]:
                expected = _outcome(accounts.authorize, session, principal, workspace, needed)
                assert _outcome(access.authorize, principal, needed) == expected
                outcomes[principal.name, needed] = expected[0]
        with pytest.raises(NotFound, match="'nowhere' does not exist"):
            accounts.workspace_access(session, "nowhere")
    # The cases above are the ones that matter, not all alike.
    assert outcomes["rita", Role.rater] == "ok" and outcomes["rita", Role.reviewer] == "Forbidden"
    assert outcomes["lena", Role.lead] == "ok" and outcomes["lena", Role.admin] == "Forbidden"
    assert outcomes["otto", Role.viewer] == "NotFound"  # an admin elsewhere is nobody here
    assert outcomes["ada", Role.admin] == "ok" and outcomes[OPERATOR.name, Role.admin] == "ok"
    # A rater labels but does not read the workspace's data; a lead does both.
    assert outcomes["rita", Permission.label] == "ok" and outcomes["rita", Role.viewer] == "Forbidden"
    assert outcomes["rita", Permission.read] == "Forbidden" and outcomes["rita", Permission.enter] == "ok"
    assert outcomes["lena", Permission.read] == "ok" and outcomes["lena", Role.rater] == "ok"


def test_viewer_and_rater_are_siblings_below_reviewer() -> None:
    below = {(a, b) for a in Role for b in Role if a.allows(b)}
    assert below == {(a, a) for a in Role} | {
        (Role.reviewer, Role.viewer), (Role.reviewer, Role.rater),
        (Role.lead, Role.viewer), (Role.lead, Role.rater), (Role.lead, Role.reviewer),
        (Role.admin, Role.viewer), (Role.admin, Role.rater), (Role.admin, Role.reviewer), (Role.admin, Role.lead)}
    assert [r for r in Role if r.can(Permission.read)] == [Role.viewer, Role.reviewer, Role.lead, Role.admin]
    assert [r for r in Role if r.can(Permission.label)] == [Role.rater, Role.reviewer, Role.lead, Role.admin]
    assert all(r.can(Permission.enter) for r in Role)
