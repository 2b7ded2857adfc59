"""Request bodies have a limit (413 before anything is read or stored), and a number in a
URL that no row can have is a 404 or a 422, never a 500; pages answer errors as pages."""

from __future__ import annotations

import json
import re
import socket
from urllib.parse import urlsplit

import orjson
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from annotation import answers, seed_queue
from conftest import OPERATOR, make_user
from honing import accounts
from honing._config import Settings
from honing.accounts import Role
from honing.api import create_app
from honing.storage import Assignment, Label
from live_server import serve
from records import record

MB = 1024 * 1024
TOO_LARGE_BEYOND = 2**63  # one past BIGINT: no row anywhere can have this id
OUT_OF_RANGE = [str(TOO_LARGE_BEYOND), "-1"]
CLAIM = "/api/workspaces/helpdesk/queues/review/claim"


def h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def with_limit(settings: Settings, max_json_bytes: int) -> Settings:
    return Settings.from_env({"HONING_HOME": str(settings.home), "HONING_DATABASE_URL": settings.database_url,
                              "HONING_MAX_JSON_BYTES": str(max_json_bytes)})


@pytest.fixture
def team(db, workspace):
    return {"lead": make_user(db, "lee", Role.lead), "ann": make_user(db, "ann", Role.rater),
            "site": make_user(db, "root", Role.admin, site_admin=True)}


def _claimed(client: TestClient, db, team, tmp_path) -> str:
    """A seeded queue and the rater's first assignment: its URL prefix."""
    seed_queue(db, client, team["lead"], tmp_path, items=2, overlap=1)
    task = client.post(CLAIM, headers=h(team["ann"]))
    assert task.status_code == 200, task.text
    return f"/api/workspaces/helpdesk/assignments/{task.json()['assignment']['assignment_id']}"


def _claimed_first(db, settings, team, tmp_path) -> str:
    """As `_claimed`, seeded under the default limit (a rubric is larger than a small one)."""
    with TestClient(create_app(db, settings)) as client:
        return _claimed(client, db, team, tmp_path)


def _sized(size: int) -> bytes:
    """A valid submit or draft body of exactly `size` bytes."""
    body = {"answers": answers(rationale=""), "active_ms": 1000}
    padding = size - len(orjson.dumps(body))
    body["answers"]["rationale"] = "x" * padding
    raw = orjson.dumps(body)
    assert len(raw) == size
    return raw


def _stored(db) -> tuple[int, list]:
    with db.reading() as session:
        labels = session.scalar(select(func.count()).select_from(Label))
        drafts = list(session.scalars(select(Assignment.draft)))
    return labels, drafts


def _json(client: TestClient, method: str, url: str, raw: bytes, token: str):  # type: ignore[no-untyped-def]
    return client.request(method, url, content=raw,
                          headers={**h(token), "content-type": "application/json"})


def _assert_too_large(response, limit: int) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 413, response.text
    body = response.json()
    assert body["error"] == "payload_too_large"
    assert f"{limit} bytes" in body["message"] and "HONING_MAX_JSON_BYTES" in body["message"]


def test_oversized_drafts_and_labels_are_refused_and_nothing_is_stored(db, settings, team, tmp_path):
    with TestClient(create_app(db, settings)) as client:
        assignment = _claimed(client, db, team, tmp_path)
        draft = _json(client, "PUT", f"{assignment}/draft", _sized(2 * MB), team["ann"])
        _assert_too_large(draft, 1_048_576)
        assert "(1 MB)" in draft.json()["message"]
        label = _json(client, "POST", f"{assignment}/submit", _sized(2 * MB), team["ann"])
        _assert_too_large(label, 1_048_576)
        assert _stored(db) == (0, [None])

        # At the limit exactly, both are taken.
        assert _json(client, "PUT", f"{assignment}/draft", _sized(1_048_576), team["ann"]).status_code == 204
        done = _json(client, "POST", f"{assignment}/submit", _sized(1_048_576), team["ann"])
        assert done.status_code == 200, done.text
    assert _stored(db)[0] == 1


