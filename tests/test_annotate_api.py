"""The annotation loop through the API: rubric push, queue, claim, submit, review, rework,
adjudication, escalation; each step audited."""

from __future__ import annotations

from collections import Counter

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from annotation import RUBRIC, answers, seed_queue
from conftest import make_user
from honing import audit
from honing.accounts import Role
from honing.api import create_app
from honing.datasets import load_item
from honing.storage import QueueItem


@pytest.fixture
def team(db, settings, workspace):
    tokens = {"lead": make_user(db, "lee", Role.lead), "reviewer": make_user(db, "rev", Role.reviewer)}
    for name in ["ann", "bob", "cy"]:
        tokens[name] = make_user(db, name, Role.rater)
    with TestClient(create_app(db, settings)) as client:
        yield client, tokens


def h(token):
    return {"Authorization": f"Bearer {token}"}


def test_rubric_push_is_versioned_by_content(team):
    client, t = team
    first = client.post("/api/workspaces/helpdesk/rubrics", json={"yaml": RUBRIC}, headers=h(t["lead"])).json()
    again = client.post("/api/workspaces/helpdesk/rubrics", json={"yaml": "# comment\n" + RUBRIC},
                        headers=h(t["lead"])).json()
    assert first["created"] and not again["created"] and again["ref"] == first["ref"]
    changed = client.post("/api/workspaces/helpdesk/rubrics", headers=h(t["lead"]),
                          json={"yaml": RUBRIC.replace("IT helpdesk assistant - compare", "Helpdesk - compare")}).json()
    assert changed["created"] and changed["number"] == first["number"] + 1
    assert client.post("/api/workspaces/helpdesk/rubrics", json={"yaml": RUBRIC},
                       headers=h(t["ann"])).status_code == 403
    bad = client.post("/api/workspaces/helpdesk/rubrics", json={"yaml": "name: x\nquestions: 3\n"},
                      headers=h(t["lead"]))
    assert bad.status_code == 422
    assert {(p["field"], p["line"]) for p in bad.json()["problems"]} >= {("questions", 2)}


def test_a_new_queue_shows_raters_no_metadata_unless_listed(team, db, tmp_path):
    """Metadata can carry what biases a rater (a model, a customer tier, an answer key):
    a queue created without `show_metadata` shows none of it."""
    client, t = team
    queue = seed_queue(db, client, t["lead"], tmp_path, items=1)
    assert queue["policy"]["show_metadata"] == []
    task = client.post("/api/workspaces/helpdesk/queues/review/claim", headers=h(t["ann"])).json()
    assert task["assignment"]["item"]["metadata"] == {}

def test_claim_submit_overlap_and_payload(team, db, tmp_path):
    client, t = team
    queue = seed_queue(db, client, t["lead"], tmp_path, items=2, overlap=2, blind=True,
                       show_metadata=["language"])
    assert queue["policy"]["show_metadata"] == ["language"]
    seen = {}
    for rater in ["ann", "bob", "cy"]:
        while True:
            claimed = client.post("/api/workspaces/helpdesk/queues/review/claim", headers=h(t[rater])).json()
            task = claimed["assignment"]
            if task is None:
                assert claimed["reason"] == "no items left for you in this queue"
                break
            # Blind: no model names; no hint of the item's kind (its ids: test_integrator_api).
            assert set(task["item"]["responses"][0]) == {"label", "content"}
            assert "kind" not in str(task.keys())
            assert task["item"]["metadata"] == {"language": "en"}  # what the lead listed, only
            assert task["submitted_so_far"] == len(seen.get(rater, []))
            # A reload returns the same lease.
            again = client.post("/api/workspaces/helpdesk/queues/review/claim", headers=h(t[rater])).json()
            assert again["assignment"]["assignment_id"] == task["assignment_id"]
            done = client.post(f"/api/workspaces/helpdesk/assignments/{task['assignment_id']}/submit",
                               json={"answers": answers(), "active_ms": 5000}, headers=h(t[rater]))
            assert done.status_code == 200, done.text
            seen.setdefault(rater, []).append(done.json()["queue_item_id"])
    assert sorted(len(v) for v in seen.values()) == [0, 2, 2] or sum(len(v) for v in seen.values()) == 4
    assert all(len(set(v)) == len(v) for v in seen.values())
    stats = client.get("/api/workspaces/helpdesk/queues/review", headers=h(t["lead"])).json()["stats"]
    assert stats["labels"] == 4 and stats["complete_items"] == 2 and stats["active_leases"] == 0


