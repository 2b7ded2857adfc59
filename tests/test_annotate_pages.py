"""The annotation pages render for the roles that may see them, with real data in them."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from annotation import answers, seed_queue
from conftest import make_user
from honing import accounts
from honing.accounts import Role
from honing.api import create_app


@pytest.fixture
def worked(db, settings, workspace, tmp_path):
    tokens = {"lead": make_user(db, "lee", Role.lead), "ann": make_user(db, "ann", Role.rater),
              "bob": make_user(db, "bob", Role.rater), "rev": make_user(db, "rev", Role.reviewer)}
    with db.writing() as session:  # make_user's password, so the pages can sign in
        for name in ["lee", "ann", "bob", "rev"]:
            accounts.get_user(session, name).password_hash = accounts.hash_password("a long password!")
    client = TestClient(create_app(db, settings))
    seed_queue(db, client, tokens["lead"], tmp_path, items=2, overlap=2, audit_rate=1.0)
    for rater, pref in [("ann", "A>>B"), ("bob", "B>>A")]:
        h = {"Authorization": f"Bearer {tokens[rater]}"}
        task = client.post("/api/workspaces/helpdesk/queues/review/claim", headers=h).json()["assignment"]
        client.post(f"/api/workspaces/helpdesk/assignments/{task['assignment_id']}/escalate", headers=h,
                    json={"summary": "B leaks a colleague's phone number", "severity": "S3"})
        client.post(f"/api/workspaces/helpdesk/assignments/{task['assignment_id']}/submit", headers=h,
                    json={"answers": answers(preference=pref)})
    return client


def login(client: TestClient, username: str) -> TestClient:
    client.cookies.clear()
    response = client.post("/login", data={"username": username, "password": "a long password!"},
                           follow_redirects=False)
    assert response.status_code == 303
    return client


def test_lead_console_shows_labels_escalations_and_disagreements(worked):
    client = login(worked, "lee")
    page = client.get("/w/helpdesk/queues/review")
    assert page.status_code == 200
    assert "B leaks a colleague&#39;s phone number" in page.text and "S3" in page.text
    assert page.text.count("<td>ann</td>") >= 1 and page.text.count("<td>bob</td>") >= 1
    item = re.search(r"/w/helpdesk/queues/review/items/(\d+)", page.text).group(0)
    side = client.get(item)
    assert side.status_code == 200
    assert "<th>ann<br>" in side.text and "<th>bob<br>" in side.text  # both labels side by side
    assert side.text.count("&gt;&gt;") >= 2
    assert client.get("/w/helpdesk/queues").status_code == 200


def test_rater_pages(worked):
    client = login(worked, "ann")
    assert client.get("/w/helpdesk/queues/review", headers={"accept": "text/html"}).status_code == 403
    work = client.get("/w/helpdesk/queues/review/work")
    assert work.status_code == 200 and "workbench.js" in work.text
    feedback = client.get("/w/helpdesk/queues/review/feedback")
    assert feedback.status_code == 200 and "No gold results yet" in feedback.text
    claimed = client.post("/api/workspaces/helpdesk/queues/review/claim", headers={"x-honing-csrf": "1"}).json()
    panel = client.get(f"/w/helpdesk/assignments/{claimed['assignment']['assignment_id']}/panel")
    assert panel.status_code == 200
    assert 'data-question="preference"' in panel.text and "<kbd>1</kbd>" in panel.text
    assert "helpdesk v1" not in panel.text  # blind: no model versions


def test_review_desk(worked):
    client = login(worked, "rev")
    page = client.get("/w/helpdesk/queues/review/review")
    assert page.status_code == 200 and "Label" in page.text and "Accept" in page.text
    login(worked, "ann")
    assert client.get("/w/helpdesk/queues/review/review", headers={"accept": "text/html"}).status_code == 403