def test_the_fast_path_cannot_take_a_body_past_the_limit(db, settings, team, tmp_path):
    """On PostgreSQL raters' submits are answered before routing for bodies up to 64 KB;
    with a lower limit, a body between the two is still refused and not stored."""
    assignment = _claimed_first(db, settings, team, tmp_path)
    with TestClient(create_app(db, with_limit(settings, 20_000))) as client:
        refused = _json(client, "POST", f"{assignment}/submit", _sized(30_000), team["ann"])
        _assert_too_large(refused, 20_000)
        assert _stored(db)[0] == 0
        taken = _json(client, "POST", f"{assignment}/submit", _sized(19_000), team["ann"])
        assert taken.status_code == 200, taken.text
    assert _stored(db)[0] == 1


def test_a_chunked_body_is_refused_once_it_grows_past_the_limit(db, settings, team, tmp_path):
    with TestClient(create_app(db, settings)) as client:
        assignment = _claimed(client, db, team, tmp_path)
        raw = _sized(2 * MB)
        chunks = (raw[i:i + 64 * 1024] for i in range(0, len(raw), 64 * 1024))
        response = client.put(f"{assignment}/draft", content=chunks,
                              headers={**h(team["ann"]), "content-type": "application/json"})
        _assert_too_large(response, 1_048_576)
        assert "content-length" not in response.request.headers
    assert _stored(db) == (0, [None])


def test_a_real_server_stops_reading_a_chunked_body_at_the_limit(db, settings, team, tmp_path):
    """The client sends just past the limit and never ends its body: the 413 can only
    arrive if the server stopped reading there."""
    limit = 10_000
    assignment = _claimed_first(db, settings, team, tmp_path)
    with serve(create_app(db, with_limit(settings, limit))) as base:
        address = urlsplit(base)
        with socket.create_connection((address.hostname, address.port), timeout=10) as conn:
            conn.sendall((f"PUT {assignment}/draft HTTP/1.1\r\nHost: test\r\n"
                          f"Authorization: Bearer {team['ann']}\r\nContent-Type: application/json\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n").encode())
            for _ in range(3):
                conn.sendall(b"1000\r\n" + b"x" * 4096 + b"\r\n")
            answer = b""
            while not _complete(answer) and (data := conn.recv(65536)):
                answer += data
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), head
    assert f"{limit} bytes".encode() in body
    assert _stored(db) == (0, [None])


def _complete(response: bytes) -> bool:
    head, sep, body = response.partition(b"\r\n\r\n")
    lengths = [line.split(b":")[1] for line in head.lower().split(b"\r\n") if line.startswith(b"content-length:")]
    return bool(sep and lengths) and len(body) >= int(lengths[0])


def test_the_limit_comes_from_the_environment(db, settings, team, tmp_path):
    assert Settings.from_env({}).max_json_bytes == 1_048_576
    assignment = _claimed_first(db, settings, team, tmp_path)
    with TestClient(create_app(db, with_limit(settings, 5000))) as client:
        _assert_too_large(_json(client, "PUT", f"{assignment}/draft", _sized(6000), team["ann"]), 5000)
        assert _json(client, "PUT", f"{assignment}/draft", _sized(5000), team["ann"]).status_code == 204
    with TestClient(create_app(db, with_limit(settings, 3 * MB))) as client:
        assert _json(client, "PUT", f"{assignment}/draft", _sized(2 * MB), team["ann"]).status_code == 204


def test_uploads_keep_their_own_limit(db, settings, team, tmp_path):
    rows = b"".join(orjson.dumps(record(i)) + b"\n" for i in range(20))
    assert len(rows) > 5000
    with TestClient(create_app(db, with_limit(settings, 5000))) as client:
        done = client.post("/api/workspaces/helpdesk/datasets/big/imports", headers=h(team["lead"]),
                           files={"file": ("rows.jsonl", rows)})
        assert done.status_code == 201, done.text


def test_an_oversized_form_on_a_page_gets_the_error_page(db, settings, workspace):
    with TestClient(create_app(db, with_limit(settings, 5000))) as client:
        response = client.post("/login", data={"username": "x", "password": "p" * 6000},
                               headers={"accept": "text/html"})
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "5000 bytes" in response.text and "HONING_MAX_JSON_BYTES" in response.text


# Out-of-range numbers in URLs ------------------------------------------------------------

def _numbered_path_params(operation: dict) -> list[str]:
    """Integer path parameters, and versions (a number or a hash prefix)."""
    return [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"
            and ("integer" in json.dumps(p["schema"]) or p["name"] == "version")]


FILLERS = {"workspace": "helpdesk", "dataset": "review", "queue": "review", "scenario_id": "s1"}


