"""Raters' claims and submits answered before routing (PostgreSQL): the common case is
served there, and everything else gets exactly the answer the app gives."""

from __future__ import annotations

from collections import Counter

import pytest
from fastapi.testclient import TestClient

from annotation import answers, seed_queue
from conftest import make_user
from honing.accounts import Role
from honing.api import create_app


@pytest.fixture
def served(db, settings, workspace):
    """A client, tokens, and a count of the requests the event-loop path answered."""
    tokens = {"lead": make_user(db, "lee", Role.lead), "ann": make_user(db, "ann", Role.rater),
              "vic": make_user(db, "vic", Role.viewer)}
    with TestClient(create_app(db, settings)) as client:
        counts: Counter[str] = Counter()
        labeling = client.app.state.labeling  # None on SQLite: the app serves everything
        for name in ("claim", "submit") if labeling is not None else ():
            async def counted(*args, _original=getattr(labeling, name), _name=name, **kwargs):
                result = await _original(*args, **kwargs)
                counts[_name, result is not None] += 1
                return result
            setattr(labeling, name, counted)
        yield client, tokens, counts


def h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


CLAIM = "/api/workspaces/helpdesk/queues/review/claim"


def test_common_case_is_answered_on_the_event_loop(served, db, tmp_path):
    client, t, counts = served
    seed_queue(db, client, t["lead"], tmp_path, items=2, overlap=1)
    task = client.post(CLAIM, headers=h(t["ann"]))
    assert task.status_code == 200 and task.headers["content-type"] == "application/json"
    submit = f"/api/workspaces/helpdesk/assignments/{task.json()['assignment']['assignment_id']}/submit"
    done = client.post(submit, json={"answers": answers(), "confidence": 0.5}, headers=h(t["ann"]))
    assert done.status_code == 200, done.text
    assert done.json()["confidence"] == 0.5 and done.json()["rater"] == "ann"
    if db.dialect == "postgresql":
        assert counts == {("claim", True): 1, ("submit", True): 1}


def test_refusals_get_the_apps_answers(served, db, tmp_path):
    client, t, counts = served
    seed_queue(db, client, t["lead"], tmp_path, items=2, overlap=1)
    nobody = client.post(CLAIM)
    assert nobody.status_code == 401 and nobody.json()["error"] == "unauthenticated"
    assert nobody.headers["www-authenticate"] == "Bearer"
    viewer = client.post(CLAIM, headers=h(t["vic"]))
    assert viewer.status_code == 403 and "rater role" in viewer.json()["message"]
    missing = client.post("/api/workspaces/helpdesk/queues/nope/claim", headers=h(t["ann"]))
    assert missing.status_code == 404 and "'nope'" in missing.json()["message"]
    long_name = client.post(f"/api/workspaces/helpdesk/queues/{'q' * 65}/claim", headers=h(t["ann"]))
    assert long_name.status_code == 422  # the endpoint's own path validation

    task = client.post(CLAIM, headers=h(t["ann"])).json()["assignment"]
    submit = f"/api/workspaces/helpdesk/assignments/{task['assignment_id']}/submit"
    incomplete = client.post(submit, json={"answers": {"severity": "S0"}}, headers=h(t["ann"]))
    assert incomplete.status_code == 422 and incomplete.json()["problems"]
    malformed = client.post(submit, content=b'{"answers": ', headers={**h(t["ann"]), "content-type": "application/json"})
    assert malformed.status_code == 422
    wrong_type = client.post(submit, json={"answers": answers(), "confidence": 7}, headers=h(t["ann"]))
    assert wrong_type.status_code == 422
    as_text = client.post(submit, content=b'{"answers": {}}', headers={**h(t["ann"]), "content-type": "text/plain"})
    assert as_text.status_code == 422
    huge = client.post(submit, json={"answers": answers(rationale="x" * 70_000)}, headers=h(t["ann"]))
    assert huge.status_code == 200  # too large for the fast path: the app took it

    task = client.post(CLAIM, headers=h(t["ann"])).json()["assignment"]
    nul = client.post(f"/api/workspaces/helpdesk/assignments/{task['assignment_id']}/submit",
                      json={"answers": answers(rationale="a rationale with a NUL \x00 in it")},
                      headers=h(t["ann"]))
    if db.dialect == "postgresql":  # it refuses NUL in text: a clear 422, not a 500
        assert nul.status_code == 422 and "NUL" in nul.text, nul.text
    else:
        assert nul.status_code == 200
    foreign = client.post("/api/workspaces/helpdesk/assignments/999999/submit", json={"answers": answers()},
                          headers=h(t["ann"]))
    assert foreign.status_code == 404
    labels = client.get("/api/workspaces/helpdesk/queues/review/labels", headers=h(t["lead"])).json()
    stored = [label["answers"].get("rationale", "")[:1] for label in reversed(labels)]
    assert stored == (["x"] if db.dialect == "postgresql" else ["x", "a"])
    if db.dialect == "postgresql":  # every submit above was declined there, or not taken
        assert counts == {("claim", True): 2, ("submit", False): 1}
