"""API tokens have a default and a maximum lifetime, and a token created from a browser
session ends with that session unless a site admin lets it outlive it."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from conftest import OPERATOR, make_user
from honing import accounts
from honing._config import Settings
from honing._errors import InvalidInput
from honing.accounts import Role
from honing.api import create_app
from honing.storage import ApiToken, AuditEvent, utcnow
from test_audit import run_cli

PASSWORD = "correct horse battery"  # make_user's
CSRF = {"x-honing-csrf": "1"}
DAY = timedelta(days=1)


def about(moment, expected) -> bool:  # type: ignore[no-untyped-def]
    return abs(moment - expected) < timedelta(minutes=5)


def parse(value: str):  # type: ignore[no-untyped-def]
    from datetime import datetime

    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_a_token_without_days_gets_the_default_and_none_beyond_the_maximum(db, workspace):
    make_user(db, "ana", Role.rater)
    with db.writing() as session:
        token, _ = accounts.create_token(session, OPERATOR, "ana", "ci")
        assert about(token.expires_at, utcnow() + 90 * DAY)
        short, _ = accounts.create_token(session, OPERATOR, "ana", "ci", days=7, default_days=30)
        assert about(short.expires_at, utcnow() + 7 * DAY)
    with db.reading() as session:
        before = (session.scalar(select(func.count()).select_from(ApiToken)),
                  session.scalar(select(func.count()).select_from(AuditEvent)))
    with pytest.raises(InvalidInput, match="from 1 to 365 days, not 3650") as refused:
        with db.writing() as session:
            accounts.create_token(session, OPERATOR, "ana", "forever", days=3650)
    assert refused.value.problems[0].field == "days"
    with pytest.raises(InvalidInput, match="from 1 to 30 days, not 31"):
        with db.writing() as session:
            accounts.create_token(session, OPERATOR, "ana", "x", days=31, max_days=30)
    with db.reading() as session:  # nothing written by a refusal
        assert (session.scalar(select(func.count()).select_from(ApiToken)),
                session.scalar(select(func.count()).select_from(AuditEvent))) == before


def test_lifetimes_come_from_the_environment():
    settings = Settings.from_env({"HONING_TOKEN_DEFAULT_DAYS": "30", "HONING_TOKEN_MAX_DAYS": "60"})
    assert (settings.token_default_days, settings.token_max_days) == (30, 60)
    assert (Settings.from_env({}).token_default_days, Settings.from_env({}).token_max_days) == (90, 365)
    with pytest.raises(InvalidInput, match="HONING_TOKEN_MAX_DAYS must be a whole number"):
        Settings.from_env({"HONING_TOKEN_MAX_DAYS": "a year"})
    with pytest.raises(InvalidInput, match="longer than HONING_TOKEN_MAX_DAYS"):
        Settings.from_env({"HONING_TOKEN_DEFAULT_DAYS": "400"})


def test_api_applies_the_servers_lifetimes(db, settings, workspace):
    bearer = {"Authorization": f"Bearer {make_user(db, 'ray', Role.rater)}"}
    strict = dataclasses.replace(settings, token_default_days=10, token_max_days=20)
    with TestClient(create_app(db, strict)) as client:
        created = client.post("/api/tokens", json={"name": "ci"}, headers=bearer)
        assert created.status_code == 201
        assert about(parse(created.json()["expires_at"]), utcnow() + 10 * DAY)
        refused = client.post("/api/tokens", json={"name": "ci", "days": 21}, headers=bearer)
    assert refused.status_code == 422
    assert refused.json()["message"] == "a token can last from 1 to 20 days, not 21"
    assert refused.json()["problems"][0]["field"] == "days"


def signed_in(db, settings, username: str) -> TestClient:
    client = TestClient(create_app(db, settings))
    response = client.post("/login", data={"username": username, "password": PASSWORD},
                           follow_redirects=False)
    assert response.status_code == 303
    return client


def test_a_token_made_in_a_browser_session_ends_with_it(db, settings, workspace):
    make_user(db, "web", Role.lead)
    with signed_in(db, settings, "web") as browser:
        created = browser.post("/api/tokens", json={"name": "notebook", "days": 365}, headers=CSRF)
        assert created.status_code == 201
        # No later than the session (14 days), however long it asked for.
        assert about(parse(created.json()["expires_at"]), utcnow() + settings.session_days * DAY)
        token = {"Authorization": f"Bearer {created.json()['token']}"}
        # A token made with that token is bound to the same session: no way around logout.
        chained = browser.post("/api/tokens", json={"name": "chained"}, headers=token).json()
        assert about(parse(chained["expires_at"]), utcnow() + settings.session_days * DAY)
        chained_auth = {"Authorization": f"Bearer {chained['token']}"}
        assert browser.get("/api/me", headers=token).json()["username"] == "web"
        assert browser.get("/api/me", headers=chained_auth).status_code == 200

        browser.post("/logout", follow_redirects=False)
        assert browser.get("/api/me", headers=token).status_code == 401
        assert browser.get("/api/me", headers=chained_auth).status_code == 401


def test_only_a_site_admin_may_outlive_the_session(db, settings, workspace):
    make_user(db, "web", Role.admin)
    make_user(db, "root", None, site_admin=True)
    with signed_in(db, settings, "web") as browser:
        refused = browser.post("/api/tokens", json={"name": "ci", "outlive_session": True}, headers=CSRF)
        assert refused.status_code == 403
        assert refused.json()["message"] == ("only a site admin may create a token that outlives "
                                             "the browser session")
        assert len(browser.get("/api/tokens").json()) == 1  # make_user's only
    with signed_in(db, settings, "root") as admin:
        created = admin.post("/api/tokens", json={"name": "ci", "outlive_session": True}, headers=CSRF)
        assert created.status_code == 201
        assert about(parse(created.json()["expires_at"]), utcnow() + 90 * DAY)
        token = {"Authorization": f"Bearer {created.json()['token']}"}
        admin.post("/logout", follow_redirects=False)
        assert admin.get("/api/me", headers=token).json()["username"] == "root"


def test_tokens_from_before_lifetimes_keep_working_and_list_as_never(db, database_url, settings, workspace):
    secret = make_user(db, "old", Role.viewer)
    with db.writing() as session:  # what a token made before lifetimes existed looks like
        session.execute(ApiToken.__table__.update().values(expires_at=None))
    with TestClient(create_app(db, settings)) as client:
        assert client.get("/api/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    listed = run_cli(database_url, "token", "list", "--user", "old")
    assert listed.returncode == 0 and "never" in listed.stdout, listed.stdout


def test_cli_token_create_respects_the_maximum(db, database_url, workspace):
    make_user(db, "ana", Role.rater)
    refused = run_cli(database_url, "token", "create", "--user", "ana", "--days", "400")
    assert refused.returncode == 2
    assert "from 1 to 365 days, not 400" in refused.stderr + refused.stdout
    created = run_cli(database_url, "token", "create", "--user", "ana", "--days", "30")
    assert created.returncode == 0, created.stderr
    listed = run_cli(database_url, "token", "list", "--user", "ana")
    expires = (utcnow() + 30 * DAY).strftime("%Y-%m-%d")
    assert expires in listed.stdout, listed.stdout
