"""What an integration needs from the API to run a labeling job end to end without shell
access: user accounts, every label and item of a queue page by page or as one stream, and
claims that name the item claimed."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select

from annotation import answers, seed_queue
from conftest import OPERATOR, make_user
from honing import accounts, audit
from honing.accounts import Role
from honing.api import create_app
from honing.storage import Assignment, Label, Queue, QueueItem, utcnow

API = "/api/workspaces/helpdesk"


def h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def team(db, settings, workspace):
    tokens = {"root": make_user(db, "root", None, site_admin=True),
              "boss": make_user(db, "boss", Role.admin), "lead": make_user(db, "lee", Role.lead),
              "reviewer": make_user(db, "rev", Role.reviewer), "vic": make_user(db, "vic", Role.viewer)}
    for name in ["ann", "bob", "cy"]:
        tokens[name] = make_user(db, name, Role.rater)
    with TestClient(create_app(db, settings)) as client:
        yield client, tokens


def _claim_and_submit(client, token, queue="review"):  # type: ignore[no-untyped-def]
    task = client.post(f"{API}/queues/{queue}/claim", headers=h(token)).json()["assignment"]
    if task is None:
        return None, None
    label = client.post(f"{API}/assignments/{task['assignment_id']}/submit", json={"answers": answers()},
                        headers=h(token))
    assert label.status_code == 200, label.text
    return task, label.json()


# --- users ------------------------------------------------------------------------------

def test_site_admins_manage_users_and_every_change_is_audited(team, db):
    client, t = team
    chosen = client.post("/api/users", headers=h(t["root"]), json={
        "username": "vendor-1", "password": "a chosen password", "display_name": "Vendor One"})
    assert chosen.status_code == 201, chosen.text
    assert chosen.json() | {"created_at": None} == {
        "username": "vendor-1", "display_name": "Vendor One", "is_site_admin": False, "is_active": True,
        "created_at": None, "password": None}
    generated = client.post("/api/users", headers=h(t["root"]), json={"username": "ops", "is_site_admin": True})
    assert generated.status_code == 201 and generated.json()["is_site_admin"]
    secret = generated.json()["password"]
    assert len(secret) >= 20
    assert _login(client, "ops", secret) == 303
    assert _login(client, "vendor-1", "a chosen password") == 303
    with db.reading() as session:  # hashed with the full scrypt cost, never weakened for speed
        stored = accounts.get_user(session, "ops").password_hash
    assert stored.startswith("scrypt$32768$8$1$") and secret not in stored

    assert client.post("/api/users", headers=h(t["root"]), json={"username": "ops"}).status_code == 409
    short = client.post("/api/users", headers=h(t["root"]), json={"username": "x1", "password": "short"})
    assert short.status_code == 422 and "too short" in short.json()["message"]
    bad_name = client.post("/api/users", headers=h(t["root"]), json={"username": "Not A Name"})
    assert bad_name.status_code == 422

    # A deactivated user's token is refused at once, and accepted again after reactivation.
    assert client.get("/api/me", headers=h(t["ann"])).status_code == 200
    off = client.post("/api/users/ann/deactivate", headers=h(t["root"]))
    assert off.status_code == 200 and off.json()["is_active"] is False
    assert client.get("/api/me", headers=h(t["ann"])).status_code == 401
    assert client.post("/api/users/root/deactivate", headers=h(t["root"])).status_code == 409
    on = client.post("/api/users/ann/reactivate", headers=h(t["root"]))
    assert on.status_code == 200 and on.json()["is_active"] is True
    assert client.get("/api/me", headers=h(t["ann"])).status_code == 200

    # A reset password replaces the old one and ends the user's browser sessions.
    _login(client, "vendor-1", "a chosen password")
    old_session = client.cookies["honing_session"]
    client.cookies.clear()
    reset = client.post("/api/users/vendor-1/password", headers=h(t["root"]), json={})
    assert reset.status_code == 200 and reset.json()["sessions_ended"] == 2
    new_secret = reset.json()["password"]
    assert _login(client, "vendor-1", "a chosen password") == 401
    assert _login(client, "vendor-1", new_secret) == 303
    client.cookies.clear()
    client.cookies.set("honing_session", old_session)
    assert client.get("/api/me").status_code == 401
    client.cookies.clear()
    chosen_again = client.post("/api/users/vendor-1/password", headers=h(t["root"]),
                               json={"password": "another long one"})
    assert chosen_again.json()["password"] is None and _login(client, "vendor-1", "another long one") == 303
    assert client.post("/api/users/nobody/password", headers=h(t["root"]), json={}).status_code == 404

    got = client.get("/api/users/ann", headers=h(t["root"]))
    assert got.status_code == 200 and got.json()["username"] == "ann"
    with db.reading() as session:
        events = [(e.actor, e.action, e.target, e.details) for e in audit.recent(session, limit=200)
                  if e.action.startswith("user.")]
    assert ("user:root", "user.create", "user:ops", {"site_admin": True}) in events
    assert ("user:root", "user.deactivate", "user:ann", {}) in events
    assert ("user:root", "user.reactivate", "user:ann", {}) in events
    assert [e for e in events if e[1] == "user.password.reset"][-1][2:] == ("user:vendor-1", {"sessions_ended": 2})
    assert not any(secret in str(e) or new_secret in str(e) for e in events)


def _login(client, username, password):  # type: ignore[no-untyped-def]
    return client.post("/login", data={"username": username, "password": password},
                       follow_redirects=False).status_code


def test_user_listing_pages_by_cursor_and_only_site_admins_manage_users(team):
    client, t = team
    for i in range(5):
        assert client.post("/api/users", headers=h(t["root"]),
                           json={"username": f"crowd-{i}", "password": "long enough pw"}).status_code == 201
    seen, url, pages = [], "/api/users?limit=3", 0
    while url:
        page = client.get(url, headers=h(t["root"]))
        assert page.status_code == 200, page.text
        body = page.json()
        seen += [u["username"] for u in body["users"]]
        pages += 1
        assert body["next_cursor"] == page.headers.get("x-next-cursor")
        url = page.headers["link"].split(">")[0].lstrip("<") if body["next_cursor"] else None
    assert pages == 5 and len(seen) == 13 == len(set(seen)) and seen[-5:] == [f"crowd-{i}" for i in range(5)]

    for who in ["boss", "lead", "ann"]:  # a workspace admin is not a site admin
        for method, path, body in [("GET", "/api/users", None), ("GET", "/api/users/ann", None),
                                   ("POST", "/api/users", {"username": "sneaky"}),
                                   ("POST", "/api/users/ann/deactivate", None),
                                   ("POST", "/api/users/ann/reactivate", None),
                                   ("POST", "/api/users/ann/password", {})]:
            answer = client.request(method, path, json=body, headers=h(t[who]))
            assert answer.status_code == 403, (who, method, path, answer.text)
    assert client.get("/api/users").status_code == 401
    assert client.get("/api/users?cursor=not-a-cursor", headers=h(t["root"])).status_code == 422


# --- labels ---------------------------------------------------------------------------

def _follow(client, url, token):  # type: ignore[no-untyped-def]
    """Every page of a labels listing, by its Link header; the pages' ids."""
    pages = []
    while url:
        page = client.get(url, headers=h(token))
        assert page.status_code == 200, page.text
        pages.append([label["id"] for label in page.json()])
        link = page.headers.get("link")
        assert (link is None) == (page.headers.get("x-next-cursor") is None)
        url = link.split(">")[0].lstrip("<") if link else None
    return pages


