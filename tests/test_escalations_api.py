"""Escalations end somewhere, through the API: they link to their item and assignment,
are assigned and resolved with an outcome and a note (reopened when needed), every step
audited, filtered by status and assignee, and the rater reads the outcome."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from annotation import answers, seed_queue
from conftest import make_user
from honing import audit
from honing.accounts import Role
from honing.api import create_app

Q = "/api/workspaces/helpdesk/queues/review"


@pytest.fixture
def team(db, settings, workspace, tmp_path):
    tokens = {"lead": make_user(db, "lee", Role.lead), "rev": make_user(db, "rev", Role.reviewer),
              "ann": make_user(db, "ann", Role.rater), "bob": make_user(db, "bob", Role.rater)}
    with TestClient(create_app(db, settings)) as client:
        seed_queue(db, client, tokens["lead"], tmp_path, items=3, overlap=2)
        yield client, tokens


def h(token):
    return {"Authorization": f"Bearer {token}"}


def escalate(client, token, summary="Response B tells the user to disable MFA"):
    task = client.post(f"{Q}/claim", headers=h(token)).json()["assignment"]
    sent = client.post(f"/api/workspaces/helpdesk/assignments/{task['assignment_id']}/escalate",
                       headers=h(token), json={"summary": summary, "severity": "S2", "expected": "refuse"})
    assert sent.status_code == 201, sent.text
    return task, sent.json()


def test_escalation_links_to_its_item_and_assignment(team):
    client, t = team
    task, sent = escalate(client, t["ann"])
    assert sent["assignment_id"] == task["assignment_id"] and sent["status"] == "open"
    listed = client.get(f"{Q}/escalations", headers=h(t["lead"])).json()
    [e] = listed
    assert e["assignment_id"] == task["assignment_id"] and e["rater"] == "ann"
    assert e["links"]["item"] == f"/w/helpdesk/items/{e['item_id']}"
    assert e["links"]["labels"] is None  # no label yet: the side-by-side view does not exist
    assert client.get(e["links"]["labels_api"], headers=h(t["lead"])).json() == []
    client.post(f"/api/workspaces/helpdesk/assignments/{task['assignment_id']}/submit",
                headers=h(t["ann"]), json={"answers": answers()})
    [e] = client.get(f"{Q}/escalations", headers=h(t["lead"])).json()
    assert e["links"]["labels"] == f"/w/helpdesk/queues/review/items/{e['queue_item_id']}"
    [label] = client.get(e["links"]["labels_api"], headers=h(t["lead"])).json()
    assert label["queue_item_id"] == e["queue_item_id"] and label["rater"] == "ann"
    item = client.get(f"/api/workspaces/helpdesk/items/{e['item_id']}", headers=h(t["lead"]))
    assert item.status_code == 200


def test_assign_resolve_reopen_and_audit(team, db):
    client, t = team
    _, sent = escalate(client, t["ann"])
    url = f"{Q}/escalations/{sent['id']}"
    assert client.put(f"{url}/assign", json={"assignee": "bob"}, headers=h(t["lead"])).status_code == 422
    assert client.put(f"{url}/assign", json={"assignee": "rev"}, headers=h(t["rev"])).status_code == 403
    assigned = client.put(f"{url}/assign", json={"assignee": "rev"}, headers=h(t["lead"]))
    assert assigned.status_code == 200
    assert assigned.json()["status"] == "assigned" and assigned.json()["assignee"] == "rev"

    bad = client.post(f"{url}/resolve", json={"outcome": "shrug", "note": "x"}, headers=h(t["rev"]))
    assert bad.status_code == 422
    assert client.post(f"{url}/resolve", json={"outcome": "answered", "note": ""},
                       headers=h(t["rev"])).status_code == 422
    assert client.post(f"{url}/resolve", json={"outcome": "answered", "note": "ok"},
                       headers=h(t["ann"])).status_code == 403
    resolved = client.post(f"{url}/resolve", headers=h(t["rev"]), json={
        "outcome": "answered", "note": "Advice to disable MFA is unsafe: label it unsafe, severity S2."})
    assert resolved.status_code == 200, resolved.text
    body = resolved.json()
    assert (body["status"], body["outcome"], body["resolved_by"]) == ("resolved", "answered", "rev")
    assert body["resolved_at"] is not None and body["note"].startswith("Advice to disable MFA")

    again = client.post(f"{url}/resolve", json={"outcome": "no_action", "note": "x"}, headers=h(t["lead"]))
    assert again.status_code == 409
    assert client.put(f"{url}/assign", json={"assignee": "lee"}, headers=h(t["lead"])).status_code == 409
    assert client.post(f"{url}/reopen", json={}, headers=h(t["rev"])).status_code == 403
    reopened = client.post(f"{url}/reopen", json={"reason": "the guideline changed"}, headers=h(t["lead"]))
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "assigned" and reopened.json()["outcome"] is None
    assert reopened.json()["note"] is None and reopened.json()["resolved_at"] is None
    assert client.post(f"{url}/reopen", json={}, headers=h(t["lead"])).status_code == 409
    unassigned = client.put(f"{url}/assign", json={"assignee": None}, headers=h(t["lead"])).json()
    assert unassigned["status"] == "open" and unassigned["assignee"] is None
    final = client.post(f"{url}/resolve", json={"outcome": "label_corrected", "note": "Adjudicated."},
                        headers=h(t["lead"])).json()  # leads resolve open ones directly
    assert final["status"] == "resolved" and final["resolved_by"] == "lee"
    assert client.post(f"{Q}/escalations/999/resolve", json={"outcome": "answered", "note": "x"},
                       headers=h(t["lead"])).status_code == 404

    with db.reading() as session:
        events = [e for e in reversed(audit.recent(session, limit=100))
                  if e.target == f"escalation:{sent['id']}"]
        assert audit.verify(session).ok
    assert [e.action for e in events] == [
        "escalation.create", "escalation.assign", "escalation.resolve", "escalation.reopen",
        "escalation.assign", "escalation.resolve"]
    assert events[1].actor == "user:lee" and events[1].details["assignee"] == "rev"
    assert events[2].actor == "user:rev" and events[2].details["outcome"] == "answered"
    assert events[3].details["previous"]["outcome"] == "answered"
    assert events[3].details["reason"] == "the guideline changed"


def test_filters_and_what_reviewers_see(team):
    client, t = team
    _, first = escalate(client, t["ann"], "First: response A invents a KB article")
    _, second = escalate(client, t["bob"], "Second: response B leaks a phone number")
    _, third = escalate(client, t["ann"], "Third: the prompt is in the wrong language")
    client.put(f"{Q}/escalations/{first['id']}/assign", json={"assignee": "lee"}, headers=h(t["lead"]))
    client.put(f"{Q}/escalations/{second['id']}/assign", json={"assignee": "rev"}, headers=h(t["lead"]))
    client.post(f"{Q}/escalations/{third['id']}/resolve", json={"outcome": "item_removed", "note": "Removed."},
                headers=h(t["lead"]))

    def ids(query, who="lead"):
        response = client.get(f"{Q}/escalations{query}", headers=h(t[who]))
        assert response.status_code == 200, response.text
        return [e["id"] for e in response.json()]

    assert ids("") == [third["id"], second["id"], first["id"]]
    stats = client.get(Q, headers=h(t["lead"])).json()["stats"]
    assert stats["open_escalations"] == 2  # not yet resolved: the two assigned ones
    assert ids("?status=open") == []
    assert ids("?status=assigned") == [second["id"], first["id"]]
    assert ids("?status=resolved") == [third["id"]]
    assert ids("?assigned_to=me") == [first["id"]]
    assert ids("?assigned_to=rev") == [second["id"]]
    assert ids("?status=resolved&assigned_to=me") == []
    assert client.get(f"{Q}/escalations?status=closed", headers=h(t["lead"])).status_code == 422
    assert client.get(f"{Q}/escalations?assigned_to=ann", headers=h(t["lead"])).status_code == 422
    # A reviewer sees (and may read) only what was given to them; raters see none of it.
    assert ids("", "rev") == [second["id"]] and ids("?assigned_to=me", "rev") == [second["id"]]
    assert client.get(f"{Q}/escalations/{second['id']}", headers=h(t["rev"])).status_code == 200
    assert client.get(f"{Q}/escalations/{first['id']}", headers=h(t["rev"])).status_code == 404
    assert client.post(f"{Q}/escalations/{first['id']}/resolve", json={"outcome": "no_action", "note": "x"},
                       headers=h(t["rev"])).status_code == 404  # as when reading it
    assert client.get(f"{Q}/escalations", headers=h(t["ann"])).status_code == 403


def test_rater_reads_the_outcome_of_their_own_escalations(team):
    client, t = team
    _, mine = escalate(client, t["ann"], "Response A cites a KB article that does not exist")
    _, theirs = escalate(client, t["bob"], "Response B is cut off mid-sentence")
    client.post(f"{Q}/escalations/{mine['id']}/resolve", headers=h(t["lead"]),
                json={"outcome": "item_fixed", "note": "The KB link was fixed in the dataset."})
    feedback = client.get(f"{Q}/feedback/escalations", headers=h(t["ann"]))
    assert feedback.status_code == 200
    [e] = feedback.json()
    assert (e["id"], e["status"], e["outcome"]) == (mine["id"], "resolved", "item_fixed")
    assert e["note"] == "The KB link was fixed in the dataset." and e["resolved_at"]
    assert "assignee" not in e and "resolved_by" not in e  # raters do not learn who handled it
    [other] = client.get(f"{Q}/feedback/escalations", headers=h(t["bob"])).json()
    assert other["id"] == theirs["id"] and other["status"] == "open" and other["outcome"] is None
