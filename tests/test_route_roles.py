"""Who may call what: every route of the app, API and pages, against every kind of caller,
with the status each must get declared in one table (ROUTES). A route missing from the
table fails the test, so a new route cannot ship without saying who may call it.

The requests are real ones against a small workspace: a dataset whose items carry an
answer key in their metadata (as the demo's `demo_truth` does), a blind queue that shows
raters only `language`, a rater with a submitted label and an open assignment, and an
evaluation run. Writes are sent with bodies that, once the caller is let through, are
either harmless to repeat or refused by the core (a duplicate, an empty upload, answers
missing): the status then says how far the caller got without changing what later rows
see."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from annotation import RUBRIC, answers
from conftest import OPERATOR, make_user
from honing import accounts, ingest
from honing.accounts import Role
from honing.api import create_app
from honing.storage import Database, QueueItem
from records import record, write_jsonl
from test_eval_pages import seed_run

PASSWORD = "correct horse battery"  # make_user's
ANSWER_KEY = "ANSWER-KEY-7f3a9c"  # in every item's metadata; no rater response may hold it
CALLERS = ("anonymous", "viewer", "rater", "reviewer", "lead", "admin", "outsider", "site_admin")
# Members of "helpdesk" by role; the outsider administers another workspace; the site
# administrator belongs to none.
MEMBERS = {"viewer": "vic", "rater": "ray", "reviewer": "rev", "lead": "lee", "admin": "ada"}


@dataclass(frozen=True)
class Call:
    """The statuses one route gives each caller (in CALLERS order), and what to send."""

    statuses: tuple[int, ...]
    query: str = ""
    json: Any = None
    data: dict[str, str] | None = None
    files: dict[str, Any] | None = None
    # Logging out ends the session it is sent with: send it with one opened for it.
    own_session: bool = False
    headers: dict[str, str] | None = None


def by(anonymous: int, viewer: int, rater: int, reviewer: int, lead: int, admin: int, outsider: int,
       site_admin: int, **request: Any) -> Call:
    return Call((anonymous, viewer, rater, reviewer, lead, admin, outsider, site_admin), **request)


# Patterns, in CALLERS order. An outsider never learns the workspace exists (404).
API_READ = (401, 200, 403, 200, 200, 200, 404, 200)  # workspace data: not raters
API_LABEL = (401, 403, 200, 200, 200, 200, 404, 200)  # labeling: not viewers
API_LEAD = (401, 403, 403, 403, 200, 200, 404, 200)
API_ADMIN = (401, 403, 403, 403, 403, 200, 404, 200)
PAGE_READ = (303, 200, 403, 200, 200, 200, 404, 200)  # anonymous: to the login form
PAGE_LABEL = (303, 403, 200, 200, 200, 200, 404, 200)
PAGE_LEAD = (303, 403, 403, 403, 200, 200, 404, 200)
PAGE_ADMIN = (303, 403, 403, 403, 403, 200, 404, 200)
OPEN = (200,) * 8
# A page's form posts (from script, with the CSRF header): a refusal as the API gives it.
PAGE_LEAD_POST = (401, 403, 403, 403, 0, 0, 404, 0)
CSRF = {"x-honing-csrf": "1"}
SITE_ADMIN = (401, 403, 403, 403, 403, 403, 403, 200)  # user accounts span workspaces
# The rater's own assignment or label: someone else's is "not yours" (404).
RATERS_OWN = (401, 403, 0, 404, 404, 404, 404, 404)


def lead_post(status: int, **request: Any) -> Call:
    return Call(tuple(status if s == 0 else s for s in PAGE_LEAD_POST), headers=CSRF, **request)


def own(status: int, **request: Any) -> Call:
    return Call(tuple(status if s == 0 else s for s in RATERS_OWN), **request)


W = "/api/workspaces/{workspace}"
Q = W + "/queues/{queue}"
A = W + "/assignments/{assignment_id}"
P = "/w/{workspace}"

ROUTES: dict[tuple[str, str], Call] = {
    # --- the API: accounts, workspaces, tokens
    ("GET", "/api/health"): Call(OPEN),
    ("GET", "/api/me"): by(401, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/workspaces"): by(401, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "/api/workspaces"): by(401, 403, 403, 403, 403, 403, 403, 409, json={"name": "helpdesk"}),
    ("GET", W): by(401, 200, 200, 200, 200, 200, 404, 200),  # the workspace itself: every member
    ("GET", W + "/members"): Call(API_ADMIN),
    ("PUT", W + "/members/{username}"): Call(API_ADMIN, json={"role": "viewer"}),  # sam stays a viewer
    ("DELETE", W + "/members/{username}"): by(401, 403, 403, 403, 403, 404, 404, 404),  # sam is kept: see WORLD
    ("GET", W + "/audit"): Call(API_ADMIN),
    ("GET", "/api/audit/verify"): by(401, 403, 403, 403, 403, 403, 403, 200),
    ("GET", "/api/tokens"): by(401, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "/api/tokens"): by(401, 201, 201, 201, 201, 201, 201, 201, json={"name": "route-check"}),
    ("DELETE", "/api/tokens/{token_id}"): by(401, 404, 404, 404, 404, 404, 404, 404),  # nobody's token
    # --- users: site administrators only (sam is deactivated, given a new password and
    # reactivated, in this order; no caller signs in as sam)
    ("GET", "/api/users"): Call(SITE_ADMIN),
    ("POST", "/api/users"): Call(SITE_ADMIN[:-1] + (409,), json={"username": "sam"}),  # sam exists
    ("GET", "/api/users/{username}"): Call(SITE_ADMIN),
    ("POST", "/api/users/{username}/deactivate"): Call(SITE_ADMIN),
    ("POST", "/api/users/{username}/password"): Call(SITE_ADMIN, json={}),
    ("POST", "/api/users/{username}/reactivate"): Call(SITE_ADMIN),
    # --- datasets and items: read, never by raters
    ("GET", W + "/datasets"): Call(API_READ),
    ("GET", W + "/datasets/{dataset}"): Call(API_READ),
    ("GET", W + "/datasets/{dataset}/versions"): Call(API_READ),
    ("GET", W + "/datasets/{dataset}/versions/{version}"): Call(API_READ),
    ("GET", W + "/datasets/{dataset}/versions/{version}/items"): Call(API_READ),
    ("GET", W + "/items/{item_id}"): Call(API_READ),
    ("GET", W + "/items/{item_id}/signals"): Call(API_READ),
    ("POST", W + "/items/{item_id}/signals"): by(401, 403, 403, 403, 201, 201, 404, 201,
                                                 json={"kind": "thumbs", "value": -1}),
    ("POST", W + "/samples"): by(401, 403, 403, 403, 422, 422, 404, 422, json={  # larger than the frame
        "source": "logs", "into": "route_sample", "design": {"size": 100000}}),
    # --- OTLP trace receiver (an empty export request: nothing is stored)
    ("POST", "/v1/traces"): by(401, 403, 403, 403, 200, 200, 404, 200, query="workspace=helpdesk",
                               json={"resourceSpans": []}),
    ("POST", W + "/datasets/{dataset}/imports"): by(401, 403, 403, 403, 422, 422, 404, 422,
                                                    files={"file": ("empty.jsonl", b"")}),
    # makes rater members, so a workspace admin's
    ("POST", W + "/datasets/{dataset}/migrations"): by(401, 403, 403, 403, 403, 422, 404, 422,
                                                       files={"file": ("empty.json", b"")},
                                                       data={"format": "label-studio"}),
    # --- rubrics and queues
    ("GET", W + "/rubrics"): Call(API_READ),
    ("POST", W + "/rubrics"): by(401, 403, 403, 403, 201, 201, 404, 201, json={"yaml": RUBRIC}),
    ("GET", W + "/queues"): Call(API_LABEL),
    ("POST", W + "/queues"): by(401, 403, 403, 403, 409, 409, 404, 409,
                                json={"name": "review", "dataset": "logs", "rubric": "helpdesk-compare"}),
    ("GET", Q): Call(API_LABEL),
    ("POST", Q + "/reference-items"): by(401, 403, 403, 403, 422, 422, 404, 422, json={
        "kind": "gold", "records": [{"item": record(99), "answers": {"no-such-question": 1}}]}),
    ("POST", W + "/suggestions"): by(401, 403, 403, 403, 422, 422, 404, 422, json={
        "records": [{"item_id": 2**40, "question": "preference", "value": "A>B", "source": "model"}]}),
    # --- labeling: raters and those above them, each on their own work
    ("POST", Q + "/claim"): Call(API_LABEL),
    ("GET", A): own(200),
    ("PUT", A + "/draft"): own(204, json={"answers": {}}),
    ("POST", A + "/submit"): own(422, json={"answers": {}}),  # incomplete: refused, nothing stored
    ("POST", A + "/skip"): own(422, json={"reason": " "}),  # a skip needs a reason
    ("POST", A + "/flag"): own(204, json={"reason": "unclear"}),
    ("POST", A + "/escalate"): own(201, json={"summary": "looks unsafe", "severity": "S2"}),
    ("GET", Q + "/feedback"): Call(API_LABEL),
    ("PUT", Q + "/labels/{label_id}/rework"): own(409, json={"answers": answers()}),  # not returned
    # --- review, the lead's console, adjudication, quality
    ("POST", Q + "/reviews/next"): by(401, 403, 403, 200, 200, 200, 404, 200),
    ("POST", Q + "/labels/{label_id}/review"): by(401, 403, 403, 422, 422, 422, 404, 422,
                                                  json={"verdict": "return"}),  # a return needs a reason
    ("GET", Q + "/labels"): Call(API_LEAD),
    ("GET", Q + "/labels.jsonl"): Call(API_LEAD),
    ("GET", Q + "/items"): Call(API_LEAD),
    # escalations: leads see and handle all; a reviewer only those assigned to them (none
    # here: 200 with an empty list, 404 for one); the rater reads how their own ended
    ("GET", Q + "/escalations"): by(401, 403, 403, 200, 200, 200, 404, 200),
    ("GET", Q + "/escalations/{escalation_id}"): by(401, 403, 403, 404, 200, 200, 404, 200),
    ("PUT", Q + "/escalations/{escalation_id}/assign"): by(401, 403, 403, 403, 422, 422, 404, 422,
                                                          json={"assignee": "nobody"}),
    # the lead resolves it, then it is resolved already; the lead reopens it, then it is open
    ("POST", Q + "/escalations/{escalation_id}/resolve"): by(401, 403, 403, 404, 200, 409, 404, 409,
                                                            json={"outcome": "no_action", "note": "ok"}),
    ("POST", Q + "/escalations/{escalation_id}/reopen"): by(401, 403, 403, 403, 200, 409, 404, 409, json={}),
    ("GET", Q + "/feedback/escalations"): Call(API_LABEL),
    ("GET", Q + "/disagreements"): Call(API_LEAD),
    ("GET", Q + "/items/{queue_item_id}/labels"): Call(API_LEAD),
    ("POST", Q + "/items/{queue_item_id}/adjudication"): by(401, 403, 403, 403, 422, 422, 404, 422,
                                                            json={"question": "nope", "answer": 1, "note": "x"}),
    ("GET", Q + "/quality/agreement"): Call(API_LEAD, query="resamples=0"),
    ("GET", Q + "/quality/raters"): Call(API_LEAD, query="resamples=0"),
    ("GET", Q + "/quality/report"): Call(API_LEAD, query="resamples=0"),
    # --- evaluation: read, never by raters
    ("GET", W + "/suites"): Call(API_READ),
    ("GET", W + "/runs"): Call(API_READ),
    ("GET", W + "/runs/{run_id}"): Call(API_READ),
    ("GET", W + "/runs/{run_id}/results"): Call(API_READ),
    ("GET", W + "/runs/{run_id}/results/{scenario_id}"): Call(API_READ),
    ("GET", W + "/runs/{run_a}/compare/{run_b}"): Call(API_READ),
    # --- pages (not in the OpenAPI document); sessions, not tokens
    ("GET", "/docs"): Call(OPEN),
    ("GET", "/openapi.json"): Call(OPEN),
    ("GET", "/login"): Call(OPEN),
    ("POST", "/login"): Call((401,) * 8, data={"username": "ray", "password": "not the password"}),
    ("POST", "/logout"): Call((303,) * 8, own_session=True),
    ("GET", "/"): by(303, 200, 200, 200, 200, 200, 200, 200),
    ("GET", P): by(303, 200, 303, 200, 200, 200, 404, 200),  # a rater is sent on to their queues
    ("GET", P + "/datasets/{dataset}"): Call(PAGE_READ),
    ("GET", P + "/datasets/{dataset}/card"): Call(PAGE_READ),
    ("GET", P + "/items/{item_id}"): Call(PAGE_READ),
    ("GET", P + "/queues"): Call(PAGE_LABEL),
    ("GET", P + "/queues/{queue}/work"): Call(PAGE_LABEL),
    ("GET", P + "/assignments/{assignment_id}/panel"): by(303, 403, 200, 404, 404, 404, 404, 404),
    ("GET", P + "/queues/{queue}/feedback"): Call(PAGE_LABEL),
    ("GET", P + "/queues/{queue}"): Call(PAGE_LEAD),
    ("GET", P + "/queues/{queue}/items/{queue_item_id}"): Call(PAGE_LEAD),
    ("GET", P + "/queues/{queue}/review"): by(303, 403, 403, 200, 200, 200, 404, 200),
    ("GET", P + "/queues/{queue}/escalations"): by(303, 403, 403, 200, 200, 200, 404, 200),
    ("GET", P + "/queues/{queue}/quality"): Call(PAGE_LEAD, query="period=all"),
    ("GET", P + "/runs"): Call(PAGE_READ),
    ("GET", P + "/runs/{run_id}"): Call(PAGE_READ),
    ("GET", P + "/runs/{run_a}/compare/{run_b}"): Call(PAGE_READ),
    ("GET", P + "/runs/{run_id}/results/{scenario_id}"): Call(PAGE_READ),
    # --- setting labeling up: leads (each post's body is refused once past the role check)
    ("GET", P + "/setup"): Call(PAGE_LEAD),
    ("GET", P + "/setup/import"): Call(PAGE_LEAD),
    ("GET", P + "/setup/rubric"): Call(PAGE_LEAD),
    ("GET", P + "/setup/queue"): Call(PAGE_LEAD),
    ("GET", P + "/queues/{queue}/reference"): Call(PAGE_LEAD),
    ("POST", P + "/setup/import"): lead_post(422, data={"dataset": "logs"},
                                             files={"file": ("empty.jsonl", b"")}),
    ("POST", P + "/setup/rubric"): lead_post(422, data={"yaml": " "}),
    ("POST", P + "/setup/queue"): lead_post(409, data={"name": "review", "dataset": "logs",
                                                       "rubric": "helpdesk-compare"}),  # it exists
    ("POST", P + "/queues/{queue}/reference"): lead_post(422, data={"kind": "gold"},
                                                         files={"file": ("empty.jsonl", b"")}),
    ("GET", P + "/members"): Call(PAGE_ADMIN),
    ("GET", P + "/audit"): Call(PAGE_ADMIN, query="verify=true&action=membership"),
    ("GET", "/account/tokens"): by(303, 200, 200, 200, 200, 200, 200, 200),  # everyone's own
    ("GET", P + "/runs/{run_id}/results"): Call(PAGE_READ, query="status=pass&q=reset"),
    ("GET", P + "/runs/{run_a}/compare/{run_b}/results/{scenario_id}"): Call(PAGE_READ),
}


def app_routes(app: Any) -> set[tuple[str, str]]:
    """(method, path) of every route: the OpenAPI document's, and those it leaves out (the
    pages, the docs). HEAD answers as GET does; mounted static files hold no data."""
    found = {(method.upper(), path) for path, methods in app.openapi()["paths"].items() for method in methods}
    for route in app.routes:
        # Included routers are one entry each in newer FastAPI; their routes are inside.
        for inner in route.effective_route_contexts() if hasattr(route, "effective_route_contexts") else [route]:
            path = re.sub(r"\{(\w+):\w+\}", r"{\1}", getattr(inner, "path", ""))  # {id:path} is {id}
            found |= {(method, path) for method in getattr(inner, "methods", None) or () if method != "HEAD"}
    return found


@dataclass
class World:
    ids: dict[str, Any]
    tokens: dict[str, str]
    sessions: dict[str, str]


def build_world(db: Database, client: TestClient, tmp_path) -> World:  # type: ignore[no-untyped-def]
    tokens = {caller: make_user(db, name, Role(caller)) for caller, name in MEMBERS.items()}
    tokens["outsider"] = make_user(db, "otto", None)
    tokens["site_admin"] = make_user(db, "root", None, site_admin=True)
    make_user(db, "sam", Role.viewer)  # whose role the member routes set
    with db.writing() as session:
        accounts.create_workspace(session, OPERATOR, "other")
        accounts.set_role(session, OPERATOR, "other", "otto", Role.admin)
    rows = [record(i, metadata={"language": "en", "intent": "vpn_issue", "demo_truth": ANSWER_KEY})
            for i in range(6)]
    ingest.import_file(db, write_jsonl(tmp_path / "logs.jsonl", rows), workspace="helpdesk", dataset="logs",
                       actor="cli:test")
    lead = {"Authorization": f"Bearer {tokens['lead']}"}
    rubric = client.post("/api/workspaces/helpdesk/rubrics", json={"yaml": RUBRIC}, headers=lead).json()
    created = client.post("/api/workspaces/helpdesk/queues", headers=lead, json={
        "name": "review", "dataset": "logs", "rubric": rubric["ref"],
        "policy": {"blind": True, "overlap": 1, "show_metadata": ["language"]}})
    assert created.status_code == 201, created.text
    rater = {"Authorization": f"Bearer {tokens['rater']}"}
    first = client.post("/api/workspaces/helpdesk/queues/review/claim", headers=rater).json()["assignment"]
    label = client.post(f"/api/workspaces/helpdesk/assignments/{first['assignment_id']}/submit",
                        json={"answers": answers()}, headers=rater)
    assert label.status_code == 200, label.text
    second = client.post("/api/workspaces/helpdesk/queues/review/claim", headers=rater).json()["assignment"]
    escalated = client.post(f"/api/workspaces/helpdesk/assignments/{second['assignment_id']}/escalate",
                            json={"summary": "looks unsafe", "severity": "S2"}, headers=rater)
    assert escalated.status_code == 201, escalated.text
    run_id = seed_run(db)
    sessions = {caller: accounts.login(db, name, PASSWORD)[1] for caller, name in MEMBERS.items()}
    sessions["outsider"] = accounts.login(db, "otto", PASSWORD)[1]
    sessions["site_admin"] = accounts.login(db, "root", PASSWORD)[1]
    with db.reading() as session:
        item_id = session.scalar(select(QueueItem.item_id).where(QueueItem.id == label.json()["queue_item_id"]))
    ids = {"workspace": "helpdesk", "dataset": "logs", "version": "1", "item_id": item_id, "queue": "review",
           "assignment_id": second["assignment_id"], "label_id": label.json()["id"],
           "queue_item_id": label.json()["queue_item_id"], "run_id": run_id, "run_a": run_id, "run_b": run_id,
           "scenario_id": "reset-password", "username": "sam", "token_id": 2**40,
           "escalation_id": escalated.json()["id"]}
    return World(ids, tokens, sessions)


@pytest.fixture
def world(db, settings, workspace, tmp_path):
    # Every caller posts a wrong password to /login: sign-in throttling (tested on its own in
    # test_login_abuse.py) would answer 429 from the sixth on, whoever asks.
    settings = dataclasses.replace(settings, login_account_failures=1000, login_address_failures=1000)
    with TestClient(create_app(db, settings)) as client:
        yield client, build_world(db, client, tmp_path)


def _send(client: TestClient, world: World, db: Database, method: str, template: str, call: Call,
          caller: str) -> Any:
    ids = dict(world.ids)
    if method == "DELETE" and template.endswith("{username}"):
        ids["username"] = "nobody"  # removing sam would change the PUT's answer for later callers
    url = template.format(**ids) + (f"?{call.query}" if call.query else "")
    headers, cookies = dict(call.headers or {}), {}
    if caller != "anonymous":
        if template.startswith(("/api", "/v1/")):  # the API and the OTLP receiver
            headers["Authorization"] = f"Bearer {world.tokens[caller]}"
        elif call.own_session:
            name = {"outsider": "otto", "site_admin": "root"}.get(caller) or MEMBERS[caller]
            cookies["honing_session"] = accounts.login(db, name, PASSWORD)[1]
        else:
            cookies["honing_session"] = world.sessions[caller]
    client.cookies.clear()
    for name, value in cookies.items():
        client.cookies.set(name, value)
    return client.request(method, url, headers=headers, json=call.json, data=call.data, files=call.files,
                          follow_redirects=False)


def test_every_route_is_declared(world) -> None:
    client, _ = world
    routes = app_routes(client.app)
    undeclared = sorted(routes - ROUTES.keys())
    assert not undeclared, f"declare who may call these routes in ROUTES: {undeclared}"
    stale = sorted(ROUTES.keys() - routes)
    assert not stale, f"ROUTES declares routes the app does not have: {stale}"


def test_every_caller_gets_the_declared_status(world, db) -> None:
    client, w = world
    wrong, leaks = [], []
    for (method, template), call in ROUTES.items():
        assert len(call.statuses) == len(CALLERS), (method, template)
        for caller, expected in zip(CALLERS, call.statuses, strict=True):
            response = _send(client, w, db, method, template, call, caller)
            if response.status_code != expected:
                wrong.append(f"{method} {template} as {caller}: {response.status_code}, declared {expected}"
                             f" ({response.text[:160]!r})")
            if caller == "rater" and ANSWER_KEY in response.text:
                leaks.append(f"{method} {template}")
    assert not wrong, "\n".join(wrong)
    assert not leaks, f"the answer key reached a rater through: {leaks}"


def test_a_rater_sees_only_the_queue_fields_of_their_own_items(world) -> None:
    """The security review's finding: a rater's token read an item with its answer key."""
    client, w = world
    item = f"/api/workspaces/helpdesk/items/{w.ids['item_id']}"
    as_rater = {"Authorization": f"Bearer {w.tokens['rater']}"}
    refused = client.get(item, headers=as_rater)
    assert refused.status_code == 403
    assert "raters see items through their assignments" in refused.json()["message"]
    for path in ["/api/workspaces/helpdesk/datasets/logs/versions/1/items",
                 f"/api/workspaces/helpdesk/runs/{w.ids['run_id']}/results"]:
        assert client.get(path, headers=as_rater).status_code == 403, path
    client.cookies.set("honing_session", w.sessions["rater"])
    page = client.get(f"/w/helpdesk/items/{w.ids['item_id']}", headers={"accept": "text/html"})
    assert page.status_code == 403 and "raters see items through their assignments" in page.text
    client.cookies.clear()
    # What a rater does get: the item of their open assignment, with the queue's fields only.
    task = client.get(f"/api/workspaces/helpdesk/assignments/{w.ids['assignment_id']}", headers=as_rater).json()
    assert task["item"]["metadata"] == {"language": "en"}
    assert set(task["item"]["responses"][0]) == {"label", "content"}  # blind: no model names
    # The same item, as a viewer reads it, holds the key: its absence above is the policy.
    viewer = client.get(item, headers={"Authorization": f"Bearer {w.tokens['viewer']}"})
    assert viewer.status_code == 200 and viewer.json()["metadata"]["demo_truth"] == ANSWER_KEY