def test_labels_page_by_cursor_stably_while_labels_are_added(team, db, tmp_path):
    client, t = team
    seed_queue(db, client, t["lead"], tmp_path, items=4, overlap=3)
    for rater in ["ann", "bob"]:
        for _ in range(4):
            _claim_and_submit(client, t[rater])
    # Existing clients: a bare list, newest first, no paging headers when all fit.
    everything = client.get(f"{API}/queues/review/labels", headers=h(t["lead"]))
    ids = [label["id"] for label in everything.json()]
    assert len(ids) == 8 and ids == sorted(ids, reverse=True) and "x-next-cursor" not in everything.headers

    first = client.get(f"{API}/queues/review/labels?order=asc&limit=3", headers=h(t["lead"]))
    assert [label["id"] for label in first.json()] == sorted(ids)[:3]
    # Labels submitted mid-walk neither shift a page nor appear twice: in ascending order
    # they come at the end.
    added = [_claim_and_submit(client, t["cy"])[1]["id"] for _ in range(4)]
    cursor = first.headers["x-next-cursor"]
    rest = _follow(client, f"http://testserver{API}/queues/review/labels?order=asc&limit=3&cursor={cursor}",
                   t["lead"])
    walked = [label["id"] for label in first.json()] + [i for page in rest for i in page]
    assert walked == sorted(ids) + added and [len(p) for p in rest] == [3, 3, 3]

    newest_first = _follow(client, f"{API}/queues/review/labels?limit=5", t["lead"])
    assert [i for page in newest_first for i in page] == sorted(ids + added, reverse=True)
    assert [len(p) for p in newest_first] == [5, 5, 2]
    # The cursor continues the filtered walk too.
    with db.writing() as session:
        session.get(Label, ids[0]).status = "accepted"
    accepted = _follow(client, f"{API}/queues/review/labels?status=accepted&limit=1", t["lead"])
    assert accepted == [[ids[0]]]

    bad = client.get(f"{API}/queues/review/labels?cursor=%%%", headers=h(t["lead"]))
    assert bad.status_code == 422 and bad.json()["problems"][0]["field"] == "query:cursor"
    assert client.get(f"{API}/queues/review/labels?limit=1001", headers=h(t["lead"])).status_code == 422
    for who in ["ann", "reviewer", "vic"]:
        assert client.get(f"{API}/queues/review/labels", headers=h(t[who])).status_code == 403
        assert client.get(f"{API}/queues/review/labels.jsonl", headers=h(t[who])).status_code == 403
        assert client.get(f"{API}/queues/review/items", headers=h(t[who])).status_code == 403


