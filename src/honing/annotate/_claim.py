"""The assignment engine: hand a rater the next item, atomically, on both databases.

Invariants (tested under concurrency): an item never has more than `overlap` live labels
plus active leases; a rater never gets the same queue item twice; expired leases return
their item; gold items come at the configured rate and look like any other item; a rater
who has not passed the qualification pack gets only qualification items.

PostgreSQL: candidate rows are locked with FOR UPDATE SKIP LOCKED, so concurrent claims
pass each other instead of queueing; the `taken < overlap` guard is re-checked under the
row lock. SQLite: the whole claim is one short BEGIN IMMEDIATE transaction.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select, text, update
from sqlalchemy.orm import Session

from honing import audit
from honing.annotate._policy import QueuePolicy
from honing.storage import Assignment, Label, Qualification, Queue, QueueItem, utcnow

# Gold draws and left/right swaps must not be predictable by raters.
_random = secrets.SystemRandom()


@dataclass(frozen=True)
class Claim:
    assignment: Assignment | None
    reason: str | None = None
    new: bool = True  # False when the rater's open lease was handed back


def expire_leases(session: Session, queue: Queue, now: datetime, *, workspace: str) -> int:
    """Return expired leases' items to the pool. Safe when several claims run it at once:
    the status condition is re-checked under each row's lock, so a lease expires once."""
    expired = session.execute(
        update(Assignment)
        .where(Assignment.queue_id == queue.id, Assignment.status == "leased",
               Assignment.lease_expires_at < now)
        .values(status="expired", finished_at=now)
        .returning(Assignment.id, Assignment.queue_item_id)
    ).all()
    for queue_item_id, count in Counter(row.queue_item_id for row in expired).items():
        session.execute(update(QueueItem).where(QueueItem.id == queue_item_id)
                        .values(taken=QueueItem.taken - count, is_full=False))
    if expired:
        audit.record(session, actor="system", action="lease.expire", target=f"queue:{queue.name}",
                     workspace=workspace, details={"assignments": sorted(row.id for row in expired)},
                     seal=False)
    return len(expired)


def claim_next(session: Session, queue: Queue, rater_id: int, *, actor: str, workspace: str) -> Claim:
    """The rater's open lease if there is one (a reload gets the same item back), else a new
    one; each new lease is an audited `assignment.claim`."""
    claim = _claim_next(session, queue, rater_id, workspace=workspace)
    if claim.assignment is not None and claim.new:
        audit.record(session, actor=actor, action="assignment.claim",
                     target=f"assignment:{claim.assignment.id}", workspace=workspace,
                     details={"queue": queue.name, "queue_item": claim.assignment.queue_item_id},
                     seal=False)
    return claim


def _claim_next(session: Session, queue: Queue, rater_id: int, *, workspace: str) -> Claim:
    policy = QueuePolicy.model_validate(queue.policy)
    if queue.status != "active":
        return Claim(None, f"queue {queue.name!r} is {queue.status}")
    now = utcnow()
    if _due(_expiry_checks, session, queue, seconds=1.0):
        expire_leases(session, queue, now, workspace=workspace)

    current = session.scalar(select(Assignment).where(
        Assignment.queue_id == queue.id, Assignment.rater_id == rater_id,
        Assignment.status == "leased").order_by(Assignment.id).limit(1))
    if current is not None:
        return Claim(current, new=False)  # a reload or a second tab gets the same item back

    if _has_qualification(session, queue):
        standing = session.get(Qualification, (queue.id, rater_id))
        if standing is None:
            item = _pick(session, queue, rater_id, "qualification", limit=None)
            if item is not None:
                return Claim(_lease(session, queue, item, rater_id, policy, now))
            standing = decide_qualification(session, queue, rater_id, policy)
            if standing is None:
                return Claim(None, "your qualification answers are being scored; try again")
        if standing.status != "passed":
            return Claim(None, "you did not reach the qualification score for this queue")

    if policy.per_rater_cap is not None:
        done = session.scalar(select(func.count()).select_from(Label).where(
            Label.queue_id == queue.id, Label.rater_id == rater_id, Label.kind == "live")) or 0
        if done >= policy.per_rater_cap:
            return Claim(None, f"you reached this queue's cap of {policy.per_rater_cap} items")

    if policy.gold_rate > 0 and _random.random() < policy.gold_rate:
        item = _pick(session, queue, rater_id, "gold", limit=None)
        if item is not None:
            return Claim(_lease(session, queue, item, rater_id, policy, now))
    if session.get_bind().dialect.name == "postgresql":
        assignment = _claim_live_postgresql(session, queue, rater_id, policy, now)
        return Claim(assignment) if assignment is not None else Claim(None, "no items left for you in this queue")
    for _ in range(5):  # defensive: the transaction is serial (SQLite)
        item = _pick(session, queue, rater_id, "live", limit=policy.overlap)
        if item is None:
            return Claim(None, "no items left for you in this queue")
        if _take(session, item, policy.overlap):
            return Claim(_lease(session, queue, item, rater_id, policy, now, taken=True))
    return Claim(None, "the queue is busy; try again")


