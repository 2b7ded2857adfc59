"""Estimated production rates of a sampled queue, through the API, the dashboard and the
weekly report, on both databases: a review that drew failing items ten times as often as
passing ones shows the weighted estimate next to the raw rate; an unsampled queue shows
nothing new."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from annotation import answers, seed_queue
from conftest import make_user
from honing import quality
from honing.accounts import Role
from honing.api import create_app
from honing.stats import proportion, weighted_proportion
from honing.storage import Queue, QueueItem, SampleInclusion, Workspace

BASE = "/api/workspaces/helpdesk/queues/review"
ITEMS = 12
FAILING = 4  # the items whose position is below this are labelled S2 and were drawn with π = 0.5


def h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def record_inclusion(db, queue: str, probability_of) -> None:
    """The sample_inclusion rows a sampling design writes for the queue's dataset version:
    `probability_of(position)` -> (stratum, probability) for each live item."""
    with db.writing() as session:
        q = session.scalars(select(Queue).where(Queue.name == queue)).one()
        for item in session.scalars(select(QueueItem).where(QueueItem.queue_id == q.id, QueueItem.kind == "live")):
            stratum, probability = probability_of(item.position)
            session.add(SampleInclusion(version_id=q.dataset_version_id, item_id=item.item_id,
                                        stratum=stratum, probability=probability))


def signed_in(client: TestClient, username: str) -> None:
    client.cookies.clear()
    response = client.post("/login", data={"username": username, "password": "correct horse battery"},
                           follow_redirects=False)
    assert response.status_code == 303, response.text


def severity_of(position: int) -> str:
    return "S2" if position < FAILING else "S0"


def drawn(position: int) -> tuple[str, float]:
    return ("flagged", 0.5) if position < FAILING else ("rest", 0.05)


@pytest.fixture
def reviewed(db, settings, workspace, tmp_path):
    """A queue of 12 items, each labelled once; its first four items fail (S2)."""
    tokens = {"lead": make_user(db, "lee", Role.lead), "rater": make_user(db, "ann", Role.rater)}
    with TestClient(create_app(db, settings)) as client:
        seed_queue(db, client, tokens["lead"], tmp_path, items=ITEMS, overlap=1)
        with db.reading() as session:
            position = {qi.item_id: qi.position for qi in session.scalars(select(QueueItem))}
        for _ in range(ITEMS):
            task = client.post(f"{BASE}/claim", headers=h(tokens["rater"])).json()["assignment"]
            done = client.post(f"/api/workspaces/helpdesk/assignments/{task['assignment_id']}/submit",
                               json={"answers": answers(severity=severity_of(position[task["item_id"]]))},
                               headers=h(tokens["rater"]))
            assert done.status_code == 200, done.text
        yield client, tokens


def test_a_sampled_queue_reports_the_estimated_production_rate_beside_the_raw_rate(db, reviewed):
    client, t = reviewed
    record_inclusion(db, "review", drawn)
    report = client.get(f"{BASE}/quality/report?period=all&resamples=0", headers=h(t["lead"]))
    assert report.status_code == 200, report.text
    rates = {(r["question"], r["answer"]): r for r in report.json()["production_rates"]}
    # Severity and preference, one row per answer; per-response questions are left out.
    assert {q for q, _ in rates} == {"severity", "preference"}
    assert [a for q, a in rates if q == "severity"] == ["S0", "S1", "S2", "S3"]
    s2 = rates[("severity", "S2")]
    # 4 failures stand for 8 production items, 8 passes for 160: 8/168, not the raw 4/12.
    assert s2["estimated_production_rate"]["value"] == pytest.approx(8 / 168)
    assert s2["sample_rate"]["value"] == pytest.approx(4 / 12)
    assert s2["estimated_production_rate"]["n"] == s2["sample_rate"]["n"] == ITEMS
    assert s2["strata"] == 2
    expected = weighted_proportion([1.0] * FAILING + [0.0] * (ITEMS - FAILING),
                                   [0.5] * FAILING + [0.05] * (ITEMS - FAILING), ["flagged"] * FAILING
                                   + ["rest"] * (ITEMS - FAILING))
    assert s2["estimated_production_rate"]["low"] == pytest.approx(expected.low)
    assert s2["estimated_production_rate"]["high"] == pytest.approx(expected.high)
    # Every stratum is uniform (all flagged items fail, all others pass): the interval
    # rests on Kish's effective n (168²/3216, about 8.8), not on a variance of zero.
    assert s2["effective_n"] == pytest.approx(168 ** 2 / 3216, abs=0.05)
    assert 0 < s2["sample_rate"]["low"] < 4 / 12 < s2["sample_rate"]["high"] < 1


def test_the_dashboard_and_the_weekly_report_show_both_rates(db, reviewed, tmp_path):
    client, t = reviewed
    record_inclusion(db, "review", drawn)
    signed_in(client, "lee")
    page = client.get("/w/helpdesk/queues/review/quality?period=all")
    assert page.status_code == 200, page.text
    html = page.text
    assert "Estimated production rates" in html
    assert "4.8% [" in html and "33.3% [" in html and "12 items (effective" in html
    assert 'id="chart-production-severity"' in html

    with db.reading() as session:
        ws = session.scalars(select(Workspace).where(Workspace.name == "helpdesk")).one()
        q = session.scalars(select(Queue).where(Queue.name == "review")).one()
        report = quality.quality_report(session, ws, q, quality.parse_period("all"), n_resamples=0)
    written = quality.write_report(report, tmp_path / "weekly")
    markdown = written["md"].read_text()
    assert "## Estimated production rates" in markdown
    row = next(line for line in markdown.splitlines() if line.startswith("| severity | S2 |"))
    assert "4.8% [" in row and "33.3% [" in row and "12 items" in row
    html = written["html"].read_text()
    assert "Estimated production rates" in html and 'id="chart-production-severity"' in html


def test_a_queue_without_inclusion_probabilities_shows_nothing_new(db, reviewed):
    client, t = reviewed
    report = client.get(f"{BASE}/quality/report?period=all&resamples=0", headers=h(t["lead"])).json()
    assert report["production_rates"] == []
    signed_in(client, "lee")
    html = client.get("/w/helpdesk/queues/review/quality?period=all").text
    assert "Label quality: review" in html and "Estimated production rate" not in html
    assert "chart-production" not in html


def test_disagreeing_raters_and_adjudication_set_an_items_outcome(db, settings, workspace, tmp_path):
    """Two raters: an item they split on counts half a failure, an adjudicated one counts
    as the lead decided."""
    tokens = {"lead": make_user(db, "lee", Role.lead),
              **{name: make_user(db, name, Role.rater) for name in ("ann", "bob")}}
    with TestClient(create_app(db, settings)) as client:
        seed_queue(db, client, tokens["lead"], tmp_path, items=2, overlap=2)
        for name in ("ann", "bob"):
            for _ in range(2):
                task = client.post(f"{BASE}/claim", headers=h(tokens[name])).json()["assignment"]
                severity = "S2" if name == "ann" else "S0"
                client.post(f"/api/workspaces/helpdesk/assignments/{task['assignment_id']}/submit",
                            json={"answers": answers(severity=severity)}, headers=h(tokens[name]))
        record_inclusion(db, "review", lambda p: (None, 0.5))
        rates = {(r["question"], r["answer"]): r for r in client.get(
            f"{BASE}/quality/report?period=all&resamples=0", headers=h(tokens["lead"])).json()["production_rates"]}
        assert rates[("severity", "S2")]["estimated_production_rate"]["value"] == pytest.approx(0.5)
        with db.reading() as session:
            first = session.scalars(select(QueueItem).where(QueueItem.position == 0)).one()
        decided = client.post(f"{BASE}/items/{first.id}/adjudication", headers=h(tokens["lead"]),
                              json={"question": "severity", "answer": "S2", "note": "blocked the employee"})
        assert decided.status_code in (200, 201), decided.text
        rates = {(r["question"], r["answer"]): r for r in client.get(
            f"{BASE}/quality/report?period=all&resamples=0", headers=h(tokens["lead"])).json()["production_rates"]}
        assert rates[("severity", "S2")]["estimated_production_rate"]["value"] == pytest.approx(0.75)


def test_raw_rate_matches_wilson_when_every_item_has_one_label(db, reviewed):
    client, t = reviewed
    record_inclusion(db, "review", drawn)
    report = client.get(f"{BASE}/quality/report?period=all&resamples=0", headers=h(t["lead"])).json()
    s2 = next(r for r in report["production_rates"] if r["answer"] == "S2")
    wilson = proportion(4, 12)
    # The raw rate's interval rests on n - 1 (the same estimator, equal weights): a little wider.
    assert s2["sample_rate"]["low"] < wilson.low and s2["sample_rate"]["high"] > wilson.high


def test_recording_inclusion_probabilities_changes_the_queues_figure_state(db, reviewed):
    """The dashboard's cached figures are recomputed once a version's inclusion rows arrive."""
    def state() -> str:
        with db.reading() as session:
            q = session.scalars(select(Queue).where(Queue.name == "review")).one()
            return quality.queue_state(session, q.id)

    before = state()
    record_inclusion(db, "review", drawn)
    assert state() != before