def _fill(path: str, values: dict[str, str]) -> str:
    """The path with its parameters ({name} or {name:converter}) set."""
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: {**FILLERS, **values}[m[1]], path)


@pytest.fixture
def seeded(db, settings, team, tmp_path):
    with TestClient(create_app(db, settings)) as client:
        seed_queue(db, client, team["lead"], tmp_path, items=2, overlap=1)
        yield client


def test_every_numbered_route_answers_out_of_range_numbers_with_404(seeded, team):
    operations = [(method.upper(), path, params) for path, item in seeded.app.openapi()["paths"].items()
                  for method, operation in item.items() if (params := _numbered_path_params(operation))]
    assert len(operations) >= 15
    for method, path, params in operations:
        for name in params:
            for value in OUT_OF_RANGE:
                url = _fill(path, {p: ("1" if p != name else value) for p in params})
                response = seeded.request(method, url, headers=h(team["site"]), json={})
                assert response.status_code == 404, (method, url, response.text)
                assert response.json()["error"] == "not_found", (method, url)
            malformed = seeded.request(method, _fill(path, {p: "1" if p != name else "1x" for p in params}),
                                       headers=h(team["site"]), json={})
            assert malformed.status_code in (404, 422), (method, path, malformed.text)
            if name != "version":
                assert malformed.status_code == 422 and malformed.json()["error"] == "invalid_request"


def _api_routes(app) -> list[APIRoute]:  # type: ignore[no-untyped-def]
    """The app's routes, also where FastAPI keeps included routers whole."""
    found = []
    for route in app.routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif (included := getattr(route, "original_router", None)) is not None:
            found += _api_routes(included)
    return found


def _page_routes(app) -> list[tuple[str, list[str]]]:  # type: ignore[no-untyped-def]
    """Every page (not in the OpenAPI document) whose path holds an integer."""
    routes = []
    for route in _api_routes(app):
        numbered = [p.name for p in route.dependant.path_params if p.field_info.annotation is int]
        if numbered and not route.include_in_schema and not route.path.startswith("/api"):
            routes.append((route.path, numbered))
    return routes


@pytest.fixture
def signed_in(seeded, db):
    with db.writing() as session:
        accounts.create_user(session, OPERATOR, "lin", "a long password!")
        accounts.set_role(session, OPERATOR, "helpdesk", "lin", "admin")
    seeded.post("/login", data={"username": "lin", "password": "a long password!"})
    return seeded


def _assert_page(response, status: int) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, (response.request.url, response.text[:300])
    assert response.headers["content-type"].startswith("text/html"), response.request.url
    assert "<html" in response.text and not response.text.lstrip().startswith("{")


def test_pages_answer_out_of_range_numbers_with_the_404_page(signed_in):
    html = {"accept": "text/html"}
    routes = _page_routes(signed_in.app)
    assert {path for path, _ in routes} >= {"/w/{workspace}/items/{item_id}", "/w/{workspace}/runs/{run_id}",
                                            "/w/{workspace}/assignments/{assignment_id}/panel"}
    for path, numbered in routes:
        for name in numbered:
            for value in OUT_OF_RANGE:
                url = _fill(path, {p: ("1" if p != name else value) for p in numbered})
                _assert_page(signed_in.get(url, headers=html), 404)
            _assert_page(signed_in.get(_fill(path, {p: "1x" for p in numbered}), headers=html), 422)
    for page in ["/w/helpdesk/datasets/review", "/w/helpdesk/datasets/review/card"]:
        for value in OUT_OF_RANGE:
            _assert_page(signed_in.get(page, params={"version": value}, headers=html), 404)
    _assert_page(signed_in.get("/w/helpdesk/datasets/review", params={"page": "99999999999"}, headers=html), 422)
    _assert_page(signed_in.get("/w/helpdesk/nowhere", headers=html), 404)
    _assert_page(signed_in.post("/w/helpdesk", headers=html), 405)


def test_the_reported_version_urls_answer_404(seeded, team):
    for url in [f"/api/workspaces/helpdesk/datasets/review/versions/{TOO_LARGE_BEYOND}",
                f"/api/workspaces/helpdesk/datasets/review/versions/{TOO_LARGE_BEYOND}/items"]:
        response = seeded.get(url, headers=h(team["lead"]))
        assert response.status_code == 404, response.text
        assert "has no version" in response.json()["message"]