def test_labels_export_streams_every_label_in_id_order(team, db, tmp_path):
    client, t = team
    items, raters = 1000, ["ann", "bob", "cy"]
    seed_queue(db, client, t["lead"], tmp_path, items=items, overlap=3)
    _, label = _claim_and_submit(client, t["ann"])  # one through the API; the rest straight
    with db.reading() as session:  # into the tables, as thousands of HTTP calls would be slow
        rater_ids = {name: accounts.get_user(session, name).id for name in raters}
    _bulk_labels(db, "review", rater_ids, skip=label["queue_item_id"])
    with db.reading() as session:
        total = session.scalar(select(func.count()).select_from(Label))
    assert total == items * len(raters)  # every rater on every item

    started = time.perf_counter()
    with client.stream("GET", f"{API}/queues/review/labels.jsonl", headers=h(t["lead"])) as export:
        assert export.status_code == 200
        assert export.headers["content-type"] == "application/x-ndjson"
        raw = b"".join(export.iter_bytes())
    seconds = time.perf_counter() - started
    lines = [json.loads(line) for line in raw.decode().splitlines()]
    ids = [line["id"] for line in lines]
    assert len(lines) == total and ids == sorted(ids) and len(set(ids)) == total
    # The same fields, and values, as the JSON listing.
    listed = client.get(f"{API}/queues/review/labels?order=asc&limit=1000", headers=h(t["lead"])).json()
    assert lines[:1000] == listed
    assert (lines[0]["id"], lines[0]["rater"], lines[0]["order"]) == (label["id"], "ann", "canonical")
    print(f"\nexport: {total} labels, {len(raw)} bytes, {seconds:.2f} s, "
          f"{total / seconds:.0f} labels/s, chunks of 500 -> {-(-total // 500)} reads")

    only = client.get(f"{API}/queues/review/labels.jsonl?status=accepted", headers=h(t["lead"]))
    assert only.status_code == 200 and only.text == ""


def _bulk_labels(db, queue_name, rater_ids, *, skip):  # type: ignore[no-untyped-def]
    now = utcnow()
    with db.writing() as session:
        queue = session.scalar(select(Queue).where(Queue.name == queue_name))
        rows = session.execute(select(QueueItem.id, QueueItem.item_id).where(QueueItem.queue_id == queue.id)
                               .order_by(QueueItem.id)).all()
        pairs = [(row, rater) for row in rows for rater in rater_ids.values()
                 if not (row.id == skip and rater == rater_ids["ann"])]
        assignment_ids = session.scalars(insert(Assignment).returning(Assignment.id, sort_by_parameter_order=True), [
            {"queue_id": queue.id, "queue_item_id": row.id, "rater_id": rater, "status": "submitted",
             "lease_expires_at": now + timedelta(hours=1), "finished_at": now} for row, rater in pairs]).all()
        session.execute(insert(Label), [
            {"assignment_id": a, "queue_id": queue.id, "queue_item_id": row.id, "item_id": row.item_id,
             "rater_id": rater, "rubric_version_id": queue.rubric_version_id, "kind": "live",
             "answers": answers(), "status": "submitted", "submitted_at": now, "updated_at": now}
            for a, (row, rater) in zip(assignment_ids, pairs, strict=True)])


# --- items and claims --------------------------------------------------------------------

