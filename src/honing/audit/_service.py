"""Append events to the audit chain, seal them into it, and verify it.

An event is written in the transaction of the change it records, and takes its place in
the chain (seq, previous hash, hash) when it is *sealed*. Sealing is serialized (one lock
on PostgreSQL; SQLite writers are serialized anyway). Most events are sealed at once. The
hottest write, a rater's submit, is not: a global lock held to its commit would make every
submit on the server wait for every other, so the server seals those a moment later
(`seal_pending`, see `honing.api._sealer`). Until sealed, an event is stored but not yet
protected by the chain; `honing audit verify` seals what is waiting before it checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, or_, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from honing.audit._chain import GENESIS, event_hash
from honing.storage import AuditEvent, utcnow

# Serializes sealing on PostgreSQL.
_SEAL_LOCK = 7_240_002
_table = AuditEvent.__table__


def unsealed_events_sql(action: str, *, target: str, details: str, source: str) -> str:
    """SQL for a statement that logs as it writes (PostgreSQL): one unsealed event per row
    of `source`, with `target` and `details` as SQL expressions over it, and the bound
    parameters :now, :actor and :workspace. The server's sealer seals them."""
    return f"""INSERT INTO audit_event (at, actor, action, target, workspace, details)
    SELECT :now, :actor, '{action}', {target}, :workspace, {details}
    FROM {source}"""


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    target: str,
    workspace: str | None = None,
    details: dict[str, Any] | None = None,
    seal: bool = True,
) -> AuditEvent:
    """Append one event in the caller's transaction, so it commits with the change it records.
    With `seal=False` (PostgreSQL only; SQLite always seals at once) it joins the chain when
    the server's sealer, the next sealed event or `honing audit verify` seals it."""
    event = AuditEvent(at=utcnow(), actor=actor, action=action, target=target,
                       workspace=workspace, details=details or {})
    session.add(event)
    session.flush()
    if seal or session.get_bind().dialect.name != "postgresql":
        seal_pending(session, also=event)
    return event


def seal_pending(session: Session, *, wait: bool = True, limit: int = 10_000,
                 also: AuditEvent | None = None) -> int:
    """Give every committed event that has no place in the chain yet (and the caller's own
    uncommitted ones) the next places, in id order. Returns how many were sealed. With
    `wait=False` it returns 0 at once if another transaction is sealing."""
    if session.get_bind().dialect.name == "postgresql":
        if wait:
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _SEAL_LOCK})
        elif not session.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _SEAL_LOCK}):
            return 0
    last = session.execute(select(_table.c.seq, _table.c.hash).where(_table.c.seq.is_not(None))
                           .order_by(_table.c.seq.desc()).limit(1)).first()
    seq, prev = (last.seq, last.hash) if last is not None else (0, GENESIS)
    rows = session.execute(
        select(_table.c.id, _table.c.at, _table.c.actor, _table.c.action, _table.c.target,
               _table.c.workspace, _table.c.details)
        .where(_table.c.seq.is_(None)).order_by(_table.c.id).limit(limit)).all()
    sealed = []
    for row in rows:
        seq += 1
        digest = event_hash(prev_hash=prev, at=row.at, actor=row.actor, action=row.action,
                            target=row.target, workspace=row.workspace, details=row.details)
        sealed.append({"event_id": row.id, "seq": seq, "prev_hash": prev, "hash": digest})
        prev = digest
    if sealed:
        session.execute(update(_table).where(_table.c.id == bindparam("event_id"))
                        .values(seq=bindparam("seq"), prev_hash=bindparam("prev_hash"),
                                hash=bindparam("hash")), sealed)
    if also is not None:
        for entry in sealed:
            if entry["event_id"] == also.id:
                for name in ("seq", "prev_hash", "hash"):
                    set_committed_value(also, name, entry[name])
    return len(sealed)


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    broken_event_id: int | None = None
    reason: str | None = None
    pending: int = 0  # stored but not yet sealed into the chain
    in_workspace: int | None = None  # of the verified events, those of the workspace asked for


def verify(session: Session, *, workspace: str | None = None) -> Verification:
    """Walk the chain from its first event; report the first event that does not hold.
    There is one chain for the whole site (each event links to the one before it, whatever
    its workspace), so a workspace's events are verified by walking all of it; `workspace`
    only counts how many of the verified events are its own."""
    expected_prev, checked, own = GENESIS, 0, 0
    events = session.scalars(select(AuditEvent).where(AuditEvent.seq.is_not(None))
                             .order_by(AuditEvent.seq).execution_options(yield_per=1000))
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
        own += workspace is not None and event.workspace == workspace
    pending = session.scalar(select(func.count()).select_from(_table).where(_table.c.seq.is_(None)))
    return Verification(True, checked, pending=pending or 0,
                        in_workspace=own if workspace is not None else None)


def recent(session: Session, *, workspace: str | None = None, limit: int = 100) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if workspace is not None:
        query = query.where(AuditEvent.workspace == workspace)
    return list(session.scalars(query))


def browse(session: Session, *, workspace: str, action: str | None = None, actor: str | None = None,
           before: int | None = None, limit: int = 50) -> list[AuditEvent]:
    """A workspace's events, newest first, `limit` of them from the id `before` (keyset
    paging: a page stays the same while new events arrive). `action` matches itself and the
    actions under it ("membership" finds membership.set and membership.remove); `actor`
    matches an actor's audit name or a user's plain name ("ada" finds "user:ada")."""
    query = select(AuditEvent).where(AuditEvent.workspace == workspace)
    if action:
        query = query.where(or_(AuditEvent.action == action,
                                AuditEvent.action.startswith(action + ".", autoescape=True)))
    if actor:
        query = query.where(AuditEvent.actor.in_([actor, f"user:{actor}"]))
    if before is not None:
        query = query.where(AuditEvent.id < before)
    return list(session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)))


def _hash_of(event: AuditEvent) -> str:
    return event_hash(
        prev_hash=event.prev_hash or "",
        at=event.at,
        actor=event.actor,
        action=event.action,
        target=event.target,
        workspace=event.workspace,
        details=event.details,
    )