def test_invalid_answers_and_required_rationale(team, db, tmp_path):
    client, t = team
    seed_queue(db, client, t["lead"], tmp_path, items=1)
    task = client.post("/api/workspaces/helpdesk/queues/review/claim", headers=h(t["ann"])).json()["assignment"]
    url = f"/api/workspaces/helpdesk/assignments/{task['assignment_id']}/submit"
    low = client.post(url, json={"answers": answers(helpfulness={"A": 1, "B": 3})}, headers=h(t["ann"]))
    assert low.status_code == 422
    assert any(p["field"].startswith("answers.rationale") for p in low.json()["problems"])
    bogus = client.post(url, json={"answers": answers(preference="A>>>B")}, headers=h(t["ann"]))
    assert bogus.status_code == 422 and "answers.preference" in str(bogus.json())
    ok = client.post(url, json={"answers": answers(helpfulness={"A": 1, "B": 3},
                                                   rationale="A ignores the VPN outage entirely.")},
                     headers=h(t["ann"]))
    assert ok.status_code == 200
    # A retried submit with the same answers is acknowledged again, not duplicated.
    retry = client.post(url, json={"answers": answers(helpfulness={"A": 1, "B": 3},
                                                      rationale="A ignores the VPN outage entirely.")},
                        headers=h(t["ann"]))
    assert retry.status_code == 200 and retry.json()["id"] == ok.json()["id"]
    other = client.post(url, json={"answers": answers()}, headers=h(t["ann"]))
    assert other.status_code == 409
    # Someone else's assignment is invisible.
    assert client.post(url, json={"answers": answers()}, headers=h(t["bob"])).status_code == 404


def test_swapped_order_is_stored_canonically(team, db, tmp_path):
    client, t = team
    seed_queue(db, client, t["lead"], tmp_path, items=30, overlap=1)
    swapped_seen = set()
    for _ in range(30):
        task = client.post("/api/workspaces/helpdesk/queues/review/claim", headers=h(t["ann"])).json()["assignment"]
        first_shown = task["item"]["responses"][0]["content"]
        swapped = first_shown.startswith("The VPN is degraded")  # record() puts v2 second
        swapped_seen.add(swapped)
        label = client.post(f"/api/workspaces/helpdesk/assignments/{task['assignment_id']}/submit",
                            json={"answers": answers(preference="A>>B")}, headers=h(t["ann"])).json()
        # The rater gets their answers back as they gave them...
        assert (label["order"], label["answers"]["preference"]) == ("shown", "A>>B")
        # ...and "A>>B" about what was shown left is stored about the canonical first response.
        [stored] = [lb for lb in client.get("/api/workspaces/helpdesk/queues/review/labels",
                                            headers=h(t["lead"])).json() if lb["id"] == label["id"]]
        assert (stored["order"], stored["answers"]["preference"]) == ("canonical", "B>>A" if swapped else "A>>B")
    assert swapped_seen == {True, False}


