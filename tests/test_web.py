"""Every page renders for a signed-in user, and pages send strangers to the login form."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from conftest import OPERATOR
from honing import accounts, ingest
from honing.api import create_app
from records import record, write_jsonl


@pytest.fixture
def browser(db, settings, workspace, tmp_path):
    rows = [record(i) for i in range(30)]
    rows[0]["messages"][1]["content"] = "<script>alert('x')</script> my VPN"
    ingest.import_file(db, write_jsonl(tmp_path / "a.jsonl", rows), workspace=workspace,
                       dataset="logs", actor="cli:test")
    with db.writing() as session:
        accounts.create_user(session, OPERATOR, "lee", "a long password!")
        accounts.set_role(session, OPERATOR, workspace, "lee", "lead")
    with TestClient(create_app(db, settings)) as client:
        client.post("/login", data={"username": "lee", "password": "a long password!"})
        yield client


def test_pages_redirect_to_login_when_signed_out(db, settings, workspace):
    with TestClient(create_app(db, settings)) as client:
        response = client.get("/w/helpdesk/datasets/logs?page=2", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fw%2Fhelpdesk%2Fdatasets%2Flogs%3Fpage%3D2"


def test_workspace_and_dataset_pages(browser):
    home = browser.get("/")
    assert home.status_code == 200 and 'href="/w/helpdesk"' in home.text
    ws = browser.get("/w/helpdesk")
    assert "logs" in ws.text and ">30<" in ws.text
    page = browser.get("/w/helpdesk/datasets/logs")
    assert page.status_code == 200
    assert "page 1 of 2" in page.text and 'rel="next"' in page.text
    # Item content is escaped, never executed.
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text
    filtered = browser.get("/w/helpdesk/datasets/logs", params={"intent": "password_reset"})
    assert "10 items match" in filtered.text
    assert len(re.findall(r"/w/helpdesk/items/\d+", filtered.text)) == 10


def test_item_page_renders_the_conversation(browser):
    listing = browser.get("/w/helpdesk/datasets/logs").text
    item_path = re.search(r"/w/helpdesk/items/\d+", listing).group(0)
    page = browser.get(item_path)
    assert page.status_code == 200
    text = page.text
    assert "check_service_status" in text and "&#34;service&#34;: &#34;vpn&#34;" in text
    assert "Tool result" in text and "degraded" in text
    assert "KB-1" in text  # context document
    assert "v1" in text and "v2" in text and "Response A" in text and "Response B" in text


def test_unknown_things_render_an_error_page(browser):
    response = browser.get("/w/helpdesk/items/999999", headers={"accept": "text/html"})
    assert response.status_code == 404 and "does not exist" in response.text
    assert browser.get("/w/nope", headers={"accept": "text/html"}).status_code == 404
