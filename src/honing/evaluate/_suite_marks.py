"""What a workspace says about a suite beside its versions: whether it is held out from
training (the contamination check compares training data with held-out suites only, so a
scratch suite tried once with `eval run FILE` flags nothing), and whether it is archived
(hidden from lists and from the contamination check, still readable by name for the runs
and reports that used it)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from honing import audit
from honing._errors import NotFound
from honing.storage import EvalSuite, Workspace, utcnow


def get_suite(session: Session, workspace: Workspace, name: str) -> EvalSuite:
    row = session.scalar(select(EvalSuite).where(EvalSuite.workspace_id == workspace.id, EvalSuite.name == name))
    if row is None:
        raise NotFound(f"suite {name!r} does not exist in workspace {workspace.name!r}",
                       hint="push it first: honing suite push FILE; honing suite list --all shows every suite")
    return row


def set_held_out(session: Session, workspace: Workspace, suite: EvalSuite, held_out: bool, *, actor: str) -> bool:
    """Mark the suite held out (or scratch); False when it already was."""
    if suite.held_out == held_out:
        return False
    suite.held_out = held_out
    audit.record(session, actor=actor, action="suite.mark", target=f"suite:{suite.name}",
                 workspace=workspace.name, details={"held_out": held_out})
    return True


def mark_suite(session: Session, workspace: Workspace, name: str, *, held_out: bool, actor: str) -> bool:
    """`honing suite mark NAME --held-out/--not-held-out`; False when nothing changed."""
    return set_held_out(session, workspace, get_suite(session, workspace, name), held_out, actor=actor)


def archive_suite(session: Session, workspace: Workspace, name: str, *, actor: str) -> bool:
    """Hide the suite from lists and from the contamination check; its versions, runs and
    reports stay. False when it was archived already."""
    suite = get_suite(session, workspace, name)
    if suite.archived_at is not None:
        return False
    suite.archived_at = utcnow()
    audit.record(session, actor=actor, action="suite.archive", target=f"suite:{name}", workspace=workspace.name)
    return True


def unarchive_suite(session: Session, workspace: Workspace, name: str, *, actor: str) -> bool:
    suite = get_suite(session, workspace, name)
    if suite.archived_at is None:
        return False
    suite.archived_at = None
    audit.record(session, actor=actor, action="suite.unarchive", target=f"suite:{name}", workspace=workspace.name)
    return True


def held_out_suites(session: Session, workspace: Workspace) -> list[str]:
    """Names of the suites the contamination check uses by default: held out, not archived."""
    return list(session.scalars(select(EvalSuite.name).where(
        EvalSuite.workspace_id == workspace.id, EvalSuite.held_out.is_(True), EvalSuite.archived_at.is_(None))
        .order_by(EvalSuite.name)))