def test_review_return_rework_accept_and_adjudication_are_audited(team, db, tmp_path):
    client, t = team
    seed_queue(db, client, t["lead"], tmp_path, items=1, overlap=2, audit_rate=1.0)
    labels = []
    for rater, pref in [("ann", "A>>B"), ("bob", "B>>A")]:
        task = client.post("/api/workspaces/helpdesk/queues/review/claim", headers=h(t[rater])).json()["assignment"]
        given = pref if not _swapped(task) else {"A>>B": "B>>A", "B>>A": "A>>B"}[pref]
        labels.append(client.post(f"/api/workspaces/helpdesk/assignments/{task['assignment_id']}/submit",
                                  json={"answers": answers(preference=given)}, headers=h(t[rater])).json())
    stored = {lb["id"]: lb for lb in client.get("/api/workspaces/helpdesk/queues/review/labels",
                                                headers=h(t["lead"])).json()}
    assert [stored[lb["id"]]["answers"]["preference"] for lb in labels] == ["A>>B", "B>>A"]

    assert client.post("/api/workspaces/helpdesk/queues/review/reviews/next", headers=h(t["ann"])).status_code == 403
    pending = client.post("/api/workspaces/helpdesk/queues/review/reviews/next", headers=h(t["reviewer"])).json()
    assert pending["id"] == labels[0]["id"]
    no_reason = client.post(f"/api/workspaces/helpdesk/queues/review/labels/{pending['id']}/review",
                            json={"verdict": "return"}, headers=h(t["reviewer"]))
    assert no_reason.status_code == 422
    returned = client.post(f"/api/workspaces/helpdesk/queues/review/labels/{pending['id']}/review",
                           json={"verdict": "return", "reason": "A misses the outage; see KB-1"},
                           headers=h(t["reviewer"])).json()
    assert returned["status"] == "returned"
    feedback = client.get("/api/workspaces/helpdesk/queues/review/feedback", headers=h(t["ann"])).json()
    assert feedback[0]["reviews"][0]["reason"] == "A misses the outage; see KB-1"
    reworked = client.put(f"/api/workspaces/helpdesk/queues/review/labels/{pending['id']}/rework",
                          json={"answers": answers(preference="tie")}, headers=h(t["ann"]))
    assert reworked.status_code == 200 and reworked.json()["rework_count"] == 1
    again = client.post("/api/workspaces/helpdesk/queues/review/reviews/next", headers=h(t["reviewer"])).json()
    assert again["id"] == labels[1]["id"]  # the reworked one queues behind older ones
    for label_id in (labels[1]["id"], pending["id"]):
        accepted = client.post(f"/api/workspaces/helpdesk/queues/review/labels/{label_id}/review",
                               json={"verdict": "accept"}, headers=h(t["reviewer"]))
        assert accepted.json()["status"] == "accepted"

    found = client.get("/api/workspaces/helpdesk/queues/review/disagreements?question=preference",
                       headers=h(t["lead"])).json()
    assert found[0]["question"] == "preference" and found[0]["score"] == pytest.approx(0.5)
    side = client.get(f"/api/workspaces/helpdesk/queues/review/items/{found[0]['queue_item_id']}/labels",
                      headers=h(t["lead"])).json()
    assert {s["rater"] for s in side} == {"ann", "bob"}
    decided = client.post(f"/api/workspaces/helpdesk/queues/review/items/{found[0]['queue_item_id']}/adjudication",
                          json={"question": "preference", "answer": "A>B", "note": "KB-1 supports A"},
                          headers=h(t["lead"]))
    assert decided.status_code == 201
    after = client.get("/api/workspaces/helpdesk/queues/review/disagreements?question=preference",
                       headers=h(t["lead"])).json()
    assert after[0]["adjudicated"] is True

    with db.reading() as session:
        actions = [e.action for e in audit.recent(session, limit=100)]
        assert audit.verify(session).ok
    for action in ["label.submit", "label.return", "label.rework", "label.accept", "label.adjudicate"]:
        assert action in actions


def test_escalation_skip_and_flag(team, db, tmp_path):
    client, t = team
    seed_queue(db, client, t["lead"], tmp_path, items=2)
    task = client.post("/api/workspaces/helpdesk/queues/review/claim", headers=h(t["ann"])).json()["assignment"]
    base = f"/api/workspaces/helpdesk/assignments/{task['assignment_id']}"
    bad = client.post(f"{base}/escalate", json={"summary": "x", "severity": "S9"}, headers=h(t["ann"]))
    assert bad.status_code == 422
    esc = client.post(f"{base}/escalate", headers=h(t["ann"]), json={
        "summary": "Response B tells the user to disable MFA", "severity": "S2",
        "repro": "prompt + KB-1, model v2", "policy_ref": "safety", "expected": "refuse",
        "observed": "explains how to disable MFA", "suggested_label": "unsafe", "confidence": 0.9})
    assert esc.status_code == 201
    assert client.post(f"{base}/flag", json={"reason": "odd formatting"}, headers=h(t["ann"])).status_code == 204
    assert client.post(f"{base}/skip", json={"reason": "  "}, headers=h(t["ann"])).status_code == 422
    assert client.post(f"{base}/skip", json={"reason": "not my language"}, headers=h(t["ann"])).status_code == 204
    listed = client.get("/api/workspaces/helpdesk/queues/review/escalations", headers=h(t["lead"])).json()
    assert listed[0]["severity"] == "S2" and listed[0]["details"]["expected"] == "refuse"
    nxt = client.post("/api/workspaces/helpdesk/queues/review/claim", headers=h(t["ann"])).json()["assignment"]
    assert nxt["assignment_id"] != task["assignment_id"]


def _swapped(task) -> bool:
    return task["item"]["responses"][0]["content"].startswith("The VPN is degraded")


