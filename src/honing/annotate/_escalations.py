"""What happens to an escalation after a rater sends it: a lead assigns it to a member who
can act on it, someone resolves it with an outcome and a note the rater reads, and a
resolved one can be reopened. Status: open -> assigned -> resolved (-> open / assigned).

Who may do what (docs/decisions/0024-escalation-outcomes.md): leads and admins see,
assign, resolve and reopen every escalation of their queues; a reviewer may be assigned
one and then sees and resolves it (only those assigned to them). Raters read the outcome
of their own escalations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from honing import accounts, audit
from honing._errors import Conflict, InvalidInput, NotFound
from honing.accounts import Principal, Role
from honing.storage import Assignment, Escalation, Label, Queue, User, utcnow

ESCALATION_STATUSES = ("open", "assigned", "resolved")
# How an escalation ended. Small on purpose: each is something the rater can learn from.
ESCALATION_OUTCOMES = {
    "answered": "the question was answered; the note says how to label such items",
    "item_fixed": "the item (prompt, context or response) was corrected",
    "item_removed": "the item was taken out of the queue or dataset",
    "label_corrected": "the labels of the item were corrected (e.g. by adjudication)",
    "no_action": "looked at; nothing needed changing (the note says why)",
}
# Members who can be given an escalation to work on: those who review or lead.
ASSIGNABLE_ROLES = (Role.reviewer, Role.lead, Role.admin)


@dataclass(frozen=True)
class EscalationView:
    """An escalation with the names and links around it, as leads and the API see it."""

    escalation: Escalation
    queue: str
    workspace: str
    queue_item_id: int
    rater: str
    assignee: str | None
    resolved_by: str | None
    has_labels: bool  # the queue item's labels/adjudication view exists

    @property
    def links(self) -> dict[str, str | None]:
        ws, q, e = self.workspace, self.queue, self.escalation
        return {"item": f"/w/{ws}/items/{e.item_id}",
                "labels": f"/w/{ws}/queues/{q}/items/{self.queue_item_id}" if self.has_labels else None,
                "labels_api": f"/api/workspaces/{ws}/queues/{q}/items/{self.queue_item_id}/labels"}


def list_escalations(session: Session, queue: Queue, workspace: str, *, status: str | None = None,
                     assignee_id: int | None = None, rater_id: int | None = None,
                     escalation_id: int | None = None) -> list[EscalationView]:
    """The queue's escalations, newest first, optionally only those with `status`, assigned
    to `assignee_id`, or raised by `rater_id`."""
    if status is not None and status not in ESCALATION_STATUSES:
        raise InvalidInput(f"unknown escalation status {status!r}",
                           hint=f"use one of: {', '.join(ESCALATION_STATUSES)}")
    rater, assignee, resolver = aliased(User), aliased(User), aliased(User)
    query = (select(Escalation, Assignment.queue_item_id, rater.username, assignee.username,
                    resolver.username)
             .join(Assignment, Assignment.id == Escalation.assignment_id)
             .join(rater, rater.id == Escalation.rater_id)
             .outerjoin(assignee, assignee.id == Escalation.assignee_id)
             .outerjoin(resolver, resolver.id == Escalation.resolved_by_id)
             .where(Escalation.queue_id == queue.id))
    if status is not None:
        query = query.where(Escalation.status == status)
    if assignee_id is not None:
        query = query.where(Escalation.assignee_id == assignee_id)
    if rater_id is not None:
        query = query.where(Escalation.rater_id == rater_id)
    if escalation_id is not None:
        query = query.where(Escalation.id == escalation_id)
    rows = session.execute(query.order_by(Escalation.id.desc())).all()
    labeled = set(session.scalars(select(Label.queue_item_id).where(
        Label.queue_id == queue.id, Label.queue_item_id.in_({r[1] for r in rows})))) if rows else set()
    return [EscalationView(e, queue.name, workspace, qi, by, to, done_by, qi in labeled)
            for e, qi, by, to, done_by in rows]


def get_escalation(session: Session, queue: Queue, workspace: str, escalation_id: int) -> EscalationView:
    found = list_escalations(session, queue, workspace, escalation_id=escalation_id)
    if not found:
        raise NotFound(f"escalation {escalation_id} does not exist in queue {queue.name!r}")
    return found[0]


def assignable_members(session: Session, workspace: str) -> dict[str, int]:
    """Who an escalation can be assigned to: user ids of the workspace's reviewers, leads
    and admins, by username."""
    return {user.username: user.id for user, role in accounts.members(session, workspace)
            if role in ASSIGNABLE_ROLES}


def assignee_scope(session: Session, principal: Principal, role: Role, workspace: str,
                    assigned_to: str | None) -> int | None:
    """The user id the list is narrowed to: `me`, a member's name, or (for a reviewer, who
    only sees what was given to them) always the caller."""
    if assigned_to == "me" or not role.allows(Role.lead):
        # The command-line operator has no user id and is never an assignee: no id matches.
        return principal.user_id if principal.user_id is not None else 0
    if assigned_to is None:
        return None
    user_id = assignable_members(session, workspace).get(assigned_to)
    if user_id is None:
        raise InvalidInput(f"{assigned_to!r} is not a reviewer, lead or admin of workspace {workspace!r}",
                           hint="use 'me' or the username of a member who can be assigned escalations")
    return user_id


def may_act_on(role: Role, principal: Principal, escalation: Escalation) -> bool:
    """Leads act on every escalation; a reviewer only on one assigned to them."""
    if role.allows(Role.lead):
        return True
    return role.allows(Role.reviewer) and escalation.assignee_id is not None \
        and escalation.assignee_id == principal.user_id


def assign_escalation(session: Session, queue: Queue, escalation_id: int, assignee: str | None, *,
                      actor: str, workspace: str) -> Escalation:
    """Give the escalation to a reviewer, lead or admin of the workspace (None: take it
    back, it is open again). Resolved ones are reopened first, so an outcome the rater has
    read never changes silently."""
    escalation = _locked(session, queue, escalation_id)
    if escalation.status == "resolved":
        raise Conflict(f"escalation {escalation_id} is resolved", hint="reopen it before assigning it")
    previous = escalation.assignee_id
    if assignee is None:
        escalation.assignee_id, escalation.status = None, "open"
    else:
        user_id = assignable_members(session, workspace).get(assignee)
        if user_id is None:
            raise InvalidInput(f"{assignee!r} is not a reviewer, lead or admin of workspace {workspace!r}",
                               hint="escalations go to members who review or lead")
        escalation.assignee_id, escalation.status = user_id, "assigned"
    audit.record(session, actor=actor, action="escalation.assign", target=f"escalation:{escalation.id}",
                 workspace=workspace, details={"queue": queue.name, "assignee": assignee,
                                               "previous_assignee_id": previous})
    return escalation


def resolve_escalation(session: Session, queue: Queue, escalation_id: int, outcome: str, note: str, *,
                       resolver: Principal, role: Role, workspace: str) -> Escalation:
    escalation = _locked(session, queue, escalation_id)
    if not may_act_on(role, resolver, escalation):
        # As when reading it: a reviewer learns nothing of escalations not given to them.
        raise NotFound(f"escalation {escalation_id} does not exist in queue {queue.name!r}")
    if outcome not in ESCALATION_OUTCOMES:
        raise InvalidInput(f"unknown outcome {outcome!r}",
                           hint=f"use one of: {', '.join(ESCALATION_OUTCOMES)}")
    if not note.strip():
        raise InvalidInput("a resolution needs a note: the rater who escalated reads it")
    if escalation.status == "resolved":
        raise Conflict(f"escalation {escalation_id} is already resolved", hint="reopen it to change the outcome")
    escalation.status, escalation.outcome, escalation.note = "resolved", outcome, note.strip()
    escalation.resolved_at, escalation.resolved_by_id = utcnow(), resolver.user_id
    audit.record(session, actor=resolver.audit_name, action="escalation.resolve",
                 target=f"escalation:{escalation.id}", workspace=workspace,
                 details={"queue": queue.name, "outcome": outcome})
    return escalation


def reopen_escalation(session: Session, queue: Queue, escalation_id: int, reason: str | None, *,
                      actor: str, workspace: str) -> Escalation:
    """Back to assigned (to whoever had it) or open; the old outcome stays in the audit log."""
    escalation = _locked(session, queue, escalation_id)
    if escalation.status != "resolved":
        raise Conflict(f"escalation {escalation_id} is {escalation.status}; only resolved ones are reopened")
    previous: dict[str, Any] = {"outcome": escalation.outcome, "note": escalation.note}
    escalation.status = "assigned" if escalation.assignee_id is not None else "open"
    escalation.outcome = escalation.note = escalation.resolved_at = escalation.resolved_by_id = None
    audit.record(session, actor=actor, action="escalation.reopen", target=f"escalation:{escalation.id}",
                 workspace=workspace, details={"queue": queue.name, "reason": (reason or "").strip() or None,
                                               "previous": previous})
    return escalation


def _locked(session: Session, queue: Queue, escalation_id: int) -> Escalation:
    query = select(Escalation).where(Escalation.id == escalation_id, Escalation.queue_id == queue.id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    escalation = session.scalar(query)
    if escalation is None:
        raise NotFound(f"escalation {escalation_id} does not exist in queue {queue.name!r}")
    return escalation

