"""The demo's worked annotation queue: built through the annotate service as the demo
users, with the quality signals a lead expects (gold accuracy, position bias, reviews,
rework, escalations, adjudications) spread over two weeks; built once."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

from sqlalchemy import func, select

from honing import accounts, annotate, audit
from honing.demo import build_demo
from honing.demo._annotation import GOLD_COUNT, QUEUE, SIM_DAYS, labeling_batch
from honing.storage import (
    Adjudication,
    Assignment,
    Escalation,
    Label,
    QueueItem,
    Review,
    User,
    utcnow,
)

RATERS = {"rater1", "rater2", "rater3"}


def _queue_rows(session):
    ws = accounts.get_workspace(session, "helpdesk-assistant")
    queue = annotate.get_queue(session, ws, QUEUE)
    users = dict(session.execute(select(User.id, User.username)).all())
    labels = list(session.scalars(select(Label).where(Label.queue_id == queue.id)))
    return queue, users, labels


def test_demo_builds_a_worked_queue_once(db):
    started = utcnow()
    result = build_demo(db)
    finished = utcnow()
    assert result.annotation["live_labels"] > 0

    with db.reading() as session:
        queue, users, labels = _queue_rows(session)
        policy = queue.policy
        stats = annotate.queue_stats(session, queue)
        kinds = dict(session.execute(select(QueueItem.id, QueueItem.kind)
                                     .where(QueueItem.queue_id == queue.id)).all())
        assignments = {a.id: a for a in session.scalars(
            select(Assignment).where(Assignment.queue_id == queue.id))}
        reviews = list(session.scalars(select(Review)))
        escalations = list(session.scalars(select(Escalation)))
        adjudications = list(session.scalars(select(Adjudication)))
        verification = audit.verify(session)
        batch = labeling_batch(session, accounts.get_workspace(session, "helpdesk-assistant"))
        item_of = dict(session.execute(select(QueueItem.id, QueueItem.item_id)
                                       .where(QueueItem.queue_id == queue.id)).all())
        events = len(audit.recent(session, limit=100_000))
        actors = {e.actor for e in audit.recent(session, limit=100_000)}

    assert (policy["overlap"], policy["gold_rate"], policy["audit_rate"]) == (3, 0.1, 0.25)
    # Raters work from the head of the queue: every live label is in the labeling batch the
    # demo suite holds out (its first 30%, 96 of 320 conversations).
    labeled = {item_of[label.queue_item_id] for label in labels if label.kind == "live"}
    assert len(batch) == 96 and labeled and labeled <= batch
    assert policy["order"] == "stratified" and policy["stratify_by"] == "intent"
    assert policy["show_metadata"] == ["language", "surface", "customer_tier"]
    assert stats["gold_items"] == GOLD_COUNT and stats["active_leases"] == 0
    # Real users did the work, through the service (and so the audit log).
    assert {"user:lead", "user:reviewer", "user:rater1", "user:rater2", "user:rater3"} <= actors
    assert verification.ok, verification

    # Every rater worked: roughly 60-90 claims each.
    per_rater = Counter(users[label.rater_id] for label in labels)
    assert set(per_rater) == RATERS
    assert all(50 <= n <= 90 for n in per_rater.values()), per_rater
    # Overlap 3: many items complete, some partial, never more than 3 labels.
    live = Counter(label.queue_item_id for label in labels if label.kind == "live")
    assert max(live.values()) == 3
    assert sum(1 for n in live.values() if n == 3) >= 30
    assert sum(1 for n in live.values() if n < 3) >= 5
    assert stats["live_items"] - len(live) > 100  # the rest is untouched backlog
    assert all(kinds[label.queue_item_id] == label.kind for label in labels)

    # Gold: the careless rater is clearly worse than the careful one.
    gold: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for label in labels:
        if label.kind == "gold":
            gold[users[label.rater_id]][0] += label.gold_correct
            gold[users[label.rater_id]][1] += label.gold_scored
    accuracy = {rater: correct / scored for rater, (correct, scored) in gold.items()}
    assert accuracy["rater1"] >= 0.85, gold
    assert accuracy["rater3"] <= accuracy["rater1"] - 0.25, gold

    # Position bias: the careless rater prefers whatever was shown on the left.
    left = Counter()
    for label in labels:
        verdict = label.answers["preference"]
        if users[label.rater_id] == "rater3" and verdict != "tie":
            canonical_a_wins = verdict.startswith("A")
            left[canonical_a_wins != assignments[label.assignment_id].swapped] += 1
    assert left[True] / (left[True] + left[False]) >= 0.6, left

    # Answers are complete: required rationales present, failure modes from the taxonomy.
    for label in labels:
        a = label.answers
        low = any(v <= 2 for q in ("helpfulness", "correctness") for v in a[q].values())
        if low or "unsafe" in a["safety"].values():
            assert len(a["rationale"].strip()) >= 15
    assert any(label.answers.get("failure_modes", {}).get("A") for label in labels)
    careful_ms = sorted(label.active_ms for label in labels if users[label.rater_id] == "rater1")
    careless_ms = sorted(label.active_ms for label in labels if users[label.rater_id] == "rater3")
    assert careful_ms[len(careful_ms) // 2] > 2 * careless_ms[len(careless_ms) // 2]

    # Skips with reasons, escalations with the structured template.
    skipped = [a for a in assignments.values() if a.status == "skipped"]
    assert 1 <= len(skipped) <= 6 and all(a.note for a in skipped)
    assert 3 <= len(escalations) <= 6
    for e in escalations:
        assert users[e.rater_id] == "rater1" and e.severity in ("S2", "S3")
        assert {"repro", "policy_ref", "expected", "observed", "suggested_label"} <= set(e.details)
    # The lead has closed the oldest ones, so every state shows: resolved (by the lead, and
    # by the reviewer it was given to), assigned and still open.
    by_status = Counter(e.status for e in escalations)
    assert (by_status["resolved"], by_status["assigned"]) == (2, 1) and by_status["open"] >= 1
    for e in escalations:
        if e.status == "resolved":
            assert e.outcome in annotate.ESCALATION_OUTCOMES and e.note
            assert e.created_at < e.resolved_at < finished
    assert {users[e.resolved_by_id] for e in escalations if e.resolved_by_id} == {"lead", "reviewer"}

    # Review: returns with reasons (mostly rater3's), rework, accepted after rework.
    by_label = {label.id: label for label in labels}
    returns = [r for r in reviews if r.verdict == "return"]
    assert returns and all(r.reason and len(r.reason) > 30 for r in returns)
    returned_to = Counter(users[by_label[r.label_id].rater_id] for r in returns)
    assert returned_to.most_common(1)[0][0] == "rater3"
    statuses = Counter(label.status for label in labels)
    assert statuses["accepted"] > 0 and statuses["returned"] > 0
    reworked = [label for label in labels if label.rework_count > 0]
    assert reworked and any(label.status == "accepted" for label in reworked)
    assert all(by_label[r.label_id].audit for r in reviews)

    # The lead settled the worst preference / safety splits.
    assert 3 <= len(adjudications) <= 5
    assert {a.question for a in adjudications} <= {"preference", "safety"}
    assert all(len(a.note) > 30 for a in adjudications)

    # Two weeks of work, in a consistent order, none of it in the future.
    earliest = started - timedelta(days=SIM_DAYS)
    assert len({label.submitted_at.date() for label in labels}) >= 6
    for label in labels:
        assignment = assignments[label.assignment_id]
        assert earliest <= assignment.leased_at < label.submitted_at <= label.updated_at <= finished
        assert assignment.finished_at == label.submitted_at
    for r in reviews:
        assert by_label[r.label_id].submitted_at < r.created_at <= finished
    for a in adjudications:
        assert earliest <= a.created_at <= finished

    # A second build changes nothing.
    again = build_demo(db)
    assert again.annotation == {} and again.created_users == {}
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Label)
                              .where(Label.queue_id == queue.id)) == len(labels)
        assert len(audit.recent(session, limit=100_000)) == events


def test_small_demo_still_gets_a_worked_queue(db):
    result = build_demo(db, count=60)
    assert result.items == 60
    with db.reading() as session:
        _, users, labels = _queue_rows(session)
        assert audit.verify(session).ok
    assert {users[label.rater_id] for label in labels} == RATERS
    live = Counter(label.queue_item_id for label in labels if label.kind == "live")
    assert max(live.values()) == 3 and len(live) < 60
