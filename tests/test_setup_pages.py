"""The lead's set-up pages: each form's post does what the CLI does, or answers with the
problems by line and field and writes nothing; only leads and admins get in."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from annotation import GOOD, RUBRIC
from conftest import make_user
from honing import accounts, annotate, datasets, ingest
from honing.accounts import Role
from honing.api import create_app
from records import record, write_jsonl

CSRF = {"x-honing-csrf": "1"}
PASSWORD = "a long password!"


@pytest.fixture
def client(db, settings, workspace):
    for name, role in [("lee", Role.lead), ("rev", Role.reviewer), ("vic", Role.viewer), ("ray", Role.rater)]:
        make_user(db, name, role)
    with db.writing() as session:
        for name in ["lee", "rev", "vic", "ray"]:
            accounts.get_user(session, name).password_hash = accounts.hash_password(PASSWORD)
    with TestClient(create_app(db, settings)) as client:
        yield client


def login(client: TestClient, username: str) -> TestClient:
    client.cookies.clear()
    assert client.post("/login", data={"username": username, "password": PASSWORD},
                       follow_redirects=False).status_code == 303
    return client


def jsonl(rows: list[object]) -> bytes:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows).encode()


def versions(db, name: str) -> list[int]:
    with db.reading() as session:
        ws = accounts.get_workspace(session, "helpdesk")
        try:
            return [v.number for v in datasets.list_versions(session, datasets.get_dataset(session, ws, name))]
        except Exception:  # noqa: BLE001 - no such dataset: no versions
            return []


def problem_rows(html: str) -> list[list[str]]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def seeded(db, client: TestClient, tmp_path) -> None:
    rows = [record(i, metadata={"language": "en", "intent": "vpn", "priority": i, "demo_truth": "KEY"})
            for i in range(4)]
    ingest.import_file(db, write_jsonl(tmp_path / "logs.jsonl", rows), workspace="helpdesk", dataset="logs",
                       actor="cli:test")
    with db.writing() as session:
        annotate.push_rubric(session, accounts.get_workspace(session, "helpdesk"), RUBRIC,
                             source="rubric.yaml", actor="cli:test")


def test_the_workspace_page_links_leads_to_the_set_up_area(client):
    assert "/w/helpdesk/setup" in login(client, "lee").get("/w/helpdesk").text
    page = client.get("/w/helpdesk/setup")
    assert page.status_code == 200
    for link in ["/w/helpdesk/setup/import", "/w/helpdesk/setup/rubric", "/w/helpdesk/setup/queue"]:
        assert link in page.text
    for who in ["rev", "vic"]:
        assert "/w/helpdesk/setup" not in login(client, who).get("/w/helpdesk").text
        assert client.get("/w/helpdesk/setup", headers={"accept": "text/html"}).status_code == 403


def test_an_import_stores_a_version_and_links_to_it(client, db):
    login(client, "lee")
    answer = client.post("/w/helpdesk/setup/import", headers=CSRF, data={"dataset": "tickets"},
                         files={"file": ("tickets.jsonl", jsonl([record(i) for i in range(3)]))})
    assert answer.status_code == 201, answer.text
    assert "imported 3 records as tickets@1" in answer.text
    assert 'href="/w/helpdesk/datasets/tickets?version=1"' in answer.text
    assert versions(db, "tickets") == [1]


def test_a_bad_import_shows_each_line_and_field_and_writes_nothing(client, db):
    login(client, "lee")
    bad = record(2)
    bad["messages"][1]["role"] = "wizard"
    answer = client.post("/w/helpdesk/setup/import", headers=CSRF, data={"dataset": "tickets"},
                         files={"file": ("tickets.jsonl", jsonl([record(1), bad, "{not json"]))})
    assert answer.status_code == 422, answer.text
    rows = problem_rows(answer.text)
    assert [(r[0], r[1]) for r in rows] == [("tickets.jsonl", "2"), ("tickets.jsonl", "3")], rows
    assert rows[0][3].startswith("messages"), rows
    assert "Nothing was written" in answer.text
    assert versions(db, "tickets") == []


def test_a_post_without_the_csrf_header_is_refused(client, db):
    login(client, "lee")
    answer = client.post("/w/helpdesk/setup/import", data={"dataset": "tickets"},
                         files={"file": ("t.jsonl", jsonl([record(1)]))})
    assert answer.status_code == 403
    assert versions(db, "tickets") == []


def test_only_leads_and_admins_may_post(client, db):
    for who in ["rev", "vic", "ray"]:
        login(client, who)
        answer = client.post("/w/helpdesk/setup/import", headers=CSRF, data={"dataset": "tickets"},
                             files={"file": ("t.jsonl", jsonl([record(1)]))})
        assert answer.status_code == 403, (who, answer.text)
    assert versions(db, "tickets") == []


def test_a_rubric_is_pushed_from_the_editor_or_a_file(client, db):
    login(client, "lee")
    pushed = client.post("/w/helpdesk/setup/rubric", headers=CSRF, data={"yaml": RUBRIC})
    assert pushed.status_code == 201, pushed.text
    assert "pushed rubric helpdesk-compare@1" in pushed.text
    changed = RUBRIC.replace("Which response is better", "Which response is best", 1)
    assert changed != RUBRIC
    from_file = client.post("/w/helpdesk/setup/rubric", headers=CSRF,
                            files={"file": ("helpdesk.yaml", changed.encode())})
    assert from_file.status_code == 201, from_file.text
    assert "helpdesk-compare@2" in from_file.text


def test_a_bad_rubric_shows_its_problems_and_stores_nothing(client, db):
    login(client, "lee")
    broken = RUBRIC.replace("type: likert", "type: likertish", 1)
    assert broken != RUBRIC
    answer = client.post("/w/helpdesk/setup/rubric", headers=CSRF,
                         files={"file": ("mine.yaml", broken.encode())})
    assert answer.status_code == 422, answer.text
    rows = problem_rows(answer.text)
    assert rows and rows[0][0] == "mine.yaml" and rows[0][1].isdigit() and rows[0][3], rows
    assert client.post("/w/helpdesk/setup/rubric", headers=CSRF, data={"yaml": " "}).status_code == 422
    with db.reading() as session:
        assert annotate.list_rubric_versions(session, accounts.get_workspace(session, "helpdesk")) == []


def test_the_queue_form_offers_every_metadata_key_none_checked(client, db, tmp_path):
    seeded(db, client, tmp_path)
    page = login(client, "lee").get("/w/helpdesk/setup/queue")
    assert page.status_code == 200
    boxes = re.findall(r'<input type="checkbox" name="show_metadata" value="(\w+)"([^>]*)>', page.text)
    assert [name for name, _ in boxes] == ["demo_truth", "intent", "language", "priority"]
    assert all("checked" not in rest for _, rest in boxes)
    assert '<option>helpdesk-compare@1</option>' in page.text


def test_a_queue_is_created_from_the_policy_form(client, db, tmp_path):
    seeded(db, client, tmp_path)
    login(client, "lee")
    answer = client.post("/w/helpdesk/setup/queue", headers=CSRF, data={
        "name": "triage", "dataset": "logs", "version": "1", "rubric": "helpdesk-compare@1", "overlap": "2",
        "gold_rate": "0.1", "audit_rate": "0.2", "order": "priority", "priority_field": "priority",
        "lease_seconds": "600", "per_rater_cap": "", "turnaround_hours": "48", "show_metadata": ["language"]})
    assert answer.status_code == 201, answer.text
    assert 'href="/w/helpdesk/queues/triage"' in answer.text
    with db.reading() as session:
        queue = annotate.get_queue(session, accounts.get_workspace(session, "helpdesk"), "triage")
        policy = annotate.QueuePolicy.model_validate(queue.policy)
        assert annotate.queue_stats(session, queue)["live_items"] == 4
    assert (policy.overlap, policy.gold_rate, policy.audit_rate, policy.order) == (2, 0.1, 0.2, "priority")
    assert (policy.lease_seconds, policy.per_rater_cap, policy.turnaround_hours) == (600, None, 48)
    assert policy.show_metadata == ["language"] and policy.blind is False  # the box was not sent


def test_queue_policy_errors_name_their_fields_and_create_nothing(client, db, tmp_path):
    seeded(db, client, tmp_path)
    login(client, "lee")
    answer = client.post("/w/helpdesk/setup/queue", headers=CSRF, data={
        "name": "triage", "dataset": "logs", "rubric": "helpdesk-compare@1", "overlap": "0",
        "gold_rate": "lots", "blind": "true"})
    assert answer.status_code == 422, answer.text
    fields = {row[3] for row in problem_rows(answer.text)}
    assert fields == {"overlap", "gold_rate"}, fields
    assert 'data-fields="gold_rate overlap"' in answer.text
    stratified = client.post("/w/helpdesk/setup/queue", headers=CSRF, data={
        "name": "triage", "dataset": "logs", "rubric": "helpdesk-compare@1", "order": "stratified"})
    assert stratified.status_code == 422 and "stratify_by" in stratified.text
    missing = client.post("/w/helpdesk/setup/queue", headers=CSRF, data={
        "name": "triage", "dataset": "nope", "rubric": "helpdesk-compare@1"})
    assert missing.status_code == 404 and "dataset" in missing.text
    with db.reading() as session:
        assert annotate.list_queues(session, accounts.get_workspace(session, "helpdesk")) == []


def test_reference_items_are_added_or_refused_line_by_line(client, db, tmp_path):
    seeded(db, client, tmp_path)
    login(client, "lee")
    created = client.post("/w/helpdesk/setup/queue", headers=CSRF, data={
        "name": "triage", "dataset": "logs", "rubric": "helpdesk-compare@1"})
    assert created.status_code == 201, created.text
    assert client.get("/w/helpdesk/queues/triage/reference").status_code == 200
    good = {"item": record(90), "answers": GOOD}
    bad_answer = {"item": record(91), "answers": {**GOOD, "preference": "A>>>B"}}
    bad_item = {"item": {**record(92), "messages": "hello"}, "answers": GOOD}
    refused = client.post("/w/helpdesk/queues/triage/reference", headers=CSRF, data={"kind": "gold"},
                          files={"file": ("gold.jsonl", jsonl([good, bad_item, "[1, 2]"]))})
    assert refused.status_code == 422, refused.text
    assert [(r[0], r[1]) for r in problem_rows(refused.text)][:2] == [("gold.jsonl", "2"), ("gold.jsonl", "3")]
    wrong_answer = client.post("/w/helpdesk/queues/triage/reference", headers=CSRF, data={"kind": "gold"},
                               files={"file": ("gold.jsonl", jsonl([good, bad_answer]))})
    assert wrong_answer.status_code == 422, wrong_answer.text
    rows = problem_rows(wrong_answer.text)
    assert rows[0][:2] == ["gold.jsonl", "2"] and rows[0][3] == "answers.preference", rows
    with db.reading() as session:
        queue = annotate.get_queue(session, accounts.get_workspace(session, "helpdesk"), "triage")
        assert annotate.queue_stats(session, queue)["gold_items"] == 0
    added = client.post("/w/helpdesk/queues/triage/reference", headers=CSRF, data={"kind": "qualification"},
                        files={"file": ("qual.jsonl", jsonl([good]))})
    assert added.status_code == 201, added.text
    assert "added 1 qualification item(s)" in added.text
    with db.reading() as session:
        queue = annotate.get_queue(session, accounts.get_workspace(session, "helpdesk"), "triage")
        assert annotate.queue_stats(session, queue)["qualification_items"] == 1
    assert client.post("/w/helpdesk/queues/nope/reference", headers=CSRF, data={"kind": "gold"},
                       files={"file": ("g.jsonl", jsonl([good]))}).status_code == 404


def test_metadata_keys_lists_keys_of_every_type(db, workspace, tmp_path):
    rows = [record(1, metadata={"language": "en"}), record(2, metadata={"score": 3, "tags": ["a"]})]
    ingest.import_file(db, write_jsonl(tmp_path / "m.jsonl", rows), workspace="helpdesk", dataset="m",
                       actor="cli:test")
    with db.reading() as session:
        ds = datasets.get_dataset(session, accounts.get_workspace(session, "helpdesk"), "m")
        assert datasets.metadata_keys(session, datasets.head_version(session, ds)) == ["language", "score", "tags"]