# Per-process throttles for checks that need not run on every claim: leases are minutes
# long, so finding expired ones a second late changes nothing; a qualification pack added
# to a running queue takes effect within seconds.
_expiry_checks: dict[tuple[str, int], float] = {}
_qualification_checks: dict[tuple[str, int], tuple[float, bool]] = {}


def _due(last_runs: dict[tuple[str, int], float], session: Session, queue: Queue, *, seconds: float) -> bool:
    return due(last_runs, (str(session.get_bind().url), queue.id), seconds=seconds)


def due(last_runs: dict[tuple[str, int], float], key: tuple[str, int], *, seconds: float) -> bool:
    now = time.monotonic()
    if now - last_runs.get(key, float("-inf")) < seconds:
        return False
    last_runs[key] = now
    return True


def _has_qualification(session: Session, queue: Queue) -> bool:
    key = (str(session.get_bind().url), queue.id)
    known = known_qualification(key)
    if known is not None:
        return known
    found = session.scalar(select(exists().where(QueueItem.queue_id == queue.id,
                                                 QueueItem.kind == "qualification"))) or False
    remember_qualification(key, found)
    return found


def known_qualification(key: tuple[str, int]) -> bool | None:
    checked = _qualification_checks.get(key)
    if checked is not None and time.monotonic() - checked[0] < 5.0:
        return checked[1]
    return None


def remember_qualification(key: tuple[str, int], found: bool) -> None:
    _qualification_checks[key] = (time.monotonic(), found)


def _pick(session: Session, queue: Queue, rater_id: int, kind: str, *, limit: int | None) -> QueueItem | None:
    seen = exists().where(Assignment.queue_item_id == QueueItem.id, Assignment.rater_id == rater_id)
    query = (select(QueueItem).where(QueueItem.queue_id == queue.id, QueueItem.kind == kind, ~seen)
             .order_by(QueueItem.position).limit(1))
    if limit is not None:
        query = query.where(QueueItem.is_full.is_(False), QueueItem.taken < limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=QueueItem)
    return session.scalar(query)


# Pick, take and lease in one statement: one round trip, and the picked row stays locked
# only for the rest of the claim's transaction. SKIP LOCKED lets concurrent claims pass
# each other; PostgreSQL re-checks a locked row's conditions before it is returned, and the
# UPDATE re-checks `taken < overlap` once more. `{unless}` lets a caller add a condition
# (the asynchronous path: no lease open already). Gold items have no overlap limit.
PICK_LIVE = """picked AS (
    SELECT qi.id FROM queue_item qi
    WHERE qi.queue_id = :queue AND qi.kind = 'live' AND NOT qi.is_full AND qi.taken < :overlap
      AND NOT EXISTS (SELECT 1 FROM assignment a WHERE a.queue_item_id = qi.id AND a.rater_id = :rater)
      {unless}
    ORDER BY qi.position LIMIT 1
    FOR UPDATE SKIP LOCKED
), took AS (
    UPDATE queue_item SET taken = queue_item.taken + 1, is_full = queue_item.taken + 1 >= :overlap
    FROM picked WHERE queue_item.id = picked.id AND queue_item.taken < :overlap
    RETURNING queue_item.id
)"""
PICK_GOLD = """picked AS (
    SELECT qi.id FROM queue_item qi
    WHERE qi.queue_id = :queue AND qi.kind = 'gold'
      AND NOT EXISTS (SELECT 1 FROM assignment a WHERE a.queue_item_id = qi.id AND a.rater_id = :rater)
      {unless}
    ORDER BY qi.position LIMIT 1
    FOR UPDATE SKIP LOCKED
), took AS (
    UPDATE queue_item SET taken = queue_item.taken + 1
    FROM picked WHERE queue_item.id = picked.id
    RETURNING queue_item.id
)"""
LEASE_TAKEN = """INSERT INTO assignment (queue_id, queue_item_id, rater_id, status, swapped, leased_at,
                        lease_expires_at, active_ms, flagged)
SELECT :queue, took.id, :rater, 'leased', :swapped, :now, :expires, 0, false FROM took"""
CLAIM_LIVE_SQL = f"WITH {PICK_LIVE.format(unless='')}\n{LEASE_TAKEN}\nRETURNING *"
_CLAIM_LIVE = text(CLAIM_LIVE_SQL)

