"""In real Chromium: an administrator manages members (a new user, a role, a cohort), a
user creates, uses and revokes an API token, and the audit page's "Verify chain" finds an
event changed behind the application's back. One server for the three tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from conftest import OPERATOR
from honing import accounts
from honing._config import Settings
from honing.accounts import Role
from honing.api import create_app
from honing.storage import Database, Membership
from live_server import serve
from test_csp_browser import record_violations, violations
from test_workbench_browser import sign_in

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Database]]:
    """A server with workspace "helpdesk", its administrator ada and a site admin, root."""
    home = tmp_path_factory.mktemp("admin-console")
    url = f"sqlite:///{home / 'honing.db'}"
    db = Database(url)
    with db.writing() as session:
        accounts.create_workspace(session, OPERATOR, "helpdesk", "Helpdesk")
        accounts.create_user(session, OPERATOR, "root", PASSWORD, site_admin=True)
        accounts.create_user(session, OPERATOR, "ada", PASSWORD)
        accounts.set_role(session, OPERATOR, "helpdesk", "ada", Role.admin)
    with serve(create_app(db, Settings(home=Path(home) / "home", database_url=url)), threads=8) as base:
        yield base, db
    db.dispose()


def membership(db: Database, username: str) -> tuple[str, str | None]:
    with db.reading() as session:
        user = accounts.get_user(session, username)
        row = session.execute(select(Membership.role, Membership.cohort)
                              .where(Membership.user_id == user.id)).one()
    return row.role, row.cohort


def test_site_admin_creates_a_user_and_sets_role_and_cohort(console, page) -> None:
    base, db = console
    record_violations(page)
    sign_in(page, base, "root", PASSWORD, "/w/helpdesk")
    page.click("a:has-text('Members')")
    page.wait_for_url(f"{base}/w/helpdesk/members")

    created = page.locator("#create-user")
    created.locator("input[name=username]").fill("nia")
    created.locator("input[name=display_name]").fill("Nia Okafor")
    created.locator("button").click()
    password = page.locator("#new-password")
    password.wait_for()
    secret = password.inner_text()
    assert len(secret) >= 20
    accounts.login(db, "nia", secret)  # the password shown is the user's

    added = page.locator("#add-member")
    added.locator("input[name=username]").fill("nia")
    added.locator("select[name=role]").select_option("rater")
    added.locator("input[name=cohort]").fill("vendor-a")
    with page.expect_navigation():
        added.locator("button").click()
    row = page.locator("tr[data-member=nia]")
    assert row.locator("input[name=cohort]").input_value() == "vendor-a"
    assert membership(db, "nia") == ("rater", "vendor-a")
    assert secret not in page.content()  # shown once

    row.locator("select[name=role]").select_option("reviewer")
    row.locator("input[name=cohort]").fill("vendor-b")
    with page.expect_navigation():
        row.locator("button:has-text('Save')").click()
    assert membership(db, "nia") == ("reviewer", "vendor-b")
    assert page.locator("tr[data-member=nia] select[name=role]").input_value() == "reviewer"

    # An unknown user is refused with the API's own message, and nothing changes.
    added.locator("input[name=username]").fill("nobody")
    added.locator("button").click()
    problem = page.locator(".problem")
    problem.wait_for()
    assert "user 'nobody' does not exist" in problem.inner_text()
    assert violations(page) == [], violations(page)


def test_token_is_shown_once_works_and_stops_when_revoked(console, page) -> None:
    base, _ = console
    record_violations(page)
    sign_in(page, base, "ada", PASSWORD, "/")
    page.click("header a:has-text('API tokens')")
    page.wait_for_url(f"{base}/account/tokens")
    form = page.locator("#create-token")
    form.locator("input[name=name]").fill("nightly-ci")
    form.locator("input[name=days]").fill("7")
    form.locator("button").click()
    shown = page.locator("#new-token")
    shown.wait_for()
    secret = shown.inner_text()
    assert secret.startswith("hon_")

    bearer = {"Authorization": f"Bearer {secret}"}
    me = page.request.get(f"{base}/api/me", headers=bearer)
    assert me.status == 200 and me.json()["username"] == "ada"

    page.click("a:has-text('Done')")
    page.wait_for_url(f"{base}/account/tokens")
    assert secret not in page.content()
    row = page.locator("tr:has-text('nightly-ci')")
    assert row.locator(".status").inner_text() == "active"
    assert secret[:12] in row.inner_text()  # its prefix identifies it
    with page.expect_navigation():
        row.locator("button:has-text('Revoke')").click()
    assert page.locator("tr:has-text('nightly-ci') .status").inner_text() == "revoked"
    assert page.request.get(f"{base}/api/me", headers=bearer).status == 401
    assert violations(page) == [], violations(page)


def test_verify_chain_finds_an_event_changed_in_sql(console, page) -> None:
    base, db = console
    record_violations(page)
    sign_in(page, base, "ada", PASSWORD, "/w/helpdesk/audit")
    page.click("#verify-chain")
    page.wait_for_url("**verify=true**")
    assert "Audit chain intact" in page.locator(".chain").inner_text()

    with db.writing() as session:
        event_id = session.scalar(text("SELECT min(id) FROM audit_event WHERE action = 'membership.set' "
                                       "AND workspace = 'helpdesk'"))
        session.execute(text("UPDATE audit_event SET actor = 'nobody' WHERE id = :id"), {"id": event_id})
    page.goto(f"{base}/w/helpdesk/audit")
    page.click("#verify-chain")
    page.wait_for_url("**verify=true**")
    report = page.locator(".chain").inner_text()
    assert f"Audit chain broken at event {event_id}" in report
    assert "does not match its hash" in report and "membership.set" in report
    assert violations(page) == [], violations(page)
