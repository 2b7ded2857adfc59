"""Feedback signals: parsing, idempotent storage, summaries, and the API."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from conftest import make_user
from honing import feedback, ingest
from honing._errors import InvalidInput, NotFound
from honing.accounts import Role
from honing.api import create_app
from honing.feedback import Signal, SignalKind, parse_signal
from honing.storage import ItemRow, Workspace
from records import record, write_jsonl


@pytest.mark.parametrize("data, message", [
    ({"kind": "thumbs", "value": 0}, "value 1 (up) or -1 (down)"),
    ({"kind": "thumbs", "value": True}, "must be a number"),
    ({"kind": "rating", "value": 6, "scale": 5}, "between 0 and its scale 5"),
    ({"kind": "rating", "value": 3}, "needs a value and a scale"),
    ({"kind": "comment", "text": "  "}, "needs text"),
    ({"kind": "correction", "text": "x", "value": 1}, "has text, not a value"),
    ({"kind": "smile"}, "kind must be one of thumbs, rating, comment, correction"),
    ({"kind": "thumbs", "value": 1, "colour": "red"}, "unknown field(s) colour"),
    ({"kind": "comment", "text": "ok", "given_at": "yesterday"}, "not an ISO 8601 time"),
    ([1], "expected an object"),
])
def test_bad_signals_are_refused_saying_what(data, message):
    with pytest.raises(InvalidInput, match="signal 3") as caught:
        parse_signal(data, where="signal 3")
    assert message in str(caught.value)


def test_parsing_accepts_the_common_spellings():
    assert parse_signal({"kind": "THUMBS", "value": "down"}).value == -1
    assert parse_signal({"kind": "thumbs", "value": "up"}).value == 1
    rating = parse_signal({"kind": "rating", "value": "2", "scale": 5, "given_at": "2026-11-02T10:00:00Z"})
    assert (rating.value, rating.scale, rating.given_at) == (2.0, 5.0, datetime(2026, 11, 2, 10, tzinfo=UTC))
    assert rating.negative and not parse_signal({"kind": "rating", "value": 3, "scale": 5}).negative
    assert parse_signal({"kind": "comment", "text": "hi"}, source="otlp").source == "otlp"


@pytest.fixture
def item_db(db, workspace, tmp_path):
    path = write_jsonl(tmp_path / "logs.jsonl", [record(n) for n in range(3)])
    ingest.import_file(db, path, workspace="helpdesk", dataset="logs", actor="cli:test")
    with db.reading() as session:
        ids = sorted(session.scalars(ItemRow.__table__.select().with_only_columns(ItemRow.id)))
    return db, ids


def test_signals_with_an_external_id_are_stored_once(item_db):
    db, ids = item_db
    down = Signal(SignalKind.thumbs, value=-1, source="app", external_id="fb-1")
    with db.writing() as session:
        ws = session.query(Workspace).filter_by(name="helpdesk").one()
        first = feedback.record_signals(session, ws, ids[0], [down, down])
        again = feedback.record_signals(session, ws, ids[0], [down])
        # no external id: every one counts
        anon = feedback.record_signals(session, ws, ids[0], [Signal(SignalKind.thumbs, value=1)] * 2)
    assert (len(first), len(again), len(anon)) == (1, 0, 2)
    with db.reading() as session:
        assert [s.signal.value for s in feedback.item_signals(session, ids[0])] == [-1, 1, 1]


def test_summaries_count_thumbs_by_direction_and_average_ratings(item_db):
    db, ids = item_db
    with db.writing() as session:
        ws = session.query(Workspace).filter_by(name="helpdesk").one()
        feedback.record_signals(session, ws, ids[0], [
            Signal(SignalKind.thumbs, value=-1), Signal(SignalKind.thumbs, value=-1),
            Signal(SignalKind.thumbs, value=1), Signal(SignalKind.rating, value=1, scale=5),
            Signal(SignalKind.rating, value=8, scale=10), Signal(SignalKind.comment, text="wrong")])
        feedback.record_signals(session, ws, ids[1], [Signal(SignalKind.correction, text="fixed")])
    with db.reading() as session:
        summaries = feedback.signal_summaries(session, ids)
    first = summaries[ids[0]]
    assert (first.thumbs_up, first.thumbs_down, first.ratings, first.comments) == (1, 2, 2, 1)
    assert first.mean_rating == pytest.approx(0.5)
    assert first.negative
    assert summaries[ids[1]].corrections == 1 and not summaries[ids[1]].negative
    assert ids[2] not in summaries


def test_an_item_of_another_workspace_is_not_found(item_db):
    db, ids = item_db
    with db.writing() as session:
        other = Workspace(name="elsewhere", title="Elsewhere")
        session.add(other)
        session.flush()
        with pytest.raises(NotFound, match="does not exist in workspace 'elsewhere'"):
            feedback.record_signals(session, other, ids[0], [Signal(SignalKind.thumbs, value=1)])


def test_the_api_stores_lists_and_refuses(item_db, settings):
    db, ids = item_db
    client = TestClient(create_app(db, settings))
    headers = {"Authorization": f"Bearer {make_user(db, 'lee', Role.lead)}"}
    url = f"/api/workspaces/helpdesk/items/{ids[0]}/signals"
    body = [{"kind": "thumbs", "value": "down", "external_id": "fb-9", "author": "u-1"},
            {"kind": "correction", "text": "It is 30 days."}]
    first = client.post(url, json=body, headers=headers)
    assert first.status_code == 201 and first.json()["stored"] == 2
    retry = client.post(url, json=body[:1], headers=headers)
    assert retry.json() == {"stored": 0, "skipped": 1, "signals": []}
    listed = client.get(url, headers=headers).json()
    assert [(s["kind"], s.get("value"), s.get("text")) for s in listed] == [
        ("thumbs", -1.0, None), ("correction", None, "It is 30 days.")]
    bad = client.post(url, json=[{"kind": "thumbs", "value": 1}, {"kind": "rating", "value": 9}],
                      headers=headers)
    assert bad.status_code == 422 and "signal 2" in bad.json()["message"]
    assert len(client.get(url, headers=headers).json()) == 2  # nothing of the bad batch kept
    assert client.get(f"/api/workspaces/helpdesk/items/{2**40}/signals", headers=headers).status_code == 404
