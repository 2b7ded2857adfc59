"""The item page shows what end users said about the item: thumbs, ratings, comments and
corrections, each with its source, author and time; an item without any says so."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from conftest import OPERATOR
from honing import accounts, feedback, ingest
from honing.api import create_app
from honing.feedback import Signal, SignalKind
from honing.storage import ItemRow, Workspace
from records import record, write_jsonl


def test_the_item_page_lists_the_items_feedback_signals(db, settings, workspace, tmp_path):
    ingest.import_file(db, write_jsonl(tmp_path / "logs.jsonl", [record(n) for n in range(2)]),
                       workspace=workspace, dataset="logs", actor="cli:test")
    at = datetime(2026, 11, 2, 10, 30, tzinfo=UTC)
    with db.writing() as session:
        accounts.create_user(session, OPERATOR, "vic", "a long password!")
        accounts.set_role(session, OPERATOR, workspace, "vic", "viewer")
        first, second = sorted(session.scalars(ItemRow.__table__.select().with_only_columns(ItemRow.id)))
        ws = session.query(Workspace).filter_by(name=workspace).one()
        feedback.record_signals(session, ws, first, [
            Signal(SignalKind.thumbs, value=-1, source="otlp", author="u-17", given_at=at),
            Signal(SignalKind.rating, value=2, scale=5, source="langfuse", given_at=at),
            Signal(SignalKind.comment, text="It never mentioned the <VPN> profile.", given_at=at),
            Signal(SignalKind.correction, text="Switch to Corp-VPN-IKEv2.", given_at=at)])
    with TestClient(create_app(db, settings)) as client:
        client.post("/login", data={"username": "vic", "password": "a long password!"})
        page = client.get(f"/w/helpdesk/items/{first}")
        assert page.status_code == 200, page.text
        html = page.text
        assert "Feedback signals" in html
        assert "<b>thumbs</b>" in html and "down" in html and "from otlp (u-17), 2026-11-02 10:30 UTC" in html
        assert "<b>rating</b>" in html and "2 of 5" in html and "from langfuse" in html
        # Comment text is shown escaped, never as markup.
        assert "It never mentioned the &lt;VPN&gt; profile." in html
        assert "<b>correction</b>" in html and "Switch to Corp-VPN-IKEv2." in html
        assert html.index("<b>thumbs</b>") < html.index("<b>correction</b>")  # oldest first, as given
        other = client.get(f"/w/helpdesk/items/{second}").text
        assert "Feedback signals" in other and "No feedback from users." in other