def test_queue_items_page_by_cursor_with_their_labels_counted(team, db, tmp_path):
    client, t = team
    seed_queue(db, client, t["lead"], tmp_path, items=5, overlap=2)
    gold = client.post(f"{API}/queues/review/reference-items", headers=h(t["lead"]), json={"kind": "gold", "records": [
        {"item": _item(100), "answers": answers()}]})
    assert gold.status_code == 201, gold.text
    task, _ = _claim_and_submit(client, t["ann"])
    _claim_and_submit(client, t["bob"])  # the same first item: overlap 2 makes it complete
    leased = client.post(f"{API}/queues/review/claim", headers=h(t["cy"])).json()["assignment"]

    pages, url = [], f"{API}/queues/review/items?limit=4"
    while url:
        page = client.get(url, headers=h(t["lead"]))
        assert page.status_code == 200, page.text
        pages.append(page.json()["items"])
        assert page.json()["next_cursor"] == page.headers.get("x-next-cursor")
        url = f"{API}/queues/review/items?limit=4&cursor={page.json()['next_cursor']}" \
            if page.json()["next_cursor"] else None
    found = [item for page in pages for item in page]
    assert [len(p) for p in pages] == [4, 2] and [i["id"] for i in found] == sorted(i["id"] for i in found)
    by_id = {item["id"]: item for item in found}
    assert [i["kind"] for i in found] == ["live"] * 5 + ["gold"]
    assert by_id[task["queue_item_id"]] | {"position": 0} == {
        "id": task["queue_item_id"], "item_id": task["item_id"], "kind": "live", "position": 0,
        "status": "complete", "labels": 2, "labels_by_status": {"submitted": 2}, "active_leases": 0}
    assert by_id[leased["queue_item_id"]]["status"] == "in_progress"
    assert by_id[leased["queue_item_id"]]["active_leases"] == 1
    assert [i["status"] for i in found].count("open") == 3 and found[-1]["status"] == "reference"


def _item(i: int) -> dict:
    from records import record

    return record(i)


def test_claims_name_the_item_on_both_paths(team, db, tmp_path):
    """On PostgreSQL the claim is answered on the event loop (honing.api._fast_path) and the
    assignment read back through the synchronous path: both name the same item."""
    client, t = team
    seed_queue(db, client, t["lead"], tmp_path, items=3, overlap=1)
    claimed = client.post(f"{API}/queues/review/claim", headers=h(t["ann"]))
    task = claimed.json()["assignment"]
    again = client.get(f"{API}/assignments/{task['assignment_id']}", headers=h(t["ann"])).json()
    items = client.get(f"{API}/queues/review/items", headers=h(t["lead"])).json()["items"]
    [item] = [i for i in items if i["id"] == task["queue_item_id"]]
    assert task["item_id"] == item["item_id"] and again["item_id"] == item["item_id"]
    assert again["queue_item_id"] == task["queue_item_id"]
    assert set(again) - {"status"} == set(task)
    label = client.post(f"{API}/assignments/{task['assignment_id']}/submit", json={"answers": answers()},
                        headers=h(t["ann"])).json()
    assert label["queue_item_id"] == task["queue_item_id"]
    if db.dialect == "postgresql":  # the event-loop path answered, and the synchronous one agrees
        assert client.app.state.labeling is not None
        with db.writing() as session:  # a second rater's claim through the synchronous path
            from honing import annotate
            queue = annotate.get_queue(session, accounts.get_workspace(session, "helpdesk"), "review")
            sync = annotate.rater_payload(session, queue, annotate.claim_next(
                session, queue, accounts.get_user(session, "bob").id, actor="user:bob", workspace="helpdesk"
            ).assignment)
        assert set(sync) == set(task) and sync["item_id"] is not None

    schema = client.get("/openapi.json").json()["components"]["schemas"]["AssignmentOut"]
    assert {"item_id", "queue_item_id"} <= set(schema["required"])


def test_claims_in_queues_with_hidden_gold_do_not_name_the_item(team, db, tmp_path):
    """Gold items are added after the live ones: their ids would give them away."""
    client, t = team
    seed_queue(db, client, t["lead"], tmp_path, items=2, overlap=3, gold_rate=0.5)
    client.post(f"{API}/queues/review/reference-items", headers=h(t["lead"]), json={"kind": "gold", "records": [
        {"item": _item(100 + i), "answers": answers()} for i in range(3)]})
    for rater in ["ann", "bob", "cy"]:
        for _ in range(4):
            task, _ = _claim_and_submit(client, t[rater])
            if task is None:
                break
            assert task["item_id"] is None and task["queue_item_id"] is None
            assert client.get(f"{API}/assignments/{task['assignment_id']}",
                              headers=h(t[rater])).json()["item_id"] is None


def test_operator_made_users_still_work(db, workspace):
    """The CLI path (a password, hashed in the transaction) is unchanged."""
    with db.writing() as session:
        user = accounts.create_user(session, OPERATOR, "cli-made", "a long password")
        assert accounts.verify_password("a long password", user.password_hash)
        with pytest.raises(ValueError):
            accounts.create_user(session, OPERATOR, "neither", None)