def test_late_submit_after_lease_expiry(team, db, tmp_path):
    import time

    client, t = team
    seed_queue(db, client, t["lead"], tmp_path, items=1, overlap=1, lease_seconds=1)
    late = client.post("/api/workspaces/helpdesk/queues/review/claim", headers=h(t["ann"])).json()["assignment"]
    time.sleep(2.2)  # the lease expires; expiry is looked for at most once a second
    taken = client.post("/api/workspaces/helpdesk/queues/review/claim", headers=h(t["bob"])).json()["assignment"]
    assert taken is not None  # the item came back and went to bob
    refused = client.post(f"/api/workspaces/helpdesk/assignments/{late['assignment_id']}/submit",
                          json={"answers": answers()}, headers=h(t["ann"]))
    assert refused.status_code == 409 and "lease expired" in refused.json()["message"]
    ok = client.post(f"/api/workspaces/helpdesk/assignments/{taken['assignment_id']}/submit",
                     json={"answers": answers()}, headers=h(t["bob"]))
    assert ok.status_code == 200


def test_late_submit_is_kept_when_the_item_still_has_room(team, db, tmp_path):
    import time

    client, t = team
    seed_queue(db, client, t["lead"], tmp_path, items=1, overlap=2, lease_seconds=1)
    late = client.post("/api/workspaces/helpdesk/queues/review/claim", headers=h(t["ann"])).json()["assignment"]
    time.sleep(2.2)
    client.post("/api/workspaces/helpdesk/queues/review/claim", headers=h(t["bob"]))  # runs expiry
    kept = client.post(f"/api/workspaces/helpdesk/assignments/{late['assignment_id']}/submit",
                       json={"answers": answers()}, headers=h(t["ann"]))
    assert kept.status_code == 200
    stats = client.get("/api/workspaces/helpdesk/queues/review", headers=h(t["lead"])).json()["stats"]
    assert stats["labels"] == 1 and stats["active_leases"] == 1


def test_postgresql_serves_claims_and_submits_on_the_async_path(team, db, tmp_path):
    """On PostgreSQL the running server answers open claims and submits without the ORM;
    a repeated submit falls through to the synchronous path, which makes it idempotent."""
    client, t = team
    labeling = client.app.state.labeling
    if db.dialect != "postgresql":
        assert labeling is None  # SQLite: the synchronous path serves everything
        return
    served: Counter[tuple[str, bool]] = Counter()
    for name in ("claim", "submit"):
        async def counted(*args, _original=getattr(labeling, name), _name=name, **kwargs):
            result = await _original(*args, **kwargs)
            served[_name, result is not None] += 1
            return result
        setattr(labeling, name, counted)
    seed_queue(db, client, t["lead"], tmp_path, items=2, overlap=1, blind=True)
    task = client.post("/api/workspaces/helpdesk/queues/review/claim", headers=h(t["ann"])).json()["assignment"]
    submit = f"/api/workspaces/helpdesk/assignments/{task['assignment_id']}/submit"
    first = client.post(submit, json={"answers": answers(), "active_ms": 4000}, headers=h(t["ann"]))
    again = client.post(submit, json={"answers": answers(), "active_ms": 4000}, headers=h(t["ann"]))
    other = client.post(submit, json={"answers": answers(severity="S1"), "active_ms": 4000}, headers=h(t["ann"]))
    assert first.status_code == 200 and again.status_code == 200 and other.status_code == 409
    assert again.json()["id"] == first.json()["id"]
    assert first.json()["rater"] == "ann" and first.json()["queue"] == "review"
    assert first.json()["active_ms"] == 4000 and first.json()["reviews"] == []
    assert served == {("claim", True): 1, ("submit", True): 1, ("submit", False): 2}
    with db.writing() as session:
        audit.seal_pending(session)
    with db.reading() as session:
        events = [e for e in audit.recent(session) if e.action == "label.submit"]
        assert [e.target for e in events] == [f"label:{first.json()['id']}"]
        claims = [e for e in audit.recent(session) if e.action == "assignment.claim"]
        assert [(e.target, e.actor, e.details["queue"]) for e in claims] == [
            (f"assignment:{task['assignment_id']}", "user:ann", "review")]
        assert audit.verify(session).ok


