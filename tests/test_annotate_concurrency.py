"""50 raters at once over real HTTP, on SQLite and PostgreSQL: overlap is exact, nobody
labels an item twice, every acknowledged submit is stored, expired leases are reassigned."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select

from annotation import answers, seed_queue
from conftest import OPERATOR, make_user
from honing import accounts, audit
from honing.accounts import Role
from honing.api import create_app
from honing.storage import Assignment, AuditEvent, Label, QueueItem, RaterProgress
from live_server import serve

RATERS, ABANDONERS, ITEMS, OVERLAP = 50, 5, 40, 3


def test_fifty_concurrent_raters(db, settings, workspace, tmp_path):
    lead = make_user(db, "lee", Role.lead)
    app = create_app(db, settings)
    with TestClient(app) as client:
        seed_queue(db, client, lead, tmp_path, items=ITEMS, overlap=OVERLAP, lease_seconds=4)
    tokens = []
    with db.writing() as session:
        for i in range(RATERS):
            name = f"rater{i:02d}"
            accounts.create_user(session, OPERATOR, name, "a long password!")
            accounts.set_role(session, OPERATOR, "helpdesk", name, Role.rater)
            tokens.append(accounts.create_token(session, OPERATOR, name, "load")[1])

    with serve(app) as base:
        acknowledged = asyncio.run(_run(base, tokens))

    with db.reading() as session:
        live = session.scalars(select(QueueItem).where(QueueItem.kind == "live")).all()
        labels = session.scalars(select(Label)).all()
        expired = session.scalars(select(Assignment).where(Assignment.status == "expired")).all()
        progress = {(p.queue_id, p.rater_id): p.labels for p in session.scalars(select(RaterProgress))}
    per_item = Counter(label.queue_item_id for label in labels)
    assert len(live) == ITEMS
    assert all(per_item[item.id] == OVERLAP for item in live), per_item
    assert all(item.taken == OVERLAP and item.is_full for item in live)
    pairs = Counter((label.queue_item_id, label.rater_id) for label in labels)
    assert max(pairs.values()) == 1  # no rater labeled an item twice
    assert acknowledged == {label.id for label in labels}  # nothing acknowledged was lost
    # Each rater's kept count of labels is their labels, counted.
    assert progress == dict(Counter((label.queue_id, label.rater_id) for label in labels))
    assert len(expired) >= ABANDONERS
    abandoned_items = {a.queue_item_id for a in expired}
    assert all(per_item[item_id] == OVERLAP for item_id in abandoned_items)  # reassigned

    # Every claim and every lease expiry is in the audit log, and the chain holds.
    with db.writing() as session:
        audit.seal_pending(session)
    with db.reading() as session:
        leases = session.scalars(select(Assignment.id)).all()
        claimed = session.scalars(select(AuditEvent.target).where(AuditEvent.action == "assignment.claim")).all()
        expiries = session.scalars(select(AuditEvent).where(AuditEvent.action == "lease.expire")).all()
        assert audit.verify(session).ok
    assert sorted(claimed) == sorted(f"assignment:{i}" for i in leases)
    logged_expired = [i for e in expiries for i in e.details["assignments"]]
    assert len(logged_expired) == len(set(logged_expired))  # each lease expires once
    # Late submits may revive an expired lease; every one still expired was logged.
    assert {a.id for a in expired} <= set(logged_expired)


async def _run(base: str, tokens: list[str]) -> set[int]:
    limits = httpx.Limits(max_connections=RATERS + 10)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:
        acknowledged: set[int] = set()
        deadline = time.monotonic() + 120
        # The abandoners grab their items first, so their leases surely have to expire.
        await asyncio.gather(*[_abandon(http, t) for t in tokens[:ABANDONERS]])
        await asyncio.gather(*[_work(http, t, acknowledged, deadline) for t in tokens[ABANDONERS:]])
        return acknowledged


async def _abandon(http: httpx.AsyncClient, token: str) -> None:
    """Claim one item and vanish, like a closed laptop: the lease must expire."""
    response = await http.post("/api/workspaces/helpdesk/queues/review/claim",
                               headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.json()["assignment"] is not None, response.text


async def _work(http: httpx.AsyncClient, token: str, acknowledged: set[int], deadline: float) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    rng = random.Random(token)
    while time.monotonic() < deadline:
        response = await http.post("/api/workspaces/helpdesk/queues/review/claim", headers=headers)
        assert response.status_code == 200, response.text
        task = response.json()["assignment"]
        if task is None:
            stats = (await http.get("/api/workspaces/helpdesk/queues/review", headers=headers)).json()["stats"]
            if stats["complete_items"] == ITEMS:
                return
            await asyncio.sleep(0.3)  # abandoned leases will expire and come back
            continue
        await asyncio.sleep(rng.random() * 0.05)
        submitted = await http.post(f"/api/workspaces/helpdesk/assignments/{task['assignment_id']}/submit",
                                    json={"answers": answers()}, headers=headers)
        if submitted.status_code == 409 and "lease expired" in submitted.text:
            continue  # too slow: told so, nothing acknowledged; claim the next item
        assert submitted.status_code == 200, submitted.text
        acknowledged.add(submitted.json()["id"])
    raise AssertionError("raters did not finish the queue in time")
