"""Escalation endpoints after the rater's report: list (with filters), assign, resolve,
reopen, and the rater's view of how their own escalations ended."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from honing import accounts, annotate
from honing._errors import NotFound
from honing.accounts import Principal, Role
from honing.api._annotate_schemas import EscalationLinks, EscalationOut
from honing.api._auth import DB, CurrentPrincipal, ReadSession
from honing.api._schemas import ERROR_RESPONSES

# Included by the annotation router (honing.api._annotate), which adds the
# /api/workspaces/{workspace} prefix.
router = APIRouter(tags=["annotation"], responses=ERROR_RESPONSES)
WorkspaceName = Annotated[str, Path(max_length=64)]
QueueName = Annotated[str, Path(max_length=64)]
Id = Annotated[int, Path(ge=1, le=2**62)]
Outcome = Literal["answered", "item_fixed", "item_removed", "label_corrected", "no_action"]


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignee: str | None = Field(max_length=64, description="a reviewer, lead or admin of the workspace; "
                                                            "null takes it back (open again)")


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Outcome
    note: str = Field(min_length=1, max_length=5000, description="what the rater who escalated reads")


class ReopenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str | None = Field(default=None, max_length=2000)


class MyEscalationOut(BaseModel):
    """One of the caller's own escalations and how it ended (no one else's names)."""

    id: int
    queue: str
    item_id: int
    severity: str
    summary: str
    status: Literal["open", "assigned", "resolved"]
    outcome: Outcome | None
    note: str | None
    created_at: datetime
    resolved_at: datetime | None


def escalation_out(view: annotate.EscalationView) -> EscalationOut:
    e = view.escalation
    return EscalationOut(
        id=e.id, queue=view.queue, item_id=e.item_id, queue_item_id=view.queue_item_id,
        assignment_id=e.assignment_id, rater=view.rater, severity=e.severity, summary=e.summary,
        details=e.details, confidence=e.confidence, status=e.status, assignee=view.assignee,
        outcome=e.outcome, note=e.note, resolved_at=e.resolved_at, resolved_by=view.resolved_by,
        created_at=e.created_at, links=EscalationLinks(**view.links))


def _queue(session: Session, principal: Principal, workspace: str, queue: str, needed: Role):  # type: ignore[no-untyped-def]
    ws = accounts.authorize(session, principal, workspace, needed)
    return ws, annotate.get_queue(session, ws, queue), accounts.role_in(session, principal, ws)


@router.get("/queues/{queue}/escalations", response_model=list[EscalationOut])
def list_escalations(workspace: WorkspaceName, queue: QueueName, principal: CurrentPrincipal,
                     session: ReadSession,
                     status: Annotated[Literal["open", "assigned", "resolved"] | None, Query()] = None,
                     assigned_to: Annotated[str | None, Query(max_length=64,
                                                              description="'me' or a username")] = None,
                     ) -> list[EscalationOut]:
    """Leads see every escalation of the queue; reviewers those assigned to them."""
    ws, q, role = _queue(session, principal, workspace, queue, Role.reviewer)
    assignee_id = annotate.assignee_scope(session, principal, role, ws.name, assigned_to)
    return [escalation_out(v) for v in annotate.list_escalations(session, q, ws.name, status=status,
                                                                 assignee_id=assignee_id)]


@router.get("/queues/{queue}/escalations/{escalation_id}", response_model=EscalationOut)
def get_escalation(workspace: WorkspaceName, queue: QueueName, escalation_id: Id,
                   principal: CurrentPrincipal, session: ReadSession) -> EscalationOut:
    ws, q, role = _queue(session, principal, workspace, queue, Role.reviewer)
    view = annotate.get_escalation(session, q, ws.name, escalation_id)
    if not annotate.may_act_on(role, principal, view.escalation):
        # A reviewer learns nothing about escalations not given to them.
        raise NotFound(f"escalation {escalation_id} does not exist in queue {queue!r}")
    return escalation_out(view)


@router.put("/queues/{queue}/escalations/{escalation_id}/assign", response_model=EscalationOut)
def assign(workspace: WorkspaceName, queue: QueueName, escalation_id: Id, body: AssignIn,
           principal: CurrentPrincipal, db: DB) -> EscalationOut:
    with db.writing() as session:
        ws, q, _ = _queue(session, principal, workspace, queue, Role.lead)
        annotate.assign_escalation(session, q, escalation_id, body.assignee, actor=principal.audit_name,
                                   workspace=ws.name)
        session.flush()
        return escalation_out(annotate.get_escalation(session, q, ws.name, escalation_id))


@router.post("/queues/{queue}/escalations/{escalation_id}/resolve", response_model=EscalationOut)
def resolve(workspace: WorkspaceName, queue: QueueName, escalation_id: Id, body: ResolveIn,
            principal: CurrentPrincipal, db: DB) -> EscalationOut:
    """Leads resolve any escalation; reviewers the ones assigned to them."""
    with db.writing() as session:
        ws, q, role = _queue(session, principal, workspace, queue, Role.reviewer)
        annotate.resolve_escalation(session, q, escalation_id, body.outcome, body.note, resolver=principal,
                                    role=role, workspace=ws.name)
        session.flush()
        return escalation_out(annotate.get_escalation(session, q, ws.name, escalation_id))


@router.post("/queues/{queue}/escalations/{escalation_id}/reopen", response_model=EscalationOut)
def reopen(workspace: WorkspaceName, queue: QueueName, escalation_id: Id, body: ReopenIn,
           principal: CurrentPrincipal, db: DB) -> EscalationOut:
    with db.writing() as session:
        ws, q, _ = _queue(session, principal, workspace, queue, Role.lead)
        annotate.reopen_escalation(session, q, escalation_id, body.reason, actor=principal.audit_name,
                                   workspace=ws.name)
        session.flush()
        return escalation_out(annotate.get_escalation(session, q, ws.name, escalation_id))


@router.get("/queues/{queue}/feedback/escalations", response_model=list[MyEscalationOut])
def my_escalations(workspace: WorkspaceName, queue: QueueName, principal: CurrentPrincipal,
                   session: ReadSession) -> list[MyEscalationOut]:
    """The caller's own escalations in the queue and how each ended (part of their QA feedback)."""
    ws, q, _ = _queue(session, principal, workspace, queue, Role.rater)
    if principal.user_id is None:
        return []
    return [MyEscalationOut(id=e.id, queue=q.name, item_id=e.item_id, severity=e.severity, summary=e.summary,
                            status=e.status, outcome=e.outcome, note=e.note, created_at=e.created_at,
                            resolved_at=e.resolved_at)
            for e in (v.escalation for v in annotate.list_escalations(session, q, ws.name,
                                                                      rater_id=principal.user_id))]
