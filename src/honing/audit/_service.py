"""Append events to the audit chain and verify it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from honing.audit._chain import GENESIS, event_hash
from honing.storage import AuditEvent, utcnow

# Serializes appends on PostgreSQL; SQLite writers are already serialized (BEGIN IMMEDIATE).
_AUDIT_LOCK = 7_240_002


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    target: str,
    workspace: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction, so it commits with the change it records."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _AUDIT_LOCK})
    prev = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    event = AuditEvent(
        at=utcnow(),
        actor=actor,
        action=action,
        target=target,
        workspace=workspace,
        details=details or {},
        prev_hash=prev or GENESIS,
    )
    event.hash = _hash_of(event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    broken_event_id: int | None = None
    reason: str | None = None


def verify(session: Session) -> Verification:
    """Walk the chain from the first event; report the first event that does not hold."""
    expected_prev = GENESIS
    checked = 0
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000))
    for event in events:
        if event.prev_hash != expected_prev:
            return Verification(
                False, checked, event.id,
                "its previous-hash does not match the event before it "
                "(an event was removed, inserted or reordered)",
            )
        if _hash_of(event) != event.hash:
            return Verification(
                False, checked, event.id, "its content does not match its hash (it was changed)"
            )
        expected_prev = event.hash
        checked += 1
    return Verification(True, checked)


def recent(session: Session, *, workspace: str | None = None, limit: int = 100) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if workspace is not None:
        query = query.where(AuditEvent.workspace == workspace)
    return list(session.scalars(query))


def _hash_of(event: AuditEvent) -> str:
    return event_hash(
        prev_hash=event.prev_hash,
        at=event.at,
        actor=event.actor,
        action=event.action,
        target=event.target,
        workspace=event.workspace,
        details=event.details,
    )