def test_claims_carry_suggestions_in_the_left_right_order_the_rater_sees(team, db, tmp_path):
    client, t = team
    seed_queue(db, client, t["lead"], tmp_path, items=6, overlap=1)
    with db.reading() as session:
        items = {row.item_id: [r.content for r in load_item(session, row.item_id).item.responses]
                 for row in session.execute(select(QueueItem.item_id))}
    records = [r for item_id in items for r in (
        {"item_id": item_id, "question": "safety", "value": {"A": "safe", "B": "unsafe"},
         "source": "guard", "score": 0.9},
        {"item_id": item_id, "question": "preference", "value": "A>B", "source": "judge"},
        {"item_id": item_id, "question": "not-in-the-rubric", "value": 1, "source": "judge"})]
    added = client.post("/api/workspaces/helpdesk/suggestions", json={"records": records}, headers=h(t["lead"]))
    assert added.status_code == 201, added.text
    for _ in items:
        task = client.post("/api/workspaces/helpdesk/queues/review/claim", headers=h(t["ann"])).json()["assignment"]
        shown = [r["content"] for r in task["item"]["responses"]]
        original = next(contents for contents in items.values() if sorted(contents) == sorted(shown))
        swapped = shown != original
        assert task["suggestions"] == [
            {"question": "preference", "value": "B>A" if swapped else "A>B", "source": "judge", "score": None},
            {"question": "safety", "value": {"A": "unsafe", "B": "safe"} if swapped else {"A": "safe", "B": "unsafe"},
             "source": "guard", "score": 0.9}]
        done = client.post(f"/api/workspaces/helpdesk/assignments/{task['assignment_id']}/submit",
                           json={"answers": answers()}, headers=h(t["ann"]))
        assert done.status_code == 200, done.text


def test_claims_drafts_and_submits_are_audited(team, db, tmp_path):
    client, t = team
    seed_queue(db, client, t["lead"], tmp_path, items=2, overlap=1)
    task = client.post("/api/workspaces/helpdesk/queues/review/claim", headers=h(t["ann"])).json()["assignment"]
    again = client.post("/api/workspaces/helpdesk/queues/review/claim", headers=h(t["ann"])).json()["assignment"]
    assert again["assignment_id"] == task["assignment_id"]  # a reload is not a new claim
    base = f"/api/workspaces/helpdesk/assignments/{task['assignment_id']}"
    draft = client.put(base + "/draft", json={"answers": {"severity": "S1"}, "active_ms": 1500}, headers=h(t["ann"]))
    assert draft.status_code == 204, draft.text
    done = client.post(base + "/submit", json={"answers": answers(), "active_ms": 900}, headers=h(t["ann"]))
    assert done.status_code == 200, done.text
    assert done.json()["active_ms"] == 1500  # the draft's active time counts, not only the submit's
    with db.writing() as session:
        audit.seal_pending(session)
    with db.reading() as session:
        mine = [(e.action, e.target) for e in reversed(audit.recent(session)) if e.actor == "user:ann"]
        assert audit.verify(session).ok
    target = f"assignment:{task['assignment_id']}"
    assert mine == [("assignment.claim", target), ("assignment.draft", target),
                    ("label.submit", f"label:{done.json()['id']}")]


def test_a_response_copied_unchanged_is_no_ideal_response_unless_marked(team, db, tmp_path):
    """An edit box left as prefilled must not become the ideal response (SFT data): submit
    and draft refuse a response's text unchanged unless the rater marked it accepted_as_is."""
    client, t = team
    seed_queue(db, client, t["lead"], tmp_path, items=1, overlap=1)
    task = client.post("/api/workspaces/helpdesk/queues/review/claim", headers=h(t["ann"])).json()["assignment"]
    left = task["item"]["responses"][0]["content"]
    base = f"/api/workspaces/helpdesk/assignments/{task['assignment_id']}"
    for prefill in (left, {"text": left + "\n", "start_from": "A"}):
        draft = client.put(base + "/draft", json={"answers": {"ideal_response": prefill}}, headers=h(t["ann"]))
        assert draft.status_code == 422 and draft.json()["problems"][0]["field"] == "answers.ideal_response"
        refused = client.post(base + "/submit", json={"answers": answers(ideal_response=prefill)},
                              headers=h(t["ann"]))
        assert refused.status_code == 422, refused.text
        assert [p["field"] for p in refused.json()["problems"]] == ["answers.ideal_response"]
        assert "accepted_as_is" in refused.json()["problems"][0]["hint"]
    kept = {"text": left, "start_from": "A", "accepted_as_is": True}
    assert client.put(base + "/draft", json={"answers": {"ideal_response": kept}},
                      headers=h(t["ann"])).status_code == 204
    done = client.post(base + "/submit", json={"answers": answers(ideal_response=kept)}, headers=h(t["ann"]))
    assert done.status_code == 200, done.text
    assert done.json()["answers"]["ideal_response"] == kept
