"""The administrator's console pages (members, audit log, API tokens) through HTTP: who may
see them, what they show, and the member API's cohort that the members page sets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from conftest import OPERATOR, make_user
from honing import accounts, audit
from honing.accounts import Role
from honing.api import create_app

PASSWORD = "correct horse battery"  # make_user's
SEAL_LOCK = 7_240_002  # honing.audit._service._SEAL_LOCK
HTML = {"accept": "text/html"}


@pytest.fixture
def app(db, settings, workspace):
    tokens = {name: make_user(db, name, role) for name, role in
              [("ada", Role.admin), ("lee", Role.lead), ("ray", Role.rater)]}
    tokens["root"] = make_user(db, "root", None, site_admin=True)
    make_user(db, "otto", None)
    with TestClient(create_app(db, settings)) as client:
        yield client, tokens


def sign_in(client: TestClient, db, username: str) -> TestClient:
    client.cookies.clear()
    client.cookies.set("honing_session", accounts.login(db, username, PASSWORD)[1])
    return client


def test_members_page_shows_roles_and_cohorts_to_admins_only(app, db) -> None:
    client, _ = app
    with db.writing() as session:
        accounts.set_role(session, OPERATOR, "helpdesk", "ray", Role.rater, cohort="vendor-a")
    page = sign_in(client, db, "ada").get("/w/helpdesk/members", headers=HTML)
    assert page.status_code == 200
    assert 'data-member="ray"' in page.text and 'value="vendor-a"' in page.text
    assert 'data-url="/api/workspaces/helpdesk/members/ray"' in page.text
    assert "Create a user" not in page.text  # creating users is for site admins
    assert "Create a user" in sign_in(client, db, "root").get("/w/helpdesk/members").text
    refused = sign_in(client, db, "lee").get("/w/helpdesk/members", headers=HTML)
    assert refused.status_code == 403 and "the admin role" in refused.text
    assert sign_in(client, db, "otto").get("/w/helpdesk/members", headers=HTML).status_code == 404
    client.cookies.clear()
    anonymous = client.get("/w/helpdesk/members", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


def test_workspace_page_links_the_console_for_admins(app, db) -> None:
    client, _ = app
    assert 'href="/w/helpdesk/members"' in sign_in(client, db, "ada").get("/w/helpdesk").text
    as_lead = sign_in(client, db, "lee").get("/w/helpdesk").text
    assert 'href="/w/helpdesk/members"' not in as_lead and 'href="/account/tokens"' in as_lead


def test_member_api_sets_keeps_and_clears_the_cohort(app, db) -> None:
    client, tokens = app
    admin = {"Authorization": f"Bearer {tokens['ada']}"}
    url = "/api/workspaces/helpdesk/members/otto"
    added = client.put(url, json={"role": "rater", "cohort": " vendor-b "}, headers=admin)
    assert added.status_code == 200 and added.json()["cohort"] == "vendor-b"
    kept = client.put(url, json={"role": "reviewer"}, headers=admin).json()
    assert (kept["role"], kept["cohort"]) == ("reviewer", "vendor-b")
    listed = {m["username"]: m for m in client.get("/api/workspaces/helpdesk/members", headers=admin).json()}
    assert listed["otto"]["cohort"] == "vendor-b" and listed["lee"]["cohort"] is None
    assert client.put(url, json={"role": "reviewer", "cohort": ""}, headers=admin).json()["cohort"] is None
    too_long = client.put(url, json={"role": "rater", "cohort": "x" * 65}, headers=admin)
    assert too_long.status_code == 422 and "cohort" in too_long.text


def test_audit_page_pages_newest_first_and_filters(app, db) -> None:
    client, _ = app
    with db.writing() as session:
        for n in range(55):  # more than a page of membership events
            accounts.set_role(session, OPERATOR, "helpdesk", "otto", Role.rater, cohort=f"c{n}")
    sign_in(client, db, "ada")
    first = client.get("/w/helpdesk/audit")
    assert first.status_code == 200
    ids = [int(i) for i in _event_ids(first.text)]
    assert len(ids) == 50 and ids == sorted(ids, reverse=True)
    assert '"cohort": "c54"' in first.text
    older = client.get(f"/w/helpdesk/audit?before={ids[-1]}")
    older_ids = [int(i) for i in _event_ids(older.text)]
    assert older_ids and max(older_ids) < ids[-1] and "Newest" in older.text
    filtered = client.get("/w/helpdesk/audit?action=workspace")
    assert {a for a in _actions(filtered.text)} == {"workspace.create"}
    by_actor = client.get("/w/helpdesk/audit?actor=cli:test&action=membership.set")
    assert by_actor.status_code == 200 and set(_actions(by_actor.text)) == {"membership.set"}
    assert "No events match" in client.get("/w/helpdesk/audit?actor=nobody").text


def test_verify_chain_reports_intact_then_the_tampered_event(app, db) -> None:
    client, _ = app
    sign_in(client, db, "ada")
    intact = client.get("/w/helpdesk/audit?verify=true")
    assert "Audit chain intact" in intact.text
    with db.writing() as session:
        event_id = session.scalar(text("SELECT id FROM audit_event WHERE action = 'membership.set' "
                                       "AND workspace = 'helpdesk' ORDER BY id LIMIT 1"))
        session.execute(text("UPDATE audit_event SET target = 'user:mallory' WHERE id = :id"), {"id": event_id})
    broken = client.get("/w/helpdesk/audit?verify=true")
    assert f"Audit chain broken at event {event_id}" in broken.text
    assert "its content does not match its hash" in broken.text
    assert "Audit chain" not in client.get("/w/helpdesk/audit").text  # only when asked


def test_verify_chain_hides_another_workspaces_broken_event(app, db) -> None:
    client, _ = app
    with db.writing() as session:
        accounts.create_workspace(session, OPERATOR, "other")
        event_id = session.scalar(text("SELECT id FROM audit_event WHERE workspace = 'other'"))
        session.execute(text("UPDATE audit_event SET actor = 'someone' WHERE id = :id"), {"id": event_id})
    page = sign_in(client, db, "ada").get("/w/helpdesk/audit?verify=true").text
    assert "broken at event outside this workspace" in page and f"Event {event_id}:" not in page
    assert f"Event {event_id}:" in sign_in(client, db, "root").get("/w/helpdesk/audit?verify=true").text


def test_tokens_page_lists_only_ones_own_tokens(app, db) -> None:
    client, tokens = app
    with db.writing() as session:
        kept, _ = accounts.create_token(session, OPERATOR, "lee", "ci-nightly", days=30)
        gone, _ = accounts.create_token(session, OPERATOR, "lee", "old-laptop")
        accounts.revoke_token(session, OPERATOR, gone.id)
        accounts.create_token(session, OPERATOR, "ray", "ray-script")
    page = sign_in(client, db, "lee").get("/account/tokens")
    assert page.status_code == 200
    assert "ci-nightly" in page.text and "old-laptop" in page.text and "ray-script" not in page.text
    assert f'data-url="/api/tokens/{kept.id}"' in page.text  # active: revocable
    assert f'data-url="/api/tokens/{gone.id}"' not in page.text
    assert tokens["lee"] not in page.text and 'max="365"' in page.text
    client.cookies.clear()
    assert client.get("/account/tokens", follow_redirects=False).status_code == 303


def _event_ids(html: str) -> list[str]:
    return re.findall(r'data-event="(\d+)"', html)


def _actions(html: str) -> list[str]:
    return re.findall(r"<td><code>([a-z_.]+)</code></td>", html)


def test_an_event_waiting_to_be_sealed_is_listed(app, db) -> None:
    """On PostgreSQL a rater's submit is sealed into the chain a moment after it commits:
    the audit log lists it meanwhile (the API used to answer 500), and Verify chain counts
    it as waiting."""
    client, tokens = app
    sign_in(client, db, "ada")
    with sealer_held_off(db):
        with db.writing() as session:
            audit.record(session, actor="user:ray", action="label.submit", target="label:1",
                         workspace="helpdesk", seal=False)
        listed = client.get("/api/workspaces/helpdesk/audit",
                            headers={"Authorization": f"Bearer {tokens['ada']}"})
        page = client.get("/w/helpdesk/audit?verify=true").text
    assert listed.status_code == 200 and listed.json()[0]["action"] == "label.submit"
    assert "label.submit" in page and "Audit chain intact" in page
    if db.engine.dialect.name == "postgresql":
        assert listed.json()[0]["hash"] is None and "still waiting to be sealed" in page


@contextmanager
def sealer_held_off(db) -> Iterator[None]:
    """Holds the lock the server's sealer tries for (PostgreSQL), so it leaves events be."""
    if db.engine.dialect.name != "postgresql":
        yield
        return
    with db.engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": SEAL_LOCK})
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SEAL_LOCK})
