"""Gold and qualification: hidden at the configured rate, indistinguishable, scored per
rater; unqualified raters never see live items."""

from __future__ import annotations

import json
import math

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from annotation import answers, seed_queue
from conftest import make_user
from honing.accounts import Role
from honing.api import create_app
from honing.storage import Label, QueueItem
from records import record


def h(token):
    return {"Authorization": f"Bearer {token}"}


def gold_records(start: int, count: int, preference: str = "A>>B"):
    return [{"item": {**{k: v for k, v in record(i).items() if k != "id"}, "external_id": f"gold-{i}"},
             "answers": {"preference": preference, "safety": {"A": "safe", "B": "safe"}},
             "tolerances": {"preference": {"direction_only": True}}}
            for i in range(start, start + count)]


@pytest.fixture
def setup(db, settings, workspace):
    tokens = {"lead": make_user(db, "lee", Role.lead), "ann": make_user(db, "ann", Role.rater),
              "bob": make_user(db, "bob", Role.rater)}
    with TestClient(create_app(db, settings)) as client:
        yield client, tokens


def test_gold_rate_shape_and_accuracy(setup, db, tmp_path):
    client, t = setup
    rate, claims = 0.25, 240
    seed_queue(db, client, t["lead"], tmp_path, items=claims, overlap=1, gold_rate=rate)
    added = client.post("/api/workspaces/helpdesk/queues/review/reference-items", headers=h(t["lead"]),
                        json={"kind": "gold", "records": gold_records(1000, 120)})
    assert added.status_code == 201, added.text

    shapes = {}
    for _ in range(claims):
        task = client.post("/api/workspaces/helpdesk/queues/review/claim", headers=h(t["ann"])).json()["assignment"]
        if task is None:
            break
        # What a rater receives has the same keys whatever the item is; no answers leak.
        shape = json.dumps(_shape(task), sort_keys=True)
        shapes[shape] = shapes.get(shape, 0) + 1
        assert "gold" not in json.dumps(task).lower()
        client.post(f"/api/workspaces/helpdesk/assignments/{task['assignment_id']}/submit",
                    json={"answers": answers(preference="A>B")}, headers=h(t["ann"]))
    assert len(shapes) == 1

    with db.reading() as session:
        labels = session.execute(select(Label.kind, Label.gold_correct, Label.gold_scored, Label.answers)).all()
    gold = [row for row in labels if row.kind == "gold"]
    n = len(labels)
    # Observed gold share within a 4-sigma binomial band around the configured rate.
    assert abs(len(gold) / n - rate) <= 4 * math.sqrt(rate * (1 - rate) / n), (len(gold), n)
    # Per-label gold results: "A>B" matches gold "A>>B" by direction when shown in canonical
    # order, and is wrong when the rater saw the pair swapped; safety always matches.
    for row in gold:
        assert row.gold_scored == 2
        expected = 2 if row.answers["preference"] == "A>B" else 1
        assert row.gold_correct == expected


def test_unqualified_raters_only_get_qualification_items(setup, db, tmp_path):
    client, t = setup
    seed_queue(db, client, t["lead"], tmp_path, items=5, overlap=2, qualification_min_score=0.75)
    qual = gold_records(2000, 3)
    added = client.post("/api/workspaces/helpdesk/queues/review/reference-items", headers=h(t["lead"]),
                        json={"kind": "qualification", "records": qual})
    assert added.status_code == 201
    with db.reading() as session:
        kinds = dict(session.execute(select(QueueItem.id, QueueItem.kind)).all())

    def work(token, good: bool) -> list[str]:
        served = []
        for _ in range(20):
            claimed = client.post("/api/workspaces/helpdesk/queues/review/claim", headers=h(token)).json()
            task = claimed["assignment"]
            if task is None:
                return served + [claimed["reason"]]
            canonical_first = not task["item"]["responses"][0]["content"].startswith("The VPN")
            right = "A>>B" if canonical_first else "B>>A"
            wrong = "B>>A" if canonical_first else "A>>B"
            label = client.post(f"/api/workspaces/helpdesk/assignments/{task['assignment_id']}/submit",
                                json={"answers": answers(preference=right if good else wrong)},
                                headers=h(token)).json()
            served.append(kinds[label["queue_item_id"]])
        return served

    careful = work(t["ann"], good=True)
    assert careful[:3] == ["qualification"] * 3 and careful[3:8] == ["live"] * 5
    careless = work(t["bob"], good=False)
    assert careless == ["qualification"] * 3 + ["you did not reach the qualification score for this queue"]
    feedback = client.get("/api/workspaces/helpdesk/queues/review/feedback", headers=h(t["bob"])).json()
    assert len(feedback) == 3 and all(f["gold"]["correct"] == 1 for f in feedback)


def test_reference_answers_are_validated(setup, db, tmp_path):
    client, t = setup
    seed_queue(db, client, t["lead"], tmp_path, items=1)
    bad = gold_records(0, 2)
    bad[1]["answers"]["preference"] = "sideways"
    response = client.post("/api/workspaces/helpdesk/queues/review/reference-items", headers=h(t["lead"]),
                           json={"kind": "gold", "records": bad})
    assert response.status_code == 422
    assert response.json()["problems"][0]["row"] == 2
    assert "preference" in response.json()["problems"][0]["field"]


def _shape(value):
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items() if k not in ("draft",)}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__
