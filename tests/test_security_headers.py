"""Security headers on pages and API answers, pages with no inline code, and the session
cookie marked Secure behind a trusted TLS proxy (and only then)."""

from __future__ import annotations

import dataclasses
import re

import pytest
from fastapi.testclient import TestClient

from conftest import OPERATOR, make_user
from honing import accounts, ingest
from honing.accounts import Role
from honing.api import create_app
from records import record, write_jsonl

PASSWORD = "a long password!"


@pytest.fixture
def signed_in(db, settings, workspace, tmp_path):
    ingest.import_file(db, write_jsonl(tmp_path / "a.jsonl", [record(i) for i in range(3)]),
                       workspace=workspace, dataset="logs", actor="cli:test")
    with db.writing() as session:
        accounts.create_user(session, OPERATOR, "lee", PASSWORD)
        accounts.set_role(session, OPERATOR, workspace, "lee", "lead")
    with TestClient(create_app(db, settings)) as client:
        client.post("/login", data={"username": "lee", "password": PASSWORD})
        yield client


def directives(policy: str) -> dict[str, str]:
    parts = (p.strip().split(" ", 1) for p in policy.split(";") if p.strip())
    return {p[0]: (p[1] if len(p) > 1 else "") for p in parts}


def assert_common(headers) -> None:  # type: ignore[no-untyped-def]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/", "/w/helpdesk", "/w/helpdesk/datasets/logs",
                                  "/w/helpdesk/queues", "/docs"])
def test_pages_have_a_strict_policy_and_are_never_framed_or_stored(signed_in, path):
    response = signed_in.get(path)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert_common(response.headers)
    assert response.headers["cache-control"] == "no-store"
    policy = directives(response.headers["content-security-policy"])
    assert policy["default-src"] == "'self'" and policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["base-uri"] == "'none'"
    assert policy["form-action"] == "'self'" and policy["object-src"] == "'none'"
    assert "unsafe-inline" not in response.headers["content-security-policy"]


@pytest.mark.parametrize("path", ["/", "/w/helpdesk/datasets/logs", "/w/helpdesk/queues", "/docs",
                                  "/login"])
def test_pages_hold_no_inline_code_the_policy_would_block(signed_in, path):
    html = signed_in.get(path).text
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert all(" src=" in tag for tag in scripts), scripts
    assert not re.search(r"<style\b", html)
    assert not re.search(r"<[^>]+\s(on[a-z]+|style)\s*=", html)
    assert "javascript:" not in html


def test_the_docs_start_up_script_is_served(signed_in):
    html = signed_in.get("/docs").text
    for src in re.findall(r'<script\b[^>]*src="([^"]+)"', html):
        script = signed_in.get(src)
        assert script.status_code == 200, src
        assert "javascript" in script.headers["content-type"]
    assert 'data-openapi-url="/openapi.json"' in html


def test_api_answers_are_not_documents_and_not_stored(client_with_token):
    client, token = client_with_token
    response = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert_common(response.headers)
    assert response.headers["cache-control"] == "no-store"
    policy = directives(response.headers["content-security-policy"])
    assert policy == {"default-src": "'none'", "frame-ancestors": "'none'"}
    # Refusals carry them too.
    refused = client.get("/api/me")
    assert refused.status_code == 401 and refused.headers["x-frame-options"] == "DENY"
    assert refused.headers["cache-control"] == "no-store"


def test_static_files_keep_their_caching(client_with_token):
    client, _ = client_with_token
    response = client.get("/static/honing.css")
    assert response.status_code == 200 and response.headers["x-content-type-options"] == "nosniff"
    assert "no-store" not in response.headers.get("cache-control", "")
    assert "etag" in response.headers


@pytest.fixture
def client_with_token(db, settings, workspace):
    token = make_user(db, "ray", Role.rater)
    with TestClient(create_app(db, settings)) as client:
        yield client, token


# --- the session cookie behind a TLS-terminating proxy -----------------------------------

def login_cookie(db, settings, workspace, *, trusted: tuple[str, ...], headers: dict[str, str]) -> str:
    with db.writing() as session:
        accounts.create_user(session, OPERATOR, "web", PASSWORD)
    app = create_app(db, dataclasses.replace(settings, trusted_proxies=trusted))
    with TestClient(app) as client:  # its requests come from the peer "testclient"
        response = client.post("/login", data={"username": "web", "password": PASSWORD},
                               headers=headers, follow_redirects=False)
    assert response.status_code == 303
    return response.headers["set-cookie"]


def test_cookie_is_secure_when_a_trusted_proxy_says_the_browser_used_https(db, settings, workspace):
    cookie = login_cookie(db, settings, workspace, trusted=("testclient",),
                          headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"})
    assert "honing_session=" in cookie
    assert re.search(r";\s*secure\b", cookie, flags=re.I)
    assert re.search(r";\s*httponly\b", cookie, flags=re.I)


def test_forwarded_headers_from_an_untrusted_peer_are_ignored(db, settings, workspace):
    cookie = login_cookie(db, settings, workspace, trusted=("10.0.0.1",),
                          headers={"X-Forwarded-Proto": "https"})
    assert "honing_session=" in cookie and not re.search(r";\s*secure\b", cookie, flags=re.I)


def test_plain_http_through_a_trusted_proxy_is_not_secure(db, settings, workspace):
    cookie = login_cookie(db, settings, workspace, trusted=("testclient",),
                          headers={"X-Forwarded-Proto": "http"})
    assert not re.search(r";\s*secure\b", cookie, flags=re.I)


def test_trusted_proxies_come_from_the_environment():
    from honing._config import Settings

    settings = Settings.from_env({"HONING_TRUSTED_PROXIES": " 10.0.0.1, 10.0.0.0/8 ,,"})
    assert settings.trusted_proxies == ("10.0.0.1", "10.0.0.0/8")
    assert Settings.from_env({}).trusted_proxies == ()
