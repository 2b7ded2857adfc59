"""The escalations page and the rater's feedback page, rendered for real: links to the item
and its labels, filters, who may see what, and the outcome reaching the rater."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from annotation import answers, seed_queue
from conftest import make_user
from honing import accounts
from honing.accounts import Role
from honing.api import create_app

API = "/api/workspaces/helpdesk/queues/review"
PAGE = "/w/helpdesk/queues/review/escalations"


@pytest.fixture
def escalated(db, settings, workspace, tmp_path):
    tokens = {"lee": make_user(db, "lee", Role.lead), "ann": make_user(db, "ann", Role.rater),
              "rev": make_user(db, "rev", Role.reviewer)}
    with db.writing() as session:  # make_user's password, so the pages can sign in
        for name in tokens:
            accounts.get_user(session, name).password_hash = accounts.hash_password("a long password!")
    client = TestClient(create_app(db, settings))
    seed_queue(db, client, tokens["lee"], tmp_path, items=2, overlap=1)
    ids = []
    h = {"Authorization": f"Bearer {tokens['ann']}"}
    for n, summary in enumerate(["Response B leaks a colleague's phone number",
                                 "Response A invents a VPN setting"]):
        task = client.post(f"{API}/claim", headers=h).json()["assignment"]
        sent = client.post(f"/api/workspaces/helpdesk/assignments/{task['assignment_id']}/escalate", headers=h,
                           json={"summary": summary, "severity": "S3", "expected": "flag the leak"}).json()
        ids.append(sent["id"])
        if n == 0:  # the first item gets its label; the second stays unlabeled
            client.post(f"/api/workspaces/helpdesk/assignments/{task['assignment_id']}/submit", headers=h,
                        json={"answers": answers()})
    return client, tokens, ids


def login(client: TestClient, username: str) -> TestClient:
    client.cookies.clear()
    response = client.post("/login", data={"username": username, "password": "a long password!"},
                           follow_redirects=False)
    assert response.status_code == 303
    return client


def rows(html: str) -> list[str]:
    return re.findall(r'<tr data-escalation="(\d+)"', html)


def test_lead_page_links_filters_and_forms(escalated):
    client, _, (leak, invent) = escalated
    login(client, "lee")
    page = client.get(PAGE)
    assert page.status_code == 200
    assert rows(page.text) == [str(invent), str(leak)]
    item_links = re.findall(r'href="(/w/helpdesk/items/\d+)\?back=', page.text)
    assert len(item_links) == 2 and client.get(item_links[0]).status_code == 200
    labels = re.findall(r'class="labels-link" href="(/w/helpdesk/queues/review/items/\d+)"', page.text)
    assert len(labels) == 1 and client.get(labels[0]).status_code == 200  # only the labeled item has them
    assert "assignment " in page.text and "no labels yet" in page.text
    assert page.text.count('class="esc-action resolve') == 2 and page.text.count('class="esc-action assign') == 2
    assert 'data-url="/api/workspaces/helpdesk/queues/review/escalations/%d/assign"' % leak in page.text
    assert "<option value=\"rev\"" in page.text and "<option value=\"ann\"" not in page.text  # raters are not assignees

    # The browser's session can change data only with the CSRF header the page's script sends.
    url = f"{API}/escalations/{leak}/assign"
    assert client.put(url, json={"assignee": "lee"}).status_code == 403
    assert client.put(url, json={"assignee": "lee"}, headers={"x-honing-csrf": "1"}).status_code == 200
    assert rows(client.get(f"{PAGE}?assigned_to=me").text) == [str(leak)]
    assert rows(client.get(f"{PAGE}?status=open").text) == [str(invent)]
    assert rows(client.get(f"{PAGE}?status=resolved").text) == []
    assert "No escalations match these filters" in client.get(f"{PAGE}?status=resolved").text
    client.post(f"{API}/escalations/{leak}/resolve", headers={"x-honing-csrf": "1"},
                json={"outcome": "label_corrected", "note": "Labelled unsafe by adjudication."})
    resolved = client.get(f"{PAGE}?status=resolved").text
    assert rows(resolved) == [str(leak)] and "Labelled unsafe by adjudication." in resolved
    assert 'class="esc-action reopen' in resolved and 'class="esc-action resolve' not in resolved
    console = client.get("/w/helpdesk/queues/review")
    assert f'href="{PAGE}"' in console.text and "label_corrected" in console.text


def test_reviewer_sees_what_is_assigned_to_them_and_raters_nothing(escalated):
    client, tokens, (leak, invent) = escalated
    client.put(f"{API}/escalations/{invent}/assign", json={"assignee": "rev"},
               headers={"Authorization": f"Bearer {tokens['lee']}"})
    login(client, "rev")
    page = client.get(PAGE)
    assert page.status_code == 200 and rows(page.text) == [str(invent)]
    assert 'class="esc-action resolve' in page.text and 'class="esc-action assign' not in page.text
    login(client, "ann")
    assert client.get(PAGE, headers={"accept": "text/html"}).status_code == 403


def test_rater_reads_outcome_and_note_on_feedback_page(escalated):
    client, tokens, (leak, invent) = escalated
    client.post(f"{API}/escalations/{leak}/resolve", headers={"Authorization": f"Bearer {tokens['lee']}"},
                json={"outcome": "item_removed", "note": "The item quoted a real phone number; removed."})
    login(client, "ann")
    feedback = client.get("/w/helpdesk/queues/review/feedback")
    assert feedback.status_code == 200
    assert rows(feedback.text) == [str(invent), str(leak)]
    assert "item removed" in feedback.text
    assert "The item quoted a real phone number; removed." in feedback.text
