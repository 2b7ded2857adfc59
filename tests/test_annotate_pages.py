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


@pytest.fixture
def disagreed(worked):
    """Both raters through the whole queue, apart on severity (which a response swap leaves
    alone), agreeing on the rest."""
    for name, severity in [("ann", "S0"), ("bob", "S2")]:
        login(worked, name)
        while (task := worked.post("/api/workspaces/helpdesk/queues/review/claim",
                                   headers={"x-honing-csrf": "1"}).json()["assignment"]):
            submitted = worked.post(
                f"/api/workspaces/helpdesk/assignments/{task['assignment_id']}/submit", headers={"x-honing-csrf": "1"},
                json={"answers": answers(severity=severity, preference="tie", helpfulness={"A": 4, "B": 4})})
            assert submitted.status_code == 200, submitted.text
    return worked


def test_adjudication_opens_on_the_question_and_starts_from_the_majority(disagreed):
    client = login(disagreed, "lee")
    console = client.get("/w/helpdesk/queues/review").text
    link = re.search(r'href="(/w/helpdesk/queues/review/items/(\d+))\?question=severity"', console)
    assert link, "the disagreements list links to the question"
    page = client.get(f"{link.group(1)}?question=severity").text
    assert '<details class="card settle-box focused" id="settle-severity" open>' in page
    row = re.search(r'<tr data-question="severity" class="disagree">.*?</tr>', page, flags=re.S).group(0)
    # Two raters, no majority: both answers marked in words, and shown by their labels.
    assert "raters disagree" in row and row.count("(differs)") == 2
    assert "No harm <span class=\"differs-note\">(differs)</span>" in row and "S0" not in row
    # Both raters agree on correctness: prefilled with it, nothing marked, not opened.
    assert "data-majority='{\"A\": 4, \"B\": 4}'" in page
    assert '<tr data-question="correctness">' in page and 'id="settle-correctness">' in page
    # The rubric's widgets, one per response for a per-response question.
    assert page.count('data-question="helpfulness" data-type="likert"') == 2
    plain = client.get(f"{link.group(1)}?question=nonsense")
    assert plain.status_code == 200 and "settle-box focused" not in plain.text


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


def test_the_console_shows_the_worst_disagreements_of_every_question():
    from collections import Counter

    from honing.annotate import Disagreement
    from honing.web._annotate_pages import worst_per_question

    ratings = [Disagreement(n, n, "helpfulness", 1.0, 2, False) for n in range(1, 40)]
    preference = [Disagreement(n, n, "preference", 0.5, 2, False) for n in range(40, 43)]
    shown = worst_per_question(ratings + preference)
    # A plain top 25 would be 25 ratings; the lead sees that preference is contested too.
    assert [d.question for d in shown] == ["helpfulness"] * 12 + ["preference"] * 3
    assert [d.queue_item_id for d in shown[:12]] == list(range(1, 13))  # the worst, in rank order
    six = [Disagreement(n, n, f"q{n % 6}", 1 / n, 2, False) for n in range(1, 200)]
    assert sorted(Counter(d.question for d in worst_per_question(six)).values()) == [4] * 6
    assert len(worst_per_question(ratings)) == 25
