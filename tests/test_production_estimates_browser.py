"""In real Chromium: a sampled queue's quality dashboard shows the estimated production
rate and the reviewed sample's raw rate, each with n and an interval, in its table and its
chart; an item page shows the item's feedback signals. No console or CSP errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from annotation import answers, seed_queue
from conftest import OPERATOR
from honing import accounts, feedback
from honing._config import Settings
from honing.accounts import Role
from honing.api import create_app
from honing.feedback import Signal, SignalKind
from honing.storage import Database, QueueItem, Workspace
from live_server import serve
from test_csp_browser import record_violations, violations
from test_production_estimates import ITEMS, drawn, record_inclusion, severity_of
from test_workbench_browser import sign_in

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"
DASHBOARD = "/w/helpdesk/queues/review/quality?period=all"


@pytest.fixture(scope="module")
def sampled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A server whose queue "review" holds 12 sampled items, labelled once each (4 fail,
    drawn with π = 0.5; 8 pass, drawn with π = 0.05); the first failing item has a
    thumbs-down and a comment from production. Yields the base URL and that item's id."""
    home = tmp_path_factory.mktemp("sampled-queue")
    url = f"sqlite:///{home / 'honing.db'}"
    db = Database(url)
    with db.writing() as session:
        accounts.create_workspace(session, OPERATOR, "helpdesk", "Helpdesk")
        for name, role in (("lee", Role.lead), ("ann", Role.rater)):
            accounts.create_user(session, OPERATOR, name, PASSWORD)
            accounts.set_role(session, OPERATOR, "helpdesk", name, role)
        tokens = {name: accounts.create_token(session, OPERATOR, name, "test")[1] for name in ("lee", "ann")}
    settings = Settings(home=Path(home) / "home", database_url=url)
    app = create_app(db, settings)
    with TestClient(app) as client:
        seed_queue(db, client, tokens["lee"], home, items=ITEMS, overlap=1)
        with db.reading() as session:
            position = {qi.item_id: qi.position for qi in session.scalars(select(QueueItem))}
        for _ in range(ITEMS):
            task = client.post("/api/workspaces/helpdesk/queues/review/claim",
                               headers={"Authorization": f"Bearer {tokens['ann']}"}).json()["assignment"]
            client.post(f"/api/workspaces/helpdesk/assignments/{task['assignment_id']}/submit",
                        json={"answers": answers(severity=severity_of(position[task["item_id"]]))},
                        headers={"Authorization": f"Bearer {tokens['ann']}"})
    record_inclusion(db, "review", drawn)
    failing = next(item for item, at in position.items() if at == 0)
    with db.writing() as session:
        ws = session.scalars(select(Workspace).where(Workspace.name == "helpdesk")).one()
        feedback.record_signals(session, ws, failing, [
            Signal(SignalKind.thumbs, value=-1, source="otlp", author="u-17"),
            Signal(SignalKind.comment, text="It sent me to the wrong VPN profile.", source="langfuse")])
    with serve(app, threads=8) as base:
        yield base, failing
    db.dispose()


def test_dashboard_shows_the_estimated_production_rate_beside_the_raw_rate(sampled, page):
    base, _ = sampled
    console = record_violations(page)
    sign_in(page, base, "lee", PASSWORD, DASHBOARD)
    table = page.locator("table.production")
    assert table.is_visible()
    row = table.locator("tr.production-rate", has_text="S2")
    cells = dict(zip(["question", "answer", "estimate", "estimate n", "raw", "raw n"],
                     row.locator("td").all_inner_texts()))
    assert cells["question"] == "severity" and cells["answer"] == "S2"
    assert cells["estimate"].startswith("4.8% [") and cells["raw"].startswith("33.3% [")
    assert cells["estimate n"].startswith("12 items (effective") and cells["raw n"] == "12 items"

    # The chart draws both, with their intervals and n, the estimate far below the raw rate.
    points = page.evaluate("""() => [...document.querySelectorAll('#chart-production-severity svg .point')]
        .map(p => ({label: p.dataset.label, value: +p.dataset.value, low: +p.dataset.low,
                    high: +p.dataset.high, n: +p.dataset.n, width: p.getBoundingClientRect().width}))""")
    by_label = {p["label"]: p for p in points}
    estimate, raw = by_label["S2 · production (estimated)"], by_label["S2 · reviewed sample (raw)"]
    assert estimate["value"] == pytest.approx(100 * 8 / 168, abs=0.01)
    assert raw["value"] == pytest.approx(100 * 4 / 12, abs=0.01)
    assert estimate["low"] <= estimate["value"] <= estimate["high"] and raw["low"] < raw["value"] < raw["high"]
    assert estimate["n"] == raw["n"] == ITEMS and estimate["width"] > 0
    assert violations(page) == [] and console == []


def test_item_page_shows_its_feedback_signals(sampled, page):
    base, item = sampled
    console = record_violations(page)
    sign_in(page, base, "lee", PASSWORD, f"/w/helpdesk/items/{item}")
    signals = page.locator("section.signals .signal")
    assert signals.count() == 2
    thumbs, comment = signals.all_inner_texts()
    assert thumbs.startswith("thumbs down") and "from otlp (u-17)" in thumbs
    assert "comment" in comment and "It sent me to the wrong VPN profile." in comment and "from langfuse" in comment
    assert violations(page) == [] and console == []
