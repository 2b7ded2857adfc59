"""The REST API: authentication, role checks, and bad input answered with 4xx JSON."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from conftest import make_user
from honing import ingest
from honing.accounts import Role
from honing.api import create_app
from records import record, write_jsonl


@pytest.fixture
def client(db, settings, workspace, tmp_path):
    ingest.import_file(db, write_jsonl(tmp_path / "seed.jsonl", [record(i) for i in range(12)]),
                       workspace=workspace, dataset="logs", actor="cli:test")
    with TestClient(create_app(db, settings)) as c:
        yield c


@pytest.fixture
def tokens(db, workspace):
    return {
        "admin": make_user(db, "ada", Role.admin),
        "lead": make_user(db, "lee", Role.lead),
        "viewer": make_user(db, "vic", Role.viewer),
        "rater": make_user(db, "ray", Role.rater),
        "outsider": make_user(db, "otto", None),
        "site": make_user(db, "root", None, site_admin=True),
    }


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_health_is_open_everything_else_needs_a_credential(client):
    assert client.get("/api/health").json()["status"] == "ok"
    for path in ["/api/me", "/api/workspaces", "/api/workspaces/helpdesk/datasets",
                 "/api/workspaces/helpdesk/items/1", "/api/tokens"]:
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.json()["error"] == "unauthenticated"
        assert response.headers["www-authenticate"] == "Bearer"
    assert client.get("/api/me", headers=auth("hon_forged")).status_code == 401
    assert client.get("/api/me", headers={"Authorization": "Basic abc"}).status_code == 401


def test_roles_are_enforced(client, tokens):
    admin_only = "/api/workspaces/helpdesk/members"
    denied = client.get(admin_only, headers=auth(tokens["rater"]))
    assert denied.status_code == 403
    assert "admin role" in denied.json()["message"]
    assert client.get(admin_only, headers=auth(tokens["admin"])).status_code == 200
    put = client.put("/api/workspaces/helpdesk/members/otto", json={"role": "viewer"},
                     headers=auth(tokens["rater"]))
    assert put.status_code == 403
    # Outsiders cannot even learn that the workspace exists.
    assert client.get("/api/workspaces/helpdesk", headers=auth(tokens["outsider"])).status_code == 404
    assert client.post("/api/workspaces", json={"name": "new"}, headers=auth(tokens["admin"])).status_code == 403
    assert client.post("/api/workspaces", json={"name": "new"}, headers=auth(tokens["site"])).status_code == 201
    assert client.get("/api/audit/verify", headers=auth(tokens["site"])).json()["ok"] is True
    assert client.get("/api/audit/verify", headers=auth(tokens["admin"])).status_code == 403


def test_admin_manages_members_and_it_is_audited(client, tokens):
    h = auth(tokens["admin"])
    assert client.put("/api/workspaces/helpdesk/members/otto", json={"role": "reviewer"}, headers=h).json()["role"] == "reviewer"
    roles = {m["username"]: m["role"] for m in client.get("/api/workspaces/helpdesk/members", headers=h).json()}
    assert roles["otto"] == "reviewer"
    events = client.get("/api/workspaces/helpdesk/audit", headers=h).json()
    assert events[0]["action"] == "membership.set" and events[0]["actor"] == "user:ada"
    assert client.delete("/api/workspaces/helpdesk/members/otto", headers=h).status_code == 204
    assert client.delete("/api/workspaces/helpdesk/members/otto", headers=h).status_code == 404


def test_read_endpoints(client, tokens):
    h = auth(tokens["viewer"])
    workspaces = client.get("/api/workspaces", headers=h).json()
    assert [(w["name"], w["role"]) for w in workspaces] == [("helpdesk", "viewer")]
    listed = client.get("/api/workspaces/helpdesk/datasets", headers=h).json()
    assert listed[0]["name"] == "logs" and listed[0]["head"]["item_count"] == 12
    versions = client.get("/api/workspaces/helpdesk/datasets/logs/versions", headers=h).json()
    assert versions[0]["ref"] == "logs@1" and versions[0]["lineage"]["operation"] == "import"
    page = client.get("/api/workspaces/helpdesk/datasets/logs/versions/latest/items",
                      params={"limit": 5, "offset": 2, "meta": "intent:vpn_issue"}, headers=h).json()
    assert page["total"] == 8 and len(page["items"]) == 5
    assert all(i["metadata"]["intent"] == "vpn_issue" for i in page["items"])
    item = client.get(f"/api/workspaces/helpdesk/items/{page['items'][0]['id']}", headers=h).json()
    assert item["messages"][2]["tool_calls"][0]["function"]["name"] == "check_service_status"
    assert [r["model_version"] for r in item["responses"]] == ["v1", "v2"]
    assert all(isinstance(r["id"], int) for r in item["responses"])
    by_hash = client.get(f"/api/workspaces/helpdesk/datasets/logs/versions/{versions[0]['content_hash'][:10]}",
                         headers=h)
    assert by_hash.json()["number"] == 1


@pytest.mark.parametrize("path, status, needle", [
    ("/api/workspaces/nope/datasets", 404, "nope"),
    ("/api/workspaces/helpdesk/datasets/nope", 404, "nope"),
    ("/api/workspaces/helpdesk/datasets/logs/versions/99", 404, "99"),
    ("/api/workspaces/helpdesk/datasets/logs/versions/zz!", 422, "zz!"),
    ("/api/workspaces/helpdesk/items/999999", 404, "999999"),
    ("/api/workspaces/helpdesk/items/abc", 422, "item_id"),
    ("/api/workspaces/helpdesk/items/99999999999999999999999", 404, "item id"),  # no row can have it
    ("/api/workspaces/helpdesk/datasets/logs/versions/1/items?limit=100000", 422, "limit"),
    ("/api/workspaces/helpdesk/datasets/logs/versions/1/items?meta=novalue", 422, "novalue"),
    ("/api/workspaces/" + "x" * 300, 422, "workspace"),
    ("/api/no/such/route", 404, "Not Found"),
    ("/api/workspaces/helpdesk/datasets/nul%00byte", 404, "does not exist"),
    ("/api/workspaces/nul%00byte/datasets", 404, "does not exist"),
    ("/api/workspaces/helpdesk/datasets/logs/versions/1/items?meta=intent:%00", 422, "NUL"),
    ("/api/workspaces/helpdesk/datasets/logs/versions/1/items?meta=%00:x", 422, "not valid"),
    ('/api/workspaces/helpdesk/datasets/logs/versions/1/items?meta=a"b:x', 422, "not valid"),
])
def test_unknown_ids_and_bad_parameters_get_json_4xx(client, tokens, path, status, needle):
    response = client.get(path, headers=auth(tokens["admin"]))
    assert response.status_code == status
    body = response.json()
    assert needle in str(body), body


def test_malformed_json_and_wrong_types_get_422_naming_the_field(client, tokens):
    h = {**auth(tokens["site"]), "Content-Type": "application/json"}
    broken = client.post("/api/workspaces", content=b'{"name": ', headers=h)
    assert broken.status_code == 422
    assert broken.json()["error"] == "invalid_request"
    assert "JSON" in str(broken.json()["problems"])
    wrong = client.put("/api/workspaces/helpdesk/members/ada", json={"role": "emperor"}, headers=h)
    assert wrong.status_code == 422 and "body:role" in str(wrong.json())
    hostile = client.post("/api/workspaces", json={"name": "<script>alert(1)</script>"}, headers=h)
    assert hostile.status_code == 422 and "not valid" in hostile.json()["message"]
    dup = client.post("/api/workspaces", json={"name": "helpdesk"}, headers=h)
    assert dup.status_code == 409


def test_import_by_upload(client, tokens, tmp_path):
    path = write_jsonl(tmp_path / "more.jsonl", [record(i) for i in range(50, 55)])
    upload = lambda token: client.post(  # noqa: E731
        "/api/workspaces/helpdesk/datasets/logs/imports", headers=auth(token),
        files={"file": ("more.jsonl", path.read_bytes())}, data={"mode": "append"})
    assert upload(tokens["rater"]).status_code == 403
    created = upload(tokens["lead"])
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["version"]["ref"] == "logs@2" and body["version"]["item_count"] == 17
    assert body["version"]["lineage"]["parents"] == ["logs@1"]
    assert body["version"]["lineage"]["actor"] == "user:lee"

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"messages": []}\n')
    rejected = client.post("/api/workspaces/helpdesk/datasets/logs/imports", headers=auth(tokens["lead"]),
                           files={"file": ("bad.jsonl", bad.read_bytes())})
    assert rejected.status_code == 422
    assert rejected.json()["problems"][0] == {
        "message": "List should have at least 1 item after validation, not 0", "file": "bad.jsonl",
        "line": 1, "field": "messages", "hint": "it must not be empty"}


def test_upload_size_limit(db, settings, workspace, tokens):
    small = type(settings)(home=settings.home, database_url=settings.database_url, max_upload_bytes=100)
    with TestClient(create_app(db, small)) as c:
        response = c.post("/api/workspaces/helpdesk/datasets/logs/imports", headers=auth(tokens["lead"]),
                          files={"file": ("big.jsonl", b"x" * 1000)})
    assert response.status_code == 413


def test_tokens_endpoints_and_revocation(client, tokens):
    h = auth(tokens["rater"])
    created = client.post("/api/tokens", json={"name": "ci", "days": 30}, headers=h).json()
    assert created["token"].startswith("hon_")
    assert client.get("/api/me", headers=auth(created["token"])).json()["username"] == "ray"
    listed = client.get("/api/tokens", headers=h).json()
    assert all("token" not in t for t in listed) and len(listed) == 2
    assert client.delete(f"/api/tokens/{created['id']}", headers=h).status_code == 204
    assert client.get("/api/me", headers=auth(created["token"])).status_code == 401
    # Someone else's token cannot be revoked (or even confirmed to exist).
    other = client.post("/api/tokens", json={"name": "x"}, headers=auth(tokens["lead"])).json()
    assert client.delete(f"/api/tokens/{other['id']}", headers=h).status_code == 404


def test_browser_session_and_csrf_header(client, tokens, db):
    from conftest import OPERATOR
    from honing import accounts

    with db.writing() as session:
        accounts.create_user(session, OPERATOR, "web", "a long password!")
        accounts.set_role(session, OPERATOR, "helpdesk", "web", "admin")
    bad = client.post("/login", data={"username": "web", "password": "wrong password"},
                      follow_redirects=False)
    assert bad.status_code == 401 and "wrong password" in bad.text
    good = client.post("/login", data={"username": "web", "password": "a long password!",
                                       "next": "https://evil.example/"}, follow_redirects=False)
    assert good.status_code == 303 and good.headers["location"] == "/"
    assert client.get("/api/me").json()["username"] == "web"
    # A write with only the cookie (as a cross-site form would send) is refused.
    assert client.post("/api/tokens", json={"name": "x"}).status_code == 403
    assert client.post("/api/tokens", json={"name": "x"}, headers={"x-honing-csrf": "1"}).status_code == 201
    client.post("/logout")
    assert client.get("/api/me").status_code == 401


def test_openapi_documents_the_api(client):
    schema = client.get("/openapi.json").json()
    assert "/api/workspaces/{workspace}/datasets/{dataset}/versions/{version}/items" in schema["paths"]
    assert client.get("/docs").status_code == 200