# Expired leases go back: each item's places are freed by as many leases as expired on it,
# and one unsealed audit event lists the leases.
EXPIRE_SQL = """
WITH expired AS (
    UPDATE assignment SET status = 'expired', finished_at = :now
    WHERE queue_id = :queue AND status = 'leased' AND lease_expires_at < :now
    RETURNING id, queue_item_id
), freed AS (
    SELECT queue_item_id, count(*) AS n FROM expired GROUP BY queue_item_id
), logged AS (
    INSERT INTO audit_event (at, actor, action, target, workspace, details)
    SELECT :now, 'system', 'lease.expire', 'queue:' || CAST(:queue_name AS text), :workspace,
           jsonb_build_object('assignments', jsonb_agg(id ORDER BY id))
    FROM expired HAVING count(*) > 0
)
UPDATE queue_item SET taken = queue_item.taken - freed.n, is_full = false
FROM freed WHERE queue_item.id = freed.queue_item_id
"""


def _claim_live_postgresql(session: Session, queue: Queue, rater_id: int, policy: QueuePolicy,
                           now: datetime) -> Assignment | None:
    statement = select(Assignment).from_statement(_CLAIM_LIVE.bindparams(
        queue=queue.id, rater=rater_id, overlap=policy.overlap, swapped=_random.random() < 0.5,
        now=now, expires=now + timedelta(seconds=policy.lease_seconds)))
    return session.scalars(statement).first()


def _take(session: Session, item: QueueItem, overlap: int) -> bool:
    """Reserve one of the item's `overlap` places; False if another claim got the last one."""
    result = session.execute(update(QueueItem).where(QueueItem.id == item.id, QueueItem.taken < overlap)
                             .values(taken=QueueItem.taken + 1, is_full=QueueItem.taken + 1 >= overlap))
    return result.rowcount == 1


def _lease(session: Session, queue: Queue, item: QueueItem, rater_id: int, policy: QueuePolicy,
           now: datetime, *, taken: bool = False) -> Assignment:
    if not taken:  # gold and qualification items have no overlap limit
        session.execute(update(QueueItem).where(QueueItem.id == item.id)
                        .values(taken=QueueItem.taken + 1))
    assignment = Assignment(queue_id=queue.id, queue_item_id=item.id, rater_id=rater_id,
                            status="leased", swapped=_random.random() < 0.5, leased_at=now,
                            lease_expires_at=now + timedelta(seconds=policy.lease_seconds))
    session.add(assignment)
    session.flush()
    return assignment


def decide_qualification(session: Session, queue: Queue, rater_id: int,
                         policy: QueuePolicy) -> Qualification | None:
    """Once every qualification item is submitted: pass or fail on pooled accuracy."""
    pending = session.scalar(select(func.count()).select_from(Assignment).join(
        QueueItem, QueueItem.id == Assignment.queue_item_id).where(
        Assignment.queue_id == queue.id, Assignment.rater_id == rater_id,
        QueueItem.kind == "qualification", Assignment.status == "leased"))
    if pending:
        return None
    correct, scored = session.execute(select(
        func.coalesce(func.sum(Label.gold_correct), 0), func.coalesce(func.sum(Label.gold_scored), 0))
        .where(Label.queue_id == queue.id, Label.rater_id == rater_id,
               Label.kind == "qualification")).one()
    score = correct / scored if scored else None
    needed = policy.qualification_min_score if policy.qualification_min_score is not None else 1.0
    standing = Qualification(queue_id=queue.id, rater_id=rater_id, scored=scored, score=score,
                             status="passed" if score is not None and score >= needed else "failed")
    session.add(standing)
    session.flush()
    return standing
